"""Background work for ranking. Tasks receive ids, never personal numbers.

Decisions worth knowing:

- A background run answers one request: the task carries the id of the `ranking.requested`
  audit event, and the run's `ranking.run` event (or the `ranking.failed` one) names it. A task
  that runs again (its worker died after the run was stored, and `requeue-stalled-tasks` put
  it back) finds its answer and stores no second run.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.tasks import task

from seleksi.accounts.models import User
from seleksi.audit.models import AuditEvent
from seleksi.audit.services import audit_record
from seleksi.selections.models import Selection

from .engine import RankingInputError
from .messages import Refusal, engine_refusal
from .models import RankingRun, Score
from .ranking_runs import ranking_run

SCORE_STAGES = {"skd": Score.Stage.SKD, "akhir": Score.Stage.SKB, "pppk": "pppk", "mitra": "mitra"}
"""Ranking stage → the stored score stage it ranks."""


def stage_score_count(selection: Selection, stage: str) -> int:
    return Score.objects.filter(selection=selection, stage=SCORE_STAGES.get(stage, stage)).count()


@transaction.atomic
def ranking_request(*, selection: Selection, stage: str, actor: Any) -> None:
    """Record that the committee asked for a run and hand it to the task worker once the
    request's transaction commits; the run, or the reasons it failed, appear on the runs page."""
    request = audit_record(
        actor=actor, action="ranking.requested", subject=selection, details={"stage": stage}
    )
    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(
        lambda: rank_in_background.enqueue(
            selection_id=selection.pk, stage=stage, actor_id=actor_id, request_id=request.pk
        )
    )


@task()
def rank_in_background(
    *, selection_id: int, stage: str, actor_id: int | None, request_id: int | None = None
) -> int | None:
    """One ranking run for the request `request_id`; a failure is recorded as
    `ranking.failed` with its reasons. A request already answered is not run again. (A task
    queued without `request_id`, by an older release, runs as it always did.)"""
    if request_id is not None:
        answer = (
            AuditEvent.objects.filter(
                selection_id=selection_id,
                action__in=["ranking.run", "ranking.failed"],
                details__request=request_id,
            )
            .values_list("details", flat=True)
            .first()
        )
        if answer is not None:
            run = answer.get("run")
            return int(run) if run is not None else None
    selection = Selection.objects.get(pk=selection_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return ranking_run(
            selection=selection, stage=stage, actor=actor, request_id=request_id
        ).run.pk
    except (RankingInputError, LookupError) as error:
        refusals = (
            list(error.refusals)
            if isinstance(error, RankingInputError)
            else [engine_refusal(error)]
        )
        kept = refusals[:100]
        audit_record(
            actor=actor,
            action="ranking.failed",
            subject=selection,
            details={
                "stage": stage,
                "errors": [refusal.message for refusal in kept],
                "problems": [refusal.as_data() for refusal in kept],
                "more": max(len(refusals) - 100, 0),
            }
            | ({"request": request_id} if request_id is not None else {}),
        )
        return None


@dataclass(frozen=True)
class BackgroundState:
    """The newest background request of a stage that no run has answered yet."""

    stage: str
    requested_at: datetime
    failed: bool
    errors: tuple[str, ...]


def background_states(selection: Selection) -> list[BackgroundState]:
    """Per stage, the newest request or failure recorded after the newest run of the stage.
    Failures are worded in the active language (older events hold only their text)."""
    newest_run = dict(
        RankingRun.objects.filter(selection=selection)
        .values("stage")
        .annotate(at=Max("created_at"))
        .values_list("stage", "at")
    )
    states: dict[str, BackgroundState] = {}
    for event in AuditEvent.objects.filter(
        selection_id=selection.pk, action__in=["ranking.requested", "ranking.failed"]
    ).order_by("-occurred_at", "-id")[:50]:
        stage = str(event.details.get("stage", ""))
        ran = newest_run.get(stage)
        if stage in states or (ran is not None and ran >= event.occurred_at):
            continue
        failed = event.action == "ranking.failed"
        errors = _failure_messages(event.details) if failed else ()
        states[stage] = BackgroundState(stage, event.occurred_at, failed, errors)
    return sorted(states.values(), key=lambda state: state.requested_at, reverse=True)


def _failure_messages(details: dict[str, Any]) -> tuple[str, ...]:
    problems = details.get("problems")
    if isinstance(problems, list):
        return tuple(Refusal.from_data(problem).message for problem in problems)
    return tuple(str(error) for error in details.get("errors", []))
