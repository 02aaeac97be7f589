import random
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seleksi.rules.ranking import (
    FinalResult,
    FinalScore,
    Formation,
    Outcome,
    load_ranking_policy,
    normalise_position,
    rank_final,
)
from seleksi.rules.replacement import (
    Reason,
    ReplacementPlan,
    ReplacementStep,
    Withdrawal,
    propose_replacements,
)

CPNS = load_ranking_policy("cpns-2021")
NO_OPTIMALISASI = replace(CPNS, final=replace(CPNS.final_rules(), optimalisasi=False))
ANALIS = Formation("F1", "Analis Kebijakan", "Dinas A", "umum", 1)
APS, DIS = Reason.WITHDREW, Reason.DISQUALIFIED


def final(
    number: str, skb: int, formation: str = "F1", twk: int = 100, present: bool = True
) -> FinalScore:
    return FinalScore(
        number, formation, present, twk, 100, 200, Fraction(skb), Fraction(3), date(1995, 1, 1)
    )


def out(number: str, reason: Reason = APS) -> Withdrawal:
    return Withdrawal(number, reason, "surat pengunduran diri")


def codes(plan: ReplacementPlan) -> list[tuple[str, str]]:
    return [(s.participant, str(s.code)) for s in plan.standings]


def proposals(plan: ReplacementPlan) -> list[tuple[str, str | None, str | None]]:
    return [(s.withdrawal.participant, s.replacement, s.code and str(s.code)) for s in plan.steps]


def ranked(formations: list[Formation], scores: list[FinalScore]) -> tuple[FinalResult, ...]:
    return rank_final(NO_OPTIMALISASI, formations, scores)


# Same formation --------------------------------------------------------------------------------

FOUR = [final("1", 90), final("2", 80), final("3", 70), final("9", 0, present=False)]
TWO_SEATS = [replace(ANALIS, quota=2)]


@pytest.mark.parametrize(
    ("withdrawals", "steps", "after"),
    [
        pytest.param(
            [out("1")],
            [("1", "3", "L")],
            [("2", "L"), ("3", "L"), ("1", "APS"), ("9", "TH")],
            id="a single APS is replaced by the next TL",
        ),
        pytest.param(
            [out("2", DIS)],
            [("2", "3", "L")],
            [("1", "L"), ("3", "L"), ("2", "DIS"), ("9", "TH")],
            id="a DIS likewise",
        ),
        pytest.param(
            [out("1"), out("3")],
            [("1", "3", "L"), ("3", None, None)],
            [("2", "L"), ("1", "APS"), ("3", "APS"), ("9", "TH")],
            id="the replacement withdraws too and nobody is left: a seat stays empty",
        ),
        pytest.param(
            [out("3", DIS), out("1")],
            [("3", None, None), ("1", None, None)],
            [("2", "L"), ("1", "APS"), ("3", "DIS"), ("9", "TH")],
            id="a withdrawn TL frees no seat and is never proposed; the TH is never proposed",
        ),
    ],
)
def test_withdrawals_in_one_formation(
    withdrawals: list[Withdrawal],
    steps: list[tuple[str, str | None, str | None]],
    after: list[tuple[str, str]],
) -> None:
    plan = propose_replacements(ranked(TWO_SEATS, FOUR), withdrawals, formations=TWO_SEATS)
    assert proposals(plan) == steps
    assert sorted(codes(plan)) == sorted(after)
    assert plan.seats() == ({"F1": 2} if steps[-1][1] else {"F1": 1})


def test_a_chain_of_two_withdrawals_goes_to_the_next_in_rank() -> None:
    scores = [final("1", 90), final("2", 80), final("3", 70), final("4", 60)]
    plan = propose_replacements(ranked([ANALIS], scores), [out("1"), out("2", DIS)])
    assert plan.steps == (
        ReplacementStep(out("1"), "F1", "2", Outcome.PASSED),
        ReplacementStep(out("2", DIS), "F1", "3", Outcome.PASSED),
    )
    assert codes(plan) == [("1", "APS"), ("2", "DIS"), ("3", "L"), ("4", "TL")]
    assert {s.participant: s.replaces for s in plan.standings}["3"] == "2"
    assert plan.seats() == {"F1": 1}


def test_a_th_is_never_proposed() -> None:
    scores = [final("1", 90), final("0", 0, present=False)]
    plan = propose_replacements(ranked([ANALIS], scores), [out("1")])
    assert plan.steps == (ReplacementStep(out("1"), "F1", None, None),)
    assert plan.code_of("0") is Outcome.ABSENT
    assert plan.seats() == {}


