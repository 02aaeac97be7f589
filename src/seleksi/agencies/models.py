from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """An agency (instansi) that runs selections: a regional government, a statistics office."""

    class Kind(models.TextChoices):
        REGIONAL_GOVERNMENT = "regional_government", _("Regional government")
        STATISTICS_OFFICE = "statistics_office", _("Statistics office")
        CENTRAL_AGENCY = "central_agency", _("Central agency")

    class TimeZone(models.TextChoices):
        """Indonesia's three zones; every date window of the agency's selections is a range of
        days in its zone."""

        WIB = "Asia/Jakarta", _("WIB (Western Indonesia, UTC+7)")
        WITA = "Asia/Makassar", _("WITA (Central Indonesia, UTC+8)")
        WIT = "Asia/Jayapura", _("WIT (Eastern Indonesia, UTC+9)")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    unit_name = models.CharField(
        _("organising unit"),
        max_length=255,
        blank=True,
        help_text=_("The office that runs selections, e.g. the personnel office (BKPSDM)."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
        verbose_name=_("office above"),
        help_text=_(
            "The province office of a regency's statistics office: it may also run that "
            "office's mitra pool."
        ),
    )
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=32,
        choices=TimeZone.choices,
        default=TimeZone.WIB,
        help_text=_("Registration, objection and booking windows open and close at midnight here."),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def today(self) -> date:
        """The date at the agency, which decides whether one of its windows is open."""
        return self.date_of(timezone.now())

    def date_of(self, moment: datetime) -> date:
        return timezone.localdate(moment, timezone=ZoneInfo(self.time_zone))


class Role(models.TextChoices):
    """Staff roles inside one agency. Applicants and superusers are not memberships."""

    VERIFIER = "verifier", _("Verifier")
    COMMITTEE = "committee", _("Committee member")
    ADMIN = "admin", _("Agency administrator")
    SITE_STAFF = "site_staff", _("Test-site staff (check-in only)")


class Membership(models.Model):
    """Gives a user one staff role in one agency; every staff permission is scoped by it."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("agency")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "user", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency}"
