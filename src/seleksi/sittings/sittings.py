"""Sittings of a computer-assisted test: starting one on the server's clock, saving answers
with sequence numbers, and finishing (by the participant, or by the server when time is up).

Decisions worth knowing:

- The clock is the server's: `ends_at` is fixed when the sitting starts (the blueprint's
  duration plus the accommodation's extra minutes). Reloading, another device or a lost
  connection changes nothing; the page only shows `ends_at - now`.
- One sitting per booking, and only for a participant checked in (hadir) at that booking's
  session. Starting again returns the same sitting, with its saved answers.
- An answer is one compare-and-swap UPDATE (`sequence < new`), or an insert when the question
  has none yet: a resend (same sequence) or an older save never overwrites a newer answer, and
  is answered "stale", not as an error, so the browser can forget it.
- An answer that arrives after `ends_at` plus the grace (SELEKSI_ANSWER_GRACE_SECONDS) is
  refused as late and changes nothing; the participant is told which.
- Finishing scores the saved answers with `rules.cat.score` (blank = 0) and keeps the scores
  on the sitting; it happens once, whoever asks first. An SKD sitting's TWK, TIU and TKP and
  a mitra test's total are also stored as the stage's score (`scoring.services`), which the
  ranking reads as it reads an imported file; the fingerprint of the sitting's answers stands
  for the file's SHA-256.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seleksi.audit.services import audit_record
from seleksi.core.errors import ServiceRefused
from seleksi.exams.models import Accommodation, Booking
from seleksi.rules.cat import DrawnQuestion, SittingScore, load_blueprint, score
from seleksi.scoring.services import score_from_sitting

from . import selectors
from .models import Answer, Sitting

SEED_BITS = 62

REFUSALS = {
    "not_yours": _("This seat is not yours."),
    "not_checked_in": _("Check in at the door first: the test opens after the check-in."),
    "finished": _("This sitting is finished; answers can no longer change."),
    "late": _("Time was up when this answer arrived; it was not saved."),
    "not_in_sitting": _("That question is not part of your test."),
    "unknown_option": _("That option does not belong to the question."),
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


def _record_score(sitting: Sitting, result: SittingScore, answers: dict[int, str | None]) -> None:
    """The stage's score for the ranking: SKD by subtest, a mitra test by its total."""
    booking = sitting.booking
    scores = dict(result.components)
    if booking.stage == "skd" and set(scores) == {"twk", "tiu", "tkp"}:
        values: dict[str, Any] = {"twk": scores["twk"], "tiu": scores["tiu"], "tkp": scores["tkp"]}
    elif booking.stage == "mitra":
        values = {"test_score": Decimal(result.total)}
    else:
        return
    fingerprint = hashlib.sha256(
        json.dumps(
            {"sitting": sitting.pk, "answers": sorted(answers.items())}, default=str
        ).encode()
    ).hexdigest()
    score_from_sitting(
        application=booking.application, stage=booking.stage, values=values, fingerprint=fingerprint
    )


def _grace() -> timedelta:
    return timedelta(seconds=settings.SELEKSI_ANSWER_GRACE_SECONDS)


@transaction.atomic
def sitting_start(*, booking: Booking, actor: Any, blueprint_code: str) -> Sitting:
    """The participant's sitting of `blueprint_code`, started now or, when it exists, as it
    stands. Refuses another person, and a participant not checked in."""
    if actor is None or booking.application.applicant_id != getattr(actor, "pk", None):
        raise SittingRefused("not_yours")
    existing = Sitting.objects.filter(booking=booking).first()
    if existing is not None:
        return existing
    if booking.attendance != Booking.Attendance.PRESENT:
        raise SittingRefused("not_checked_in")
    blueprint = load_blueprint(blueprint_code)
    seed = secrets.randbits(SEED_BITS)
    drawn = selectors.sitting_draw(selection=booking.selection, blueprint=blueprint, seed=seed)
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
                selection=booking.selection,
                blueprint=blueprint.code,
                blueprint_version=blueprint.version,
                seed=seed,
                drawn=[
                    {
                        "question": d.question,
                        "component": d.component,
                        "options": list(d.option_order),
                    }
                    for d in drawn
                ],
                started_at=now,
                ends_at=now + timedelta(minutes=blueprint.duration_minutes + extra),
            )
    except IntegrityError:
        return Sitting.objects.get(booking=booking)
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
    if sitting.booking.application.applicant_id != getattr(actor, "pk", None):
        raise SittingRefused("not_yours")
    now = timezone.now()
    if sitting.status == Sitting.Status.FINISHED:
        raise SittingRefused("finished")
    if now > sitting.ends_at + _grace():
        raise SittingRefused("late")
    drawn = {item["question"]: item["options"] for item in sitting.drawn}
    if question not in drawn:
        raise SittingRefused("not_in_sitting")
    if option and option not in drawn[question]:
        raise SittingRefused("unknown_option")
    values = {"option": option, "marked": marked, "sequence": sequence, "saved_at": now}
    updated = Answer.objects.filter(
        sitting=sitting, question=question, sequence__lt=sequence
    ).update(**values)
    if not updated:
        try:
            with transaction.atomic():
                Answer.objects.create(sitting=sitting, question=question, **values)
        except IntegrityError:
            held = Answer.objects.filter(sitting=sitting, question=question).values_list(
                "sequence", flat=True
            )
            return AnswerOutcome(Saved.STALE, held.first() or sequence)
    return AnswerOutcome(Saved.SAVED, sequence)


@transaction.atomic
def sitting_finish(*, sitting: Sitting, actor: Any) -> Sitting:
    """Close and score the sitting once: by its participant (early), or by the server
    (`actor` None) once its time and the grace are over. A second call returns it as it is."""
    locked = Sitting.objects.select_for_update().get(pk=sitting.pk)
    if locked.status == Sitting.Status.FINISHED:
        return locked
    by_server = actor is None
    if not by_server and locked.booking.application.applicant_id != getattr(actor, "pk", None):
        raise SittingRefused("not_yours")
    now = timezone.now()
    if by_server and now <= locked.ends_at + _grace():
        return locked
    blueprint = load_blueprint(locked.blueprint)
    drawn = [
        DrawnQuestion(item["question"], item["component"], tuple(item["options"]))
        for item in locked.drawn
    ]
    questions = selectors.questions_by_id([d.question for d in drawn])
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
    _record_score(locked, result, answers)
    audit_record(
        actor=actor,
        action="sittings.finished",
        subject=locked.booking.application,
        rule_version=f"{blueprint.code} v{blueprint.version}",
        details={"scores": locked.scores, "total": result.total, "closed_by": locked.closed_by},
    )
    return locked
