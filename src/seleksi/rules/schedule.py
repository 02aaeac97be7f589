"""A selection's status, computed from its schedule (jadwal) and today's date."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

REGISTRATION = "registration"


class SelectionStatus(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    FINISHED = "finished"


@dataclass(frozen=True)
class StageWindow:
    """One stage of the schedule; a stage without dates is still to be announced."""

    kind: str
    starts_on: date | None
    ends_on: date | None

    def __post_init__(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("a stage cannot end before it starts")

    @property
    def last_day(self) -> date | None:
        return self.ends_on or self.starts_on


def selection_status(stages: Sequence[StageWindow], today: date) -> SelectionStatus:
    """Upcoming before registration opens, open during it, finished once the last stage is
    over, closed in between. Stages are given in schedule order.

    A selection whose registration has no start date yet is upcoming. A final stage without
    a date keeps a selection closed rather than finished: nobody can say it is over.
    """
    registration = next((s for s in stages if s.kind == REGISTRATION), None)
    if registration is None or registration.starts_on is None:
        return SelectionStatus.UPCOMING
    if today < registration.starts_on:
        return SelectionStatus.UPCOMING
    registration_end = registration.last_day
    if registration_end is None or today <= registration_end:
        return SelectionStatus.OPEN
    final_day = stages[-1].last_day
    if final_day is not None and today > final_day:
        return SelectionStatus.FINISHED
    return SelectionStatus.CLOSED
