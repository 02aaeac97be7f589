import random
from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seleksi.rules.eligibility import PreferenceCode, load_policy
from seleksi.rules.fingerprint import run_fingerprint
from seleksi.rules.ranking import (
    Formation,
    MitraResult,
    MitraRules,
    MitraScore,
    Outcome,
    Stage,
    load_ranking_policy,
    rank_mitra,
    ranking_policy_from_dict,
)

MITRA = load_ranking_policy("mitra-bps-2024")
RULES = MITRA.mitra_rules()
PENCACAH = Formation("M1", "Mitra Pendataan", "Kecamatan Magetan", "umum", 1)
ALL = frozenset(PreferenceCode)


def mitra(
    number: str,
    test: int | Fraction,
    *preferences: str,
    rating: int | Fraction | None = None,
    formation: str = "M1",
) -> MitraScore:
    return MitraScore(
        number,
        formation,
        True,
        Fraction(test),
        frozenset(preferences),
        None if rating is None else Fraction(rating),
    )


def outcomes(results: tuple[MitraResult, ...]) -> list[tuple[str, int | None, str]]:
    return [(r.participant, r.rank, str(r.outcome)) for r in results]


def with_rules(**changes: Any) -> Any:
    return replace(MITRA, mitra=replace(RULES, **changes))


# The shipped policy ----------------------------------------------------------------------------


def test_the_shipped_policy_names_the_announcement_and_its_figures() -> None:
    assert MITRA.source == "Pengumuman B-463/35200/HM.240/11/2023"
    assert MITRA.stages == (Stage.MITRA,)
    assert (RULES.test_maximum, RULES.test_pass_mark) == (100, None)
    assert (RULES.rating_maximum, RULES.rating_points) == (10, 20)
    assert "house choice" in MITRA.note and "participant number" in MITRA.note
    with pytest.raises(LookupError, match="no final stage"):
        MITRA.final_rules()
    with pytest.raises(LookupError, match="no mitra stage"):
        load_ranking_policy("cpns-2021").mitra_rules()


def test_the_points_are_the_figures_of_the_eligibility_policy() -> None:
    eligibility = {p.code: p.points for p in load_policy("mitra-bps-2024").preferences}
    assert dict(RULES.preference_points) == eligibility
    assert {str(code) for code, _ in RULES.preference_points} == {str(c) for c in PreferenceCode}


# Points ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preferences", "points"),
    [
        ((), 0),
        (("education_min",), 10),
        (("domicile",), 10),
        (("age_band",), 10),
        (("devices",), 5),
        (("vehicle",), 5),
        (("experience",), 10),
        (("devices", "vehicle"), 10),
        (tuple(ALL), 50),
    ],
)
def test_each_preferred_criterion_met_adds_its_points(
    preferences: tuple[str, ...], points: int
) -> None:
    [row] = rank_mitra(MITRA, [PENCACAH], [mitra("1", 60, *preferences)])
    assert row.preference_points == points
    assert row.total == 60 + points
    assert row.rating_points == 0


@pytest.mark.parametrize(
    ("rating", "points"),
    [
        (None, Fraction(0)),
        (0, Fraction(0)),
        (1, Fraction(2)),
        (7, Fraction(14)),
        (Fraction(15, 2), Fraction(15)),
        (Fraction(1, 3), Fraction(2, 3)),  # no rounding anywhere
        (10, Fraction(20)),
    ],
)
def test_a_rating_earns_its_share_of_the_rating_points_exactly(
    rating: int | Fraction | None, points: Fraction
) -> None:
    [row] = rank_mitra(
        MITRA, [PENCACAH], [mitra("1", Fraction(701, 10), "domicile", rating=rating)]
    )
    assert row.rating_points == points
    assert row.preference_points == 10 + points
    assert row.total == Fraction(701, 10) + 10 + points
    assert isinstance(row.total, Fraction)


def test_a_criterion_the_policy_does_not_list_earns_nothing() -> None:
    policy = with_rules(preference_points=((PreferenceCode.DOMICILE, 7),))
    [row] = rank_mitra(policy, [PENCACAH], [mitra("1", 50, "domicile", "vehicle")])
    assert row.preference_points == 7


