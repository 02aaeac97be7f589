"""Replacement (penggantian) on the database: the committee records that a passed applicant
withdrew (APS) or was disqualified (DIS), the engine (`seleksi.rules.replacement`) proposes the
next eligible applicant in rank for the freed seat, and the committee confirms or cancels the
proposal. A confirmed replacement is announced on the selection's public page, shown to both
applicants and told to them (seleksi.notices), and audited on the selection and on each
application.

Decisions worth knowing:

- Only a confirmed run of a stage that passes people (akhir, pppk, mitra) can have withdrawals,
  and only the latest confirmed run of its stage: a newer run would rank different data.
- One proposal at a time: while a withdrawal waits for confirmation no other can be recorded,
  so every proposal is made on the state the committee has accepted.
- The plan is recomputed from the run's stored rows and the confirmed withdrawals in their
  order, so the engine stays the only place that decides; the stored proposal must equal the
  recomputed one when it is confirmed, or confirmation is refused.
- Optimalisasi as a fallback (the seat's formation has nobody left) is used in the final stage
  only, on the scores the run was ranked from: when the stored scores have changed since (the
  fingerprint differs) the fallback is refused with a message asking for a new run.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.models import Application
from seleksi.audit.services import audit_record
from seleksi.core.errors import ServiceRefused
from seleksi.core.public_cache import public_content_changed
from seleksi.notices.services import localized, notify
from seleksi.rules.fingerprint import run_fingerprint
from seleksi.rules.ranking import FinalResult, FinalScore, Outcome, Stage
from seleksi.rules.replacement import (
    Reason,
    ReplacementPlan,
    ReplacementStep,
    propose_replacements,
)
from seleksi.rules.replacement import (
    Withdrawal as WithdrawalRule,
)

from .engine import ranking_policy_for
from .messages import engine_refusal
from .models import RankingRun, Withdrawal
from .ranking_runs import qualification_check, ranking_inputs

PASSING_STAGES = frozenset({Stage.FINAL.value, Stage.PPPK.value, "mitra"})
NOTE_MIN_CHARACTERS = 10


class ReplacementRefused(ServiceRefused):
    """Why the committee's request about a withdrawal cannot be carried out."""


@dataclass(frozen=True)
class Standing:
    """A participant's code once the confirmed withdrawals are applied: APS or DIS for those
    who left, L or L-2 for a replacement (with whose seat it took), else the run's own code."""

    code: str
    replaces: str = ""
    seat: str = ""


# Reads ---------------------------------------------------------------------------------------


def run_results(run: RankingRun) -> tuple[list[FinalResult], dict[str, int]]:
    """The run's stored rows as the replacement engine reads them, and number → application."""
    results: list[FinalResult] = []
    applications: dict[str, int] = {}
    for row in run.rows.values(
        "application_id",
        "application__number",
        "formation_code",
        "placed_formation_code",
        "final_score",
        "rank",
        "outcome",
    ).order_by("order"):
        number = row["application__number"]
        applications[number] = row["application_id"]
        outcome = Outcome(row["outcome"])
        results.append(
            FinalResult(
                participant=number,
                formation=row["formation_code"],
                present=outcome is not Outcome.ABSENT,
                skd_score=None,
                skb_score=None,
                final_score=_fraction(row["final_score"]),
                rank=row["rank"],
                outcome=outcome,
                placed_formation=row["placed_formation_code"] or None,
            )
        )
    return results, applications


def run_standings(run: RankingRun) -> dict[int, Standing]:
    """Application id → standing, for the participants whose code confirmed withdrawals
    changed; everybody else keeps the code stored in the run's rows."""
    standings: dict[int, Standing] = {}
    for withdrawal in _confirmed(run):
        standings[withdrawal.application_id] = Standing(withdrawal.reason)
        if withdrawal.replacement_id is not None:
            standings[withdrawal.replacement_id] = Standing(
                withdrawal.replacement_code, withdrawal.application.number, withdrawal.seat_code
            )
    return standings


