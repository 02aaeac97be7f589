"""Test sessions and seats (sesi dan kursi ujian): which stage a session belongs to, when two
sessions collide, and how the committee's one-action assignment fills sessions.

Decisions worth knowing:

- The first test stage after the administrative selection (SKD, the PPPK competence test, the
  mitra competence test) admits whoever holds a final MS result, so applicants may book it
  themselves (Magetan, B.4-B.6). SKB and the interview admit only those the previous test
  ranked through, which this module cannot know: the committee assigns their seats.
- Two sessions collide in a room when their times overlap; touching ends (one ends at 10:00,
  the next starts at 10:00) do not collide.
- The assignment is deterministic: participants are taken by formation, then by the test
  location they chose, then in registration order; sessions are filled in the order they
  start. A participant who chose a location is seated only there; one who needs an
  accommodation takes an accommodation session first and an ordinary one after. Whoever finds
  no seat is listed as unplaced, never seated somewhere they did not choose.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum


class TestStage(StrEnum):
    """The stages a session can be for. The first four are the score stages of the ranking."""

    __test__ = False  # not a pytest test class, despite the name

    SKD = "skd"
    SKB = "skb"
    PPPK = "pppk"
    MITRA = "mitra"
    INTERVIEW = "interview"


SELF_BOOKED: frozenset[TestStage] = frozenset({TestStage.SKD, TestStage.PPPK, TestStage.MITRA})
"""Stages an applicant with a final MS result may book; the others are assigned."""

SCHEDULE_KINDS: dict[TestStage, str] = {
    TestStage.SKD: "skd",
    TestStage.SKB: "skb",
    TestStage.PPPK: "competence",
    TestStage.MITRA: "competence",
    TestStage.INTERVIEW: "interview",
}
"""The schedule line (`selections.Stage.Kind`) whose dates bound a stage's sessions."""


STAGE_VALUES: frozenset[str] = frozenset(stage.value for stage in TestStage)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether two periods share a moment; periods that only touch do not."""
    return a_start < b_end and b_start < a_end


@dataclass(frozen=True, slots=True)
class Candidate:
    """One participant to seat. `location` is the site code they chose, "" for any."""

    application: int
    formation: str
    registered: str
    location: str = ""
    needs_accommodation: bool = False


@dataclass(frozen=True, slots=True)
class OpenSession:
    """A session with `free` seats. `formations` empty admits every formation."""

    session: int
    site: str
    starts_at: datetime
    free: int
    formations: frozenset[str] = frozenset()
    accommodation_only: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    placed: tuple[tuple[int, int], ...]
    """(application, session) in the order they were placed"""
    unplaced: tuple[int, ...]


def _admits(session: OpenSession, candidate: Candidate) -> bool:
    if session.formations and candidate.formation not in session.formations:
        return False
    return not candidate.location or session.site == candidate.location


def assignment_plan(candidates: Sequence[Candidate], sessions: Sequence[OpenSession]) -> Plan:
    """Seat `candidates` in `sessions` as the module docstring says."""
    ordered_sessions = sorted(sessions, key=lambda s: (s.starts_at, s.session))
    free = {s.session: s.free for s in ordered_sessions}
    ordinary = [s for s in ordered_sessions if s.free > 0 and not s.accommodation_only]
    special = [s for s in ordered_sessions if s.free > 0 and s.accommodation_only]
    placed: list[tuple[int, int]] = []
    unplaced: list[int] = []
    for candidate in sorted(
        candidates, key=lambda c: (c.formation, c.location, c.registered, c.application)
    ):
        choices = special + ordinary if candidate.needs_accommodation else ordinary
        seat = next((s for s in choices if _admits(s, candidate)), None)
        if seat is None:
            unplaced.append(candidate.application)
            continue
        free[seat.session] -= 1
        placed.append((candidate.application, seat.session))
        if not free[seat.session]:
            (special if seat.accommodation_only else ordinary).remove(seat)
    return Plan(tuple(placed), tuple(unplaced))


# --- defining sessions ------------------------------------------------------------------


class SessionProblem(StrEnum):
    UNKNOWN_STAGE = "unknown_stage"
    UNKNOWN_SITE = "unknown_site"
    UNKNOWN_ROOM = "unknown_room"
    ROOM_TWICE = "room_twice"
    NO_ROOM = "no_room"
    OVER_SEATS = "over_seats"
    CAPACITY = "capacity"
    DURATION = "duration"
    OUTSIDE_WINDOW = "outside_window"
    OVERLAP = "overlap"
    UNKNOWN_FORMATION = "unknown_formation"
    DUPLICATE_CODE = "duplicate_code"
    CODE_TAKEN = "code_taken"


@dataclass(frozen=True, slots=True)
class SessionDraft:
    """A session as a person or a file row gave it; `row` names it in a problem (0 for a form).
    `starts_at` is already placed in the agency's time zone."""

    row: int
    code: str
    stage: str
    site: str
    starts_at: datetime
    duration_minutes: int
    rooms: tuple[tuple[str, int], ...]
    """(room code, capacity)"""
    formations: tuple[str, ...] = ()
    accommodation_only: bool = False


