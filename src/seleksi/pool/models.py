"""The mitra pool: cap tables, survey activities and their roles, pool members, assignments,
monthly earnings and performance ratings.

Decisions worth knowing:
- Money is whole rupiah in PositiveBigIntegerField; nothing here stores floats.
- Areas are regency codes (the four-digit Kemendagri code of `reference.Regency`), stored as
  text: an activity lists the regencies it covers in `regencies`, each role names its area,
  and a pool member keeps the regency of domicile they had when they joined the pool.
- An assignment copies its activity (`activity`) so the database itself refuses one mitra in
  two roles of one activity (unique on activity and member); the service checks first to
  word the refusal.
- A cap table is stored as the JSON the rules parse (`cap_table_parse`), one per agency and
  year; `table()` gives the parsed rules object.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from seleksi.rules.honorarium import CapTable as CapTableRules
from seleksi.rules.honorarium import cap_table_parse


class Role(models.TextChoices):
    PPL = "ppl", _("Enumerator (PPL)")
    PML = "pml", _("Supervisor (PML)")


class PayUnit(models.TextChoices):
    DOCUMENT = "document", _("per document")
    PERSON_MONTH = "person_month", _("per person-month")
    LUMP_SUM = "lump_sum", _("lump sum")


def _user_fk(verbose_name: Any) -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class CapTable(models.Model):
    """The honorarium ceiling table (batas honorarium) of an agency for one year."""

    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="cap_tables",
        verbose_name=_("agency"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("table"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = _user_fk(_("loaded by"))

    class Meta:
        verbose_name = _("honorarium cap table")
        verbose_name_plural = _("honorarium cap tables")
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="pool_cap_table_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.year})"

    def table(self) -> CapTableRules:
        return cap_table_parse(self.data)


class Activity(models.Model):
    """A survey or census activity (kegiatan survei) of the agency, over a period."""

    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("agency"),
    )
    name = models.CharField(_("name"), max_length=255)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    regencies = models.JSONField(_("regencies covered"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = _user_fk(_("created by"))

    class Meta:
        verbose_name = _("survey activity")
        verbose_name_plural = _("survey activities")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="pool_activity_period"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def months(self) -> tuple[tuple[int, int], ...]:
        """The (year, month) of every month the activity runs in, in order."""
        months = []
        year, month = self.starts_on.year, self.starts_on.month
        while (year, month) <= (self.ends_on.year, self.ends_on.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return tuple(months)


class ActivityRole(models.Model):
    """How many of one role an activity needs in one regency, and what it pays."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="roles", verbose_name=_("activity")
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    regency = models.CharField(_("area (regency code)"), max_length=4)
    needed = models.PositiveIntegerField(_("number needed"))
    unit = models.CharField(_("pay unit"), max_length=16, choices=PayUnit.choices)
    rate = models.PositiveBigIntegerField(_("rate (rupiah)"))

    class Meta:
        verbose_name = _("activity role")
        verbose_name_plural = _("activity roles")
        ordering = ["activity", "role", "regency"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "role", "regency"], name="pool_activity_role_unique"
            ),
            models.CheckConstraint(condition=Q(needed__gte=1), name="pool_activity_role_needed"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.role}:{self.regency}"


class PoolMember(models.Model):
    """A mitra in the agency's pool for one year."""

    class Source(models.TextChoices):
        SELECTED = "selected", _("Selected this year")
        CARRIED_OVER = "carried_over", _("Carried over from an earlier year")

    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="pool_members",
        verbose_name=_("agency"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pool_memberships",
        verbose_name=_("mitra"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    ranking_run = models.ForeignKey(
        "scoring.RankingRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ranking run"),
    )
    domicile_regency = models.CharField(_("regency of domicile"), max_length=4, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pool member")
        verbose_name_plural = _("pool members")
        ordering = ["agency", "year", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "user", "year"], name="pool_member_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.year}:{self.user_id}"


class Assignment(models.Model):
    """A pool member's place in one role of an activity (penugasan)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("activity")
    )
    activity_role = models.ForeignKey(
        ActivityRole, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("role")
    )
    member = models.ForeignKey(
        PoolMember, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("mitra")
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = models.PositiveBigIntegerField(_("amount (rupiah)"))
    months = models.JSONField(_("months"), default=list)
    over_cap_reason = models.TextField(_("reason for going over the cap"), blank=True)
    cap_figures = models.JSONField(_("cap figures"), default=list, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    assigned_by = _user_fk(_("assigned by"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["activity", "activity_role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"], name="pool_assignment_one_role_per_activity"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="pool_assignment_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_role_id}:{self.member_id}"


class Earning(models.Model):
    """What an assignment earned in one month, as recorded by the office."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="earnings", verbose_name=_("assignment")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    amount = models.PositiveBigIntegerField(_("amount (rupiah)"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    recorded_by = _user_fk(_("recorded by"))

    class Meta:
        verbose_name = _("earning")
        verbose_name_plural = _("earnings")
        ordering = ["assignment", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "year", "month"], name="pool_earning_unique_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="pool_earning_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}:{self.year}-{self.month:02d}"


class PerformanceRating(models.Model):
    """The supervisor's rating of an enumerator's work in one activity, 1-10 on each aspect."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="rating", verbose_name=_("assignment")
    )
    attitude = models.PositiveSmallIntegerField(_("attitude"))
    quality = models.PositiveSmallIntegerField(_("quality"))
    timeliness = models.PositiveSmallIntegerField(_("timeliness"))
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), auto_now_add=True)
    rated_by = _user_fk(_("rated by"))
    supervisor = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings_given",
        verbose_name=_("rated by the supervisor (PML)"),
    )

    class Meta:
        verbose_name = _("performance rating")
        verbose_name_plural = _("performance ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{aspect}__gte": 1, f"{aspect}__lte": 10}),
                name=f"pool_rating_{aspect}_range",
            )
            for aspect in ("attitude", "quality", "timeliness")
        ]

    def __str__(self) -> str:
        return f"rating {self.assignment_id}"