def test_an_exact_tie_for_the_seat_is_proposed_by_number_and_flagged() -> None:
    scores = [final("1", 90), final("3", 70), final("2", 70), final("4", 60)]
    plan = propose_replacements(ranked([ANALIS], scores), [out("1")])
    assert plan.steps == (ReplacementStep(out("1"), "F1", "2", Outcome.PASSED, tied=True),)
    chain = propose_replacements(ranked([ANALIS], scores), [out("1"), out("2")])
    assert chain.steps[1] == ReplacementStep(out("2"), "F1", "3", Outcome.PASSED, tied=False)


def test_it_rejects_unknown_repeated_and_unexplained_withdrawals() -> None:
    results = ranked([ANALIS], [final("1", 90), final("2", 80)])
    with pytest.raises(ValueError, match="not in the results"):
        propose_replacements(results, [out("7")])
    with pytest.raises(ValueError, match="already recorded as APS"):
        propose_replacements(results, [out("1"), out("1", DIS)])
    with pytest.raises(ValueError, match="needs a note"):
        Withdrawal("1", APS, "  ")
    with pytest.raises(ValueError, match="appears twice"):
        propose_replacements([*results, results[0]], [])
    with pytest.raises(ValueError, match="2 passes for a quota of 1"):
        propose_replacements(
            [replace(r, outcome=Outcome.PASSED) for r in results], [], formations=[ANALIS]
        )


# Optimalisasi ----------------------------------------------------------------------------------

SAME_POSITION = [
    ANALIS,
    Formation("F2", "analis  kebijakan", "Dinas B", "umum", 1),
    Formation("F3", "Pranata Komputer", "Dinas C", "umum", 1),
]
ACROSS = [
    final("1", 90),  # F1's only applicant
    final("5", 95, formation="F2"),
    final("6", 40, formation="F2"),  # best TL of the same position meeting the umum marks
    final("7", 99, formation="F2", twk=60),  # better, but below the umum TWK mark
    final("8", 80, formation="F3"),
    final("9", 70, formation="F3"),  # other position
]


def test_a_formation_with_nobody_left_is_filled_by_optimalisasi() -> None:
    results = rank_final(CPNS, SAME_POSITION, ACROSS)

    def plan_for(*withdrawals: Withdrawal) -> ReplacementPlan:
        return propose_replacements(
            results, withdrawals, policy=CPNS, formations=SAME_POSITION, scores=ACROSS
        )

    plan = plan_for(out("1"))
    assert plan.steps == (ReplacementStep(out("1"), "F1", "6", Outcome.PASSED_OPTIMALISASI),)
    six = next(s for s in plan.standings if s.participant == "6")
    assert (six.code, six.formation, six.placed_formation, six.seat) == ("L-2", "F2", "F1", "F1")
    assert plan.seats() == {"F1": 1, "F2": 1, "F3": 1}
    # the L-2 withdraws too: nobody else of the position met the umum marks
    chain = plan_for(out("1"), out("6"))
    assert chain.steps[1] == ReplacementStep(out("6"), "F1", None, None)
    assert chain.code_of("7") is Outcome.NOT_PASSED
    assert chain.seats() == {"F2": 1, "F3": 1}


def test_the_same_formation_goes_first_and_optimalisasi_needs_the_policy_and_its_switch() -> None:
    scores = [*ACROSS, final("2", 10)]  # a weak TL of F1 still comes before F2's TL
    plan = propose_replacements(
        rank_final(CPNS, SAME_POSITION, scores),
        [out("1")],
        policy=CPNS,
        formations=SAME_POSITION,
        scores=scores,
    )
    assert proposals(plan) == [("1", "2", "L")]
    results = rank_final(CPNS, SAME_POSITION, ACROSS)
    assert proposals(propose_replacements(results, [out("1")])) == [("1", None, None)]
    switched_off = propose_replacements(
        results, [out("1")], policy=NO_OPTIMALISASI, formations=SAME_POSITION, scores=ACROSS
    )
    assert proposals(switched_off) == [("1", None, None)]
    with pytest.raises(ValueError, match="needs the formations"):
        propose_replacements(results, [out("1")], policy=CPNS, scores=ACROSS)


