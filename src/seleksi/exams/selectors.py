"""Reads for the test stage: the sessions an applicant may choose with their seats left, a
participant's bookings, a stage's sessions for the committee, and attendance for the ranking."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from seleksi.applications.models import Application
from seleksi.selections.models import Selection

from .models import Accommodation, Booking, BookingWindow, SessionRoom, TestSession


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


def runs_own_test(*, selection: Selection, stage: str) -> bool:
    return TestSession.objects.filter(selection=selection, stage=stage).exists()


@dataclass(frozen=True)
class Attendance:
    application: int
    number: str
    formation: str
    attendance: str
    """"H", "TH", or "" while the session is not closed"""


def attendance(*, selection: Selection, stage: str) -> dict[str, Attendance] | None:
    """Participant number → attendance at the selection's own test of `stage`, or None when
    the selection runs no test of that stage (the ranking then reads the imported file)."""
    if not runs_own_test(selection=selection, stage=stage):
        return None
    rows: Any = Booking.objects.filter(selection=selection, stage=stage).values_list(
        "application_id", "application__number", "application__formation__code", "attendance"
    )
    return {number: Attendance(pk, number, code, mark) for pk, number, code, mark in rows}


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
