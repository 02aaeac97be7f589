"""Reads for the test stage: the sessions an applicant may choose with their seats left, a
participant's bookings, a stage's sessions for the committee, and attendance for the ranking."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.selections.models import Selection
from seleksi.verification.selectors import ROLE_LABELS, TimelineEntry
from seleksi.verification.selectors import timeline as verification_timeline

from .models import Accommodation, Booking, BookingWindow, SessionRoom, TestSession, TestSite


def _with_seats(sessions: QuerySet[TestSession]) -> QuerySet[Any]:
    return sessions.annotate(
        capacity=Sum("rooms__capacity"), seats_taken=Sum("rooms__taken")
    ).annotate(seats_left=F("capacity") - F("seats_taken"))


def sessions_open_to(*, application: Application, stage: str) -> QuerySet[TestSession]:
    """Sessions of `stage` the applicant may take, full or not: not closed, not started,
    for everyone or reserved for their formation, accommodation sessions only with one
    recorded. Each has `capacity`, `seats_taken` and `seats_left`."""
    sessions = TestSession.objects.filter(
        selection_id=application.selection_id,
        stage=stage,
        closed_at=None,
        starts_at__gt=timezone.now(),
    ).filter(Q(formations=None) | Q(formations=application.formation_id))
    if not Accommodation.objects.filter(application=application).exists():
        sessions = sessions.filter(accommodation_only=False)
    ids = sessions.values("pk")
    return (
        _with_seats(TestSession.objects.filter(pk__in=ids))
        .select_related("site")
        .order_by("starts_at", "code")
    )


def sessions_with_seats(
    *, application: Application, stage: str, limit: int | None = None
) -> list[TestSession]:
    """The applicant's open sessions that still have a seat, soonest first."""
    sessions: Any = sessions_open_to(application=application, stage=stage)
    free = [session for session in sessions if session.seats_left > 0]
    return free[:limit] if limit else free


def seats_left(*, selection: Selection, session_ids: list[int]) -> dict[int, int]:
    """Seats left per session, for the live count on the booking page (one small query)."""
    rows = (
        SessionRoom.objects.filter(session__selection=selection, session_id__in=session_ids[:200])
        .values("session_id")
        .annotate(left=Sum("capacity") - Sum("taken"))
    )
    return {row["session_id"]: row["left"] for row in rows}


def window_for(*, selection: Selection, stage: str) -> BookingWindow | None:
    return BookingWindow.objects.filter(selection=selection, stage=stage).first()


def windows(selection: Selection) -> list[BookingWindow]:
    return list(BookingWindow.objects.filter(selection=selection).order_by("opens_at"))


def bookings_of(application: Application) -> list[Booking]:
    return list(
        Booking.objects.filter(application=application)
        .select_related("session__site", "session_room__room")
        .order_by("session__starts_at")
    )


def stage_sessions(*, selection: Selection, stage: str | None = None) -> QuerySet[Any]:
    """A selection's sessions with their seats and check-in counts, for the committee."""
    sessions = TestSession.objects.filter(selection=selection)
    if stage:
        sessions = sessions.filter(stage=stage)
    counts: dict[int, Any] = {
        row["session_id"]: row
        for row in Booking.objects.filter(session__in=sessions)
        .values("session_id")
        .annotate(
            present=Count("pk", filter=Q(attendance=Booking.Attendance.PRESENT)),
            absent=Count("pk", filter=Q(attendance=Booking.Attendance.ABSENT)),
        )
    }
    result = _with_seats(sessions).select_related("site").order_by("starts_at", "code")
    for session in result:
        row = counts.get(session.pk, {})
        session.present = row.get("present", 0)
        session.absent = row.get("absent", 0)
    return result


@dataclass(frozen=True)
class RoomUse:
    capacity: int
    session: str
    """the code of the session that offers the most seats in the room"""


def rooms_in_use(selection: Selection) -> dict[tuple[str, str], RoomUse]:
    """(site code, room code) → the largest capacity a stored session offers in that room,
    below which the room's seats cannot be lowered."""
    largest: dict[tuple[str, str], RoomUse] = {}
    for site, room, capacity, session in SessionRoom.objects.filter(
        session__selection=selection
    ).values_list("room__site__code", "room__code", "capacity", "session__code"):
        known = largest.get((site, room))
        if known is None or capacity > known.capacity:
            largest[site, room] = RoomUse(capacity, session)
    return largest


def sites_with_rooms(selection: Selection) -> list[TestSite]:
    return list(TestSite.objects.filter(selection=selection).prefetch_related("rooms"))


def runs_own_test(*, selection: Selection, stage: str) -> bool:
    return TestSession.objects.filter(selection=selection, stage=stage).exists()


