"""Seats assigned by the committee (penempatan peserta, seed 003) and the test location a
participant chooses for it.

Decisions worth knowing:

- The committee assigns a whole stage in one action, in two steps: a preview of the plan from
  `rules.exams.assignment_plan` (who goes to which session and room, who finds no seat and
  why), then the confirmation of exactly that plan. The preview carries a fingerprint (sha256
  of the placements, rooms, unplaced participants and every session's free seats); the
  confirmation recomputes the plan inside its transaction and refuses (`plan_changed`) when
  the fingerprint differs, so the committee never confirms something it has not seen.
- The confirmation first locks the stage's session rooms (`select_for_update`, in key order),
  then moves each room's counter once by compare-and-swap (`taken + n <= capacity` in the
  UPDATE itself) and inserts the bookings in bulk. An applicant booking at the same moment
  waits for the lock and then finds the seats taken; capacity holds whatever the concurrency,
  and the unique (application, stage) booking turns a race into `plan_changed`.
- Rooms of a session are filled in their order, each to its free seats.
- Who may be seated is the caller's list (`application_ids`): this stage cannot know who
  passed a later stage's ranking, so the committee page composes it. Applications of another
  selection in the list are ignored; those already holding a seat in the stage are counted as
  booked and left alone.
- A test location is chosen only while an assigned-mode booking window of any stage of the
  selection is open, and can be changed until it closes. The committee assigns after the
  window closes; a choice made later never moves a seat already assigned (only the
  committee's move does). Choosing needs a final MS result, as booking does.
"""

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import batched, repeat
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.agencies.permissions import Capability
from seleksi.applications.models import Application
from seleksi.audit.services import AuditSubject, audit_record, audit_record_many
from seleksi.core.bulk import rows_insert
from seleksi.notices.services import RECIPIENT_FIELDS, notify_many
from seleksi.rules import exams as rules
from seleksi.selections.models import Selection

from .models import (
    Booking,
    BookingWindow,
    SessionRoom,
    SiteChoice,
    TestSession,
    TestSite,
    _card_token,
)
from .services import ExamsRefused, _require, has_final_ms, seat_facts

IDS_PER_QUERY = 900
"""Application ids per IN clause when the caller gives a list (SQLite's parameter limit)."""


class Unplaced(StrEnum):
    """Why a participant found no seat (for the preview's list)."""

    LOCATION = "location"
    """no free seat at the test location they chose"""
    NO_SEAT = "no_seat"
    """no session open to their formation has a free seat"""


@dataclass(frozen=True)
class Participant:
    """One participant waiting for a seat, as the plan and the page see them."""

    application: int
    number: str
    full_name: str
    email: str
    formation: str
    location: str
    """the code of the test site they chose, "" for any"""
    needs_accommodation: bool
    registered: str


@dataclass(frozen=True)
class Placement:
    participant: Participant
    session: TestSession
    session_room: SessionRoom


@dataclass(frozen=True)
class SessionLoad:
    """A session of the plan: its free seats now and how many the plan seats there."""

    session: TestSession
    free: int
    placed: int
    formations: tuple[str, ...] = ()
    """the formations the session is reserved for; empty for every formation"""

    @property
    def left(self) -> int:
        return self.free - self.placed


@dataclass(frozen=True)
class NotPlaced:
    participant: Participant
    reason: Unplaced


@dataclass(frozen=True)
class AssignmentPreview:
    selection: Selection
    stage: str
    admitted: int
    """applications of the selection in the caller's list"""
    booked: int
    """of those, how many already hold a seat in the stage"""
    waiting: int
    """of those, how many the plan tries to seat"""
    sessions: list[SessionLoad]
    placements: list[Placement]
    unplaced: list[NotPlaced]
    fingerprint: str


# --- the plan -------------------------------------------------------------------------------------


def _registered(submitted_at: datetime | None, number: str) -> str:
    """The registration order as text that sorts like (submitted_at, number)."""
    moment = (
        submitted_at.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%S.%f")
        if submitted_at
        else "~"
    )
    return f"{moment}|{number}"


