"""What a participant reads of their own computer-assisted test (the paper, lembar ujian): the
start screen's facts, their drawn questions with the options in the drawn order, what the
server holds of their answers, their result, and the test's steps in their timeline.

Decisions worth knowing:

- Everything here starts from the participant's own booking or sitting; nothing reads the
  bank by selection. A question's text and options reach the participant only through
  `paper_questions` of an open sitting, and the points of an option never leave this module.
- The options are listed in the sitting's drawn order and labelled A, B, C… by position; the
  bank's own keys stay the values sent back, so a label never tells which key a question had.
- Remaining time is the server's: `ends_at - now`, in whole seconds rounded up, never below 0.
"""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.exams import selectors as exams_selectors
from seleksi.exams.models import Accommodation, Booking
from seleksi.rules.cat import Blueprint, load_blueprint
from seleksi.verification.selectors import TimelineEntry

from . import selectors
from .models import Answer, BankQuestion, Sitting
from .sittings import REFUSALS

OPTION_LABELS = "ABCDEFGHIJ"


def booking_of(*, application: Application, stage: str) -> Booking | None:
    """The application's seat in `stage`, with its session and any sitting."""
    return (
        Booking.objects.select_related("session", "application", "sitting")
        .filter(application=application, stage=stage)
        .first()
    )


_SITTING_IDS: dict[tuple[int, str, str], int] = {}
SITTING_IDS_KEPT = 100_000
HOT_FIELDS = tuple(f.name for f in Sitting._meta.concrete_fields if f.name != "drawn")


def sitting_of(*, applicant_id: int | None, number: str, stage: str) -> Sitting | None:
    """The sitting of the applicant's own application `number` in `stage` (None for anyone
    else's), without its draw (`sittings.drawn_options` keeps that).

    Every answer a participant gives comes through here, so once found, the sitting's id is
    kept in this process and read again by primary key and owner: one table, no join, no
    ORDER BY. The owner is in that query too, so a kept id can never serve another person."""
    if applicant_id is None:
        return None
    key = (applicant_id, number, stage)
    known = _SITTING_IDS.get(key)
    if known is not None:
        found = Sitting.objects.filter(pk=known, applicant_id=applicant_id).only(*HOT_FIELDS)[:1]
        sitting = next(iter(found), None)
        if sitting is not None:
            return sitting
        del _SITTING_IDS[key]
    joined = Sitting.objects.filter(
        booking__application__number=number,
        booking__application__applicant_id=applicant_id,
        booking__stage=stage,
    ).only(*HOT_FIELDS)[:1]
    sitting = next(iter(joined), None)
    if sitting is not None:
        if len(_SITTING_IDS) >= SITTING_IDS_KEPT:
            _SITTING_IDS.clear()
        _SITTING_IDS[key] = sitting.pk
    return sitting


def sitting_or_none(booking: Booking) -> Sitting | None:
    try:
        return booking.sitting
    except Sitting.DoesNotExist:
        return None


def blueprint_of(
    *, application: Application, stage: str, booking: Booking | None
) -> Blueprint | None:
    """The blueprint the participant sits (or will sit) in `stage`: their sitting's, else the
    stage's `StageTest`; None when the stage is not sat on Seleksi."""
    sitting = sitting_or_none(booking) if booking is not None else None
    if sitting is not None:
        return load_blueprint(sitting.blueprint)
    code = selectors.stage_blueprint(selection=application.selection, stage=stage)
    return load_blueprint(code) if code is not None else None


def remaining_seconds(sitting: Sitting, now: datetime | None = None) -> int:
    left = (sitting.ends_at - (now or timezone.now())).total_seconds()
    return max(0, math.ceil(left))


# --- the start screen ------------------------------------------------------------------------


@dataclass(frozen=True)
class StartFacts:
    blueprint: Blueprint
    components: tuple[tuple[str, int], ...]
    """(name, questions) in the blueprint's order"""
    questions: int
    minutes: int
    """the blueprint's duration plus the participant's accommodation minutes"""
    extra_minutes: int
    refusal: Any
    """why the test cannot start (a lazy message), or "" when it can"""


ABSENT = _("You were recorded absent (TH) at this session; the test cannot be taken.")


def start_facts(*, booking: Booking, blueprint: Blueprint) -> StartFacts:
    extra = (
        Accommodation.objects.filter(application_id=booking.application_id)
        .values_list("extra_minutes", flat=True)
        .first()
        or 0
    )
    refusal: Any = ""
    if sitting_or_none(booking) is None:
        if booking.attendance == Booking.Attendance.ABSENT:
            refusal = ABSENT
        elif booking.attendance != Booking.Attendance.PRESENT:
            refusal = REFUSALS["not_checked_in"]
        elif booking.session.closed_at is not None:
            refusal = REFUSALS["session_closed"]
    return StartFacts(
        blueprint=blueprint,
        components=tuple((c.name, c.questions) for c in blueprint.components),
        questions=sum(c.questions for c in blueprint.components),
        minutes=blueprint.duration_minutes + extra,
        extra_minutes=extra,
        refusal=refusal,
    )


