import random
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seleksi.rules.fingerprint import run_fingerprint
from seleksi.rules.ranking import (
    Affirmation,
    FinalResult,
    FinalScore,
    Formation,
    Outcome,
    PassMark,
    PppkResult,
    PppkScore,
    SkdResult,
    SkdScore,
    Stage,
    format_score,
    load_ranking_policy,
    rank_final,
    rank_pppk,
    rank_skd,
    ranking_policy_codes,
    ranking_policy_from_dict,
)

CPNS = load_ranking_policy("cpns-2021")
PPPK = load_ranking_policy("pppk-guru-2021")
NO_OPTIMALISASI = replace(CPNS, final=replace(CPNS.final_rules(), optimalisasi=False))
ANALIS = Formation("F1", "Analis Kebijakan", "Dinas A", "umum", 1)


def skd(number: str, twk: int, tiu: int, tkp: int, formation: str = "F1") -> SkdScore:
    return SkdScore(number, formation, True, twk, tiu, tkp)


def final(
    number: str,
    skd_total: tuple[int, int, int],
    skb: int | Fraction,
    formation: str = "F1",
    ipk: str = "3.00",
    born: date = date(1995, 1, 1),
) -> FinalScore:
    twk, tiu, tkp = skd_total
    return FinalScore(number, formation, True, twk, tiu, tkp, Fraction(skb), Fraction(ipk), born)


def outcomes(
    results: tuple[SkdResult, ...] | tuple[FinalResult, ...] | tuple[PppkResult, ...],
) -> list[tuple[str, int | None, str]]:
    return [(r.participant, r.rank, str(r.outcome)) for r in results]


# Policies --------------------------------------------------------------------------------------


def test_it_ships_the_policies_naming_their_source() -> None:
    assert ranking_policy_codes() == ("cpns-2021", "mitra-bps-2024", "pppk-guru-2021")
    assert "PermenPANRB 27/2021" in CPNS.source
    assert CPNS.stages == (Stage.SKD, Stage.FINAL)
    assert PPPK.stages == (Stage.PPPK,)
    with pytest.raises(LookupError):
        load_ranking_policy("cpns-1999")


@pytest.mark.parametrize(
    ("formation_type", "mark"),
    [
        ("umum", PassMark(65, 80, 166, 311)),
        ("disabilitas", PassMark(None, 60, None, 286)),
        ("cumlaude", PassMark(None, 85, None, 311)),
        ("diaspora", PassMark(None, 85, None, 311)),
        ("papua", PassMark(None, 60, None, 286)),
        ("dokter", PassMark(None, 80, None, 311)),
        ("khusus-lapangan", PassMark(None, 70, None, 286)),
    ],
)
def test_the_skd_pass_marks_are_the_2021_figures(formation_type: str, mark: PassMark) -> None:
    assert CPNS.skd_rules().pass_mark(formation_type) == mark


def test_it_rejects_a_policy_with_a_float_share_or_an_unknown_key() -> None:
    with pytest.raises(ValueError, match=r"final\.skd_weight"):
        ranking_policy_from_dict(
            {
                "code": "x",
                "version": 1,
                "source": "s",
                "skd": {
                    "maxima": {"twk": 1, "tiu": 1, "tkp": 1},
                    "cut_multiplier": 3,
                    "pass_marks": {"umum": {"total": 1}},
                },
                "final": {
                    "skd_weight": 0.4,
                    "skb_weight": "0.6",
                    "skb_maximum": 100,
                    "optimalisasi": False,
                    "optimalisasi_pass_marks": "umum",
                    "special_from_umum": False,
                },
            }
        )
    with pytest.raises(ValueError, match="unknown colour"):
        ranking_policy_from_dict({"code": "x", "version": 1, "source": "s", "colour": 1})


# SKD -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formation_type", "twk", "tiu", "tkp", "passes"),
    [
        ("umum", 65, 80, 166, True),  # exactly every mark, total 311
        ("umum", 64, 90, 170, False),  # TWK below its mark, total fine
        ("umum", 65, 79, 200, False),  # TIU below
        ("umum", 100, 100, 165, False),  # TKP below
        ("disabilitas", 1, 60, 225, True),  # total 286, no TWK or TKP mark
        ("disabilitas", 100, 59, 200, False),
        ("disabilitas", 50, 60, 175, False),  # total 285
        ("cumlaude", 1, 85, 225, True),  # total 311
        ("diaspora", 80, 84, 200, False),
        ("papua", 10, 60, 216, True),
        ("dokter", 0, 80, 225, False),  # total 305
        ("khusus-lapangan", 16, 70, 200, True),
    ],
)
def test_it_applies_the_pass_marks_of_the_formation_type(
    formation_type: str, twk: int, tiu: int, tkp: int, passes: bool
) -> None:
    formation = replace(ANALIS, formation_type=formation_type)
    [row] = rank_skd(CPNS, [formation], [skd("1", twk, tiu, tkp)])
    assert (row.outcome is Outcome.WITHIN_CUT) is passes
    assert (row.outcome is Outcome.FAILED_MARKS) is not passes