def latest_confirmed_run(run: RankingRun) -> bool:
    newest = (
        RankingRun.objects.filter(
            selection_id=run.selection_id, stage=run.stage, confirmed_at__isnull=False
        )
        .order_by("-confirmed_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return newest == run.pk


# Writes --------------------------------------------------------------------------------------


@transaction.atomic
def withdrawal_record(
    *, run: RankingRun, participant: str, reason: str, note: str, actor: Any
) -> Withdrawal:
    """Record that `participant` withdrew or was disqualified and store the engine's proposal
    for the freed seat; nothing changes for applicants until the committee confirms."""
    run = (
        RankingRun.objects.select_for_update(of=("self",))
        .select_related("selection")
        .get(pk=run.pk)
    )
    _require_committee(actor, run)
    _require_open(run)
    note = note.strip()
    if len(note) < NOTE_MIN_CHARACTERS:
        raise ReplacementRefused(
            "note_too_short",
            _("Write a note of at least %(count)d characters: what happened and on which letter."),
            {"count": NOTE_MIN_CHARACTERS},
        )
    if reason not in Withdrawal.Reason.values:
        raise ReplacementRefused(
            "unknown_reason", _("Choose APS (withdrew) or DIS (disqualified).")
        )
    if run.withdrawals.filter(confirmed_at__isnull=True, cancelled_at__isnull=True).exists():
        raise ReplacementRefused(
            "withdrawal_pending",
            _("Another withdrawal is waiting for confirmation; confirm or cancel it first."),
        )
    participant = participant.strip()
    results, applications = run_results(run)
    if participant not in applications:
        raise ReplacementRefused(
            "not_in_ranking",
            _("Participant number %(number)s is not in this ranking."),
            {"number": participant},
        )
    confirmed = _confirmed(run)
    if any(w.application.number == participant for w in confirmed):
        raise ReplacementRefused(
            "already_left",
            _("Participant %(number)s has already been recorded as leaving."),
            {"number": participant},
        )
    withdrawal = WithdrawalRule(participant, Reason(reason), note)
    plan = _plan(run, results, [*map(_rule, confirmed), withdrawal], needs_fallback=True)
    step = plan.steps[-1]
    sequence = (run.withdrawals.aggregate(last=Max("sequence"))["last"] or 0) + 1
    record = Withdrawal.objects.create(
        run=run,
        sequence=sequence,
        application_id=applications[participant],
        reason=reason,
        note=note,
        recorded_at=timezone.now(),
        recorded_by=actor,
        seat_code=step.seat or "",
        replacement_id=applications[step.replacement] if step.replacement else None,
        replacement_code=str(step.code) if step.code else "",
        tied=step.tied,
    )
    audit_record(
        actor=actor,
        action="ranking.withdrawal_recorded",
        subject=run.selection,
        reason=note,
        rule_version=f"{run.policy_code} v{run.policy_version}",
        details=_details(record, step),
    )
    return record


@transaction.atomic
def withdrawal_confirm(
    *, withdrawal: Withdrawal, actor: Any, note: str, site_url: str = ""
) -> Withdrawal:
    """Confirm a proposal: the withdrawn applicant's code becomes APS or DIS and the
    replacement's L or L-2, shown to both and on the public list of replacements."""
    withdrawal = _locked(withdrawal)
    run = withdrawal.run
    _require_committee(actor, run)
    _require_open(run)
    if not withdrawal.is_pending:
        raise ReplacementRefused("already_decided", _("This withdrawal has already been decided."))
    note = note.strip()
    if not note:
        raise ReplacementRefused(
            "note_required", _("Write why the committee confirms this proposal.")
        )
    results, applications = run_results(run)
    confirmed = _confirmed(run)
    replay = _plan(run, results, [*map(_rule, confirmed), _rule(withdrawal)], needs_fallback=True)
    step = replay.steps[-1]
    numbers = {pk: number for number, pk in applications.items()}
    proposed = numbers.get(withdrawal.replacement_id) if withdrawal.replacement_id else None
    if step.replacement != proposed or (step.seat or "") != withdrawal.seat_code:
        raise ReplacementRefused(
            "ranking_changed",
            _("The ranking has changed since this proposal was made; cancel it and record again."),
        )
    withdrawal.confirmed_at = timezone.now()
    withdrawal.confirmed_by = actor
    withdrawal.confirmation_note = note
    withdrawal.save(update_fields=["confirmed_at", "confirmed_by", "confirmation_note"])
    rule_version = f"{run.policy_code} v{run.policy_version}"
    details = _details(withdrawal, step)
    audit_record(
        actor=actor,
        action="ranking.replacement_confirmed",
        subject=run.selection,
        reason=note,
        rule_version=rule_version,
        details=details,
    )
    audit_record(
        actor=actor,
        action="ranking.withdrawn",
        subject=withdrawal.application,
        reason=withdrawal.note,
        rule_version=rule_version,
        details=details,
    )
    if withdrawal.replacement is not None:
        audit_record(
            actor=actor,
            action="ranking.replaced_in",
            subject=withdrawal.replacement,
            reason=note,
            rule_version=rule_version,
            details=details,
        )
    _notify_confirmed(withdrawal, site_url)
    public_content_changed()
    return withdrawal


def _notify_confirmed(withdrawal: Withdrawal, site_url: str) -> None:
    """Tell both applicants: the one who left (APS/DIS) and the replacement (L or L-2)."""
    selection = withdrawal.run.selection
    left = withdrawal.application
    notify(
        user=left.applicant,
        event=f"ranking.withdrawn:{withdrawal.pk}",
        template="withdrawal_confirmed",
        context={
            "number": left.number,
            "code": withdrawal.reason,
            "reason": localized(withdrawal.get_reason_display),
        },
        url=reverse("applicant:detail", args=[left.number]),
        selection=selection,
        site_url=site_url,
    )
    replacement = withdrawal.replacement
    if replacement is not None:
        notify(
            user=replacement.applicant,
            event=f"ranking.replaced_in:{withdrawal.pk}",
            template="replacement_confirmed",
            context={
                "number": replacement.number,
                "code": withdrawal.replacement_code,
                "formation": withdrawal.seat_code,
            },
            url=reverse("applicant:detail", args=[replacement.number]),
            selection=selection,
            site_url=site_url,
        )


@transaction.atomic
def withdrawal_cancel(*, withdrawal: Withdrawal, actor: Any, note: str) -> Withdrawal:
    """Cancel a proposal recorded by mistake; the row stays, marked cancelled."""
    withdrawal = _locked(withdrawal)
    run = withdrawal.run
    _require_committee(actor, run)
    if not withdrawal.is_pending:
        raise ReplacementRefused("already_decided", _("This withdrawal has already been decided."))
    note = note.strip()
    if not note:
        raise ReplacementRefused("note_required", _("Write why the proposal is cancelled."))
    withdrawal.cancelled_at = timezone.now()
    withdrawal.cancelled_by = actor
    withdrawal.confirmation_note = note
    withdrawal.save(update_fields=["cancelled_at", "cancelled_by", "confirmation_note"])
    audit_record(
        actor=actor,
        action="ranking.withdrawal_cancelled",
        subject=run.selection,
        reason=note,
        rule_version=f"{run.policy_code} v{run.policy_version}",
        details={"run": run.pk, "withdrawal": withdrawal.pk, "sequence": withdrawal.sequence},
    )
    return withdrawal


# Helpers -------------------------------------------------------------------------------------


def _confirmed(run: RankingRun) -> list[Withdrawal]:
    """The run's confirmed withdrawals in the order they were recorded."""
    return list(
        run.withdrawals.filter(confirmed_at__isnull=False)
        .select_related("application")
        .order_by("sequence")
    )


def _locked(withdrawal: Withdrawal) -> Withdrawal:
    """The withdrawal, re-read under lock. The run is locked first, as `withdrawal_record`
    does, so that recording and deciding on one run take turns."""
    RankingRun.objects.select_for_update().filter(pk=withdrawal.run_id).exists()
    return (
        Withdrawal.objects.select_for_update(of=("self",))
        .select_related("run__selection", "application", "replacement")
        .get(pk=withdrawal.pk)
    )


def _require_committee(actor: Any, run: RankingRun) -> None:
    if not user_can(actor, Capability.DECIDE_RESULTS, run.selection.agency_id):
        raise ReplacementRefused("forbidden", _("Only the selection committee can do this."))


def _require_open(run: RankingRun) -> None:
    if run.stage not in PASSING_STAGES:
        raise ReplacementRefused(
            "not_final", _("Withdrawals are recorded on a final ranking, not on SKD.")
        )
    if run.confirmed_at is None:
        raise ReplacementRefused(
            "not_confirmed", _("Confirm this ranking before recording withdrawals.")
        )
    if not latest_confirmed_run(run):
        raise ReplacementRefused(
            "outdated",
            _("A newer ranking of this stage has been confirmed; record withdrawals there."),
        )


def _rule(withdrawal: Withdrawal) -> WithdrawalRule:
    return WithdrawalRule(withdrawal.application.number, Reason(withdrawal.reason), withdrawal.note)


def _plan(
    run: RankingRun,
    results: list[FinalResult],
    withdrawals: Sequence[WithdrawalRule],
    *,
    needs_fallback: bool,
) -> ReplacementPlan:
    """Apply `withdrawals`, in order, to the run's own results with the engine."""
    policy = ranking_policy_for(Stage(run.stage), run.policy_code) if needs_fallback else None
    fallback: dict[str, Any] = {}
    if policy is not None and run.stage == Stage.FINAL.value:
        inputs = ranking_inputs(selection=run.selection, stage=Stage.FINAL)
        fingerprint = run_fingerprint(policy, Stage.FINAL, inputs.formations, inputs.scores)
        if fingerprint != run.fingerprint:
            raise ReplacementRefused(
                "scores_changed",
                _(
                    "The stored scores have changed since this ranking was run; "
                    "run and confirm the ranking again first."
                ),
            )
        qualifies: Callable[[str, str], bool] = qualification_check(run.selection)
        fallback = {
            "policy": policy,
            "formations": inputs.formations,
            "scores": [s for s in inputs.scores if isinstance(s, FinalScore)],
            "qualifies": qualifies,
        }
    try:
        return propose_replacements(results, withdrawals, **fallback)
    except ValueError as error:
        refused = engine_refusal(error)
        raise ReplacementRefused(refused.code, lazy(lambda: refused.message, str)()) from error


def _details(withdrawal: Withdrawal, step: ReplacementStep) -> dict[str, Any]:
    return {
        "run": withdrawal.run_id,
        "withdrawal": withdrawal.pk,
        "sequence": withdrawal.sequence,
        "participant": step.withdrawal.participant,
        "reason": withdrawal.reason,
        "seat": step.seat,
        "replacement": step.replacement,
        "code": str(step.code) if step.code else None,
        "tied": step.tied,
    }


def _fraction(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def application_replacements(application: Application) -> list[Withdrawal]:
    """Confirmed withdrawals and replacements that concern `application`, oldest first."""
    return list(
        Withdrawal.objects.filter(confirmed_at__isnull=False)
        .filter(Q(application=application) | Q(replacement=application))
        .select_related("run", "application", "replacement")
        .order_by("confirmed_at")
    )
