"""Notices (pemberitahuan): what an applicant is told, kept in their inbox and e-mailed.

Decisions worth knowing:
- One notice per (user, event): `event` is a stable key of what happened (e.g.
  "verification.published:<application id>:<publication id>"), and the unique constraint
  makes a repeated call, a retried request or a double submit a no-op.
- The text is rendered once, in the user's language, and kept: the inbox shows what was
  sent even after the template is edited. It carries no secret; account e-mails (activation,
  reset, e-mail change) stay on the outbox alone and never become notices.
- The delivery state is the linked outbox message's (queued, sent, failed); a user without
  an e-mail address gets the inbox notice only (`email` null).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("recipient"),
    )
    selection = models.ForeignKey(
        "selections.Selection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("selection"),
    )
    event = models.CharField(_("event"), max_length=200)
    template = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message"))
    url = models.CharField(_("link"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email = models.ForeignKey(
        "outbox.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail"),
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notice_once_per_event")
        ]
        indexes = [
            models.Index(
                fields=["user"], condition=models.Q(read_at=None), name="notice_unread_idx"
            ),
            models.Index(fields=["user", "-created_at"], name="notice_inbox_idx"),
            models.Index(fields=["selection", "-created_at"], name="notice_selection_idx"),
            models.Index(fields=["event"], name="notice_event_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def link(self) -> str:
        """`url` when it is a path on this site, else nothing."""
        local = self.url.startswith("/") and not self.url.startswith("//")
        return self.url if local and "\\" not in self.url else ""


class NoticeTemplate(models.Model):
    """An edited text of a notice; without one, the shipped default in
    `data/templates/<code>.<language>.txt` is used (first line the subject)."""

    code = models.CharField(_("template"), max_length=64)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("message"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
        editable=False,
    )

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        ordering = ("code", "language")
        constraints = [
            models.UniqueConstraint(fields=["code", "language"], name="notice_template_once")
        ]

    def __str__(self) -> str:
        return f"{self.code}.{self.language}"