def test_it_sends_everyone_sharing_the_peringkat_at_the_cut_to_skb() -> None:
    scores = [
        skd("A1", 100, 100, 200),  # 400, rank 1
        skd("A3", 90, 100, 200),  # 390, equal on every tie-break with A2 and A4
        skd("A2", 90, 100, 200),
        skd("A4", 90, 100, 200),
        skd("A5", 100, 90, 200),  # 390 but TIU lower than the others: rank 5
        skd("A6", 60, 100, 200),  # TWK below 65
        SkdScore("A0", "F1", False),
    ]
    results = rank_skd(CPNS, [ANALIS], scores)  # quota 1: cut at 3
    assert outcomes(results) == [
        ("A1", 1, "P/L"),
        ("A2", 2, "P/L"),
        ("A3", 2, "P/L"),
        ("A4", 2, "P/L"),
        ("A5", 5, "P"),
        ("A6", None, "T/L"),
        ("A0", None, "TH"),
    ]


def test_skd_ties_go_to_tkp_then_tiu_then_twk() -> None:
    scores = [skd("1", 100, 100, 180), skd("2", 90, 100, 190), skd("3", 80, 110, 190)]
    results = rank_skd(CPNS, [replace(ANALIS, quota=5)], scores)
    assert [r.participant for r in results] == ["3", "2", "1"]
    assert [r.rank for r in results] == [1, 2, 3]


# Final -----------------------------------------------------------------------------------------


def test_the_final_score_is_forty_sixty_and_exact() -> None:
    [row] = rank_final(CPNS, [ANALIS], [final("1", (100, 100, 200), 75)])
    assert row.skd_score == Fraction(400 * 100, 550)
    assert row.final_score == Fraction(2, 5) * Fraction(400 * 100, 550) + Fraction(3, 5) * 75
    assert format_score(row.final_score) == "74.091"  # 29.0909... + 45
    assert format_score(Fraction(12345, 10000)) == "1.235"  # half up, not half even
    assert format_score(Fraction(1, 1)) == "1.000"


def test_an_exact_tie_that_floating_point_would_break_wrongly_goes_to_the_skd_total() -> None:
    # 40 % x 333/550 x 100 + 60 % x 57 == 40 % x 300/550 x 100 + 60 % x 61, exactly.
    higher_skd = final("B", (100, 100, 133), 57)
    higher_skb = final("A", (100, 100, 100), 61)
    results = rank_final(CPNS, [ANALIS], [higher_skb, higher_skd])
    assert results[0].final_score == results[1].final_score
    assert outcomes(results) == [("B", 1, "L"), ("A", 2, "TL")]

    def as_float(skd_total: int, skb: int) -> float:
        return 0.4 * (skd_total / 550 * 100) + 0.6 * skb

    assert as_float(300, 61) > as_float(333, 57)  # a float engine would pass A


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (final("1", (100, 100, 200), 70), final("2", (100, 110, 190), 70)),  # TKP
        (final("1", (100, 110, 190), 70), final("2", (110, 100, 190), 70)),  # TIU
        (final("1", (100, 100, 200), 70, ipk="3.51"), final("2", (100, 100, 200), 70, ipk="3.5")),
        (
            final("1", (100, 100, 200), 70, born=date(1990, 5, 1)),
            final("2", (100, 100, 200), 70, born=date(1990, 5, 2)),
        ),
    ],
)
def test_final_ties_go_to_tkp_tiu_twk_ipk_then_the_older(
    first: FinalScore, second: FinalScore
) -> None:
    results = rank_final(CPNS, [ANALIS], [replace(second, participant="0"), first])
    assert outcomes(results) == [("1", 1, "L"), ("0", 2, "TL")]


def test_a_complete_tie_at_the_quota_passes_no_more_than_the_quota_and_is_flagged() -> None:
    scores = [final("2", (100, 100, 200), 70), final("1", (100, 100, 200), 70)]
    results = rank_final(CPNS, [ANALIS], scores)
    assert outcomes(results) == [("1", 1, "L"), ("2", 1, "TL")]
    assert all(r.tied_at_cut for r in results)


