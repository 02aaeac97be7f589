"""Administrative selection (seleksi administrasi) and the objection period (masa sanggah).

Pure decisions: what a checklist of MS/TMS marks adds up to, when the objection window opens
and closes, and which status changes are allowed. The services apply them and record why.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Mark(StrEnum):
    """Memenuhi syarat / tidak memenuhi syarat."""

    MS = "MS"
    TMS = "TMS"


class Stage(StrEnum):
    """Where an application stands in the administrative selection."""

    WAITING = "waiting"  # submitted, nobody has decided yet
    DECIDED = "decided"  # a verifier decided; not final while a second check is required
    CHECKED = "checked"  # final internal decision, not yet published
    PUBLISHED = "published"  # the applicant sees MS or TMS with the reasons
    OBJECTED = "objected"  # a TMS applicant filed an objection
    ANSWERED = "answered"  # the committee answered; the post-objection result is pending
    FINAL = "final"  # the post-objection result is published


ALLOWED: dict[Stage, frozenset[Stage]] = {
    Stage.WAITING: frozenset({Stage.DECIDED, Stage.CHECKED}),
    Stage.DECIDED: frozenset({Stage.DECIDED, Stage.CHECKED}),
    Stage.CHECKED: frozenset({Stage.DECIDED, Stage.CHECKED, Stage.PUBLISHED}),
    Stage.PUBLISHED: frozenset({Stage.OBJECTED, Stage.FINAL}),
    Stage.OBJECTED: frozenset({Stage.ANSWERED}),
    Stage.ANSWERED: frozenset({Stage.FINAL}),
    Stage.FINAL: frozenset(),
}


def can_move(current: Stage, target: Stage) -> bool:
    """Before publication a decision may be revised; after it, only an objection changes it."""
    return target in ALLOWED[current]


@dataclass(frozen=True)
class ItemMark:
    item: str
    mark: Mark
    reason_code: str = ""


class ChecklistProblem(StrEnum):
    UNMARKED = "unmarked"
    TMS_WITHOUT_REASON = "tms_without_reason"
    CONTRADICTION = "contradiction"


def checklist_problems(
    items: Sequence[str], marks: Sequence[ItemMark], claimed: Mark | None = None
) -> tuple[tuple[ChecklistProblem, str], ...]:
    """Every item must be marked; a TMS needs a reason from the list; and an overall result
    given by the verifier must be the one the marks imply (no silent contradiction)."""
    by_item = {mark.item: mark for mark in marks}
    problems: list[tuple[ChecklistProblem, str]] = []
    for item in items:
        mark = by_item.get(item)
        if mark is None:
            problems.append((ChecklistProblem.UNMARKED, item))
        elif mark.mark == Mark.TMS and not mark.reason_code:
            problems.append((ChecklistProblem.TMS_WITHOUT_REASON, item))
    if not problems and claimed is not None and claimed != overall(marks):
        problems.append((ChecklistProblem.CONTRADICTION, str(claimed)))
    return tuple(problems)


def overall(marks: Sequence[ItemMark]) -> Mark:
    """TMS as soon as one requirement is TMS ("sistem gugur"), MS when all are MS."""
    if not marks:
        raise ValueError("no marks")
    return Mark.TMS if any(mark.mark == Mark.TMS for mark in marks) else Mark.MS


@dataclass(frozen=True)
class Window:
    """Both days inclusive, in the agency's local calendar."""

    opens_on: date
    closes_on: date

    def contains(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on


def objection_window(
    published_on: date,
    *,
    days: int = 3,
    scheduled: tuple[date | None, date | None] = (None, None),
) -> Window:
    """The schedule's objection stage when it has dates; otherwise `days` calendar days
    starting on the day of publication (reported 2021 practice: three days)."""
    start, end = scheduled
    if start and end:
        return Window(start, end)
    if days < 1:
        raise ValueError("an objection window lasts at least one day")
    return Window(published_on, published_on + timedelta(days=days - 1))


def answer_deadline(window: Window, *, days: int = 7) -> date:
    """Objections are answered and the result re-announced within `days` after the window."""
    return window.closes_on + timedelta(days=days)