@pytest.mark.parametrize(("special_from_umum", "proposed"), [(True, "6"), (False, None)])
def test_a_special_seat_from_umum_follows_the_policy_switch(
    special_from_umum: bool, proposed: str | None
) -> None:
    policy = replace(CPNS, final=replace(CPNS.final_rules(), special_from_umum=special_from_umum))
    formations = [replace(ANALIS, formation_type="disabilitas"), replace(ANALIS, code="F2")]
    scores = [final("1", 90), final("5", 90, formation="F2"), final("6", 50, formation="F2")]
    plan = propose_replacements(
        rank_final(policy, formations, scores),
        [out("1")],
        policy=policy,
        formations=formations,
        scores=scores,
    )
    assert plan.steps[0].replacement == proposed


def test_an_l2_seat_set_by_rank_final_is_refilled_by_optimalisasi() -> None:
    formations = [ANALIS, replace(ANALIS, code="F2", quota=2)]
    scores = [final("1", 90), final("2", 80), final("3", 70), final("5", 60, formation="F2")]
    results = rank_final(CPNS, formations, scores)
    assert {r.participant: str(r.outcome) for r in results}["2"] == "L-2"
    plan = propose_replacements(
        results, [out("2")], policy=CPNS, formations=formations, scores=scores
    )
    assert plan.steps == (ReplacementStep(out("2"), "F2", "3", Outcome.PASSED_OPTIMALISASI),)
    assert plan.seats() == {"F1": 1, "F2": 2}


def test_the_optimalisasi_fallback_proposes_only_who_qualifies_for_the_seat() -> None:
    scores = [*ACROSS, final("4", 30, formation="F2")]  # F2's next TL after 6
    results = rank_final(CPNS, SAME_POSITION, scores)

    def plan_for(refused: set[tuple[str, str]], *withdrawals: Withdrawal) -> ReplacementPlan:
        return propose_replacements(
            results,
            withdrawals,
            policy=CPNS,
            formations=SAME_POSITION,
            scores=scores,
            qualifies=lambda participant, formation: (participant, formation) not in refused,
        )

    assert proposals(plan_for(set(), out("1"))) == [("1", "6", "L-2")]
    assert proposals(plan_for({("6", "F1")}, out("1"))) == [("1", "4", "L-2")]
    assert proposals(plan_for({("6", "F1"), ("4", "F1")}, out("1"))) == [("1", None, None)]
    # a refusal for another seat does not matter, and the chain goes on to the next who qualifies
    assert proposals(plan_for({("6", "F3")}, out("1"), out("6"))) == [
        ("1", "6", "L-2"),
        ("6", "4", "L-2"),
    ]


def test_a_replacement_from_the_same_formation_is_not_asked_to_qualify() -> None:
    scores = [*ACROSS, final("2", 10)]
    plan = propose_replacements(
        rank_final(CPNS, SAME_POSITION, scores),
        [out("1")],
        policy=CPNS,
        formations=SAME_POSITION,
        scores=scores,
        qualifies=lambda _participant, _formation: False,
    )
    assert proposals(plan) == [("1", "2", "L")]


# Properties ------------------------------------------------------------------------------------

POSITIONS = ("Analis", "Pranata")
TYPES = ("umum", "disabilitas")


