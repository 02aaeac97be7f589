"""Result announcements and their rows.

Decisions worth knowing:
- An announcement is drafted, previewed and published; once published nothing in it changes
  (the model and its queryset refuse it). A mistake is corrected by a new announcement that
  names the one it corrects (`corrects`); both stay public, the older one marked as corrected.
- The result table is a copy (`AnnouncementRow`), written in one go when the announcement is
  published, in the order it is printed: formation, then rank, then participant number.
  `order` is dense from 1 and `formations` on the announcement holds where each formation's
  rows start and how many there are, so a page of one formation is a range scan on
  (announcement, order) and needs no COUNT, even with 100,000 rows.
- Rows hold what the public may see: the participant number, the masked name, the figures as
  printed (strings, three decimals as ranked) and the code. `application` links a row to its
  applicant for their own dashboard; it never leaves the server.
- `columns` names the figures of this kind of announcement (`figures[i]` is `columns[i]`), so
  the public page, the PDF and the downloads lay out any kind with the same code.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seleksi.applications.models import Application
from seleksi.audit.models import AppendOnlyError
from seleksi.selections.models import Selection


class Kind(models.TextChoices):
    ADMINISTRATIVE = "administrasi", _("Administrative selection result")
    POST_OBJECTION = "pasca-sanggah", _("Administrative result after objections")
    SKD = "skd", _("Basic competence test (SKD) result")
    FINAL = "akhir", _("Final result")
    PPPK = "pppk", _("PPPK selection result")
    MITRA = "mitra", _("Mitra selection result")
    REPLACEMENT = "pengganti", _("Replacement of withdrawn participants")


class AnnouncementTemplate(models.Model):
    """The agency's editable body text for one kind of announcement, with `$placeholders`
    (string.Template) filled in when a draft is made. Without one, the shipped text is used."""

    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.CASCADE,
        related_name="announcement_templates",
        verbose_name=_("agency"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("announcement template")
        verbose_name_plural = _("announcement templates")
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="announcement_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.kind}"


class AnnouncementQuerySet(models.QuerySet["Announcement"]):
    def published(self) -> "AnnouncementQuerySet":
        return self.filter(published_at__isnull=False)

    def update(self, **kwargs: Any) -> int:
        """As Django's, refused when it would touch a published announcement (publishing
        itself updates drafts only: `... WHERE published_at IS NULL`)."""
        if self.filter(published_at__isnull=False).exists():
            raise AppendOnlyError("a published announcement cannot change")
        return super().update(**kwargs)

    def delete(self) -> NoReturn:
        raise AppendOnlyError("announcements are kept: draft a new one instead")


class AnnouncementRowQuerySet(models.QuerySet["AnnouncementRow"]):
    """Rows are written once, with their announcement, and never changed."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("the rows of a published announcement cannot change")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("the rows of a published announcement are kept")


class Announcement(models.Model):
    """One numbered announcement (pengumuman) of one stage's result of a selection."""

    selection = models.ForeignKey(
        Selection,
        on_delete=models.PROTECT,
        related_name="announcements",
        verbose_name=_("selection"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    number = models.CharField(_("announcement number"), max_length=128)
    dated_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("body"))
    signatory_name = models.CharField(_("signed by (name)"), max_length=255)
    signatory_title = models.CharField(_("signed by (position)"), max_length=255)
    signatory_nip = models.CharField(_("signatory NIP"), max_length=32, blank=True)
    # The stored, confirmed result it announces: a ranking run (SKD, final, PPPK, mitra and
    # replacements) or an administrative publication (administrative, after objections).
    run = models.ForeignKey(
        "scoring.RankingRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("ranking run"),
    )
    publication = models.ForeignKey(
        "verification.Publication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="announcements",
        verbose_name=_("administrative publication"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects announcement"),
    )
    correction_reason = models.TextField(_("what this corrects and why"), blank=True)
    columns = models.JSONField(_("figure columns"), default=list)
    formations = models.JSONField(
        _("rows per formation"),
        default=list,
        help_text=_("[code, label, first order, row count, counts per code] in printed order"),
    )
    counts = models.JSONField(_("rows per code"), default=dict)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    fingerprint = models.CharField(_("rows fingerprint (SHA-256)"), max_length=64, blank=True)
    rule_version = models.CharField(_("rule version"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["selection", "published_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "number"],
                condition=models.Q(published_at__isnull=False),
                name="announcement_number_once",
            ),
            models.UniqueConstraint(
                fields=["corrects"],
                condition=models.Q(published_at__isnull=False),
                name="announcement_corrected_once",
            ),
            models.CheckConstraint(
                condition=models.Q(run__isnull=True) | models.Q(publication__isnull=True),
                name="announcement_one_source",
            ),
        ]
        indexes = [
            models.Index(fields=["selection", "published_at"], name="announcement_public_idx")
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and self._stored_published():
            raise AppendOnlyError("a published announcement cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("announcements are kept: draft a new one instead")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def _stored_published(self) -> bool:
        return Announcement.objects.filter(pk=self.pk, published_at__isnull=False).exists()


class AnnouncementRow(models.Model):
    """One line of a published announcement's result table."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.PROTECT, related_name="rows", verbose_name=_("announcement")
    )
    order = models.PositiveIntegerField(_("order"))
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="announcement_rows",
        verbose_name=_("application"),
    )
    formation_code = models.CharField(_("formation code"), max_length=64)
    number = models.CharField(_("participant number"), max_length=32)
    name = models.CharField(_("name (masked)"), max_length=255)
    figures = models.JSONField(_("figures as printed"), default=list)
    total = models.CharField(_("total"), max_length=16, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    code = models.CharField(_("code"), max_length=4)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = AnnouncementRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement row")
        verbose_name_plural = _("announcement rows")
        ordering = ["announcement", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "order"], name="announcement_row_order"
            ),
            models.UniqueConstraint(
                fields=["announcement", "application"], name="announcement_row_application"
            ),
        ]
        indexes = [
            models.Index(fields=["announcement", "number"], name="announcement_row_number_idx"),
            models.Index(fields=["application"], name="announcement_row_applicant_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id}:{self.order}"
