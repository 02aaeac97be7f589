"""`optimalisasi_placements` and `propose_replacements` against the earlier quadratic versions.

The earlier versions are kept here as references: `earlier_optimalisasi` is the loop
`rank_final` ran before (every empty seat rescanned every ranked participant) and
`earlier_propose_replacements` the search `propose_replacements` ran before (every withdrawal
rescanned every standing). The properties require the same rows and the same plans.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from seleksi.rules.problems import RankingDataError, RankingProblem
from seleksi.rules.ranking import (
    UMUM,
    FinalResult,
    FinalRules,
    FinalScore,
    Formation,
    Outcome,
    PassMark,
    RankingPolicy,
    load_ranking_policy,
    may_fill,
    optimalisasi_placements,
    rank_final,
)
from seleksi.rules.replacement import (
    POOL,
    Reason,
    ReplacementPlan,
    ReplacementStep,
    Standing,
    Withdrawal,
    _check_quotas,
    _standings,
    propose_replacements,
)

CPNS = load_ranking_policy("cpns-2021")
RULES = CPNS.final_rules()


def with_rules(optimalisasi: bool = True, special_from_umum: bool = True) -> RankingPolicy:
    rules = replace(RULES, optimalisasi=optimalisasi, special_from_umum=special_from_umum)
    return replace(CPNS, final=rules)


# The earlier optimalisasi (reference) --------------------------------------------------------


def earlier_optimalisasi(
    rules: FinalRules,
    by_code: Mapping[str, Formation],
    rows: dict[str, FinalResult],
    ranked: Mapping[str, FinalScore],
    mark: PassMark,
    order: Callable[[FinalScore], tuple[object, ...]],
    qualifies: Callable[[str, str], bool] | None,
) -> None:
    filled: dict[str, int] = {}
    for row in rows.values():
        if row.outcome is Outcome.PASSED:
            filled[row.formation] = filled.get(row.formation, 0) + 1
    for code in sorted(by_code):
        formation = by_code[code]
        for _ in range(formation.quota - filled.get(code, 0)):
            candidates = [
                score
                for participant, score in ranked.items()
                if rows[participant].outcome is Outcome.NOT_PASSED
                and score.formation != code
                and may_fill(rules, formation, by_code[score.formation])
                and mark.met_by(score.twk, score.tiu, score.tkp)
                and (qualifies is None or qualifies(participant, code))
            ]
            if not candidates:
                break
            best = min(candidates, key=lambda s: (order(s), s.participant))
            row = rows[best.participant]
            rows[best.participant] = FinalResult(
                participant=row.participant,
                formation=row.formation,
                present=True,
                skd_score=row.skd_score,
                skb_score=row.skb_score,
                final_score=row.final_score,
                rank=row.rank,
                outcome=Outcome.PASSED_OPTIMALISASI,
                placed_formation=code,
                tied_at_cut=row.tied_at_cut,
            )


def earlier_order(policy: RankingPolicy) -> Callable[[FinalScore], tuple[object, ...]]:
    skd_rules, rules = policy.skd_rules(), policy.final_rules()

    def order(score: FinalScore) -> tuple[object, ...]:
        skd = Fraction(score.twk + score.tiu + score.tkp, skd_rules.total_maximum) * 100
        return (
            -(rules.skd_weight * skd + rules.skb_weight * score.skb),
            -(score.twk + score.tiu + score.tkp),
            -score.tkp,
            -score.tiu,
            -score.twk,
            -(score.ipk if score.ipk is not None else Fraction(-1)),
            score.birth_date or date.max,
        )

    return order


def earlier_rank_final(
    policy: RankingPolicy,
    formations: Sequence[Formation],
    scores: Sequence[FinalScore],
    qualifies: Callable[[str, str], bool] | None = None,
) -> tuple[FinalResult, ...]:
    """`rank_final` without optimalisasi, then the earlier loop."""
    rules = policy.final_rules()
    plain = replace(policy, final=replace(rules, optimalisasi=False))
    rows = {row.participant: row for row in rank_final(plain, formations, scores)}
    if rules.optimalisasi:
        score_of = {score.participant: score for score in scores}
        ranked = {p: score_of[p] for p, row in rows.items() if row.rank is not None}
        mark = policy.skd_rules().pass_mark(rules.optimalisasi_pass_marks)
        by_code = {formation.code: formation for formation in formations}
        earlier_optimalisasi(rules, by_code, rows, ranked, mark, earlier_order(policy), qualifies)
    return tuple(rows.values())


def earlier_placements(
    rules: FinalRules,
    by_code: Mapping[str, Formation],
    filled: Mapping[str, int],
    candidates: Sequence[tuple[str, str]],
    qualifies: Callable[[str, str], bool] | None,
) -> list[tuple[str, str]]:
    """The earlier loop on plain codes: the best candidate is the first in `candidates`."""
    placed: dict[str, str] = {}
    for code in sorted(by_code):
        formation = by_code[code]
        for _ in range(formation.quota - filled.get(code, 0)):
            allowed = [
                participant
                for participant, own in candidates
                if participant not in placed
                and own != code
                and may_fill(rules, formation, by_code[own])
                and (qualifies is None or qualifies(participant, code))
            ]
            if not allowed:
                break
            placed[allowed[0]] = code
    return list(placed.items())


# The earlier replacement search (reference) --------------------------------------------------


def earlier_propose_replacements(
    results: Sequence[FinalResult],
    withdrawals: Sequence[Withdrawal],
    *,
    policy: RankingPolicy | None = None,
    formations: Sequence[Formation] = (),
    scores: Sequence[FinalScore] = (),
    qualifies: Callable[[str, str], bool] | None = None,
) -> ReplacementPlan:
    standings = _standings(results)
    by_code = {formation.code: formation for formation in formations}
    if by_code:
        _check_quotas(standings, by_code)
    fallback = (
        EarlierOptimalisasi(policy, by_code, scores, qualifies) if policy is not None else None
    )
    steps: list[ReplacementStep] = []
    for withdrawal in withdrawals:
        steps.append(earlier_apply(standings, withdrawal, fallback))
    if by_code:
        _check_quotas(standings, by_code)
    ordered = sorted(
        standings.values(),
        key=lambda s: (s.formation, s.rank is None, s.rank or 0, s.participant),
    )
    return ReplacementPlan(tuple(steps), tuple(ordered))


def earlier_apply(
    standings: dict[str, Standing],
    withdrawal: Withdrawal,
    fallback: "EarlierOptimalisasi | None",
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
    same = sorted(
        (
            s
            for s in standings.values()
            if s.code is Outcome.NOT_PASSED and s.formation == seat and s.rank is not None
        ),
        key=lambda s: (s.rank or 0, s.participant),
    )
    if same:
        best = same[0]
        tied = len(same) > 1 and same[1].rank == best.rank
        standings[best.participant] = replace(
            best, code=Outcome.PASSED, replaces=leaving.participant
        )
        return ReplacementStep(withdrawal, seat, best.participant, Outcome.PASSED, tied)
    if fallback is not None:
        found = fallback.best(standings, seat)
        if found is not None:
            best, tied = standings[found[0]], found[1]
            standings[best.participant] = replace(
                best,
                code=Outcome.PASSED_OPTIMALISASI,
                placed_formation=seat,
                replaces=leaving.participant,
            )
            return ReplacementStep(
                withdrawal, seat, best.participant, Outcome.PASSED_OPTIMALISASI, tied
            )
    return ReplacementStep(withdrawal, seat, None, None)


class EarlierOptimalisasi:
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
        self.ranks: dict[str, int] | None = None

    def best(self, standings: Mapping[str, Standing], seat: str) -> tuple[str, bool] | None:
        if not self.rules.optimalisasi:
            return None
        ranks = self._pool_ranks(standings)
        candidates = sorted(
            (ranks[s.participant], s.participant)
            for s in standings.values()
            if s.code is Outcome.NOT_PASSED
            and s.participant in ranks
            and s.formation != seat
            and may_fill(self.rules, self.by_code[seat], self.by_code[s.formation])
            and (self.qualifies is None or self.qualifies(s.participant, seat))
        )
        if not candidates:
            return None
        tied = len(candidates) > 1 and candidates[1][0] == candidates[0][0]
        return candidates[0][1], tied

    def _pool_ranks(self, standings: Mapping[str, Standing]) -> dict[str, int]:
        if self.ranks is None:
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
            self.ranks = {row.participant: row.rank for row in rows if row.rank is not None}
        return self.ranks


# A hand-written case -------------------------------------------------------------------------


def test_placements_fill_seats_in_code_order_from_the_formations_allowed() -> None:
    by_code = {
        "A1": Formation("A1", "Analis Kebijakan", "Unit", "umum", 2),
        "A2": Formation("A2", " analis  KEBIJAKAN", "Unit", "umum", 3),
        "A3": Formation("A3", "Analis Kebijakan", "Unit", "disabilitas", 1),
        "A4": Formation("A4", "Analis Kebijakan", "Unit", "cumlaude", 1),
        "P1": Formation("P1", "Pranata Komputer", "Unit", "umum", 2),
    }
    filled = {"A1": 2, "A2": 1, "A3": 0, "A4": 0, "P1": 2}
    candidates = [("p1", "A1"), ("p2", "P1"), ("p3", "A4"), ("p4", "A1"), ("p5", "A1")]
    asked: list[tuple[str, str]] = []

    def qualifies(participant: str, formation: str) -> bool:
        asked.append((participant, formation))
        return (participant, formation) != ("p4", "A3")

    placements = optimalisasi_placements(RULES, by_code, filled, candidates, qualifies)
    # A2's two seats: p1 (A1, umum), then p3 (cumlaude may fill an umum seat); p2 is of another
    # position. A3 (disabilitas) from umum: p4 does not qualify for it, p5 does. A4 (cumlaude)
    # from umum: p4 qualifies for it.
    assert placements == [("p1", "A2"), ("p3", "A2"), ("p5", "A3"), ("p4", "A4")]
    assert asked == [("p1", "A2"), ("p3", "A2"), ("p4", "A3"), ("p5", "A3"), ("p4", "A4")]
    strict = replace(RULES, special_from_umum=False)
    assert optimalisasi_placements(strict, by_code, filled, candidates, qualifies) == [
        ("p1", "A2"),
        ("p3", "A2"),
    ]
    refusing = optimalisasi_placements(RULES, by_code, filled, candidates, lambda _p, _f: False)
    assert refusing == []
    assert optimalisasi_placements(RULES, by_code, filled, [], None) == []


def test_a_refusal_holds_for_that_seat_only_and_an_own_candidate_is_never_placed_at_home() -> None:
    by_code = {
        "A1": Formation("A1", "Analis", "Unit", "umum", 2),
        "A2": Formation("A2", "Analis", "Unit", "umum", 1),
    }
    candidates = [("p1", "A1"), ("p2", "A2"), ("p3", "A2")]
    refused = {("p2", "A1")}
    placements = optimalisasi_placements(
        RULES, by_code, {}, candidates, lambda p, f: (p, f) not in refused
    )
    assert placements == [("p3", "A1"), ("p1", "A2")]
    assert placements == earlier_placements(
        RULES, by_code, {}, candidates, lambda p, f: (p, f) not in refused
    )


# Properties ----------------------------------------------------------------------------------

POSITIONS = (
    ("Analis Kebijakan", "analis  kebijakan", " ANALIS Kebijakan"),
    ("Pranata Komputer", "pranata\tkomputer"),
    ("Dokter",),
)
TYPES = ("umum", "disabilitas", "cumlaude")


@st.composite
def formation_lists(draw: st.DrawFn) -> list[Formation]:
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(POSITIONS).flatmap(st.sampled_from),
                st.sampled_from(TYPES),
                st.integers(0, 3),
            ),
            min_size=1,
            max_size=8,
        )
    )
    return [
        Formation(f"F{i}", position, "Unit", kind, quota)
        for i, (position, kind, quota) in enumerate(rows)
    ]


@st.composite
def final_cases(draw: st.DrawFn) -> tuple[list[Formation], list[FinalScore]]:
    formations = draw(formation_lists())
    scores = [
        FinalScore(
            participant=f"{number:03d}",
            formation=draw(st.sampled_from([f.code for f in formations])),
            present=draw(st.sampled_from([True, True, True, False])),
            twk=draw(st.sampled_from([60, 100])),
            tiu=draw(st.sampled_from([70, 100])),
            tkp=draw(st.sampled_from([166, 200])),
            skb=Fraction(draw(st.integers(0, 3)) * 25),
            ipk=draw(st.sampled_from([None, Fraction(3), Fraction(7, 2)])),
            birth_date=draw(st.sampled_from([None, date(1990, 1, 1), date(1995, 6, 1)])),
        )
        for number in range(draw(st.integers(0, 30)))
    ]
    return formations, scores


@st.composite
def refusals(draw: st.DrawFn, participants: list[str], codes: list[str]) -> set[tuple[str, str]]:
    pairs = sorted((p, c) for p in participants for c in codes)
    return set(draw(st.sets(st.sampled_from(pairs)))) if pairs else set()


class Asked:
    """A deterministic `qualifies` that refuses the given pairs and records what it was asked."""

    def __init__(self, refused: set[tuple[str, str]]) -> None:
        self.refused = refused
        self.asked: set[tuple[str, str]] = set()

    def __call__(self, participant: str, formation: str) -> bool:
        self.asked.add((participant, formation))
        return (participant, formation) not in self.refused


@settings(max_examples=400)
@given(final_cases(), st.booleans(), st.booleans(), st.data())
def test_rank_final_places_exactly_as_the_earlier_loop(
    case: tuple[list[Formation], list[FinalScore]],
    special_from_umum: bool,
    checked: bool,
    data: st.DataObject,
) -> None:
    formations, scores = case
    policy = with_rules(special_from_umum=special_from_umum)
    codes = [f.code for f in formations]
    refused = data.draw(refusals([s.participant for s in scores], codes)) if checked else set()
    now, before = Asked(refused), Asked(refused)
    results = rank_final(policy, formations, scores, qualifies=now if checked else None)
    assert results == earlier_rank_final(policy, formations, scores, before if checked else None)
    assert now.asked <= before.asked
    for row in results:
        if row.outcome is Outcome.PASSED_OPTIMALISASI and checked:
            assert (row.participant, row.placed_formation) in now.asked


@settings(max_examples=400)
@given(formation_lists(), st.booleans(), st.data())
def test_placements_on_plain_codes_equal_the_earlier_loop(
    formations: list[Formation], special_from_umum: bool, data: st.DataObject
) -> None:
    rules = replace(RULES, special_from_umum=special_from_umum)
    by_code = {f.code: f for f in formations}
    filled = {f.code: data.draw(st.integers(0, f.quota)) for f in formations}
    owns = data.draw(st.lists(st.sampled_from(list(by_code)), max_size=25))
    candidates = [(f"{number:03d}", own) for number, own in enumerate(owns)]
    candidates = data.draw(st.permutations(candidates))
    participants = [participant for participant, _ in candidates]
    refused = data.draw(refusals(participants, list(by_code)))
    now, before = Asked(refused), Asked(refused)
    placements = optimalisasi_placements(rules, by_code, filled, iter(candidates), now)
    assert placements == earlier_placements(rules, by_code, filled, candidates, before)
    assert now.asked <= before.asked
    assert set(placements) <= now.asked
    assert optimalisasi_placements(rules, by_code, filled, candidates, None) == (
        earlier_placements(rules, by_code, filled, candidates, None)
    )


@settings(max_examples=400)
@given(final_cases(), st.booleans(), st.booleans(), st.booleans(), st.data())
def test_replacement_plans_equal_the_earlier_search(
    case: tuple[list[Formation], list[FinalScore]],
    optimalisasi: bool,
    special_from_umum: bool,
    checked: bool,
    data: st.DataObject,
) -> None:
    formations, scores = case
    policy = with_rules(optimalisasi, special_from_umum)
    participants = [s.participant for s in scores]
    codes = [f.code for f in formations]
    refused = data.draw(refusals(participants, codes)) if checked else set()
    qualifies = Asked(refused) if checked else None
    results = rank_final(policy, formations, scores, qualifies=qualifies)
    order = data.draw(st.permutations(participants))
    leaving = order[: data.draw(st.integers(0, len(order)))]
    withdrawals = [
        Withdrawal(p, data.draw(st.sampled_from(list(Reason))), "catatan") for p in leaving
    ]
    plan = propose_replacements(
        results,
        withdrawals,
        policy=policy,
        formations=formations,
        scores=scores,
        qualifies=qualifies,
    )
    assert plan == earlier_propose_replacements(
        results,
        withdrawals,
        policy=policy,
        formations=formations,
        scores=scores,
        qualifies=qualifies,
    )
    assert propose_replacements(results, withdrawals, formations=formations) == (
        earlier_propose_replacements(results, withdrawals, formations=formations)
    )


@settings(max_examples=200)
@given(final_cases(), st.data())
def test_a_chain_of_withdrawals_of_each_replacement_matches_the_earlier_search(
    case: tuple[list[Formation], list[FinalScore]], data: st.DataObject
) -> None:
    """Each next withdrawal is the replacement just proposed, when there is one, so seats are
    freed again and again down the ranking and through the optimalisasi pool."""
    formations, scores = case
    refused = data.draw(refusals([s.participant for s in scores], [f.code for f in formations]))
    qualifies = Asked(refused)
    results = rank_final(CPNS, formations, scores, qualifies=qualifies)
    seats = (Outcome.PASSED, Outcome.PASSED_OPTIMALISASI)
    seated = [r.participant for r in results if r.outcome in seats]
    if not seated:
        return
    withdrawals = [Withdrawal(data.draw(st.sampled_from(seated)), Reason.WITHDREW, "catatan")]

    def plan(propose: Callable[..., ReplacementPlan]) -> ReplacementPlan:
        return propose(
            results,
            withdrawals,
            policy=CPNS,
            formations=formations,
            scores=scores,
            qualifies=qualifies,
        )

    following = plan(earlier_propose_replacements).steps[-1].replacement
    while following is not None:
        withdrawals.append(Withdrawal(following, Reason.DISQUALIFIED, "catatan"))
        following = plan(earlier_propose_replacements).steps[-1].replacement
    assert plan(propose_replacements) == plan(earlier_propose_replacements)
    assert len(withdrawals) > 1 or plan(propose_replacements).steps[0].replacement is None
