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