@dataclass(frozen=True)
class Attendance:
    application: int
    number: str
    formation: str
    attendance: str
    """"H", "TH", or "" while the session is not closed"""
    session: str


def attendance(*, selection: Selection, stage: str) -> dict[str, Attendance] | None:
    """Participant number → attendance at the selection's own test of `stage`, or None when
    the selection runs no test of that stage (the ranking then reads the imported file)."""
    if not runs_own_test(selection=selection, stage=stage):
        return None
    rows: Any = Booking.objects.filter(selection=selection, stage=stage).values_list(
        "application_id",
        "application__number",
        "application__formation__code",
        "attendance",
        "session__code",
    )
    return {row[1]: Attendance(*row) for row in rows}


TIMELINE_LABELS = {
    "exams.booked": _("Test seat booked"),
    "exams.assigned": _("Test seat assigned by the committee"),
    "exams.moved": _("Test session changed by the committee"),
    "exams.checked_in": _("Checked in at the test (hadir)"),
    "exams.absent": _("Absent from the test (TH)"),
    "exams.site_chosen": _("Test location chosen"),
    "exams.accommodation_recorded": _("Accommodation for the test recorded"),
}
REASON_SHOWN = frozenset({"exams.moved", "exams.accommodation_recorded"})


def audit_timeline(
    application: Application,
    *,
    labels: dict[str, Any],
    describe: Callable[[AuditEvent, Any], Any],
    reason_shown: frozenset[str],
) -> list[TimelineEntry]:
    """The application's audit events whose actions `labels` names, as timeline entries in
    time order: `describe(event, label)` words each, and the reason is shown for the actions
    of `reason_shown` (a committee's reason the applicant may read)."""
    return [
        TimelineEntry(
            event.occurred_at,
            describe(event, labels[event.action]),
            ROLE_LABELS.get(event.actor_role, event.actor_role),
            event.reason if event.action in reason_shown else "",
        )
        for event in AuditEvent.objects.filter(
            subject_type=application._meta.label_lower,
            subject_id=str(application.pk),
            action__in=list(labels),
        ).order_by("occurred_at", "id")
    ]


def _with_session(event: AuditEvent, label: Any) -> Any:
    details = event.details if isinstance(event.details, dict) else {}
    session = details.get("to") or details.get("session") or ""
    return f"{label} · {session}" if session else label


def timeline(application: Application) -> list[TimelineEntry]:
    """The administrative selection's timeline with the test stage's steps merged in time
    order; a move shows the committee's reason."""
    entries = list(verification_timeline(application))
    entries += audit_timeline(
        application, labels=TIMELINE_LABELS, describe=_with_session, reason_shown=REASON_SHOWN
    )
    return sorted(entries, key=lambda entry: entry.at)


@dataclass(frozen=True)
class StageSeat:
    """What an applicant's page shows of one test stage: its booking window and their seat."""

    stage: str
    label: Any
    window: BookingWindow | None
    booking: Booking | None


def stage_seats(application: Application) -> list[StageSeat]:
    """Each test stage of the selection that has a booking window or a seat of the applicant,
    in the order the windows open."""
    labels = dict(BookingWindow._meta.get_field("stage").choices or [])
    found = {w.stage: w for w in windows(application.selection)}
    seats = {b.stage: b for b in bookings_of(application)}
    stages = list(found) + [stage for stage in seats if stage not in found]
    return [StageSeat(s, labels.get(s, s), found.get(s), seats.get(s)) for s in stages]


# --- check-in on the day --------------------------------------------------------------


def check_in_sessions(*, selection: Selection) -> list[TestSession]:
    """The selection's sessions not closed yet, soonest first, each with `booked` and
    `present` (counted from the bookings), for the check-in staff's list."""
    return list(
        TestSession.objects.filter(selection=selection, closed_at=None)
        .annotate(
            booked=Count("bookings"),
            present=Count("bookings", filter=Q(bookings__attendance=Booking.Attendance.PRESENT)),
        )
        .select_related("site")
        .order_by("starts_at", "code")
    )


@dataclass(frozen=True)
class CheckInCount:
    present: int
    booked: int


def check_in_count(session: TestSession) -> CheckInCount:
    counts = Booking.objects.filter(session=session).aggregate(
        booked=Count("pk"), present=Count("pk", filter=Q(attendance=Booking.Attendance.PRESENT))
    )
    return CheckInCount(present=counts["present"], booked=counts["booked"])


def final_ms_ids(selection: Selection) -> QuerySet[Any]:
    """The ids of the selection's applications with a final MS result, the ones the first
    test stage admits (`services.has_final_ms` asks the same of one application)."""
    return Application.objects.filter(
        selection=selection, admin_stage=AdminStage.FINAL, published_result=Mark.MS
    ).values_list("pk", flat=True)
