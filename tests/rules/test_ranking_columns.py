"""The columnar ranking path gives the reference engines' rows and fingerprints exactly: on
random inputs (ties everywhere, ties at the quota, absences, rounds, optimalisasi with and
without refusals), on the ties binary floating point orders wrongly, and it declines what
the reference refuses, so that the reference words the refusal."""

import dataclasses
from collections.abc import Callable, Sequence
from datetime import date
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seleksi.rules.fingerprint import run_fingerprint
from seleksi.rules.ranking import (
    Affirmation,
    FinalScore,
    Formation,
    MitraScore,
    Outcome,
    PppkScore,
    RankingPolicy,
    SkdScore,
    Stage,
    format_score,
    load_ranking_policy,
    rank_final,
    rank_mitra,
    rank_pppk,
    rank_skd,
)
from seleksi.rules.ranking_columns import (
    PREFERENCES,
    RESULT_FIGURES,
    fingerprint_columns,
    rank_columns,
    result_schema,
    scores_frame,
)

CPNS = load_ranking_policy("cpns-2021")
PPPK = load_ranking_policy("pppk-guru-2021")
MITRA = load_ranking_policy("mitra-bps-2024")
ENGINES = {Stage.SKD: rank_skd, Stage.FINAL: rank_final, Stage.PPPK: rank_pppk}
EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

type Score = SkdScore | FinalScore | PppkScore | MitraScore


def reference_rows(stage: Stage, results: Sequence[object]) -> list[dict[str, object]]:
    """The reference's results as a results frame holds them: Fractions as `format_score`."""
    rows = []
    for result in results:
        row: dict[str, object] = {}
        for name in result_schema(stage):
            value = getattr(result, name)
            if name in RESULT_FIGURES[stage]:
                value = None if value is None else format_score(value)
            elif isinstance(value, Outcome):
                value = value.value
            row[name] = value
        rows.append(row)
    return rows


def assert_same(
    policy: RankingPolicy,
    stage: Stage,
    formations: list[Formation],
    scores: Sequence[Score],
    qualifies: Callable[[str, str], bool] | None = None,
) -> pl.DataFrame:
    if stage is Stage.FINAL:
        reference = rank_final(policy, formations, list(scores), qualifies=qualifies)  # type: ignore[arg-type]
    elif stage is Stage.MITRA:
        reference = rank_mitra(policy, formations, list(scores))  # type: ignore[arg-type]
    else:
        reference = ENGINES[stage](policy, formations, list(scores))  # type: ignore[operator]
    frame = scores_frame(stage, scores)
    assert frame is not None
    results = rank_columns(policy, stage, formations, frame, qualifies=qualifies)
    assert results is not None, "the columnar path declined data the reference ranks"
    assert results.to_dicts() == reference_rows(stage, reference)
    assert fingerprint_columns(policy, stage, formations, frame) == run_fingerprint(
        policy, stage, formations, scores
    )
    return results


# Strategies ---------------------------------------------------------------------------------

participant_numbers = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,5}", fullmatch=True)
positions = st.sampled_from(["Analis Data", "analis  data", "ANALIS DATA ", "Guru", "Perawat"])


@st.composite
def formation_lists(draw: st.DrawFn, types: Sequence[str], teknis: bool = False) -> list[Formation]:
    count = draw(st.integers(1, 6))
    return [
        Formation(
            code=f"F{number}",
            position=draw(positions),
            placement_unit="Unit",
            formation_type=draw(st.sampled_from(types)),
            quota=draw(st.integers(0, 3)),
            teknis_pass_mark=draw(st.sampled_from([150, 250, 300])) if teknis else None,
        )
        for number in draw(st.permutations(range(count)))
    ]


