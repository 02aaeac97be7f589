"""Sittings of a computer-assisted test: starting one on the server's clock, saving answers
with sequence numbers, and finishing (by the participant, or by the server when time is up).

Decisions worth knowing:

- The clock is the server's: `ends_at` is fixed when the sitting starts (the blueprint's
  duration plus the accommodation's extra minutes). Reloading, another device or a lost
  connection changes nothing; the page only shows `ends_at - now`.
- One sitting per booking, and only for a participant checked in (hadir) at that booking's
  session; one sitting in progress per person, whatever the selection. Starting again
  returns the same sitting, with its saved answers, on any device.
- An answer is one compare-and-swap UPDATE (`sequence < new`), or an insert when the question
  has none yet: a resend (same sequence) or an older save never overwrites a newer answer, and
  is answered "stale", not as an error, so the browser can forget it.
- An answer that arrives after `ends_at` plus the grace (SELEKSI_ANSWER_GRACE_SECONDS) is
  refused as late and changes nothing; the participant is told which.
- A sitting keeps, beside its drawn questions and option order, the points of each option
  as they were when it started, and is scored with them: editing the bank (refused for a
  drawn question, but a start and an edit can meet) never changes a sitting's score.
- Finishing scores the saved answers with `rules.cat.score` (blank = 0) and keeps the scores
  on the sitting; it happens once, whoever asks first. The blueprint says which fields of the
  stage's score its components make (SKD's TWK, TIU and TKP; PPPK's teknis, manajerial +
  sosio-kultural and wawancara; a mitra test's total); they are stored as the stage's score
  (`scoring.services`), which the ranking reads as it reads an imported file; the
  fingerprint of the sitting's answers stands for the file's SHA-256.
- The server closes a sitting whose time is up by itself: starting (or extending) one
  enqueues `tasks.sitting_close` for just after its end, and `seleksi close-sittings` sweeps
  any left open (a worker that was down). Nothing waits for the participant's browser.
- Every answer, refusal for lateness, extension and finish is also a `SittingEvent` with the
  server's time; the browser adds what only it knows (a question shown, the connection lost
  and regained) with its own time beside the server's. The log is appended, never changed.
- A committee member may extend one participant's open sitting for a recorded reason (a
  power cut at the site); it is audited and shown in the event log.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from seleksi.agencies.permissions import Capability, user_can
from seleksi.audit.services import audit_record
from seleksi.core import metrics
from seleksi.core.errors import ServiceRefused
from seleksi.exams.models import Accommodation, Booking
from seleksi.notices.services import localized, notify
from seleksi.rules.cat import (
    Blueprint,
    DrawnQuestion,
    Option,
    Question,
    SittingScore,
    draw,
    load_blueprint,
    score,
    stage_values,
)
from seleksi.scoring.services import score_from_sitting

from . import selectors
from .models import Answer, Sitting, SittingEvent

SEED_BITS = 62
EXTENSION_MINUTES_MAX = 120
EVENTS_PER_REPORT = 200

REFUSALS = {
    "not_yours": _("This seat is not yours."),
    "not_checked_in": _("Check in at the door first: the test opens after the check-in."),
    "finished": _("This sitting is finished; answers can no longer change."),
    "late": _("Time was up when this answer arrived; it was not saved."),
    "not_in_sitting": _("That question is not part of your test."),
    "unknown_option": _("That option does not belong to the question."),
    "no_test": _("This stage has no computer-assisted test on Seleksi."),
    "session_closed": _("The session is closed; the test can no longer start."),
    "other_open": _("You have another test in progress; finish it first."),
    "forbidden": _("You may not do this for this agency."),
    "not_open": _("Only a sitting in progress can be extended."),
    "minutes": _("Give between 1 and %d extra minutes."),
    "reason": _("Write the reason for the extension; it is kept in the sitting's log."),
}


class SittingRefused(ServiceRefused):
    messages = REFUSALS


class Saved(StrEnum):
    SAVED = "saved"
    STALE = "stale"


@dataclass(frozen=True)
class AnswerOutcome:
    result: Saved
    sequence: int
    """the sequence the server holds for the question after this save"""


def _stored(item: DrawnQuestion) -> dict[str, Any]:
    return {"question": item.question, "component": item.component, "options": [*item.option_order]}


def _record_score(
    sitting: Sitting, blueprint: Blueprint, result: SittingScore, answers: dict[int, str | None]
) -> None:
    """The stage's score for the ranking, by the blueprint's `score_fields` (SKD by subtest,
    PPPK by teknis, manajerial + sosio-kultural and wawancara, a mitra test by its total)."""
    booking = sitting.booking
    values = stage_values(blueprint, result)
    if blueprint.stage != booking.stage or not values:
        return
    fingerprint = hashlib.sha256(
        json.dumps(
            {"sitting": sitting.pk, "answers": sorted(answers.items())}, default=str
        ).encode()
    ).hexdigest()
    score_from_sitting(
        application=booking.application,
        stage=booking.stage,
        values=dict(values),
        fingerprint=fingerprint,
    )


def _grace() -> timedelta:
    return timedelta(seconds=settings.SELEKSI_ANSWER_GRACE_SECONDS)


@transaction.atomic
def sitting_start(*, booking: Booking, actor: Any, blueprint_code: str | None = None) -> Sitting:
    """The participant's sitting of the stage's test (`StageTest`, or `blueprint_code`),
    started now or, when it exists, as it stands. Refuses another person, a participant not
    checked in, and a closed session."""
    if actor is None or booking.application.applicant_id != getattr(actor, "pk", None):
        raise SittingRefused("not_yours")
    existing = Sitting.objects.filter(booking=booking).first()
    if existing is not None:
        return existing
    if booking.attendance != Booking.Attendance.PRESENT:
        raise SittingRefused("not_checked_in")
    if booking.session.closed_at is not None:
        raise SittingRefused("session_closed")
    if Sitting.objects.filter(applicant_id=actor.pk, status=Sitting.Status.OPEN).exists():
        raise SittingRefused("other_open")
    if blueprint_code is None:
        blueprint_code = selectors.stage_blueprint(selection=booking.selection, stage=booking.stage)
        if blueprint_code is None:
            raise SittingRefused("no_test")
    blueprint = load_blueprint(blueprint_code)
    seed = secrets.randbits(SEED_BITS)
    bank = selectors.bank_questions(selection=booking.selection, blueprint=blueprint.code)
    drawn = draw(blueprint, bank, seed)
    points = {q.id: {o.key: o.points for o in q.options} for q in bank}
    now = timezone.now()
    extra = (
        Accommodation.objects.filter(application_id=booking.application_id)
        .values_list("extra_minutes", flat=True)
        .first()
        or 0
    )
    try:
        with transaction.atomic():
            sitting = Sitting.objects.create(
                booking=booking,
                applicant=actor,
                selection=booking.selection,
                blueprint=blueprint.code,
                blueprint_version=blueprint.version,
                seed=seed,
                drawn=[
                    {
                        "question": d.question,
                        "component": d.component,
                        "options": list(d.option_order),
                        "points": points[d.question],
                    }
                    for d in drawn
                ],
                started_at=now,
                ends_at=now + timedelta(minutes=blueprint.duration_minutes + extra),
            )
    except IntegrityError:
        return Sitting.objects.get(booking=booking)
    _event(
        sitting, SittingEvent.Kind.STARTED, now, details={"ends_at": sitting.ends_at.isoformat()}
    )
    _close_when_due(sitting)
    audit_record(
        actor=actor,
        action="sittings.started",
        subject=booking.application,
        rule_version=f"{blueprint.code} v{blueprint.version}",
        details={"ends_at": sitting.ends_at.isoformat(), "extra_minutes": extra},
    )
    return sitting


def answer_save(
    *,
    sitting: Sitting,
    actor: Any,
    question: int,
    option: str,
    sequence: int,
    marked: bool = False,
) -> AnswerOutcome:
    """Keep the answer if it is newer than the stored one (see the module docstring)."""
    if sitting.applicant_id != getattr(actor, "pk", None):
        raise SittingRefused("not_yours")
    now = timezone.now()
    if sitting.status == Sitting.Status.FINISHED:
        raise SittingRefused("finished")
    drawn = drawn_options(sitting)
    if question not in drawn:
        raise SittingRefused("not_in_sitting")
    if option and option not in drawn[question]:
        raise SittingRefused("unknown_option")
    if now > sitting.ends_at + _grace():
        _event(sitting, SittingEvent.Kind.LATE, now, question, option, sequence)
        raise SittingRefused("late")
    found = Answer.objects.filter(sitting=sitting, question=question).values_list(
        "option", "marked", "sequence"
    )[:1]
    held = next(iter(found), None)
    if held is not None and held[2] >= sequence:
        return AnswerOutcome(Saved.STALE, held[2])
    if not _answer_put(sitting.pk, question, option, marked, sequence, now):
        latest = Answer.objects.filter(sitting=sitting, question=question).values_list(
            "sequence", flat=True
        )
        return AnswerOutcome(Saved.STALE, latest.first() or sequence)
    kind = _answer_kind(held[0] if held else "", held[1] if held else False, option, marked)
    if kind is not None:
        marking = {"marked": marked} if kind == SittingEvent.Kind.MARKED else None
        _event(sitting, kind, now, question, option, sequence, details=marking)
    transaction.on_commit(metrics.answer_saved)
    return AnswerOutcome(Saved.SAVED, sequence)


def _drawn_questions(drawn: list[dict[str, Any]]) -> dict[int, Question]:
    """The drawn questions with the points they had when the sitting started: the score
    never follows a later edit of the bank. (A sitting kept without them reads the bank.)"""
    kept = {
        item["question"]: Question(
            item["question"],
            item["component"],
            tuple(Option(key, points) for key, points in item["points"].items()),
        )
        for item in drawn
        if "points" in item
    }
    missing = [item["question"] for item in drawn if item["question"] not in kept]
    return {**kept, **selectors.questions_by_id(missing)} if missing else kept


def _answer_put(
    sitting_id: int, question: int, option: str, marked: bool, sequence: int, now: datetime
) -> bool:
    """Insert the answer, or overwrite the stored one if its sequence is lower, in one
    statement (an upsert whose update is the compare-and-swap); False when a newer one is
    held. Every save of every participant comes through here, so it is one round trip and
    no savepoint (SQLite 3.24+ and PostgreSQL both speak `ON CONFLICT … DO UPDATE … WHERE`)."""
    saved_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(ANSWER_PUT, [sitting_id, question, option, marked, sequence, saved_at])
        return bool(cursor.rowcount)


ANSWER_PUT = (
    'INSERT INTO "sittings_answer" ("sitting_id", "question", "option", "marked", "sequence", '
    '"saved_at") VALUES (%s, %s, %s, %s, %s, %s) '
    'ON CONFLICT ("sitting_id", "question") DO UPDATE SET "option" = excluded."option", '
    '"marked" = excluded."marked", "sequence" = excluded."sequence", '
    '"saved_at" = excluded."saved_at" WHERE "sittings_answer"."sequence" < excluded."sequence"'
)

_DRAWN: dict[tuple[int, int], dict[int, tuple[str, ...]]] = {}
DRAWN_KEPT = 4096


def drawn_options(sitting: Sitting) -> dict[int, tuple[str, ...]]:
    """The sitting's questions and their option keys, kept in this process: a sitting's draw
    never changes, and every answer checks against it. Keyed by id and seed, so a reused id
    (a test database) never finds another sitting's draw."""
    key = (sitting.pk, sitting.seed)
    found = _DRAWN.get(key)
    if found is None:
        found = {item["question"]: tuple(item["options"]) for item in sitting.drawn}
        if len(_DRAWN) >= DRAWN_KEPT:
            _DRAWN.clear()
        _DRAWN[key] = found
    return found