def test_absent_applicants_are_th_and_listed_last() -> None:
    absent = FinalScore("0", "F1", False)
    results = rank_final(CPNS, [replace(ANALIS, quota=2)], [absent, final("9", (90, 90, 190), 1)])
    assert outcomes(results) == [("9", 1, "L"), ("0", None, "TH")]
    assert results[1].final_score is None


def test_optimalisasi_fills_an_empty_formation_from_the_same_position() -> None:
    formations = [
        replace(ANALIS, quota=1),
        Formation("F2", "analis  kebijakan", "Dinas B", "umum", 2),  # one applicant, two seats
        Formation("F3", "Pranata Komputer", "Dinas C", "umum", 1),
    ]
    scores = [
        final("1", (100, 100, 200), 80),
        final("2", (100, 100, 200), 70),  # best not-yet-passed of F1
        final("3", (100, 100, 200), 60),
        final("4", (60, 100, 200), 90, formation="F3"),  # below the umum TWK mark
        final("5", (100, 100, 200), 50, formation="F2"),
        final("6", (100, 100, 200), 10, formation="F3"),
    ]
    results = {r.participant: r for r in rank_final(CPNS, formations, scores)}
    assert results["2"].outcome is Outcome.PASSED_OPTIMALISASI
    assert results["2"].placed_formation == "F2"
    assert results["2"].formation == "F1" and results["2"].rank == 2
    assert results["3"].outcome is Outcome.NOT_PASSED  # F2 is full now
    assert results["5"].outcome is Outcome.PASSED
    assert results["6"].outcome is Outcome.NOT_PASSED  # other position
    assert results["4"].outcome is Outcome.PASSED


def test_optimalisasi_of_a_special_formation_from_umum_follows_the_policy_switch() -> None:
    formations = [ANALIS, replace(ANALIS, code="F2", formation_type="disabilitas")]
    scores = [final("1", (100, 100, 200), 80), final("2", (100, 100, 200), 70)]
    allowed = {r.participant: r.outcome for r in rank_final(CPNS, formations, scores)}
    assert allowed == {"1": Outcome.PASSED, "2": Outcome.PASSED_OPTIMALISASI}
    switch_off = replace(CPNS, final=replace(CPNS.final_rules(), special_from_umum=False))
    forbidden = {r.participant: r.outcome for r in rank_final(switch_off, formations, scores)}
    assert forbidden == {"1": Outcome.PASSED, "2": Outcome.NOT_PASSED}
    none = {r.participant: r.outcome for r in rank_final(NO_OPTIMALISASI, formations, scores)}
    assert none == forbidden


def test_optimalisasi_with_a_qualification_check_places_the_next_who_qualifies() -> None:
    formations = [ANALIS, Formation("F2", "Analis Kebijakan", "Dinas B", "umum", 1)]
    scores = [
        final("1", (100, 100, 200), 80),
        final("2", (100, 100, 200), 70),  # the best TL, but not qualified for F2
        final("3", (100, 100, 200), 60),
        final("4", (100, 100, 200), 50),
    ]
    asked: list[tuple[str, str]] = []

    def qualifies(participant: str, formation: str) -> bool:
        asked.append((participant, formation))
        return (participant, formation) != ("2", "F2")

    results = {r.participant: r for r in rank_final(CPNS, formations, scores, qualifies=qualifies)}
    assert results["2"].outcome is Outcome.NOT_PASSED
    assert results["3"].outcome is Outcome.PASSED_OPTIMALISASI
    assert results["3"].placed_formation == "F2"
    assert ("2", "F2") in asked and all(formation == "F2" for _, formation in asked)
    trusting = rank_final(CPNS, formations, scores, qualifies=lambda _p, _f: True)
    assert trusting == rank_final(CPNS, formations, scores)
    refusing = rank_final(CPNS, formations, scores, qualifies=lambda _p, _f: False)
    assert [r.outcome for r in refusing] == [Outcome.PASSED] + [Outcome.NOT_PASSED] * 3


# PPPK ------------------------------------------------------------------------------------------

GURU = Formation("G1", "Guru Matematika", "SMA 1", "umum", 1, teknis_pass_mark=300)


def pppk(
    number: str,
    teknis: int,
    social: int = 150,
    interview: int = 30,
    round_: int = 1,
    grounds: frozenset[Affirmation] = frozenset(),
) -> PppkScore:
    return PppkScore(number, "G1", round_, True, teknis, social, interview, grounds)


