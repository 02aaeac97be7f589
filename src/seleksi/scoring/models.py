from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seleksi.applications.models import Application
from seleksi.selections.models import Selection


class Score(models.Model):
    """One participant's result (nilai) in one test stage and round (tahap), as imported from
    the CAT: SKD subtests, the SKB score, or a PPPK round with its affirmation grounds.

    Fields of other stages stay empty, and so do the scores of an absent participant."""

    class Stage(models.TextChoices):
        SKD = "skd", _("Basic competence test (SKD)")
        SKB = "skb", _("Field competence test (SKB)")
        PPPK = "pppk", _("PPPK competence test")
        MITRA = "mitra", _("Mitra competence test")

    class Attendance(models.TextChoices):
        PRESENT = "H", _("Present (H)")
        ABSENT = "TH", _("Absent (TH)")

    selection = models.ForeignKey(
        Selection, on_delete=models.PROTECT, related_name="scores", verbose_name=_("selection")
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="scores", verbose_name=_("application")
    )
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    attendance = models.CharField(_("attendance"), max_length=2, choices=Attendance.choices)
    twk = models.PositiveSmallIntegerField("TWK", null=True, blank=True)
    tiu = models.PositiveSmallIntegerField("TIU", null=True, blank=True)
    tkp = models.PositiveSmallIntegerField("TKP", null=True, blank=True)
    skb = models.DecimalField("SKB", max_digits=6, decimal_places=3, null=True, blank=True)
    teknis = models.PositiveSmallIntegerField(_("technical"), null=True, blank=True)
    manajerial_sosiokultural = models.PositiveSmallIntegerField(
        _("managerial and socio-cultural"), null=True, blank=True
    )
    wawancara = models.PositiveSmallIntegerField(_("interview"), null=True, blank=True)
    serdik_linier = models.BooleanField(_("linear teaching certificate"), default=False)
    age_35_active_3_years = models.BooleanField(_("over 35 and active for 3 years"), default=False)
    disability = models.BooleanField(_("disability"), default=False)
    thk2_active_3_years = models.BooleanField(_("THK-II active for 3 years"), default=False)
    test_score = models.DecimalField(
        _("test score"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    performance_rating = models.DecimalField(
        _("past performance rating"),
        max_digits=5,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Mitra only: the rating of earlier survey work, empty when there is none."),
    )
    imported_at = models.DateTimeField(_("imported at"))
    source_name = models.CharField(_("source file"), max_length=255)
    source_sha256 = models.CharField(_("source file SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["selection", "stage", "application__number", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "stage", "round"], name="score_one_per_stage_round"
            ),
            models.CheckConstraint(condition=models.Q(round__gte=1), name="score_round_positive"),
        ]
        indexes = [models.Index(fields=["selection", "stage"], name="score_stage_idx")]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.stage}:{self.round}"

    @property
    def is_present(self) -> bool:
        return self.attendance == self.Attendance.PRESENT


class RankingRun(models.Model):
    """One run of the ranking engine (pemeringkatan) on a selection's stored scores, kept with
    its policy version and the fingerprint of its inputs so that it can be shown to be the
    same as another run. Runs are never changed; a re-run is a new run."""

    class Stage(models.TextChoices):
        SKD = "skd", _("SKD ranking")
        FINAL = "akhir", _("Final ranking")
        PPPK = "pppk", _("PPPK ranking")
        MITRA = "mitra", _("Mitra ranking")

    selection = models.ForeignKey(
        Selection,
        on_delete=models.PROTECT,
        related_name="ranking_runs",
        verbose_name=_("selection"),
    )
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    policy_code = models.CharField(_("ranking policy"), max_length=64)
    policy_version = models.PositiveIntegerField(_("policy version"))
    fingerprint = models.CharField(_("input fingerprint (SHA-256)"), max_length=64)
    created_at = models.DateTimeField(_("created at"))
    row_count = models.PositiveIntegerField(_("rows"))
    counts = models.JSONField(_("rows per outcome code"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmation_note = models.TextField(_("confirmation note"), blank=True)

    class Meta:
        verbose_name = _("ranking run")
        verbose_name_plural = _("ranking runs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["selection", "stage", "fingerprint"], name="ranking_run_fingerprint_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.stage}:{self.pk}"


class RankingRow(models.Model):
    """One participant's line in a ranking run, with the figures as displayed (three decimals)
    and the outcome code (kode): P/L, P, T/L, TH for SKD; L, L-2, TL, TH for the final stage.
    `order` is the engine's order: formation, rank, participant number, unranked last; a row
    is keyed by its run and order (no id: nothing refers to a single row, and a national run
    writes a million of them).

    `run` and `application` are foreign keys without a database constraint: on PostgreSQL
    each constraint is checked row by row at commit, which for a national stage cost about as
    much as the ranking itself. Neither has an index of its own: the key serves every lookup
    by run and the unique (application, run) every lookup by application, so writing a run's
    rows updates two indexes. Integrity does not rest on the constraints: rows are written
    only by `ranking_runs.ranking_run`, for the run it has just created and for applications
    it read in the same transaction; runs and applications are never deleted by raw SQL, and
    Django applies `on_delete` itself (a run's rows go with it, an application with ranking
    rows cannot be deleted; anonymisation keeps the application)."""

    pk = models.CompositePrimaryKey("run", "order")
    run = models.ForeignKey(
        RankingRun,
        on_delete=models.CASCADE,
        related_name="rows",
        verbose_name=_("ranking run"),
        db_constraint=False,
        db_index=False,
    )
    order = models.PositiveIntegerField(_("order"))
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="ranking_rows",
        verbose_name=_("application"),
        db_constraint=False,
        db_index=False,
    )
    formation_code = models.CharField(_("formation code"), max_length=64)
    placed_formation_code = models.CharField(
        _("placed in formation (optimalisasi)"), max_length=64, blank=True
    )
    twk = models.PositiveSmallIntegerField("TWK", null=True, blank=True)
    tiu = models.PositiveSmallIntegerField("TIU", null=True, blank=True)
    tkp = models.PositiveSmallIntegerField("TKP", null=True, blank=True)
    skd_total = models.PositiveSmallIntegerField(_("SKD total"), null=True, blank=True)
    skd_score = models.DecimalField(
        _("SKD score (0-100)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    skb_score = models.DecimalField(
        _("SKB score"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    final_score = models.DecimalField(
        _("final score"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    test_round = models.PositiveSmallIntegerField(_("round counted"), null=True, blank=True)
    teknis_score = models.DecimalField(
        _("technical score with affirmation"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    test_score = models.DecimalField(
        _("test score"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    preference_points = models.DecimalField(
        _("preference points"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    rank = models.PositiveIntegerField(_("rank (peringkat)"), null=True, blank=True)
    outcome = models.CharField(_("outcome code"), max_length=4)
    tied_at_cut = models.BooleanField(_("tied at the quota"), default=False)

    class Meta:
        verbose_name = _("ranking row")
        verbose_name_plural = _("ranking rows")
        ordering = ["run", "order"]
        constraints = [
            models.UniqueConstraint(fields=["application", "run"], name="ranking_row_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.application_id}:{self.outcome}"


RANKING_ROW_COLUMNS = (
    "run_id",
    "order",
    "application_id",
    "formation_code",
    "placed_formation_code",
    "twk",
    "tiu",
    "tkp",
    "skd_total",
    "skd_score",
    "skb_score",
    "final_score",
    "test_round",
    "teknis_score",
    "test_score",
    "preference_points",
    "rank",
    "outcome",
    "tied_at_cut",
)
"""The stored columns of a `RankingRow`, in the order both ranking paths write them."""


class Withdrawal(models.Model):
    """A passed applicant leaving a confirmed ranking run: withdrew (APS, atas permintaan
    sendiri) or disqualified (DIS), recorded by the committee with a note, and the replacement
    the engine proposed for the freed seat (`seleksi.rules.replacement`).

    Withdrawals of one run are applied in `sequence`; the proposal is stored when recorded and
    takes effect when the committee confirms it; a proposal recorded by mistake is cancelled,
    never deleted."""

    class Reason(models.TextChoices):
        WITHDREW = "APS", _("Withdrew (APS)")
        DISQUALIFIED = "DIS", _("Disqualified (DIS)")

    run = models.ForeignKey(
        RankingRun,
        on_delete=models.PROTECT,
        related_name="withdrawals",
        verbose_name=_("ranking run"),
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="withdrawals",
        verbose_name=_("application"),
    )
    reason = models.CharField(_("reason"), max_length=3, choices=Reason.choices)
    note = models.TextField(_("note"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    seat_code = models.CharField(_("seat freed in formation"), max_length=64, blank=True)
    replacement = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replacements",
        verbose_name=_("proposed replacement"),
    )
    replacement_code = models.CharField(_("replacement code"), max_length=4, blank=True)
    tied = models.BooleanField(_("tied with another candidate"), default=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmation_note = models.TextField(_("confirmation note"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )

    class Meta:
        verbose_name = _("withdrawal and replacement")
        verbose_name_plural = _("withdrawals and replacements")
        ordering = ["run", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["run", "sequence"], name="withdrawal_unique_sequence"),
            models.UniqueConstraint(
                fields=["run", "application"],
                condition=models.Q(cancelled_at__isnull=True),
                name="withdrawal_unique_application",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_at__isnull=True) | models.Q(cancelled_at__isnull=True),
                name="withdrawal_confirmed_or_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.sequence}:{self.reason}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_pending(self) -> bool:
        return self.confirmed_at is None and self.cancelled_at is None