@st.composite
def cases(draw: st.DrawFn) -> tuple[list[Formation], list[FinalScore], list[Withdrawal]]:
    rows = draw(
        st.lists(
            st.tuples(st.sampled_from(POSITIONS), st.sampled_from(TYPES), st.integers(0, 3)),
            min_size=1,
            max_size=4,
        )
    )
    formations = [
        Formation(f"F{i}", position, "Unit", kind, quota)
        for i, (position, kind, quota) in enumerate(rows)
    ]
    scores = [
        FinalScore(
            participant=f"{number:03d}",
            formation=draw(st.sampled_from([f.code for f in formations])),
            present=draw(st.booleans() | st.just(True)),
            twk=draw(st.sampled_from([60, 100])),
            tiu=100,
            tkp=draw(st.sampled_from([166, 200])),
            skb=Fraction(draw(st.integers(0, 3)) * 25),
            ipk=Fraction(3),
            birth_date=date(1990, 1, 1),
        )
        for number in range(draw(st.integers(0, 14)))
    ]
    numbers = [s.participant for s in scores]
    leaving = draw(st.permutations(numbers).flatmap(lambda p: st.just(p[: len(p) // 2 + 1])))
    reasons = draw(st.lists(st.sampled_from(list(Reason)), min_size=len(leaving)))
    withdrawals = [Withdrawal(n, r, "catatan") for n, r in zip(leaving, reasons, strict=False)]
    return formations, scores, withdrawals


def shuffled[T](items: list[T], shuffler: random.Random) -> list[T]:
    copy = list(items)
    shuffler.shuffle(copy)
    return copy


@settings(max_examples=200)
@given(cases(), st.randoms(use_true_random=False))
def test_same_formation_passes_are_min_of_quota_and_eligible_remaining(
    case: tuple[list[Formation], list[FinalScore], list[Withdrawal]], shuffler: random.Random
) -> None:
    formations, scores, withdrawals = case
    results = ranked(formations, scores)
    plan = propose_replacements(results, withdrawals, formations=formations)
    gone = {w.participant for w in withdrawals}
    for formation in formations:
        remaining = sum(
            1
            for s in scores
            if s.formation == formation.code and s.present and s.participant not in gone
        )
        assert plan.seats().get(formation.code, 0) == min(formation.quota, remaining)
    proposed = [step.replacement for step in plan.steps if step.replacement is not None]
    assert len(proposed) == len(set(proposed))
    absent = {s.participant for s in scores if not s.present}
    assert not absent & set(proposed)
    assert all(str(plan.code_of(w.participant)) == str(w.reason) for w in withdrawals)
    again = propose_replacements(shuffled(list(results), shuffler), withdrawals)
    assert again == plan


@settings(max_examples=200)
@given(cases(), st.randoms(use_true_random=False))
def test_with_optimalisasi_never_more_than_quota_and_a_seat_stays_empty_only_if_nobody_is_left(
    case: tuple[list[Formation], list[FinalScore], list[Withdrawal]], shuffler: random.Random
) -> None:
    formations, scores, withdrawals = case
    results = rank_final(CPNS, formations, scores)
    plan = propose_replacements(
        results, withdrawals, policy=CPNS, formations=formations, scores=scores
    )
    by_code = {f.code: f for f in formations}
    score_of = {s.participant: s for s in scores}
    umum = CPNS.skd_rules().pass_mark("umum")
    seats = plan.seats()
    for formation in formations:
        assert seats.get(formation.code, 0) <= formation.quota
        if seats.get(formation.code, 0) == formation.quota:
            continue
        for standing in plan.standings:
            assert standing.code is not Outcome.NOT_PASSED or not (
                standing.formation == formation.code
                or (
                    normalise_position(by_code[standing.formation].position)
                    == normalise_position(formation.position)
                    and umum.met_by(
                        *(getattr(score_of[standing.participant], t) for t in ("twk", "tiu", "tkp"))
                    )
                    and (
                        formation.formation_type == "umum"
                        or by_code[standing.formation].formation_type
                        in (formation.formation_type, "umum")
                    )
                )
            )
    again = propose_replacements(
        shuffled(list(results), shuffler),
        withdrawals,
        policy=CPNS,
        formations=shuffled(formations, shuffler),
        scores=shuffled(scores, shuffler),
    )
    assert again == plan


@settings(max_examples=200)
@given(cases(), st.data())
def test_with_a_qualification_check_the_quota_holds_and_every_l2_qualifies(
    case: tuple[list[Formation], list[FinalScore], list[Withdrawal]], data: st.DataObject
) -> None:
    formations, scores, withdrawals = case
    pairs = sorted((s.participant, f.code) for s in scores for f in formations)
    refused = set(data.draw(st.sets(st.sampled_from(pairs)) if pairs else st.just(set())))

    def qualifies(participant: str, formation: str) -> bool:
        return (participant, formation) not in refused

    results = rank_final(CPNS, formations, scores, qualifies=qualifies)
    plan = propose_replacements(
        results, withdrawals, policy=CPNS, formations=formations, scores=scores, qualifies=qualifies
    )
    seats = plan.seats()
    assert all(seats.get(f.code, 0) <= f.quota for f in formations)
    for standing in plan.standings:
        if standing.code is Outcome.PASSED_OPTIMALISASI:
            assert standing.placed_formation is not None
            assert qualifies(standing.participant, standing.placed_formation)
    for step in plan.steps:
        if step.code is Outcome.PASSED_OPTIMALISASI:
            assert step.replacement is not None and step.seat is not None
            assert qualifies(step.replacement, step.seat)
    if not refused:
        unchecked = propose_replacements(
            rank_final(CPNS, formations, scores),
            withdrawals,
            policy=CPNS,
            formations=formations,
            scores=scores,
        )
        assert unchecked == plan