@pytest.mark.parametrize(
    ("teknis", "grounds", "affirmed"),
    [
        (200, frozenset(), 200),
        (200, {Affirmation.AGE_35_ACTIVE_3_YEARS}, 275),
        (200, {Affirmation.DISABILITY, Affirmation.THK2_ACTIVE_3_YEARS}, 300),
        (
            200,
            {
                Affirmation.AGE_35_ACTIVE_3_YEARS,
                Affirmation.DISABILITY,
                Affirmation.THK2_ACTIVE_3_YEARS,
            },
            375,
        ),
        (480, {Affirmation.AGE_35_ACTIVE_3_YEARS}, 500),  # capped at the teknis maximum
        (10, {Affirmation.SERDIK_LINIER}, 500),
    ],
)
def test_affirmation_is_a_share_of_the_teknis_maximum_capped_at_it(
    teknis: int, grounds: frozenset[Affirmation], affirmed: int
) -> None:
    assert PPPK.pppk_rules().affirmed_teknis(teknis, grounds) == affirmed


def test_pppk_pass_marks_best_round_and_ranking() -> None:
    scores = [
        pppk("1", 250, round_=1),  # teknis below 300 in round 1 ...
        pppk("1", 320, round_=2),  # ... met in round 2: the best round
        pppk("2", 250, grounds=frozenset({Affirmation.DISABILITY})),  # 300 with affirmation
        pppk("3", 400, social=129),  # manajerial + sosio-kultural below 130
        pppk("4", 400, interview=23),  # wawancara below 24
        PppkScore("5", "G1", 1, False),
    ]
    results = rank_pppk(PPPK, [GURU], scores)
    assert outcomes(results) == [
        ("1", 1, "L"),
        ("2", 2, "TL"),
        ("3", None, "TL"),
        ("4", None, "TL"),
        ("5", None, "TH"),
    ]
    assert results[0].round == 2 and results[0].total == 320 + 150 + 30
    assert results[1].teknis_affirmed == 300


def test_pppk_rejects_a_fourth_round_and_a_repeated_round() -> None:
    with pytest.raises(ValueError, match="round 4"):
        rank_pppk(PPPK, [GURU], [pppk("1", 300, round_=4)])
    with pytest.raises(ValueError, match="appears twice"):
        rank_pppk(PPPK, [GURU], [pppk("1", 300), pppk("1", 310)])


# Properties ------------------------------------------------------------------------------------

POSITIONS = ("Analis", "Pranata")
TYPES = ("umum", "disabilitas", "cumlaude")

formations_strategy = st.lists(
    st.tuples(st.sampled_from(POSITIONS), st.sampled_from(TYPES), st.integers(0, 3)),
    min_size=1,
    max_size=4,
).map(
    lambda rows: [
        Formation(f"F{i}", position, "Unit", kind, quota)
        for i, (position, kind, quota) in enumerate(rows)
    ]
)


@st.composite
def final_cases(draw: st.DrawFn) -> tuple[list[Formation], list[FinalScore]]:
    formations = draw(formations_strategy)
    count = draw(st.integers(0, 14))
    scores = []
    for number in range(count):
        scores.append(
            FinalScore(
                participant=f"{number:03d}",
                formation=draw(st.sampled_from([f.code for f in formations])),
                present=draw(st.booleans() | st.just(True)),
                twk=draw(st.sampled_from([60, 65, 100])),
                tiu=draw(st.sampled_from([80, 100])),
                tkp=draw(st.sampled_from([166, 200])),
                skb=Fraction(draw(st.integers(0, 4)) * 25),
                ipk=Fraction(draw(st.sampled_from([300, 350])), 100),
                birth_date=date(1990, 1, draw(st.integers(1, 2))),
            )
        )
    return formations, scores


@settings(max_examples=150)
@given(final_cases(), st.randoms(use_true_random=False))
def test_never_more_passes_than_quota_and_independent_of_row_order(
    case: tuple[list[Formation], list[FinalScore]], shuffler: random.Random
) -> None:
    formations, scores = case
    results = rank_final(CPNS, formations, scores)
    for formation in formations:
        seats = sum(
            1
            for r in results
            if (r.outcome is Outcome.PASSED and r.formation == formation.code)
            or (r.outcome is Outcome.PASSED_OPTIMALISASI and r.placed_formation == formation.code)
        )
        assert seats <= formation.quota
    shuffled_scores, shuffled_formations = list(scores), list(formations)
    shuffler.shuffle(shuffled_scores)
    shuffler.shuffle(shuffled_formations)
    assert rank_final(CPNS, shuffled_formations, shuffled_scores) == results
    assert run_fingerprint(CPNS, Stage.FINAL, shuffled_formations, shuffled_scores) == (
        run_fingerprint(CPNS, Stage.FINAL, formations, scores)
    )
    assert rank_final(CPNS, formations, scores) == results