def _answer_kind(
    old_option: str, old_marked: bool, option: str, marked: bool
) -> SittingEvent.Kind | None:
    if option != old_option:
        if not option:
            return SittingEvent.Kind.CLEARED
        return SittingEvent.Kind.CHANGED if old_option else SittingEvent.Kind.ANSWERED
    if marked != old_marked:
        return SittingEvent.Kind.MARKED
    return None


def _event(
    sitting: Sitting,
    kind: SittingEvent.Kind,
    at: datetime,
    question: int | None = None,
    option: str = "",
    sequence: int | None = None,
    *,
    client_at: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    SittingEvent.objects.create(
        sitting=sitting,
        kind=kind,
        question=question,
        option=option,
        sequence=sequence,
        at=at,
        client_at=client_at,
        details=details or {},
    )


@dataclass(frozen=True)
class ClientEvent:
    """What the browser reports: a question shown, the connection lost or regained."""

    kind: str
    client_at: datetime | None
    question: int | None = None


CLIENT_KINDS = frozenset(
    {
        SittingEvent.Kind.OPENED,
        SittingEvent.Kind.SHOWN,
        SittingEvent.Kind.OFFLINE,
        SittingEvent.Kind.ONLINE,
    }
)


def events_record(*, sitting: Sitting, actor: Any, events: list[ClientEvent]) -> int:
    """Append the browser's events to the sitting's log (at most EVENTS_PER_REPORT, kinds the
    browser may report, questions of the sitting); returns how many were kept. A finished
    sitting keeps reports that arrive late: they explain what happened before the end."""
    if sitting.applicant_id != getattr(actor, "pk", None):
        raise SittingRefused("not_yours")
    drawn = drawn_options(sitting)
    now = timezone.now()
    kept = [
        SittingEvent(
            sitting=sitting,
            kind=event.kind,
            question=event.question if event.question in drawn else None,
            at=now,
            client_at=event.client_at,
        )
        for event in events[:EVENTS_PER_REPORT]
        if event.kind in CLIENT_KINDS
    ]
    SittingEvent.objects.bulk_create(kept)
    return len(kept)


@transaction.atomic
def sitting_extend(*, sitting: Sitting, actor: Any, minutes: int, reason: str) -> Sitting:
    """Give one participant's open sitting `minutes` more, for a reason kept in its log and
    the audit trail (a committee member of the agency, MANAGE_TESTS)."""
    locked = Sitting.objects.select_for_update().select_related("selection").get(pk=sitting.pk)
    if not user_can(actor, Capability.MANAGE_TESTS, locked.selection.agency_id):
        raise SittingRefused("forbidden")
    if locked.status != Sitting.Status.OPEN:
        raise SittingRefused("not_open")
    if not 1 <= minutes <= EXTENSION_MINUTES_MAX:
        raise SittingRefused("minutes", params=EXTENSION_MINUTES_MAX)
    reason = reason.strip()
    if not reason:
        raise SittingRefused("reason")
    now = timezone.now()
    if now > locked.ends_at + _grace():
        # Time ran out while the room waited: the extension counts from now.
        locked.ends_at = now + timedelta(minutes=minutes)
    else:
        locked.ends_at += timedelta(minutes=minutes)
    locked.save(update_fields=["ends_at"])
    details = {"minutes": minutes, "reason": reason[:500], "ends_at": locked.ends_at.isoformat()}
    _event(locked, SittingEvent.Kind.EXTENDED, now, details={**details, "by": actor.pk})
    _close_when_due(locked)
    audit_record(
        actor=actor,
        action="sittings.extended",
        subject=locked.booking.application,
        reason=reason[:500],
        rule_version=f"{locked.blueprint} v{locked.blueprint_version}",
        details=details,
    )
    _notify_extended(locked, minutes=minutes, reason=reason[:500], key=locked.ends_at.isoformat())
    return locked


def _notify_extended(sitting: Sitting, *, minutes: int, reason: str, key: str) -> None:
    """Tell the participant of the extension (inbox and e-mail): each new end is one event."""
    application = sitting.booking.application
    selection = sitting.selection
    zone = ZoneInfo(selection.agency.time_zone)
    ends_at = timezone.localtime(sitting.ends_at, zone)
    notify(
        user=application.applicant,
        event=f"sittings.extended:{sitting.pk}:{key}",
        template="sitting_extended",
        context={
            "number": application.number,
            "stage": localized(sitting.booking.get_stage_display),
            "minutes": minutes,
            "ends_at": localized(
                lambda: (
                    f"{date_format(ends_at, 'j F Y, H:i')} "
                    f"({selection.agency.get_time_zone_display()})"
                )
            ),
            "reason": reason,
        },
        url=reverse("applicant:detail", args=[application.number]),
        selection=selection,
    )


def _close_when_due(sitting: Sitting) -> None:
    """Have the worker close the sitting just after its time and the grace (when the task
    backend can defer; `seleksi close-sittings` is the sweep for the rest)."""
    from .tasks import sitting_close_enqueue

    when = sitting.ends_at + _grace() + timedelta(seconds=1)
    transaction.on_commit(lambda: sitting_close_enqueue(sitting_id=sitting.pk, when=when))


@transaction.atomic
def sitting_finish(*, sitting: Sitting, actor: Any) -> Sitting:
    """Close and score the sitting once: by its participant (early), or by the server
    (`actor` None) once its time and the grace are over. A second call returns it as it is."""
    locked = Sitting.objects.select_for_update().get(pk=sitting.pk)
    if locked.status == Sitting.Status.FINISHED:
        return locked
    by_server = actor is None
    if not by_server and locked.applicant_id != getattr(actor, "pk", None):
        raise SittingRefused("not_yours")
    now = timezone.now()
    if by_server and now <= locked.ends_at + _grace():
        return locked
    blueprint = load_blueprint(locked.blueprint)
    drawn = [
        DrawnQuestion(item["question"], item["component"], tuple(item["options"]))
        for item in locked.drawn
    ]
    questions = _drawn_questions(locked.drawn)
    answers = {
        question: option or None
        for question, option in Answer.objects.filter(sitting=locked).values_list(
            "question", "option"
        )
    }
    result = score(blueprint, drawn, questions, answers)
    locked.status = Sitting.Status.FINISHED
    locked.finished_at = now
    locked.closed_by = Sitting.ClosedBy.SERVER if by_server else Sitting.ClosedBy.PARTICIPANT
    locked.scores = dict(result.components)
    locked.total = result.total
    locked.save(update_fields=["status", "finished_at", "closed_by", "scores", "total"])
    _event(
        locked,
        SittingEvent.Kind.FINISHED,
        now,
        details={"closed_by": locked.closed_by, "total": result.total},
    )
    _record_score(locked, blueprint, result, answers)
    audit_record(
        actor=actor,
        action="sittings.finished",
        subject=locked.booking.application,
        rule_version=f"{blueprint.code} v{blueprint.version}",
        details={"scores": locked.scores, "total": result.total, "closed_by": locked.closed_by},
    )
    return locked
