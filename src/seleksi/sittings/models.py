from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seleksi.selections.models import Selection


class BankQuestion(models.Model):
    """One question of a selection's bank (bank soal) for a test blueprint
    (`rules.cat`): its component, topic and difficulty, its text, and its options with their
    points as `[{"key": "a", "text": "…", "points": 5}, …]`. Only the agency's committee reads
    it; a participant meets a question only in their own sitting."""

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="bank_questions"
    )
    blueprint = models.CharField(_("test blueprint"), max_length=64)
    component = models.CharField(_("component"), max_length=32)
    topic = models.CharField(_("topic"), max_length=64, blank=True)
    difficulty = models.CharField(_("difficulty"), max_length=64, blank=True)
    text = models.TextField(_("question"))
    options = models.JSONField(_("options"))
    source_name = models.CharField(_("source file"), max_length=255)
    source_sha256 = models.CharField(_("source file SHA-256"), max_length=64)
    source_line = models.PositiveIntegerField(_("line in the source file"))
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("bank question")
        verbose_name_plural = _("question bank")
        ordering = ["selection", "blueprint", "component", "pk"]
        indexes = [
            models.Index(
                fields=["selection", "blueprint", "component"], name="bank_question_component_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.component}:{self.pk}"
