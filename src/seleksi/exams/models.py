import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from seleksi.applications.models import Application
from seleksi.rules.exams import TestStage
from seleksi.selections.models import Formation, Selection

STAGES = [
    (TestStage.SKD.value, _("Basic competence test (SKD)")),
    (TestStage.SKB.value, _("Field competence test (SKB)")),
    (TestStage.PPPK.value, _("PPPK competence test")),
    (TestStage.MITRA.value, _("Mitra competence test")),
    (TestStage.INTERVIEW.value, _("Interview")),
]


def _card_token() -> str:
    return "k" + secrets.token_urlsafe(24)


class TestSite(models.Model):
    """A place where a selection's tests are held (lokasi ujian), with its rooms."""

    __test__ = False

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="test_sites", verbose_name=_("selection")
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    address = models.TextField(_("address"), blank=True)
    map_url = models.URLField(_("map link"), blank=True)

    class Meta:
        verbose_name = _("test site")
        verbose_name_plural = _("test sites")
        ordering = ["selection", "name"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "code"], name="test_site_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    site = models.ForeignKey(
        TestSite, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("test site")
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    seats = models.PositiveIntegerField(_("seats"))
    ground_floor = models.BooleanField(
        _("ground floor / step-free"),
        default=False,
        help_text=_("Reachable without stairs, for participants who need an accommodation."),
    )

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["site", "code"]
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="room_unique_code"),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="room_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.name}"


class TestSession(models.Model):
    """One sitting of one stage (sesi) at one site, in one or more rooms. A session with
    formations listed is reserved for them; an accommodation session only for participants
    with a recorded accommodation."""

    __test__ = False

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="test_sessions")
    stage = models.CharField(_("stage"), max_length=16, choices=STAGES)
    code = models.SlugField(_("code"), max_length=64)
    site = models.ForeignKey(
        TestSite, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("test site")
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    formations = models.ManyToManyField(
        Formation, blank=True, related_name="+", verbose_name=_("reserved for formations")
    )
    accommodation_only = models.BooleanField(
        _("only for participants needing an accommodation"), default=False
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("test session")
        verbose_name_plural = _("test sessions")
        ordering = ["selection", "starts_at", "code"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "code"], name="test_session_unique_code"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1), name="test_session_duration"
            ),
        ]
        indexes = [
            models.Index(fields=["selection", "stage", "starts_at"], name="test_session_stage_idx")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class SessionRoom(models.Model):
    """A room used by a session, with the seats offered there and how many are taken.

    `taken` moves only by compare-and-swap (`taken < capacity` in the UPDATE itself), so the
    database, not a read before the write, keeps a room from being overbooked."""

    session = models.ForeignKey(TestSession, on_delete=models.CASCADE, related_name="rooms")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="session_rooms")
    order = models.PositiveSmallIntegerField(default=0)
    capacity = models.PositiveIntegerField(_("capacity"))
    taken = models.PositiveIntegerField(_("seats taken"), default=0)

    class Meta:
        ordering = ["session", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "room"], name="session_room_unique"),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="session_room_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("capacity")),
                name="session_room_not_overbooked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.room.name}"


class BookingWindow(models.Model):
    """When a stage's seats can be booked, and whether applicants choose (self) or the
    committee assigns. Published once `opens_at` is set; applicants see it on their page."""

    class Mode(models.TextChoices):
        SELF = "self", _("Applicants choose their session")
        ASSIGNED = "assigned", _("The committee assigns seats")

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="booking_windows"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=STAGES)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.SELF)
    opens_at = models.DateTimeField(_("booking opens at"))
    closes_at = models.DateTimeField(_("booking closes at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking window")
        verbose_name_plural = _("booking windows")
        constraints = [
            models.UniqueConstraint(fields=["selection", "stage"], name="booking_window_once"),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="booking_window_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.stage}"

    def is_open(self, moment: datetime) -> bool:
        return self.opens_at <= moment < self.closes_at


class Accommodation(models.Model):
    """What a participant needs on the day (a ground-floor room, extra time), recorded by the
    committee; it admits them to accommodation sessions."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="accommodation"
    )
    note = models.CharField(_("what is needed"), max_length=255)
    extra_minutes = models.PositiveSmallIntegerField(_("extra minutes"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("accommodation")
        verbose_name_plural = _("accommodations")

    def __str__(self) -> str:
        return self.note


class SiteChoice(models.Model):
    """The test location an applicant prefers where the committee assigns seats (seed 003):
    the assignment seats them only there. Changeable while an assigned stage's booking
    window is open."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="site_choice"
    )
    site = models.ForeignKey(
        TestSite, on_delete=models.CASCADE, related_name="choices", verbose_name=_("test site")
    )
    chosen_at = models.DateTimeField(_("chosen at"))

    class Meta:
        verbose_name = _("test location choice")
        verbose_name_plural = _("test location choices")

    def __str__(self) -> str:
        return f"{self.application_id}:{self.site_id}"


class Booking(models.Model):
    """A participant's seat in one session of one stage: one per application and stage.

    Attendance is empty until check-in (H) or until the session is closed without one (TH).
    `token` is printed as the exam card's QR code and opens `/verifikasi/<token>`."""

    class Attendance(models.TextChoices):
        BOOKED = "", _("Booked")
        PRESENT = "H", _("Present (hadir)")
        ABSENT = "TH", _("Absent (TH)")

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="bookings")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="bookings")
    stage = models.CharField(_("stage"), max_length=16, choices=STAGES)
    session = models.ForeignKey(TestSession, on_delete=models.PROTECT, related_name="bookings")
    session_room = models.ForeignKey(SessionRoom, on_delete=models.PROTECT, related_name="bookings")
    token = models.CharField(max_length=64, unique=True, default=_card_token, editable=False)
    booked_at = models.DateTimeField(_("booked at"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attendance = models.CharField(
        _("attendance"), max_length=2, choices=Attendance.choices, blank=True, default=""
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["session", "application__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "stage"],
                name="booking_one_per_stage",
                violation_error_message=_("You already hold a seat for this stage."),
            ),
            models.CheckConstraint(
                condition=models.Q(attendance__in=["", "H", "TH"]),
                name="booking_attendance_declared",
            ),
        ]
        indexes = [
            models.Index(fields=["selection", "stage", "attendance"], name="booking_stage_idx")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.stage}"


def card_archive_path(batch: "CardBatch", filename: str) -> str:
    return f"kartu/{batch.selection_id}/{secrets.token_hex(16)}.zip"


class CardBatch(models.Model):
    """The committee's request for every exam card of a stage as one ZIP, made by a task that
    counts its progress in `done`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="card_batches")
    stage = models.CharField(_("stage"), max_length=16, choices=STAGES)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    archive = models.FileField(upload_to=card_archive_path, max_length=255, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.selection_id}:{self.stage}:{self.pk}"