def paper_link(*, booking: Booking) -> str:
    """What the booking page offers for the test: "start", "continue", "result" or ""."""
    if booking.attendance != Booking.Attendance.PRESENT:
        return ""
    sitting = sitting_or_none(booking)
    if sitting is not None:
        return "result" if sitting.status == Sitting.Status.FINISHED else "continue"
    if booking.session.closed_at is not None:
        return ""
    if selectors.stage_blueprint(selection=booking.selection, stage=booking.stage) is None:
        return ""
    return "start"


# --- the test itself -------------------------------------------------------------------------


def paper_questions(*, sitting: Sitting) -> list[dict[str, Any]]:
    """The sitting's questions in its order: number, component, text, whether it has an
    image, and the options in the drawn order with their labels (A, B, …), never points."""
    ids = [item["question"] for item in sitting.drawn]
    bank = {
        pk: (text, image, options)
        for pk, text, image, options in BankQuestion.objects.filter(pk__in=ids).values_list(
            "pk", "text", "image", "options"
        )
    }
    questions = []
    for number, item in enumerate(sitting.drawn, start=1):
        text, image, options = bank[item["question"]]
        texts = {option["key"]: option["text"] for option in options}
        questions.append(
            {
                "id": item["question"],
                "n": number,
                "component": item["component"],
                "text": text,
                "image": bool(image),
                "options": [
                    {"key": key, "label": OPTION_LABELS[index], "text": texts[key]}
                    for index, key in enumerate(item["options"])
                ],
            }
        )
    return questions


@dataclass(frozen=True)
class HeldAnswers:
    answers: dict[int, dict[str, Any]]
    """question → {"o": option key or "", "m": marked}"""
    sequence: int
    """the highest sequence the server holds: the browser counts on from above it"""


def held_answers(*, sitting: Sitting) -> HeldAnswers:
    answers: dict[int, dict[str, Any]] = {}
    highest = 0
    for question, option, marked, sequence in Answer.objects.filter(sitting=sitting).values_list(
        "question", "option", "marked", "sequence"
    ):
        answers[question] = {"o": option, "m": marked}
        highest = max(highest, sequence)
    return HeldAnswers(answers, highest)


@dataclass(frozen=True)
class PaperCounts:
    questions: int
    answered: int
    marked: int

    @property
    def unanswered(self) -> int:
        return self.questions - self.answered


def paper_counts(*, sitting: Sitting) -> PaperCounts:
    """What the server holds, for the confirmation before finishing."""
    drawn = {item["question"] for item in sitting.drawn}
    held = held_answers(sitting=sitting).answers
    return PaperCounts(
        questions=len(drawn),
        answered=sum(1 for q, a in held.items() if q in drawn and a["o"]),
        marked=sum(1 for q, a in held.items() if q in drawn and a["m"]),
    )


def question_image(*, sitting: Sitting, question: int) -> FieldFile | None:
    """The image of a question of this sitting, or None (not in the sitting, or no image)."""
    if question not in {item["question"] for item in sitting.drawn}:
        return None
    found = BankQuestion.objects.filter(pk=question, selection_id=sitting.selection_id).first()
    if found is None or not found.image:
        return None
    return found.image


# --- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComponentResult:
    code: str
    name: str
    score: int
    maximum: int


@dataclass(frozen=True)
class PaperResult:
    components: tuple[ComponentResult, ...]
    total: int
    maximum: int


def paper_result(*, sitting: Sitting) -> PaperResult | None:
    """A finished sitting's scores per component beside the blueprint's maxima."""
    if sitting.status != Sitting.Status.FINISHED:
        return None
    blueprint = load_blueprint(sitting.blueprint)
    scores = sitting.scores if isinstance(sitting.scores, dict) else {}
    components = tuple(
        ComponentResult(c.code, c.name, int(scores.get(c.code, 0)), c.maximum)
        for c in blueprint.components
    )
    total = sitting.total if sitting.total is not None else sum(c.score for c in components)
    return PaperResult(components, total, blueprint.maximum)


# --- the applicant's timeline ----------------------------------------------------------------


TIMELINE_LABELS = {
    "sittings.started": _("Computer-assisted test started"),
    "sittings.extended": _("Test time extended by the committee"),
    "sittings.finished": _("Computer-assisted test finished"),
}
CLOSED_BY = dict(Sitting.ClosedBy.choices)


def _closed_by(event: AuditEvent, label: Any) -> Any:
    details = event.details if isinstance(event.details, dict) else {}
    closed_by = CLOSED_BY.get(str(details.get("closed_by", "")))
    if event.action == "sittings.finished" and closed_by is not None:
        return f"{label} · {closed_by}"
    return label


def timeline(application: Application) -> list[TimelineEntry]:
    """The application's timeline (`exams.selectors.timeline`) with the sittings' start,
    extensions (with the committee's reason) and finish merged in time order."""
    entries = exams_selectors.timeline(application)
    entries += exams_selectors.audit_timeline(
        application,
        labels=TIMELINE_LABELS,
        describe=_closed_by,
        reason_shown=frozenset({"sittings.extended"}),
    )
    return sorted(entries, key=lambda entry: entry.at)
