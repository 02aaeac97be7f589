"""Replacement (penggantian): when a passed applicant withdraws (APS, atas permintaan sendiri)
or is disqualified (DIS), propose the next eligible applicant in rank for the freed seat.

`propose_replacements` takes the rows of `rank_final` and the withdrawals the committee
recorded, in the order they were recorded, and returns a `ReplacementPlan`: one step per
withdrawal with the proposed replacement (or None), and every participant's code once the
whole plan is confirmed. The committee confirms; this module only proposes.

Decisions worth knowing:

- A seat belongs to a formation: an L holds a seat of its own formation, an L-2 one of its
  `placed_formation`. A withdrawal frees that one seat and at most one applicant is proposed
  for it, so a formation never has more passes than before, and never more than its quota.
- The replacement is the best-ranked TL (present, ranked, not passed, not withdrawn) of the
  seat's formation, in rank order then participant number, which is `rank_final`'s own order.
  The replacement is coded L. A TH (absent), a withdrawn applicant and anybody already passed
  (L or L-2) is never proposed.
- If the formation has nobody left and the caller passes the policy, formations and scores
  the results were ranked from, the seat goes to optimalisasi under `rank_final`'s rule (policy
  switch on; another formation with the same jabatan that `ranking.may_fill` allows; met the
  `optimalisasi_pass_marks`; not yet passed), coded L-2 with `placed_formation` = the seat.
  "Best" across formations is the final ranking order, obtained by ranking the candidates with
  `rank_final` itself as one pool, so the order cannot drift from the ranking engine. Without
  the policy only the same formation is searched. With `qualifies` (participant, seat
  formation code), as `rank_final` takes it, an optimalisasi candidate must also hold a
  qualification of the seat's formation; a replacement from the same formation is not asked.
- Withdrawals apply one after another to the state left by the previous one, so a chain
  (the replacement withdraws too) frees the seat again and the next in rank is proposed.
- A TL or TH applicant may be recorded as withdrawn or disqualified too: no seat is freed, but
  they leave the pool of replacements. Withdrawing an unknown or already withdrawn applicant is
  a ValueError (a `rules.problems.RankingDataError` with its code).
- `tied` flags a proposal equal on the score and every tie-break with another candidate for
  the same seat; the lower participant number is proposed and the committee decides.
- The plan does not depend on the order of the result rows (nor of formations and scores).
- Each formation's TL queue and the optimalisasi pool (`ranking.OptimalisasiPool`) are
  ordered once and read from heads that only move forward, so a plan takes O(n log n) for n
  results however many withdrawals there are. That rests on nobody becoming TL again and on
  `qualifies` answering the same for the same pair: a refusal is remembered for the formation.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction

from seleksi.rules.problems import RankingDataError, RankingLookupError, RankingProblem
from seleksi.rules.ranking import (
    UMUM,
    FinalResult,
    FinalScore,
    Formation,
    OptimalisasiPool,
    Outcome,
    RankingPolicy,
    rank_final,
)

FINAL_OUTCOMES = frozenset(
    {Outcome.PASSED, Outcome.PASSED_OPTIMALISASI, Outcome.NOT_PASSED, Outcome.ABSENT}
)
POOL = "\x00pool"


class Reason(StrEnum):
    """APS: withdrew of their own accord (atas permintaan sendiri); DIS: disqualified."""

    WITHDREW = "APS"
    DISQUALIFIED = "DIS"


type Code = Outcome | Reason


@dataclass(frozen=True)
class Withdrawal:
    """What the committee records: who, why (APS or DIS) and a note for the audit trail."""

    participant: str
    reason: Reason
    note: str

    def __post_init__(self) -> None:
        if not self.note.strip():
            raise RankingDataError(
                RankingProblem.NOTE_REQUIRED,
                f"{self.participant}: a withdrawal needs a note",
                participant=self.participant,
            )


@dataclass(frozen=True)
class ReplacementStep:
    """One withdrawal and its proposal. `seat` is the formation whose seat it freed (None when
    the applicant held no seat); `replacement` is None when nobody is left for the seat."""

    withdrawal: Withdrawal
    seat: str | None
    replacement: str | None
    code: Outcome | None
    tied: bool = False


@dataclass(frozen=True)
class Standing:
    """A participant once the plan is confirmed: `code` is L, L-2, TL, TH, APS or DIS;
    `replaces` names whose seat a replacement took."""

    participant: str
    formation: str
    rank: int | None
    final_score: Fraction | None
    code: Code
    placed_formation: str | None = None
    replaces: str | None = None

    @property
    def seat(self) -> str | None:
        """The formation whose seat this participant holds, if any."""
        if self.code is Outcome.PASSED:
            return self.formation
        if self.code is Outcome.PASSED_OPTIMALISASI:
            return self.placed_formation
        return None


@dataclass(frozen=True)
class ReplacementPlan:
    """Steps in the order of the withdrawals; standings in `rank_final`'s row order (formation
    code, rank, participant number, unranked last)."""

    steps: tuple[ReplacementStep, ...]
    standings: tuple[Standing, ...]

    def code_of(self, participant: str) -> Code:
        for standing in self.standings:
            if standing.participant == participant:
                return standing.code
        raise RankingLookupError(
            RankingProblem.NOT_IN_RESULTS, f"no participant {participant}", participant=participant
        )

    def seats(self) -> dict[str, int]:
        """Filled seats per formation code (formations with none are left out)."""
        filled: dict[str, int] = {}
        for standing in self.standings:
            if standing.seat is not None:
                filled[standing.seat] = filled.get(standing.seat, 0) + 1
        return dict(sorted(filled.items()))


def propose_replacements(
    results: Sequence[FinalResult],
    withdrawals: Sequence[Withdrawal],
    *,
    policy: RankingPolicy | None = None,
    formations: Sequence[Formation] = (),
    scores: Sequence[FinalScore] = (),
    qualifies: Callable[[str, str], bool] | None = None,
) -> ReplacementPlan:
    """Apply the withdrawals one after another and propose a replacement for each freed seat.
    Pass `policy`, `formations` and `scores` (the inputs of `rank_final`) to fall back to
    optimalisasi when a formation has nobody left, and `qualifies` if `rank_final` had it;
    `formations` alone checks the quotas."""
    standings = _standings(results)
    by_code = {formation.code: formation for formation in formations}
    if len(by_code) != len(formations):
        raise RankingDataError(
            RankingProblem.DUPLICATE_FORMATION, "a formation appears twice", formation=""
        )
    if policy is not None and not by_code:
        raise RankingDataError(
            RankingProblem.FORMATIONS_NEEDED,
            "optimalisasi needs the formations the results were ranked with",
        )
    if by_code:
        _check_quotas(standings, by_code)
    queues = _RankQueues(standings)
    fallback = _Optimalisasi(policy, by_code, scores, qualifies) if policy is not None else None
    steps: list[ReplacementStep] = []
    for withdrawal in withdrawals:
        steps.append(_apply(standings, queues, withdrawal, fallback))
    if by_code:
        _check_quotas(standings, by_code)
    ordered = sorted(
        standings.values(),
        key=lambda s: (s.formation, s.rank is None, s.rank or 0, s.participant),
    )
    return ReplacementPlan(tuple(steps), tuple(ordered))


# Steps ---------------------------------------------------------------------------------------


def _apply(
    standings: dict[str, Standing],
    queues: "_RankQueues",
    withdrawal: Withdrawal,
    fallback: "_Optimalisasi | None",
) -> ReplacementStep:
    leaving = standings.get(withdrawal.participant)
    if leaving is None:
        raise RankingDataError(
            RankingProblem.NOT_IN_RESULTS,
            f"{withdrawal.participant}: not in the results",
            participant=withdrawal.participant,
        )
    if isinstance(leaving.code, Reason):
        raise RankingDataError(
            RankingProblem.ALREADY_LEFT,
            f"{withdrawal.participant}: already recorded as {leaving.code}",
            participant=withdrawal.participant,
            reason=leaving.code,
        )
    seat = leaving.seat
    standings[leaving.participant] = replace(leaving, code=withdrawal.reason)
    if seat is None:
        return ReplacementStep(withdrawal, None, None, None)
    best = queues.first(standings, seat)
    if best is not None:
        standings[best.participant] = replace(
            best, code=Outcome.PASSED, replaces=leaving.participant
        )
        second = queues.first(standings, seat)
        tied = second is not None and second.rank == best.rank
        return ReplacementStep(withdrawal, seat, best.participant, Outcome.PASSED, tied)
    if fallback is not None:
        found = fallback.place(standings, seat, leaving.participant)
        if found is not None:
            participant, tied = found
            return ReplacementStep(withdrawal, seat, participant, Outcome.PASSED_OPTIMALISASI, tied)
    return ReplacementStep(withdrawal, seat, None, None)


class _RankQueues:
    """Each formation's TL applicants (ranked), in rank order then participant number, read
    from a head that passes over anyone no longer TL for good: nobody becomes TL again."""

    def __init__(self, standings: Mapping[str, Standing]) -> None:
        waiting: dict[str, list[Standing]] = {}
        for standing in standings.values():
            if standing.code is Outcome.NOT_PASSED and standing.rank is not None:
                waiting.setdefault(standing.formation, []).append(standing)
        self._queues = {
            code: [s.participant for s in sorted(group, key=lambda s: (s.rank or 0, s.participant))]
            for code, group in waiting.items()
        }
        self._heads = dict.fromkeys(self._queues, 0)

    def first(self, standings: Mapping[str, Standing], formation: str) -> Standing | None:
        """The best TL of `formation` now, if any."""
        queue = self._queues.get(formation, [])
        head = self._heads.get(formation, 0)
        while head < len(queue) and standings[queue[head]].code is not Outcome.NOT_PASSED:
            head += 1
        if queue:
            self._heads[formation] = head
        return standings[queue[head]] if head < len(queue) else None


class _Optimalisasi:
    """Candidates from other formations for a seat, in `rank_final`'s cross-formation order."""

    def __init__(
        self,
        policy: RankingPolicy,
        by_code: Mapping[str, Formation],
        scores: Sequence[FinalScore],
        qualifies: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.rules = policy.final_rules()
        self.qualifies = qualifies
        self.mark = policy.skd_rules().pass_mark(self.rules.optimalisasi_pass_marks)
        self.by_code = by_code
        self.policy = replace(policy, final=replace(self.rules, optimalisasi=False))
        self.scores = {score.participant: score for score in scores}
        if len(self.scores) != len(scores):
            raise RankingDataError(
                RankingProblem.DUPLICATE_PARTICIPANT,
                "a participant appears twice in the scores",
                participant="",
                round="",
            )
        self.pool: OptimalisasiPool | None = None
        self.rank_ends: list[int] = []

    def place(
        self, standings: dict[str, Standing], seat: str, leaving: str
    ) -> tuple[str, bool] | None:
        """Code the best candidate for a seat in `seat` L-2 in `leaving`'s place; who it is and
        whether another candidate ties with them."""
        if not self.rules.optimalisasi:
            return None
        pool = self._pool(standings)
        chosen = pool.best(seat)
        if chosen is None:
            return None
        best = standings[pool.candidates[chosen][0]]
        standings[best.participant] = replace(
            best, code=Outcome.PASSED_OPTIMALISASI, placed_formation=seat, replaces=leaving
        )
        tied = pool.best(seat, before=self.rank_ends[chosen]) is not None
        return best.participant, tied

    def _pool(self, standings: Mapping[str, Standing]) -> OptimalisasiPool:
        """Rank every TL who met the optimalisasi marks as one formation: candidates are only
        ever removed from the pool, and equal ranks mean equal on every tie-break, so one
        ranking serves the whole plan. `rank_ends[i]` is where candidate i's rank ends."""
        if self.pool is None:
            pool: list[FinalScore] = []
            for standing in standings.values():
                if standing.code is not Outcome.NOT_PASSED or standing.rank is None:
                    continue
                score = self.scores.get(standing.participant)
                if score is None:
                    raise RankingDataError(
                        RankingProblem.NO_SCORES_FOR_OPTIMALISASI,
                        f"{standing.participant}: no scores for optimalisasi",
                        participant=standing.participant,
                    )
                if score.present and self.mark.met_by(score.twk, score.tiu, score.tkp):
                    pool.append(replace(score, formation=POOL))
            formation = Formation(POOL, POOL, POOL, UMUM, len(pool))
            rows = rank_final(self.policy, [formation], pool)
            ranked = sorted((row.rank, row.participant) for row in rows if row.rank is not None)
            self.rank_ends = [0] * len(ranked)
            end = len(ranked)
            for index in range(len(ranked) - 1, -1, -1):
                if index + 1 < len(ranked) and ranked[index + 1][0] != ranked[index][0]:
                    end = index + 1
                self.rank_ends[index] = end
            self.pool = OptimalisasiPool(
                self.rules,
                self.by_code,
                ((participant, standings[participant].formation) for _, participant in ranked),
                self.qualifies,
                lambda participant: standings[participant].code is Outcome.NOT_PASSED,
            )
        return self.pool


# Checks --------------------------------------------------------------------------------------


def _standings(results: Sequence[FinalResult]) -> dict[str, Standing]:
    standings: dict[str, Standing] = {}
    for row in sorted(results, key=lambda r: r.participant):
        if row.participant in standings:
            raise RankingDataError(
                RankingProblem.DUPLICATE_PARTICIPANT,
                f"participant {row.participant} appears twice",
                participant=row.participant,
                round="",
            )
        if row.outcome not in FINAL_OUTCOMES:
            raise RankingDataError(
                RankingProblem.NOT_FINAL_CODE,
                f"{row.participant}: {row.outcome} is not a final-stage code",
                participant=row.participant,
                outcome=row.outcome,
            )
        if row.outcome is Outcome.PASSED_OPTIMALISASI and row.placed_formation is None:
            raise RankingDataError(
                RankingProblem.PLACEMENT_MISSING,
                f"{row.participant}: L-2 without a placed formation",
                participant=row.participant,
            )
        standings[row.participant] = Standing(
            participant=row.participant,
            formation=row.formation,
            rank=row.rank,
            final_score=row.final_score,
            code=row.outcome,
            placed_formation=row.placed_formation,
        )
    return standings


def _check_quotas(standings: Mapping[str, Standing], by_code: Mapping[str, Formation]) -> None:
    filled: dict[str, int] = {}
    for standing in standings.values():
        if standing.formation not in by_code:
            raise RankingDataError(
                RankingProblem.UNKNOWN_FORMATION,
                f"{standing.participant}: unknown formation {standing.formation}",
                participant=standing.participant,
                formation=standing.formation,
            )
        if standing.seat is not None:
            filled[standing.seat] = filled.get(standing.seat, 0) + 1
    for code, count in sorted(filled.items()):
        if code not in by_code:
            raise RankingDataError(
                RankingProblem.UNKNOWN_FORMATION,
                f"unknown formation {code}",
                participant="",
                formation=code,
            )
        if count > by_code[code].quota:
            raise RankingDataError(
                RankingProblem.OVER_QUOTA,
                f"formation {code}: {count} passes for a quota of {by_code[code].quota}",
                formation=code,
                count=count,
                quota=by_code[code].quota,
            )