@st.composite
def skd_cases(draw: st.DrawFn) -> tuple[list[Formation], list[SkdScore]]:
    formations = draw(formation_lists(["umum", "disabilitas", "cumlaude"]))
    numbers = draw(st.lists(participant_numbers, min_size=1, max_size=40, unique=True))
    scores = []
    for number in numbers:
        code = draw(st.sampled_from(formations)).code
        if draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()):
            ignored = draw(st.sampled_from([(0, 0, 0), (100, 100, 200)]))
            scores.append(SkdScore(number, code, False, *ignored))
            continue
        scores.append(
            SkdScore(
                number,
                code,
                True,
                draw(st.sampled_from([0, 60, 65, 100, 150])),
                draw(st.sampled_from([55, 60, 80, 85, 175])),
                draw(st.sampled_from([100, 166, 200, 225])),
            )
        )
    return formations, scores


@st.composite
def final_cases(draw: st.DrawFn) -> tuple[list[Formation], list[FinalScore]]:
    formations = draw(formation_lists(["umum", "disabilitas", "cumlaude"]))
    numbers = draw(st.lists(participant_numbers, min_size=1, max_size=40, unique=True))
    scores = []
    for number in numbers:
        code = draw(st.sampled_from(formations)).code
        if draw(st.integers(0, 7)) == 0:
            scores.append(FinalScore(number, code, False))
            continue
        scores.append(
            FinalScore(
                number,
                code,
                True,
                draw(st.sampled_from([65, 100])),
                draw(st.sampled_from([80, 100])),
                draw(st.sampled_from([166, 200])),
                draw(st.sampled_from([Fraction(109, 2), Fraction(117, 2), Fraction(80)])),
                draw(
                    st.sampled_from(
                        [None, Fraction(0), Fraction(7, 2), Fraction(-1), Fraction(-1, 2)]
                    )
                ),
                draw(st.sampled_from([None, date(1990, 1, 1), date(999, 1, 2)])),
            )
        )
    return formations, scores


@st.composite
def pppk_cases(draw: st.DrawFn) -> tuple[list[Formation], list[PppkScore]]:
    formations = draw(formation_lists(["umum"], teknis=True))
    numbers = draw(st.lists(participant_numbers, min_size=1, max_size=25, unique=True))
    scores = []
    for number in numbers:
        code = draw(st.sampled_from(formations)).code
        for round_ in draw(st.lists(st.integers(1, 3), min_size=1, max_size=3, unique=True)):
            if draw(st.integers(0, 5)) == 0:
                scores.append(PppkScore(number, code, round_, False))
                continue
            scores.append(
                PppkScore(
                    number,
                    code,
                    round_,
                    True,
                    draw(st.sampled_from([100, 250, 300, 435, 500])),
                    draw(st.sampled_from([120, 130, 150, 200])),
                    draw(st.sampled_from([20, 24, 30, 40])),
                    frozenset(draw(st.sets(st.sampled_from(list(Affirmation))))),
                )
            )
    return formations, scores


@st.composite
def mitra_cases(draw: st.DrawFn) -> tuple[list[Formation], list[MitraScore]]:
    formations = draw(formation_lists(["umum"]))
    numbers = draw(st.lists(participant_numbers, min_size=1, max_size=30, unique=True))
    scores = []
    for number in numbers:
        code = draw(st.sampled_from(formations)).code
        if draw(st.integers(0, 6)) == 0:
            scores.append(MitraScore(number, code, False))
            continue
        scores.append(
            MitraScore(
                number,
                code,
                True,
                draw(
                    st.sampled_from(
                        [
                            Fraction(0),
                            Fraction(111, 2),
                            Fraction(60),
                            Fraction(6505, 100),
                            Fraction(100),
                        ]
                    )
                ),
                frozenset(draw(st.sets(st.sampled_from(PREFERENCES)))),
                draw(
                    st.sampled_from(
                        [None, Fraction(0), Fraction(3, 4), Fraction(15, 2), Fraction(10)]
                    )
                ),
            )
        )
    return formations, scores


def refusing(seed: int) -> Callable[[str, str], bool]:
    """A qualification check that refuses some (participant, seat) pairs, the same every time."""

    def qualifies(participant: str, formation: str) -> bool:
        return (sum(map(ord, participant + formation)) + seed) % 3 != 0

    return qualifies


# Equivalence --------------------------------------------------------------------------------