def _chunks(application_ids: Collection[int] | QuerySet[Any]) -> Iterator[Any]:
    """The caller's ids as IN values: a queryset stays one subquery, a list goes in chunks."""
    if isinstance(application_ids, QuerySet):
        yield application_ids
        return
    yield from batched(sorted(set(application_ids)), IDS_PER_QUERY)


def _counts(
    selection: Selection, stage: str, application_ids: Collection[int] | QuerySet[Any]
) -> tuple[int, int]:
    admitted = booked = 0
    for chunk in _chunks(application_ids):
        applications = Application.objects.filter(selection=selection, pk__in=chunk)
        admitted += applications.count()
        booked += Booking.objects.filter(
            selection=selection, stage=stage, application__in=applications
        ).count()
    return admitted, booked


def _participants(
    selection: Selection, stage: str, application_ids: Collection[int] | QuerySet[Any]
) -> list[Participant]:
    """The applications of the list without a seat in `stage`, in one query per chunk."""
    participants: list[Participant] = []
    for chunk in _chunks(application_ids):
        rows = (
            Application.objects.filter(selection=selection, pk__in=chunk)
            .exclude(
                pk__in=Booking.objects.filter(selection=selection, stage=stage).values(
                    "application_id"
                )
            )
            .values_list(
                "pk",
                "number",
                "applicant__full_name",
                "applicant__email",
                "formation__code",
                "site_choice__site__code",
                "accommodation__pk",
                "submitted_at",
            )
        )
        participants.extend(
            Participant(
                application=pk,
                number=number,
                full_name=name or "",
                email=email or "",
                formation=formation,
                location=location or "",
                needs_accommodation=accommodation is not None,
                registered=_registered(submitted, number),
            )
            for pk, number, name, email, formation, location, accommodation, submitted in rows
        )
    return participants


