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
    image = models.FileField(_("image"), upload_to="soal/", max_length=255, blank=True)
    """kept in private storage, served only to the committee and to a participant whose
    sitting drew the question"""
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


class StageTest(models.Model):
    """That a stage of a selection is sat on Seleksi's own computer-assisted test, and with
    which blueprint (`rules.cat`). A stage without one takes its scores from an outside CAT's
    file (`seleksi import-scores`)."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="stage_tests")
    stage = models.CharField(_("stage"), max_length=16)
    blueprint = models.CharField(_("test blueprint"), max_length=64)
    set_at = models.DateTimeField(_("set at"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("stage test")
        verbose_name_plural = _("stage tests")
        constraints = [
            models.UniqueConstraint(fields=["selection", "stage"], name="stage_test_once")
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.stage}:{self.blueprint}"


class Sitting(models.Model):
    """One participant's sitting of a computer-assisted test: their drawn questions (from
    `seed`, kept only here), the server's clock (`ends_at`, the blueprint's duration plus any
    accommodation minutes, fixed when the sitting starts) and, once finished, the scores."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        FINISHED = "finished", _("Finished")

    class ClosedBy(models.TextChoices):
        PARTICIPANT = "participant", _("Finished by the participant")
        SERVER = "server", _("Closed by the server when time ran out")

    booking = models.OneToOneField(
        "exams.Booking", on_delete=models.PROTECT, related_name="sitting"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    """the booking's applicant, kept here: every answer checks it without a join"""
    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="sittings")
    blueprint = models.CharField(_("test blueprint"), max_length=64)
    blueprint_version = models.PositiveIntegerField(_("blueprint version"))
    seed = models.BigIntegerField()
    drawn = models.JSONField(default=list)
    """[{"question": id, "component": code, "options": [keys in the order shown]}, …]"""
    started_at = models.DateTimeField(_("started at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    closed_by = models.CharField(max_length=16, choices=ClosedBy.choices, blank=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)

    class Meta:
        verbose_name = _("sitting")
        verbose_name_plural = _("sittings")
        indexes = [models.Index(fields=["status", "ends_at"], name="sitting_due_idx")]

    def __str__(self) -> str:
        return f"{self.booking_id}:{self.blueprint}"


class Answer(models.Model):
    """The participant's latest answer to one question of a sitting. `sequence` is the
    browser's counter: a save with a lower or equal sequence than the stored one is stale and
    changes nothing, so a resend never counts twice and an older answer never overwrites a
    newer one. An empty `option` is a cleared answer."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="answers")
    question = models.PositiveIntegerField()
    option = models.CharField(max_length=8, blank=True)
    marked = models.BooleanField(default=False)
    sequence = models.PositiveIntegerField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sitting", "question"], name="answer_one_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.sitting_id}:{self.question}"


class SittingEvent(models.Model):
    """What happened in a sitting, for disputes: appended, never changed. `at` is the
    server's time when it learnt of the event; `client_at` the browser's own time for what
    the browser reports (a question shown, the connection lost or regained)."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Sitting started")
        OPENED = "opened", _("Test page opened")
        SHOWN = "shown", _("Question shown")
        ANSWERED = "answered", _("Answered")
        CHANGED = "changed", _("Answer changed")
        CLEARED = "cleared", _("Answer cleared")
        MARKED = "marked", _("Marking changed")
        LATE = "late", _("Answer refused: time was up")
        OFFLINE = "offline", _("Connection lost")
        ONLINE = "online", _("Connection regained")
        EXTENDED = "extended", _("Time extended")
        FINISHED = "finished", _("Sitting finished")

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    question = models.PositiveIntegerField(null=True, blank=True)
    option = models.CharField(max_length=8, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    at = models.DateTimeField(_("server time"))
    client_at = models.DateTimeField(_("browser time"), null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("sitting event")
        verbose_name_plural = _("sitting events")
        ordering = ["sitting", "at", "pk"]
        indexes = [models.Index(fields=["sitting", "at"], name="sitting_event_idx")]

    def __str__(self) -> str:
        return f"{self.sitting_id}:{self.kind}"
