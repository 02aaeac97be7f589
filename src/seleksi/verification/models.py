from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seleksi.applications.models import Application
from seleksi.selections.models import Selection

MARKS = [("MS", _("Meets the requirement (MS)")), ("TMS", _("Does not meet it (TMS)"))]


class RejectionReason(models.Model):
    """One entry of a selection's list of TMS reasons (editable data, e.g. "Ijazah tidak
    sesuai kualifikasi")."""

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="rejection_reasons"
    )
    code = models.SlugField(_("code"), max_length=64)
    text = models.CharField(_("reason"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("TMS reason")
        verbose_name_plural = _("TMS reasons")
        ordering = ["selection", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "code"], name="rejection_reason_code")
        ]

    def __str__(self) -> str:
        return self.text


class Review(models.Model):
    """One verifier's check of one application, numbered 1, 2, 3… and kept for the record.
    A "decision" sets the result; with a second check required, a "confirmation" by another
    verifier follows, and a confirmation that disagrees becomes the decision to confirm.
    The claim (`claimed_until`) keeps two verifiers off the same application."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("Decision")
        CONFIRMATION = "confirmation", _("Second check")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DECISION)
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    claimed_until = models.DateTimeField()
    result = models.CharField(max_length=3, blank=True, choices=MARKS)
    note = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "round"]
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="review_round")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.round}"


class ReviewItem(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    item = models.CharField(max_length=64)
    mark = models.CharField(max_length=3, choices=MARKS)
    reason = models.ForeignKey(
        RejectionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="review_item")]

    def __str__(self) -> str:
        return f"{self.item}:{self.mark}"


class Publication(models.Model):
    class Kind(models.TextChoices):
        ADMINISTRATIVE = "administrative", _("Administrative selection result")
        POST_OBJECTION = "post_objection", _("Result after the objection period")

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="publications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    counts = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["selection", "kind"], name="publication_once")
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.kind}"


class Objection(models.Model):
    """One objection (sanggahan) per TMS application, answered by the committee."""

    class Status(models.TextChoices):
        FILED = "filed", _("Filed, awaiting the committee's answer")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="objection"
    )
    reason = models.TextField(_("why the result is wrong"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.FILED)
    filed_at = models.DateTimeField(auto_now_add=True)
    answer_due_on = models.DateField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"objection {self.application_id}"


def evidence_path(evidence: "ObjectionEvidence", filename: str) -> str:
    """Nothing taken from the name the browser sent; evidence is named by
    `applications.storage.stored_name`, with the sniffed extension."""
    import uuid

    return f"sanggah/{evidence.objection.application.selection_id}/{uuid.uuid4().hex}"


class ObjectionEvidence(models.Model):
    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name