@settings(max_examples=150)
@given(final_cases(), st.data())
def test_optimalisasi_with_a_qualification_check_places_only_the_qualified_within_quota(
    case: tuple[list[Formation], list[FinalScore]], data: st.DataObject
) -> None:
    formations, scores = case
    pairs = sorted((s.participant, f.code) for s in scores for f in formations)
    refused = set(data.draw(st.sets(st.sampled_from(pairs)) if pairs else st.just(set())))

    def qualifies(participant: str, formation: str) -> bool:
        return (participant, formation) not in refused

    results = rank_final(CPNS, formations, scores, qualifies=qualifies)
    for formation in formations:
        seats = [
            r
            for r in results
            if (r.outcome is Outcome.PASSED and r.formation == formation.code)
            or (r.outcome is Outcome.PASSED_OPTIMALISASI and r.placed_formation == formation.code)
        ]
        assert len(seats) <= formation.quota
    for row in results:
        if row.outcome is Outcome.PASSED_OPTIMALISASI:
            assert row.placed_formation is not None
            assert qualifies(row.participant, row.placed_formation)
    unrestricted = rank_final(CPNS, formations, scores)
    passed = [(r.participant, r.outcome) for r in results if r.outcome is Outcome.PASSED]
    assert passed == [
        (r.participant, r.outcome) for r in unrestricted if r.outcome is Outcome.PASSED
    ]
    if not refused:
        assert results == unrestricted


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(st.integers(0, 150), st.integers(0, 175), st.integers(0, 225), st.booleans()),
        max_size=20,
    ),
    st.integers(0, 4),
    st.randoms(use_true_random=False),
)
def test_skd_ranking_is_a_total_order_independent_of_row_order(
    rows: list[tuple[int, int, int, bool]], quota: int, shuffler: random.Random
) -> None:
    scores = [
        SkdScore(f"{i:03d}", "F1", present, twk, tiu, tkp)
        for i, (twk, tiu, tkp, present) in enumerate(rows)
    ]
    formation = replace(ANALIS, quota=quota, formation_type="papua")
    results = rank_skd(CPNS, [formation], scores)
    shuffled = list(scores)
    shuffler.shuffle(shuffled)
    assert rank_skd(CPNS, [formation], shuffled) == results
    ranked = [r for r in results if r.rank is not None]
    keys = [(-r.total, -r.tkp, -r.tiu, -r.twk) for r in ranked]
    assert keys == sorted(keys)
    for r in ranked:
        assert r.rank is not None
        assert (r.outcome is Outcome.WITHIN_CUT) is (r.rank <= 3 * quota)


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 500),
            st.integers(100, 200),
            st.integers(20, 40),
            st.integers(1, 3),
            st.sets(st.sampled_from(list(Affirmation))),
        ),
        max_size=15,
    ),
    st.integers(0, 3),
)
def test_pppk_never_passes_more_than_quota(
    rows: list[tuple[int, int, int, int, set[Affirmation]]], quota: int
) -> None:
    scores = {
        (f"{i % 6}", round_): PppkScore(
            f"{i % 6}", "G1", round_, True, teknis, social, interview, frozenset(grounds)
        )
        for i, (teknis, social, interview, round_, grounds) in enumerate(rows)
    }
    results = rank_pppk(PPPK, [replace(GURU, quota=quota)], list(scores.values()))
    assert sum(r.outcome is Outcome.PASSED for r in results) <= quota
    assert all(r.teknis_affirmed is None or r.teknis_affirmed <= 500 for r in results)
    assert len(results) == len({key[0] for key in scores})


def test_a_mitra_test_score_passes_at_or_above_the_mark_and_always_without_one() -> None:
    mitra = load_ranking_policy("mitra-bps-2024").mitra
    assert mitra is not None
    with_mark = replace(mitra, test_pass_mark=60)
    assert with_mark.passes(60) and with_mark.passes(Fraction(121, 2))
    assert not with_mark.passes(Fraction(119, 2))
    assert replace(mitra, test_pass_mark=None).passes(0)