@EXAMPLES
@given(skd_cases())
def test_skd_rows_and_fingerprint_equal_the_reference(
    case: tuple[list[Formation], list[SkdScore]],
) -> None:
    assert_same(CPNS, Stage.SKD, *case)


@EXAMPLES
@given(
    final_cases(),
    st.booleans(),
    st.booleans(),
    st.one_of(st.none(), st.integers(0, 2)),
)
def test_final_rows_and_fingerprint_equal_the_reference(
    case: tuple[list[Formation], list[FinalScore]],
    optimalisasi: bool,
    special_from_umum: bool,
    refusals: int | None,
) -> None:
    final = dataclasses.replace(
        CPNS.final_rules(), optimalisasi=optimalisasi, special_from_umum=special_from_umum
    )
    policy = dataclasses.replace(CPNS, final=final)
    qualifies = None if refusals is None else refusing(refusals)
    assert_same(policy, Stage.FINAL, *case, qualifies=qualifies)


@EXAMPLES
@given(pppk_cases())
def test_pppk_rows_and_fingerprint_equal_the_reference(
    case: tuple[list[Formation], list[PppkScore]],
) -> None:
    assert_same(PPPK, Stage.PPPK, *case)


@EXAMPLES
@given(mitra_cases(), st.sampled_from([None, 50, 60]))
def test_mitra_rows_and_fingerprint_equal_the_reference(
    case: tuple[list[Formation], list[MitraScore]], pass_mark: int | None
) -> None:
    policy = dataclasses.replace(
        MITRA, mitra=dataclasses.replace(MITRA.mitra_rules(), test_pass_mark=pass_mark)
    )
    assert_same(policy, Stage.MITRA, *case)


# Cases worth naming -------------------------------------------------------------------------


def test_an_exact_tie_that_floating_point_splits_is_broken_by_the_skd_total() -> None:
    """A: SKD 300, SKB 58.5; B: SKD 333, SKB 54.5. Both final scores are exactly
    40 % x 300/550 x 100 + 60 % x 58.5 = 40 % x 333/550 x 100 + 60 % x 54.5, so the SKD total
    breaks the tie and B ranks first; in binary floating point A comes out higher."""
    assert 0.4 * (300 / 550 * 100) + 0.6 * 58.5 > 0.4 * (333 / 550 * 100) + 0.6 * 54.5
    formations = [Formation("F1", "Analis", "Unit", "umum", 1)]
    scores = [
        FinalScore("A", "F1", True, 100, 100, 100, Fraction(117, 2), None, date(1990, 1, 1)),
        FinalScore("B", "F1", True, 100, 100, 133, Fraction(109, 2), None, date(1990, 1, 1)),
    ]
    results = assert_same(CPNS, Stage.FINAL, formations, scores)
    assert results.select("participant", "final_score", "rank", "outcome").rows() == [
        ("B", "56.918", 1, "L"),
        ("A", "56.918", 2, "TL"),
    ]


def test_a_tie_across_the_quota_is_flagged_on_every_row_holding_it() -> None:
    formations = [Formation("F1", "Analis", "Unit", "umum", 1)]
    scores = [
        FinalScore(n, "F1", True, 100, 100, 200, Fraction(80), Fraction(3), date(1990, 1, 1))
        for n in ("B", "A", "C")
    ]
    results = assert_same(CPNS, Stage.FINAL, formations, scores)
    assert results.select("participant", "rank", "outcome", "tied_at_cut").rows() == [
        ("A", 1, "L", True),
        ("B", 1, "TL", True),
        ("C", 1, "TL", True),
    ]


def test_optimalisasi_fills_an_empty_seat_of_the_same_position() -> None:
    formations = [
        Formation("F1", "Analis Data", "Unit", "umum", 1),
        Formation("F2", "analis  data", "Unit", "umum", 2),
    ]
    scores = [
        FinalScore("A", "F1", True, 100, 100, 200, Fraction(80), None, date(1990, 1, 1)),
        FinalScore("B", "F1", True, 100, 100, 200, Fraction(70), None, date(1990, 1, 1)),
        FinalScore("C", "F2", True, 100, 100, 200, Fraction(60), None, date(1990, 1, 1)),
    ]
    results = assert_same(CPNS, Stage.FINAL, formations, scores)
    assert results.filter(pl.col("participant") == "B").select("outcome", "placed_formation").row(
        0
    ) == ("L-2", "F2")


