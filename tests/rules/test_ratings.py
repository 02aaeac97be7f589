from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.ranking import (
    Formation,
    MitraScore,
    Outcome,
    load_ranking_policy,
    rank_mitra,
)
from seleksi.rules.ratings import (
    HIGHEST,
    LOWEST,
    Rating,
    RatingError,
    RatingProblem,
    performance_rating_for,
    rating_score,
    yearly_average,
)

MITRA = load_ranking_policy("mitra-bps-2024")
marks = st.integers(LOWEST, HIGHEST)
ratings_strategy = st.builds(Rating, marks, marks, marks)


# One rating ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marks", "score"),
    [((1, 1, 1), Fraction(1)), ((10, 10, 10), Fraction(10)), ((8, 7, 8), Fraction(23, 3))],
)
def test_the_score_is_the_exact_mean_of_the_three_marks(
    marks: tuple[int, int, int], score: Fraction
) -> None:
    assert rating_score(Rating(*marks)) == score


@pytest.mark.parametrize(
    ("marks", "aspect", "value", "problem"),
    [
        ((0, 5, 5), "attitude", "0", RatingProblem.OUT_OF_RANGE),
        ((5, 11, 5), "quality", "11", RatingProblem.OUT_OF_RANGE),
        ((5, 5, -3), "timeliness", "-3", RatingProblem.OUT_OF_RANGE),
        ((7.5, 5, 5), "attitude", "7.5", RatingProblem.NOT_WHOLE),
        ((5, "8", 5), "quality", "8", RatingProblem.NOT_WHOLE),
        ((5, 5, True), "timeliness", "True", RatingProblem.NOT_WHOLE),
        ((5, 5, Decimal("7")), "timeliness", "7", RatingProblem.NOT_WHOLE),
    ],
)
def test_a_mark_outside_one_to_ten_or_not_whole_is_refused(
    marks: tuple[Any, Any, Any], aspect: str, value: str, problem: RatingProblem
) -> None:
    with pytest.raises(RatingError, match="whole number from 1 to 10") as caught:
        Rating(*marks)
    assert caught.value.code == problem
    assert caught.value.values == {"aspect": aspect, "value": value, "lowest": "1", "highest": "10"}


# The year --------------------------------------------------------------------------------------


def test_no_rating_gives_none_not_zero() -> None:
    assert yearly_average([]) is None
    assert performance_rating_for([]) is None


def test_the_yearly_average_counts_each_rating_the_same() -> None:
    year = [Rating(8, 7, 8), Rating(10, 10, 10), Rating(6, 6, 6)]
    assert yearly_average(year) == (Fraction(23, 3) + 10 + 6) / 3
    assert yearly_average(iter(year)) == Fraction(71, 9)


@pytest.mark.parametrize(
    ("year", "stored"),
    [
        ([Rating(10, 10, 10)], "10.000"),
        ([Rating(1, 1, 1)], "1.000"),
        ([Rating(8, 7, 8)], "7.667"),  # 7.6666... rounds up
        ([Rating(1, 1, 2)], "1.333"),  # 1.3333... rounds down
        ([Rating(7, 7, 8), Rating(7, 7, 7), Rating(7, 7, 7)], "7.111"),
    ],
)
def test_the_stored_rating_is_rounded_half_up_to_three_places(
    year: list[Rating], stored: str
) -> None:
    value = performance_rating_for(year)
    assert value == Decimal(stored) and str(value) == stored


def test_an_exact_half_thousandth_rounds_up() -> None:
    half = [Rating(5, 5, 5)] * 1999 + [Rating(8, 5, 5)]  # (1999 x 5 + 6) / 2000 = 5.0005
    assert yearly_average(half) == Fraction(10001, 2000)
    assert performance_rating_for(half) == Decimal("5.001")
    below = [Rating(5, 5, 5)] * 2000 + [Rating(8, 5, 5)]  # 5.00049...
    assert performance_rating_for(below) == Decimal("5.000")


@given(st.lists(ratings_strategy, min_size=1, max_size=30))
def test_the_stored_rating_fits_the_score_field_and_is_within_half_a_thousandth(
    year: list[Rating],
) -> None:
    value = performance_rating_for(year)
    average = yearly_average(year)
    assert value is not None and average is not None
    sign, digits, exponent = value.as_tuple()
    assert sign == 0 and exponent == -3 and len(digits) <= 5  # max_digits 5, decimal_places 3
    assert LOWEST <= value <= HIGHEST
    assert abs(Fraction(value) - average) <= Fraction(1, 2000)


# Feeding next year's mitra ranking --------------------------------------------------------------


def test_the_rating_scale_is_the_one_the_mitra_ranking_reads() -> None:
    assert MITRA.mitra_rules().rating_maximum == HIGHEST
    perfect = performance_rating_for([Rating(10, 10, 10)])
    assert perfect is not None
    assert MITRA.mitra_rules().rating_share(Fraction(perfect)) == 20


def test_a_better_rated_mitra_ranks_above_an_equal_scored_worse_rated_one() -> None:
    formation = Formation("M1", "Mitra Pendataan", "Kecamatan Magetan", "umum", 1)
    good = performance_rating_for([Rating(9, 9, 8), Rating(10, 9, 9)])
    poor = performance_rating_for([Rating(6, 5, 7), Rating(7, 6, 6)])
    assert good is not None and poor is not None and good > poor

    def applicant(number: str, rating: Decimal | None) -> MitraScore:
        # As the ranking run reads the stored Score.performance_rating: Fraction(Decimal).
        return MitraScore(
            number,
            "M1",
            True,
            Fraction(70),
            frozenset({"education_min", "domicile"}),
            None if rating is None else Fraction(rating),
        )

    # The worse-rated mitra registered first, so without ratings they would rank first.
    results = rank_mitra(MITRA, [formation], [applicant("0001", poor), applicant("0002", good)])
    by_number = {result.participant: result for result in results}
    assert by_number["0002"].rank == 1 and by_number["0002"].outcome == Outcome.PASSED
    assert by_number["0001"].rank == 2 and by_number["0001"].outcome == Outcome.NOT_PASSED
    assert by_number["0002"].rating_points == 20 * Fraction(good) / 10

    unrated = rank_mitra(MITRA, [formation], [applicant("0001", None), applicant("0002", None)])
    assert [(r.participant, r.rank) for r in unrated] == [("0001", 1), ("0002", 1)]
