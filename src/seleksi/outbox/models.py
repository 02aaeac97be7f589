"""Stored e-mails (the outbox): one row per message, sent by the task worker.

Decisions worth knowing:
- The body carries activation and reset links, so it is kept as a Fernet token
  (seleksi.core.crypto) and erased once the message is sent; the row stays as a record of
  what was sent to whom and when.
- A worker claims a message by moving `next_attempt_at` past now with a compare-and-swap
  UPDATE; the claim is a lease, so a message whose worker died is tried again once it expires
  and two workers never hold the same message at once.
- `last_error` names the kind of failure only (exception class, SMTP code), never the
  address or the text, because servers echo both in their error messages.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.EmailField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255)
    body_encrypted = models.TextField(_("body (encrypted)"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail message")
        verbose_name_plural = _("e-mail messages")
        ordering = ("id",)
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="queued"),
                name="outbox_due_idx",
            ),
            models.Index(fields=["claim"], condition=~models.Q(claim=""), name="outbox_claim_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"