@dataclass(frozen=True, slots=True)
class RoomUse:
    """A stored session's time in one room, for the overlap check."""

    session: str
    site: str
    room: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class Problem:
    row: int
    problem: SessionProblem
    params: tuple[tuple[str, object], ...] = ()

    @property
    def values(self) -> dict[str, object]:
        return dict(self.params)


MAX_DURATION_MINUTES = 24 * 60


def session_problems(
    drafts: Sequence[SessionDraft],
    *,
    rooms: dict[str, dict[str, int]],
    formations: frozenset[str],
    windows: dict[str, tuple[date | None, date | None]],
    existing: Sequence[RoomUse],
    taken_codes: frozenset[str],
    day_of: Callable[[datetime], date],
) -> list[Problem]:
    """Every problem of `drafts`, in row order: `rooms` maps site code → room code → seats,
    `windows` a stage → the first and last day of its schedule line (either may be None),
    `existing` the rooms' use by stored sessions, `taken_codes` the codes already stored and
    `day_of` gives a moment's date in the agency's time zone."""
    problems: list[Problem] = []
    seen_codes: set[str] = set()
    uses: list[RoomUse] = list(existing)
    for draft in drafts:

        def add(problem: SessionProblem, draft: SessionDraft = draft, **params: object) -> None:
            problems.append(Problem(draft.row, problem, tuple(params.items())))

        if draft.code in seen_codes:
            add(SessionProblem.DUPLICATE_CODE, code=draft.code)
        elif draft.code in taken_codes:
            add(SessionProblem.CODE_TAKEN, code=draft.code)
        seen_codes.add(draft.code)
        stage_known = draft.stage in STAGE_VALUES
        if not stage_known:
            add(SessionProblem.UNKNOWN_STAGE, stage=draft.stage)
        if not 1 <= draft.duration_minutes <= MAX_DURATION_MINUTES:
            add(SessionProblem.DURATION, minutes=draft.duration_minutes)
        ends_at = draft.starts_at + timedelta(minutes=max(draft.duration_minutes, 0))
        if stage_known:
            first, last = windows.get(draft.stage, (None, None))
            day = day_of(draft.starts_at)
            if (first and day < first) or (last and day > last):
                add(
                    SessionProblem.OUTSIDE_WINDOW,
                    day=day,
                    first=first or day,
                    last=last or day,
                )
        for code in draft.formations:
            if code not in formations:
                add(SessionProblem.UNKNOWN_FORMATION, formation=code)
        site_rooms = rooms.get(draft.site)
        if site_rooms is None:
            add(SessionProblem.UNKNOWN_SITE, site=draft.site)
            continue
        if not draft.rooms:
            add(SessionProblem.NO_ROOM)
        in_draft: set[str] = set()
        for room, capacity in draft.rooms:
            if room in in_draft:
                add(SessionProblem.ROOM_TWICE, room=room)
                continue
            in_draft.add(room)
            seats = site_rooms.get(room)
            if seats is None:
                add(SessionProblem.UNKNOWN_ROOM, room=room, site=draft.site)
                continue
            if capacity < 1:
                add(SessionProblem.CAPACITY, room=room)
            elif capacity > seats:
                add(SessionProblem.OVER_SEATS, room=room, capacity=capacity, seats=seats)
            clash = next(
                (
                    use
                    for use in uses
                    if use.site == draft.site
                    and use.room == room
                    and overlaps(use.starts_at, use.ends_at, draft.starts_at, ends_at)
                ),
                None,
            )
            if clash is not None:
                add(SessionProblem.OVERLAP, room=room, other=clash.session)
            uses.append(RoomUse(draft.code, draft.site, room, draft.starts_at, ends_at))
    return problems