# Order -----------------------------------------------------------------------------------------


def test_a_higher_total_ranks_first_whatever_its_parts() -> None:
    scores = [mitra("1", 80), mitra("2", 60, "domicile", "experience", rating=1)]  # 80 vs 82
    results = rank_mitra(MITRA, [PENCACAH], scores)
    assert outcomes(results) == [("2", 1, "L"), ("1", 2, "TL")]


def test_an_equal_total_goes_to_the_higher_test_score() -> None:
    scores = [
        mitra("1", 60, "domicile", "experience"),  # 60 + 20
        mitra("2", 70, "domicile"),  # 70 + 10
        mitra("3", 66, rating=7),  # 66 + 14
    ]
    results = rank_mitra(MITRA, [replace(PENCACAH, quota=3)], scores)
    assert [r.total for r in results] == [80, 80, 80]
    assert outcomes(results) == [("2", 1, "L"), ("3", 2, "L"), ("1", 3, "L")]


def test_participants_equal_on_total_and_test_score_share_a_competition_rank() -> None:
    scores = [
        mitra("4", 50, "vehicle"),
        mitra("3", 70, "domicile"),
        mitra("2", 70, "age_band"),
        mitra("1", 90),
    ]
    results = rank_mitra(MITRA, [replace(PENCACAH, quota=4)], scores)
    assert outcomes(results) == [("1", 1, "L"), ("2", 2, "L"), ("3", 2, "L"), ("4", 4, "L")]
    assert not any(r.tied_at_cut for r in results)


def test_a_tie_straddling_the_quota_seats_by_participant_number_and_is_flagged() -> None:
    scores = [
        mitra("1", 90),
        mitra("3", 70, "domicile"),
        mitra("2", 70, "education_min"),
        mitra("4", 50),
    ]
    results = rank_mitra(MITRA, [replace(PENCACAH, quota=2)], scores)
    assert outcomes(results) == [("1", 1, "L"), ("2", 2, "L"), ("3", 2, "TL"), ("4", 4, "TL")]
    assert [r.tied_at_cut for r in results] == [False, True, True, False]


def test_the_absent_are_th_and_listed_last() -> None:
    scores = [MitraScore("0", "M1", False), mitra("9", 10)]
    results = rank_mitra(MITRA, [replace(PENCACAH, quota=2)], scores)
    assert outcomes(results) == [("9", 1, "L"), ("0", None, "TH")]
    absent = results[1]
    assert (absent.test_score, absent.preference_points, absent.total) == (None, None, None)
    assert (absent.rating_points, absent.present) == (None, False)


def test_a_pass_mark_when_set_leaves_those_below_it_unranked() -> None:
    policy = with_rules(test_pass_mark=60)
    scores = [
        mitra("1", 59, *ALL, rating=10),  # 129 in total, but the test is below the mark
        mitra("2", 60),
        MitraScore("3", "M1", False),
        mitra("4", 61),
    ]
    results = rank_mitra(policy, [replace(PENCACAH, quota=3)], scores)
    assert outcomes(results) == [("4", 1, "L"), ("2", 2, "L"), ("1", None, "TL"), ("3", None, "TH")]
    assert results[2].total == 129
    without = rank_mitra(MITRA, [replace(PENCACAH, quota=3)], scores)
    assert outcomes(without)[0] == ("1", 1, "L")


def test_formations_are_ranked_apart_and_a_zero_quota_passes_nobody() -> None:
    formations = [PENCACAH, Formation("M2", "Mitra Pengolahan", "BPS", "umum", 0)]
    scores = [mitra("1", 90, formation="M2"), mitra("2", 10), mitra("3", 5)]
    results = rank_mitra(MITRA, formations, scores)
    assert [(r.formation, *o) for r, o in zip(results, outcomes(results), strict=True)] == [
        ("M1", "2", 1, "L"),
        ("M1", "3", 2, "TL"),
        ("M2", "1", 1, "TL"),
    ]


# Validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([mitra("7", 50, formation="M9")], "7: unknown formation M9"),
        ([mitra("7", 50), mitra("7", 60)], "participant 7 appears twice"),
        ([mitra("7", 101)], r"7: test score 101 outside 0\.\.100"),
        ([mitra("7", -1)], r"7: test score -1 outside 0\.\.100"),
        ([mitra("7", 50, rating=11)], r"7: rating 11 outside 0\.\.10"),
        ([mitra("7", 50, rating=Fraction(-1, 2))], r"7: rating -1/2 outside 0\.\.10"),
        ([mitra("7", 50, "domicile", "laptop")], "7: unknown preference laptop"),
        (
            [MitraScore("7", "M1", False, preferences=frozenset({"rating"}))],
            "7: unknown preference rating",
        ),
        ([MitraScore("7", "M1", True, 75.5)], "7: test score 75.5 is not exact"),  # type: ignore[arg-type]
        (
            [MitraScore("7", "M1", True, Fraction(70), rating=7.5)],  # type: ignore[arg-type]
            "7: rating 7.5 is not exact",
        ),
    ],
)
def test_it_rejects_bad_scores_naming_the_participant(
    scores: list[MitraScore], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        rank_mitra(MITRA, [PENCACAH], scores)


def test_an_absent_participants_figures_are_not_checked() -> None:
    absent = MitraScore("7", "M1", False, Fraction(500), rating=Fraction(99))
    assert outcomes(rank_mitra(MITRA, [PENCACAH], [absent])) == [("7", None, "TH")]


def test_it_rejects_formations_given_twice_and_a_policy_without_the_stage() -> None:
    with pytest.raises(ValueError, match="formation M1 appears twice"):
        rank_mitra(MITRA, [PENCACAH, PENCACAH], [])
    with pytest.raises(LookupError, match="no mitra stage"):
        rank_mitra(load_ranking_policy("cpns-2021"), [PENCACAH], [])


# Policy parsing --------------------------------------------------------------------------------

SECTION: dict[str, object] = {
    "test_maximum": 100,
    "preference_points": {"domicile": 10, "experience": 5},
    "rating_maximum": 10,
    "rating_points": 20,
}


def parse(**changes: object) -> MitraRules:
    section = {key: value for key, value in {**SECTION, **changes}.items() if value is not None}
    data = {"code": "x", "version": 1, "source": "s", "mitra": section}
    return ranking_policy_from_dict(data).mitra_rules()


def test_it_reads_a_mitra_section() -> None:
    rules = parse(test_pass_mark=55)
    assert rules == MitraRules(
        test_maximum=100,
        test_pass_mark=55,
        preference_points=((PreferenceCode.DOMICILE, 10), (PreferenceCode.EXPERIENCE, 5)),
        rating_maximum=10,
        rating_points=20,
    )
    assert parse().test_pass_mark is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": 1}, "mitra: unknown colour"),
        ({"rating_points": None}, "mitra: missing rating_points"),
        (
            {"preference_points": {"laptop": 5}},
            "mitra.preference_points: unknown criterion 'laptop'",
        ),
        (
            {"preference_points": {"rating": 5}},
            "mitra.preference_points: unknown criterion 'rating'",
        ),
        ({"preference_points": {"domicile": 2.5}}, r"mitra\.preference_points\.domicile: expected"),
        ({"preference_points": {"domicile": -1}}, r"mitra\.preference_points\.domicile: expected"),
        ({"preference_points": ["domicile"]}, "mitra.preference_points: expected an object"),
        ({"test_maximum": "100"}, r"mitra\.test_maximum: expected a whole number"),
        ({"test_maximum": 0}, "mitra: the test maximum must be at least 1"),
        ({"test_pass_mark": 101}, r"mitra: the test pass mark is outside 0\.\.100"),
        ({"test_pass_mark": True}, r"mitra\.test_pass_mark: expected a whole number"),
        ({"rating_maximum": 0}, "mitra: the rating maximum must be at least 1"),
        ({"rating_points": "20"}, r"mitra\.rating_points: expected a whole number"),
    ],
)
def test_it_rejects_a_mitra_section_saying_where(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(**changes)


def test_it_rejects_a_null_pass_mark_and_a_section_that_is_not_an_object() -> None:
    data: dict[str, object] = {"code": "x", "version": 1, "source": "s"}
    with pytest.raises(ValueError, match=r"mitra\.test_pass_mark: expected a whole number"):
        ranking_policy_from_dict({**data, "mitra": {**SECTION, "test_pass_mark": None}})
    with pytest.raises(ValueError, match="mitra: expected an object"):
        ranking_policy_from_dict({**data, "mitra": [1]})


def test_mitra_rules_refuse_repeated_or_unknown_criteria_and_negative_points() -> None:
    with pytest.raises(ValueError, match="two point figures"):
        replace(RULES, preference_points=((PreferenceCode.DEVICES, 1), (PreferenceCode.DEVICES, 2)))
    with pytest.raises(ValueError, match="unknown preference criterion 'laptop'"):
        replace(RULES, preference_points=(("laptop", 1),))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative points"):
        replace(RULES, preference_points=((PreferenceCode.DEVICES, -1),))
    with pytest.raises(ValueError, match="must not be negative"):
        replace(RULES, rating_points=-1)


# Properties ------------------------------------------------------------------------------------

TESTS = (Fraction(0), Fraction(50), Fraction(70), Fraction(141, 2), Fraction(100))
RATINGS = (None, Fraction(1), Fraction(7), Fraction(15, 2), Fraction(10))


@st.composite
def mitra_cases(draw: st.DrawFn) -> tuple[list[Formation], list[MitraScore]]:
    quotas = draw(st.lists(st.integers(0, 3), min_size=1, max_size=3))
    formations = [
        Formation(f"M{i}", "Mitra", "BPS", "umum", quota) for i, quota in enumerate(quotas)
    ]
    scores = [
        MitraScore(
            participant=f"{number:03d}",
            formation=draw(st.sampled_from([f.code for f in formations])),
            present=draw(st.booleans() | st.just(True)),
            test_score=draw(st.sampled_from(TESTS)),
            preferences=frozenset(draw(st.sets(st.sampled_from(sorted(ALL))))),
            rating=draw(st.sampled_from(RATINGS)),
        )
        for number in range(draw(st.integers(0, 15)))
    ]
    return formations, scores


@settings(max_examples=150)
@given(mitra_cases(), st.sampled_from([None, 60]), st.randoms(use_true_random=False))
def test_never_more_passes_than_quota_independent_of_row_order_and_repeatable(
    case: tuple[list[Formation], list[MitraScore]],
    pass_mark: int | None,
    shuffler: random.Random,
) -> None:
    formations, scores = case
    policy = with_rules(test_pass_mark=pass_mark)
    results = rank_mitra(policy, formations, scores)
    assert sorted(r.participant for r in results) == sorted(s.participant for s in scores)
    for formation in formations:
        rows = [r for r in results if r.formation == formation.code]
        passed = [r for r in rows if r.outcome is Outcome.PASSED]
        assert len(passed) <= formation.quota
        ranked = [r for r in rows if r.rank is not None]
        assert len(passed) == min(formation.quota, len(ranked))
        assert rows[: len(passed)] == passed
        keys = [(-(r.total or 0), -(r.test_score or 0), r.participant) for r in ranked]
        assert keys == sorted(keys)
        assert rows[: len(ranked)] == ranked
    for row in results:
        if row.present:
            assert row.total == (row.test_score or 0) + (row.preference_points or 0)
        if row.rank is None and row.present:
            assert pass_mark is not None and (row.test_score or 0) < pass_mark
    shuffled_scores, shuffled_formations = list(scores), list(formations)
    shuffler.shuffle(shuffled_scores)
    shuffler.shuffle(shuffled_formations)
    assert rank_mitra(policy, shuffled_formations, shuffled_scores) == results
    assert rank_mitra(policy, formations, scores) == results
    assert run_fingerprint(policy, Stage.MITRA, shuffled_formations, shuffled_scores) == (
        run_fingerprint(policy, Stage.MITRA, formations, scores)
    )
