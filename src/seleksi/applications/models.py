import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seleksi.rules.verification import Mark, Stage
from seleksi.selections.models import DocumentRule, Formation, Selection

STAGES = [(stage.value, stage.value) for stage in Stage]
MARKS = [(mark.value, mark.value) for mark in Mark]
RESULT_VALUES = ["", *(mark.value for mark in Mark)]


def _token() -> str:
    return secrets.token_urlsafe(24)


class Application(models.Model):
    """One person's application (lamaran) to one selection: one formation, documents,
    statements, and once submitted, frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    selection = models.ForeignKey(
        Selection,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("selection"),
    )
    formation = models.ForeignKey(
        Formation,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("formation"),
    )
    number = models.CharField(_("registration number"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    statements = models.JSONField(_("statements"), default=list, blank=True)
    pppk_guru_group = models.CharField(_("PPPK teacher group"), max_length=32, blank=True)
    eligibility = models.JSONField(_("eligibility at the last check"), default=dict, blank=True)
    preference_points = models.PositiveIntegerField(_("preference points"), default=0)
    verification_token = models.CharField(
        max_length=64, unique=True, default=_token, editable=False
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The administrative selection's state (seleksi administrasi). Verification owns it: the
    # values are declared by seleksi.rules.verification, only seleksi.verification.services
    # writes them, and the constraints below refuse any other spelling. An application
    # starts as WAITING (a draft too); the queue reads submitted applications only.
    admin_stage = models.CharField(
        _("administrative stage"), max_length=16, choices=STAGES, default=Stage.WAITING
    )
    admin_result = models.CharField(
        _("administrative decision"), max_length=3, choices=MARKS, blank=True
    )
    published_result = models.CharField(
        _("published result"), max_length=3, choices=MARKS, blank=True
    )
    published_at = models.DateTimeField(_("result published at"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("verifier"),
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "selection"],
                name="one_application_per_selection",
                violation_error_message=_("You already have an application in this selection."),
            ),
            models.CheckConstraint(
                condition=models.Q(admin_stage__in=[stage.value for stage in Stage]),
                name="application_admin_stage_declared",
            ),
            models.CheckConstraint(
                condition=models.Q(admin_result__in=RESULT_VALUES)
                & models.Q(published_result__in=RESULT_VALUES),
                name="application_results_declared",
            ),
            models.CheckConstraint(
                condition=models.Q(status="submitted")
                | models.Q(admin_stage=Stage.WAITING, admin_result="", published_result=""),
                name="application_draft_not_verified",
            ),
        ]
        indexes = [
            models.Index(fields=["selection", "status"], name="application_status_idx"),
            models.Index(
                fields=["selection", "admin_stage", "formation"], name="application_queue_idx"
            ),
            models.Index(fields=["selection", "assigned_to"], name="application_verifier_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


def document_path(document: "Document", filename: str) -> str:
    """Unguessable names with nothing personal in them and nothing taken from the name the
    browser sent. Uploads are named by `storage.stored_name`, with the sniffed extension."""
    return f"dokumen/{document.application.selection_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    """The file in one document slot of an application. Re-uploading replaces it until the
    application is submitted."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    rule = models.ForeignKey(DocumentRule, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=document_path, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(fields=["application", "rule"], name="one_document_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.rule_id}"
