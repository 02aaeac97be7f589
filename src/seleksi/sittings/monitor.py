"""Reads for the committee watching the sittings of a session (pemantauan CAT): each booked
participant's state, one sitting's timing and scores, and its event log as the participant saw
it.

Decisions worth knowing:

- A question is named by its number in the participant's own order (its position in `drawn`,
  from 1) and an option by the letter it was shown under (A for the first of the drawn
  options): that is what the participant and the proctor in the room talk about. A bank id
  never appears, and neither do question texts or points.
- Names are masked (`core.privacy.masked_name`) before they leave this module; the NIK is
  never read.
- The list reads the page's bookings and then one query each for their sittings, their
  answered counts and their extensions, whatever the size of the session. The question count
  comes from the blueprint, so no sitting's `drawn` is loaded for the list.
- The event log is read in time order (`at`, then `pk`) and converted a page at a time: a
  110-question sitting can hold thousands of events.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet

from seleksi.core.privacy import masked_name
from seleksi.exams.models import Booking, TestSession
from seleksi.rules.cat import Blueprint, load_blueprint

from .models import Answer, Sitting, SittingEvent
from .selectors import stage_blueprint

LETTERS = "ABCDEFGHIJ"


class SittingState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    TIME_UP = "time_up"
    """open, its time over: the server is about to close it"""
    FINISHED = "finished"
    """finished by the participant"""
    CLOSED = "closed"
    """closed by the server when the time ran out"""


def _state(status: str, closed_by: str, ends_at: datetime, now: datetime) -> SittingState:
    if status == Sitting.Status.FINISHED:
        if closed_by == Sitting.ClosedBy.SERVER:
            return SittingState.CLOSED
        return SittingState.FINISHED
    return SittingState.IN_PROGRESS if now < ends_at else SittingState.TIME_UP


def sitting_state(sitting: Sitting | None, now: datetime) -> SittingState:
    if sitting is None:
        return SittingState.NOT_STARTED
    return _state(sitting.status, sitting.closed_by, sitting.ends_at, now)


def minutes_left(sitting: Sitting, now: datetime) -> int:
    """Whole minutes to the end, rounded up (a sitting with 20 seconds left has 1)."""
    return max(0, math.ceil((sitting.ends_at - now).total_seconds() / 60))


def question_count(blueprint: Blueprint) -> int:
    return sum(component.questions for component in blueprint.components)


def session_blueprint(*, session: TestSession) -> str | None:
    """The blueprint the session's stage is sat with on Seleksi, or None."""
    return stage_blueprint(selection=session.selection, stage=session.stage)


def session_has_sittings(*, session: TestSession) -> bool:
    return Sitting.objects.filter(booking__session=session).exists()


# --- the session's list -----------------------------------------------------------------------


@dataclass(frozen=True)
class MonitorRow:
    booking: Booking
    name: str
    """masked"""
    sitting: Sitting | None
    state: SittingState
    minutes_left: int | None
    """while in progress"""
    answered: int
    questions: int
    extra_minutes: int
    """extensions given by the committee, in all"""
    total: int | None
    """once finished"""


def session_bookings(*, session: TestSession) -> QuerySet[Booking]:
    """The session's bookings by participant number, to page through."""
    return (
        Booking.objects.filter(session=session)
        .select_related("application__applicant")
        .order_by("application__number", "pk")
    )


def _extension_minutes(events: Iterable[dict[str, Any]]) -> int:
    return sum(int(details.get("minutes") or 0) for details in events)


def monitor_rows(*, bookings: Sequence[Booking], now: datetime) -> list[MonitorRow]:
    """One row per booking: the participant, how far their sitting is, and its result."""
    sittings = {
        sitting.booking_id: sitting
        for sitting in Sitting.objects.filter(booking__in=bookings).defer("drawn", "seed")
    }
    ids = [sitting.pk for sitting in sittings.values()]
    answered = dict(
        Answer.objects.filter(sitting_id__in=ids)
        .exclude(option="")
        .values("sitting_id")
        .order_by()
        .annotate(count=Count("pk"))
        .values_list("sitting_id", "count")
    )
    extensions: dict[int, list[dict[str, Any]]] = {}
    for sitting_id, details in SittingEvent.objects.filter(
        sitting_id__in=ids, kind=SittingEvent.Kind.EXTENDED
    ).values_list("sitting_id", "details"):
        extensions.setdefault(sitting_id, []).append(details)
    blueprints: dict[str, Blueprint] = {}
    rows = []
    for booking in bookings:
        sitting = sittings.get(booking.pk)
        state = sitting_state(sitting, now)
        questions = 0
        if sitting is not None:
            if sitting.blueprint not in blueprints:
                blueprints[sitting.blueprint] = load_blueprint(sitting.blueprint)
            questions = question_count(blueprints[sitting.blueprint])
        rows.append(
            MonitorRow(
                booking=booking,
                name=masked_name(booking.application.applicant.full_name),
                sitting=sitting,
                state=state,
                minutes_left=(
                    minutes_left(sitting, now)
                    if sitting is not None and state == SittingState.IN_PROGRESS
                    else None
                ),
                answered=answered.get(sitting.pk, 0) if sitting is not None else 0,
                questions=questions,
                extra_minutes=(
                    _extension_minutes(extensions.get(sitting.pk, [])) if sitting else 0
                ),
                total=sitting.total if sitting is not None else None,
            )
        )
    return rows