def _open_sessions(
    selection: Selection, stage: str, *, lock: bool
) -> tuple[list[TestSession], dict[int, list[SessionRoom]]]:
    """The stage's sessions not closed and not started, with their rooms in filling order;
    with `lock`, every room of the stage is locked first, in key order."""
    rooms_of_stage = SessionRoom.objects.filter(session__selection=selection, session__stage=stage)
    if lock:
        list(rooms_of_stage.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
    sessions = list(
        TestSession.objects.filter(
            selection=selection, stage=stage, closed_at=None, starts_at__gt=timezone.now()
        )
        .select_related("site")
        .order_by("starts_at", "pk")
    )
    rooms: dict[int, list[SessionRoom]] = defaultdict(list)
    for room in (
        rooms_of_stage.filter(session__in=[s.pk for s in sessions])
        .select_related("room")
        .order_by("session_id", "order", "pk")
    ):
        rooms[room.session_id].append(room)
    return sessions, rooms


def _reserved(sessions: list[TestSession]) -> dict[int, frozenset[str]]:
    through = TestSession.formations.through
    codes: dict[int, set[str]] = defaultdict(set)
    for session_id, code in through.objects.filter(
        testsession_id__in=[s.pk for s in sessions]
    ).values_list("testsession_id", "formation__code"):
        codes[session_id].add(code)
    return {session_id: frozenset(found) for session_id, found in codes.items()}


def _seats(rooms: list[SessionRoom]) -> Iterator[SessionRoom]:
    """A session's free seats, room after room in their order."""
    for room in rooms:
        yield from repeat(room, room.capacity - room.taken)


def _fingerprint(
    stage: str,
    placements: list[Placement],
    unplaced: list[NotPlaced],
    loads: list[SessionLoad],
) -> str:
    document = {
        "stage": stage,
        "placed": [
            [p.participant.application, p.session.pk, p.session_room.pk] for p in placements
        ],
        "unplaced": [n.participant.application for n in unplaced],
        "free": [[load.session.pk, load.free] for load in loads],
    }
    text = json.dumps(document, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _plan(
    selection: Selection,
    stage: str,
    application_ids: Collection[int] | QuerySet[Any],
    *,
    lock: bool = False,
) -> AssignmentPreview:
    admitted, booked = _counts(selection, stage, application_ids)
    participants = _participants(selection, stage, application_ids)
    sessions, rooms = _open_sessions(selection, stage, lock=lock)
    reserved = _reserved(sessions)
    free = {s.pk: sum(r.capacity - r.taken for r in rooms.get(s.pk, [])) for s in sessions}
    plan = rules.assignment_plan(
        [
            rules.Candidate(
                application=p.application,
                formation=p.formation,
                registered=p.registered,
                location=p.location,
                needs_accommodation=p.needs_accommodation,
            )
            for p in participants
        ],
        [
            rules.OpenSession(
                session=s.pk,
                site=s.site.code,
                starts_at=s.starts_at,
                free=free[s.pk],
                formations=reserved.get(s.pk, frozenset()),
                accommodation_only=s.accommodation_only,
            )
            for s in sessions
            if free[s.pk] > 0
        ],
    )
    by_application = {p.application: p for p in participants}
    by_session = {s.pk: s for s in sessions}
    room_seats = {session_id: _seats(session_rooms) for session_id, session_rooms in rooms.items()}
    placements = [
        Placement(by_application[application], by_session[session], next(room_seats[session]))
        for application, session in plan.placed
    ]
    unplaced = [
        NotPlaced(
            by_application[application],
            Unplaced.LOCATION if by_application[application].location else Unplaced.NO_SEAT,
        )
        for application in plan.unplaced
    ]
    placed_per_session = Counter(session for _, session in plan.placed)
    loads = [
        SessionLoad(s, free[s.pk], placed_per_session[s.pk], tuple(sorted(reserved.get(s.pk, ()))))
        for s in sessions
    ]
    return AssignmentPreview(
        selection=selection,
        stage=stage,
        admitted=admitted,
        booked=booked,
        waiting=len(participants),
        sessions=loads,
        placements=placements,
        unplaced=unplaced,
        fingerprint=_fingerprint(stage, placements, unplaced, loads),
    )


def assignment_preview(
    *,
    selection: Selection,
    stage: str,
    application_ids: Collection[int] | QuerySet[Any],
    actor: Any,
) -> AssignmentPreview:
    """The plan for seating every application of `application_ids` (ids, or a queryset of
    ids) that has no seat in `stage` yet; nothing is written."""
    _require(actor, Capability.MANAGE_TESTS, selection)
    return _plan(selection, stage, application_ids)


def assignment_confirm(
    *,
    selection: Selection,
    stage: str,
    application_ids: Collection[int] | QuerySet[Any],
    fingerprint: str,
    actor: Any,
    site_url: str = "",
) -> AssignmentPreview:
    """Seat everyone the previewed plan seats, if the plan is still the one previewed: the
    bookings, one audit event and one e-mail each. Returns the plan that was carried out."""
    _require(actor, Capability.MANAGE_TESTS, selection)
    try:
        with transaction.atomic():
            preview = _plan(selection, stage, application_ids, lock=True)
            if not preview.waiting:
                raise ExamsRefused("nothing_to_assign")
            if preview.fingerprint != fingerprint:
                raise ExamsRefused("plan_changed")
            if not preview.placements:
                raise ExamsRefused("no_seat_for_anyone")
            _seat(preview, actor)
            _record(preview, actor)
            _notify_assigned(preview, site_url)
    except IntegrityError as error:
        raise ExamsRefused("plan_changed") from error
    return preview


def _seat(preview: AssignmentPreview, actor: Any) -> None:
    per_room = Counter(p.session_room.pk for p in preview.placements)
    for room_id, count in sorted(per_room.items()):
        moved = SessionRoom.objects.filter(pk=room_id, taken__lte=F("capacity") - count).update(
            taken=F("taken") + count
        )
        if not moved:
            raise ExamsRefused("plan_changed")
    now = timezone.now()
    rows_insert(
        Booking,
        (
            "selection_id",
            "application_id",
            "stage",
            "session_id",
            "session_room_id",
            "token",
            "booked_at",
            "booked_by_id",
            "attendance",
            "checked_in_at",
            "checked_in_by_id",
        ),
        (
            (
                preview.selection.pk,
                p.participant.application,
                preview.stage,
                p.session.pk,
                p.session_room.pk,
                _card_token(),
                now,
                actor.pk,
                Booking.Attendance.BOOKED.value,
                None,
                None,
            )
            for p in preview.placements
        ),
    )


def _record(preview: AssignmentPreview, actor: Any) -> None:
    selection = preview.selection
    audit_record_many(
        actor=actor,
        action="exams.assigned",
        model=Application,
        subjects=(
            AuditSubject(
                p.participant.application,
                p.participant.number,
                {
                    "stage": preview.stage,
                    "session": p.session.code,
                    "room": p.session_room.room.code,
                    "location": p.participant.location,
                },
            )
            for p in preview.placements
        ),
        agency_id=selection.agency_id,
        selection_id=selection.pk,
    )
    audit_record(
        actor=actor,
        action="exams.assignment_confirmed",
        subject=selection,
        agency_id=selection.agency_id,
        selection_id=selection.pk,
        details={
            "stage": preview.stage,
            "placed": len(preview.placements),
            "unplaced": len(preview.unplaced),
            "fingerprint": preview.fingerprint,
        },
    )


def _notify_assigned(preview: AssignmentPreview, site_url: str) -> int:
    """Tell each seated participant their seat (inbox notice and e-mail, after the commit), in
    bulk; one event per application and stage, as a booking is."""
    selection = preview.selection
    owners = dict(
        Application.objects.filter(
            pk__in=[p.participant.application for p in preview.placements]
        ).values_list("pk", "applicant_id")
    )
    users = User.objects.only(*RECIPIENT_FIELDS).in_bulk(set(owners.values()))
    facts: dict[int, dict[str, Any]] = {}
    for placement in preview.placements:
        if placement.session_room.pk not in facts:
            facts[placement.session_room.pk] = seat_facts(
                selection, placement.session, placement.session_room.room.name
            )
    return notify_many(
        recipients=(
            (
                users[owners[p.participant.application]],
                f"exams.assigned:{p.participant.application}:{preview.stage}",
                {"number": p.participant.number, **facts[p.session_room.pk]},
                reverse("applicant:detail", args=[p.participant.number]),
            )
            for p in preview.placements
        ),
        template="seat_assigned",
        selection=selection,
        site_url=site_url,
    )


# --- the participant's test location --------------------------------------------------------------


def site_choice_window(selection: Selection) -> BookingWindow | None:
    """The assigned-mode booking window of the selection open now (the one closing first),
    during which participants choose their test location; None when none is open."""
    now = timezone.now()
    return (
        BookingWindow.objects.filter(
            selection=selection,
            mode=BookingWindow.Mode.ASSIGNED,
            opens_at__lte=now,
            closes_at__gt=now,
        )
        .order_by("closes_at", "pk")
        .first()
    )


def site_choice_of(application: Application) -> SiteChoice | None:
    return SiteChoice.objects.filter(application=application).select_related("site").first()


@transaction.atomic
def site_choose(*, application: Application, site_id: int, actor: Any) -> SiteChoice:
    """The applicant chooses (or changes) the test location where the committee will seat
    them. Refuses, changing nothing: another person's application, no final MS, no open
    assigned-mode window, a site of another selection."""
    if actor is None or application.applicant_id != getattr(actor, "pk", None):
        raise ExamsRefused("not_yours")
    if not has_final_ms(application):
        raise ExamsRefused("choice_not_admitted")
    if site_choice_window(application.selection) is None:
        raise ExamsRefused("choice_closed")
    site = TestSite.objects.filter(pk=site_id, selection_id=application.selection_id).first()
    if site is None:
        raise ExamsRefused("unknown_site")
    previous = (
        SiteChoice.objects.filter(application=application)
        .values_list("site__code", flat=True)
        .first()
    )
    choice, _created = SiteChoice.objects.update_or_create(
        application=application, defaults={"site": site, "chosen_at": timezone.now()}
    )
    audit_record(
        actor=actor,
        action="exams.site_chosen",
        subject=application,
        details={"site": site.code, "previous": previous or ""},
    )
    return choice
