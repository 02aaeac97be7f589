"""Reference lists (data rujukan) that forms choose from: regions and education levels.

Rows come from the CSV files in `data/`, loaded by migrations; nobody edits them by hand.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    """A province (provinsi), with its two-digit Kemendagri code."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Regency(models.Model):
    """A regency or city (kabupaten/kota). The code is the Kemendagri code without its dot,
    which is also the first four digits of the NIK of anyone registered there."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="regencies",
        verbose_name=_("province"),
    )
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        verbose_name = _("regency or city")
        verbose_name_plural = _("regencies and cities")
        ordering = ["code"]
        indexes = [models.Index(fields=["name"], name="reference_regency_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def dotted_code(self) -> str:
        """The code as Kemendagri writes it, e.g. 11.04."""
        return f"{self.code[:2]}.{self.code[2:]}"


class EducationLevel(models.Model):
    """A level of formal education (jenjang pendidikan), from SD to S-3."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    name = models.CharField(_("name"), max_length=64)
    order = models.PositiveSmallIntegerField(
        _("order"), help_text=_("Higher levels have a higher number.")
    )

    class Meta:
        verbose_name = _("education level")
        verbose_name_plural = _("education levels")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name
