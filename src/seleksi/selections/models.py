from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from seleksi.agencies.models import Agency
from seleksi.rules import formations as table
from seleksi.rules.schedule import SelectionStatus, StageWindow, selection_status

DEFAULT_RANKING_POLICIES = {
    "CPNS": "cpns-2021",
    "PPPK": "pppk-guru-2021",
    "MITRA": "mitra-bps-2024",
}


class Selection(models.Model):
    """One published recruitment: an announcement (pengumuman) with its schedule, rules and
    openings (formasi)."""

    class Kind(models.TextChoices):
        CASN = "casn", _("Civil-servant selection (CPNS/PPPK)")
        MITRA = "mitra", _("Statistics field-partner recruitment")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="selections", verbose_name=_("agency")
    )
    code = models.SlugField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("Short identifier used in addresses and files, e.g. aceh-tengah-casn-2021."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    number = models.CharField(_("announcement number"), max_length=128, blank=True)
    announced_on = models.DateField(_("announcement date"), null=True, blank=True)
    announced_at_place = models.CharField(_("place of announcement"), max_length=128, blank=True)
    signed_by = models.CharField(_("signed by (office)"), max_length=255, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    exam_location = models.TextField(_("test location"), blank=True)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Only published selections are public.")
    )
    require_second_check = models.BooleanField(
        _("require a second check"),
        default=False,
        help_text=_("A second verifier must confirm every administrative decision."),
    )
    objection_days = models.PositiveSmallIntegerField(
        _("objection period (calendar days)"),
        default=3,
        help_text=_("Used when the schedule has no dated objection stage."),
    )
    eligibility_policy = models.CharField(
        _("eligibility policy"),
        max_length=64,
        blank=True,
        help_text=_("Code of the rules applied when people apply, e.g. casn-2021."),
    )
    cpns_ranking_policy = models.CharField(
        _("CPNS ranking policy"),
        max_length=64,
        blank=True,
        help_text=_("SKD and final ranking of CPNS openings, e.g. cpns-2021."),
    )
    pppk_ranking_policy = models.CharField(
        _("PPPK ranking policy"),
        max_length=64,
        blank=True,
        help_text=_("Ranking of PPPK openings, e.g. pppk-guru-2021."),
    )
    mitra_ranking_policy = models.CharField(
        _("mitra ranking policy"),
        max_length=64,
        blank=True,
        help_text=_("Ranking of mitra openings, e.g. mitra-bps-2024."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["-announced_on", "title"]

    def __str__(self) -> str:
        return self.title

    def status(self, today: date | None = None) -> SelectionStatus:
        """The status on `today`, by default today in the agency's time zone."""
        stages = [
            StageWindow(stage.kind, stage.starts_on, stage.ends_on) for stage in self.stages.all()
        ]
        return selection_status(stages, today or self.agency.today())

    @property
    def policy_code(self) -> str:
        """The eligibility policy: the one chosen, or the default for the kind."""
        if self.eligibility_policy:
            return self.eligibility_policy
        return "mitra-bps-2024" if self.kind == self.Kind.MITRA else "casn-2021"

    def ranking_policy_code(self, procurement_type: str) -> str:
        """The ranking policy for openings of `procurement_type` (CPNS, PPPK, MITRA): the one
        chosen, or the default. A run keeps the code and version it was ranked with."""
        chosen = {
            "CPNS": self.cpns_ranking_policy,
            "PPPK": self.pppk_ranking_policy,
            "MITRA": self.mitra_ranking_policy,
        }
        return chosen.get(procurement_type) or DEFAULT_RANKING_POLICIES[procurement_type]

    def registration_stage(self) -> "Stage | None":
        return next((s for s in self.stages.all() if s.kind == Stage.Kind.REGISTRATION), None)


class Stage(models.Model):
    """One line of the schedule (jadwal). Dates may be empty while still to be announced."""

    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", _("Announcement")
        REGISTRATION = "registration", _("Registration")
        ADMINISTRATIVE = "administrative", _("Administrative selection")
        OBJECTION = "objection", _("Objection period")
        SKD = "skd", _("Basic competence test (SKD)")
        SKB = "skb", _("Field competence test (SKB)")
        COMPETENCE = "competence", _("Competence test")
        INTERVIEW = "interview", _("Interview")
        FINAL_SELECTION = "final_selection", _("Final selection")
        RESULT = "result", _("Announcement of results")
        OTHER = "other", _("Other")

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="stages", verbose_name=_("selection")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=255)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("schedule")
        ordering = ["selection", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="stage_ends_after_start",
                violation_error_message=_("A stage cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Requirement(models.Model):
    """One requirement of the announcement, as written. Preferred (diutamakan) criteria rank
    applicants but do not eliminate them."""

    class Category(models.TextChoices):
        GENERAL = "general", _("General requirement")
        SPECIAL = "special", _("Special requirement")
        PREFERRED = "preferred", _("Preferred (not a condition)")
        PROCEDURE = "procedure", _("How to register")
        OTHER = "other", _("Other provisions")

    selection = models.ForeignKey(
        Selection,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("selection"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    applies_to = models.CharField(
        _("applies to"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty when it applies to every applicant, e.g. 'PPPK Guru'."),
    )
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["selection", "order", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class DocumentRule(models.Model):
    """A document slot an applicant fills, with the format and size limit of this selection."""

    class FileFormat(models.TextChoices):
        JPEG = "jpeg", "JPEG"
        PDF = "pdf", "PDF"
        MP4 = "mp4", "MP4"

    selection = models.ForeignKey(
        Selection,
        on_delete=models.CASCADE,
        related_name="document_rules",
        verbose_name=_("selection"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    file_format = models.CharField(_("format"), max_length=8, choices=FileFormat.choices)
    max_size_kb = models.PositiveIntegerField(_("maximum size (KB)"))
    is_required = models.BooleanField(_("required"), default=True)
    applies_to = models.CharField(_("applies to"), max_length=255, blank=True)
    max_pages = models.PositiveSmallIntegerField(_("maximum pages (PDF)"), default=20)
    is_photo = models.BooleanField(
        _("passport photo checks"),
        default=False,
        help_text=_("Warn when the photo is not 4×6 or its background is not red."),
    )

    class Meta:
        verbose_name = _("document rule")
        verbose_name_plural = _("document rules")
        ordering = ["selection", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "code"], name="document_rule_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """Where applicants ask questions or complain: call centre, e-mail, website."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Telephone")
        EMAIL = "email", _("E-mail")
        WEBSITE = "website", _("Website")
        SOCIAL = "social", _("Social media")
        ADDRESS = "address", _("Address")

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("selection")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=255)
    value = models.CharField(_("value"), max_length=255)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["selection", "order", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


PROCUREMENT_TYPES = [
    (table.ProcurementType.CPNS.value, _("CPNS (civil servant candidate)")),
    (table.ProcurementType.PPPK.value, _("PPPK (contract civil servant)")),
    (table.ProcurementType.MITRA.value, _("Statistics field partner")),
]
FORMATION_TYPES = [
    (table.FormationType.UMUM.value, _("General")),
    (table.FormationType.DISABILITAS.value, _("Disability")),
    (table.FormationType.CUMLAUDE.value, _("Cum laude graduates")),
    (table.FormationType.DIASPORA.value, _("Diaspora")),
    (table.FormationType.PAPUA.value, _("Papuan sons and daughters")),
    (table.FormationType.DOKTER.value, _("Doctors")),
    (table.FormationType.KHUSUS_LAPANGAN.value, _("Special field positions")),
]
POSITION_CATEGORIES = [
    (table.PositionCategory.GURU.value, _("Teachers")),
    (table.PositionCategory.KESEHATAN.value, _("Health workers")),
    (table.PositionCategory.TEKNIS.value, _("Technical staff")),
]


class Formation(models.Model):
    """One opening line (formasi): position × qualifications × placement × type, with a quota.

    A mitra pool has no fixed quota: `quota` is empty there.
    """

    selection = models.ForeignKey(
        Selection,
        on_delete=models.CASCADE,
        related_name="formations",
        verbose_name=_("selection"),
    )
    code = models.CharField(_("formation code"), max_length=table.MAX_CODE)
    procurement_type = models.CharField(
        _("procurement type"), max_length=8, choices=PROCUREMENT_TYPES
    )
    formation_type = models.CharField(_("formation type"), max_length=32, choices=FORMATION_TYPES)
    position_category = models.CharField(
        _("position category"), max_length=16, choices=POSITION_CATEGORIES, blank=True
    )
    position = models.CharField(_("position"), max_length=table.MAX_TEXT)
    qualifications_text = models.TextField(
        _("education qualifications"),
        help_text=_("Qualifications separated by semicolons."),
    )
    placement_unit = models.CharField(_("placement unit"), max_length=table.MAX_TEXT)
    quota = models.PositiveIntegerField(_("quota"), null=True, blank=True)
    teknis_pass_mark = models.PositiveSmallIntegerField(
        _("technical pass mark (ambang teknis)"),
        null=True,
        blank=True,
        help_text=_("PPPK only: the pass mark of the technical competence test for this position."),
    )

    class Meta:
        verbose_name = _("formation")
        verbose_name_plural = _("formations")
        ordering = ["selection", "code"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "code"], name="formation_unique_code"),
            models.CheckConstraint(
                condition=models.Q(quota__isnull=True) | models.Q(quota__gte=1),
                name="formation_quota_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["selection", "procurement_type"], name="formation_proc_idx"),
            models.Index(fields=["selection", "formation_type"], name="formation_type_idx"),
            models.Index(fields=["selection", "position"], name="formation_position_idx"),
            models.Index(fields=["selection", "placement_unit"], name="formation_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.position} · {self.placement_unit}"

    @property
    def qualification_list(self) -> list[str]:
        return [q.strip() for q in self.qualifications_text.split(";") if q.strip()]


class FormationQualification(models.Model):
    """One accepted education qualification of a formation, kept as a row so that openings
    can be filtered by qualification with an index."""

    formation = models.ForeignKey(
        Formation, on_delete=models.CASCADE, related_name="qualifications"
    )
    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("qualification"), max_length=table.MAX_TEXT)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("formation qualification")
        verbose_name_plural = _("formation qualifications")
        ordering = ["formation", "order"]
        indexes = [models.Index(fields=["selection", "name"], name="qualification_name_idx")]

    def __str__(self) -> str:
        return self.name