@pytest.mark.parametrize(
    ("stage", "policy", "formations", "scores"),
    [
        (
            Stage.SKD,
            CPNS,
            [Formation("F1", "A", "U", "umum", 1)],
            [SkdScore("1", "F9", True, 1, 1, 1)],
        ),
        (
            Stage.SKD,
            CPNS,
            [Formation("F1", "A", "U", "umum", 1)],
            [SkdScore("1", "F1", True, 1, 1, 1), SkdScore("1", "F1", False)],
        ),
        (
            Stage.SKD,
            CPNS,
            [Formation("F1", "A", "U", "umum", 1)],
            [SkdScore("1", "F1", True, 151, 1, 1)],
        ),
        (
            Stage.SKD,
            CPNS,
            [Formation("F1", "A", "U", "no-such-type", 1)],
            [SkdScore("1", "F1", False)],
        ),
        (
            Stage.FINAL,
            CPNS,
            [Formation("F1", "A", "U", "umum", 1)],
            [FinalScore("1", "F1", True, 1, 1, 1, Fraction(101))],
        ),
        (
            Stage.PPPK,
            PPPK,
            [Formation("G1", "Guru", "U", "umum", 1, None)],
            [PppkScore("1", "G1", 1, False)],
        ),
        (
            Stage.PPPK,
            PPPK,
            [
                Formation("G1", "Guru", "U", "umum", 1, 200),
                Formation("G2", "Guru", "U", "umum", 1, 200),
            ],
            [PppkScore("1", "G1", 1, False), PppkScore("1", "G2", 2, False)],
        ),
        (
            Stage.PPPK,
            PPPK,
            [Formation("G1", "Guru", "U", "umum", 1, 200)],
            [PppkScore("1", "G1", 4, False)],
        ),
        (
            Stage.MITRA,
            MITRA,
            [Formation("M1", "Mitra", "U", "umum", 1)],
            [MitraScore("1", "M1", True, Fraction(101))],
        ),
    ],
    ids=[
        "unknown formation",
        "repeated participant",
        "score out of range",
        "type without pass mark",
        "skb out of range",
        "no teknis pass mark",
        "two formations",
        "round out of range",
        "test score out of range",
    ],
)
def test_it_declines_what_the_reference_refuses(
    stage: Stage, policy: RankingPolicy, formations: list[Formation], scores: list[Score]
) -> None:
    frame = scores_frame(stage, scores)
    assert frame is not None
    assert rank_columns(policy, stage, formations, frame) is None
    engine = {**ENGINES, Stage.MITRA: rank_mitra}[stage]
    with pytest.raises((ValueError, LookupError)):
        engine(policy, formations, scores)  # type: ignore[operator]


@pytest.mark.parametrize(
    "score",
    [
        FinalScore("1", "F1", True, 1, 1, 1, Fraction(1, 3)),
        FinalScore("1", "F1", True, 1, 1, 1, 80),  # type: ignore[arg-type]
        MitraScore("1", "F1", True, Fraction(1), frozenset({"no-such-criterion"})),
    ],
    ids=["a third", "an int where a Fraction stands", "unknown preference"],
)
def test_it_leaves_figures_it_cannot_hold_exactly_to_the_reference(score: Score) -> None:
    stage = Stage.MITRA if isinstance(score, MitraScore) else Stage.FINAL
    assert scores_frame(stage, [score]) is None


def test_a_participant_number_json_would_escape_has_no_columnar_fingerprint() -> None:
    formations = [Formation("F1", "A", "U", "umum", 1)]
    frame = scores_frame(Stage.SKD, [SkdScore('a"b', "F1", False)])
    assert frame is not None
    assert fingerprint_columns(CPNS, Stage.SKD, formations, frame) is None