def session_progress(*, session: TestSession, now: datetime) -> dict[str, int]:
    """How many of the session's bookings are in each `SittingState`."""
    counts = dict.fromkeys(SittingState, 0)
    started = 0
    for status, closed_by, ends_at in Sitting.objects.filter(booking__session=session).values_list(
        "status", "closed_by", "ends_at"
    ):
        started += 1
        counts[_state(status, closed_by, ends_at, now)] += 1
    counts[SittingState.NOT_STARTED] = Booking.objects.filter(session=session).count() - started
    return {str(state): count for state, count in counts.items()}


# --- one sitting ------------------------------------------------------------------------------


def sitting_for_committee(*, sitting_id: int) -> Sitting | None:
    """The sitting with its participant, session and agency, to check access and show it."""
    return (
        Sitting.objects.select_related(
            "selection__agency",
            "booking__application__applicant",
            "booking__session__site",
            "booking__session_room__room",
        )
        .filter(pk=sitting_id)
        .first()
    )


@dataclass(frozen=True)
class Extension:
    at: datetime
    minutes: int
    reason: str
    by: str
    """the committee member's name"""
    ends_at: datetime | None
    """the new end it gave"""


def sitting_extensions(*, sitting: Sitting) -> list[Extension]:
    """The committee's extensions of the sitting, oldest first, with who gave them."""
    events = list(
        SittingEvent.objects.filter(sitting=sitting, kind=SittingEvent.Kind.EXTENDED)
        .order_by("at", "pk")
        .values_list("at", "details")
    )
    people = {
        user.pk: user.display_name
        for user in get_user_model().objects.filter(
            pk__in={details.get("by") for _at, details in events}
        )
    }
    return [
        Extension(
            at=at,
            minutes=int(details.get("minutes") or 0),
            reason=str(details.get("reason", "")),
            by=people.get(details.get("by"), "–"),
            ends_at=parse_moment(details.get("ends_at")),
        )
        for at, details in events
    ]


def parse_moment(value: Any) -> datetime | None:
    """A time the service kept in an event's details (ISO 8601), or None."""
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ComponentScore:
    code: str
    name: str
    score: int
    maximum: int


def sitting_scores(*, sitting: Sitting) -> list[ComponentScore]:
    """A finished sitting's score per component of its blueprint, with the maxima."""
    if sitting.status != Sitting.Status.FINISHED:
        return []
    blueprint = load_blueprint(sitting.blueprint)
    return [
        ComponentScore(
            component.code,
            component.name,
            int(sitting.scores.get(component.code, 0)),
            component.maximum,
        )
        for component in blueprint.components
    ]


def sitting_answered(*, sitting: Sitting) -> int:
    return Answer.objects.filter(sitting=sitting).exclude(option="").count()


def sitting_events(*, sitting: Sitting) -> QuerySet[SittingEvent]:
    """The sitting's log in the order the server learnt of each event."""
    return SittingEvent.objects.filter(sitting=sitting).order_by("at", "pk")


@dataclass(frozen=True)
class EventRow:
    at: datetime
    """the server's time"""
    client_at: datetime | None
    """the browser's own time, for what the browser reported"""
    kind: str
    label: str
    number: int | None
    """the question's number in the participant's order, from 1"""
    letter: str
    """the option's letter as shown to the participant"""
    sequence: int | None
    details: dict[str, Any]


class Positions:
    """Where each drawn question and option stood on the participant's screen."""

    def __init__(self, drawn: Sequence[dict[str, Any]]) -> None:
        self._numbers = {item["question"]: index for index, item in enumerate(drawn, start=1)}
        self._options = {item["question"]: list(item["options"]) for item in drawn}

    def number(self, question: int | None) -> int | None:
        return None if question is None else self._numbers.get(question)

    def letter(self, question: int | None, option: str) -> str:
        shown = self._options.get(question) if question is not None else None
        if not option or shown is None or option not in shown:
            return ""
        index = shown.index(option)
        return LETTERS[index] if index < len(LETTERS) else str(index + 1)


def event_rows(*, sitting: Sitting, events: Iterable[SittingEvent]) -> list[EventRow]:
    """The events with their question numbers and option letters as the participant saw
    them."""
    positions = Positions(sitting.drawn)
    return [
        EventRow(
            at=event.at,
            client_at=event.client_at,
            kind=event.kind,
            label=str(event.get_kind_display()),
            number=positions.number(event.question),
            letter=positions.letter(event.question, event.option),
            sequence=event.sequence,
            details=event.details,
        )
        for event in events
    ]
