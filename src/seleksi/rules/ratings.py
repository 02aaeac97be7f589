"""Ratings of a mitra's survey work, and the yearly figure that next year's mitra ranking reads.

At the end of an activity the supervisor (PML) rates each enumerator on attitude, quality and
timeliness, each a whole number from 1 to 10.

Decisions worth knowing:

- The score of one rating is the exact mean of its three marks (a Fraction); the three count
  the same.
- The yearly average is the mean of the year's rating scores, every rating (one per activity)
  counting the same, whatever the activity's length or pay. No rating gives None, never 0: a
  mitra without rated work earns no rating points in the ranking rather than the lowest.
- `performance_rating_for` gives the value stored as `Score.performance_rating` (at most five
  digits, three decimals) and read by the mitra ranking (`MitraRules.rating_share`): the yearly
  average on the same 1-10 scale as the policy's `rating_maximum` of 10, rounded half up to
  three decimals on the exact average. Rounding happens once, here; the ranking then works on
  the stored value exactly.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

LOWEST = 1
HIGHEST = 10
ASPECTS = ("attitude", "quality", "timeliness")
PLACES = 3


class RatingProblem(StrEnum):
    """What is wrong with a mark; the values are `aspect`, `value`, `lowest`, `highest`."""

    NOT_WHOLE = "not_whole"
    OUT_OF_RANGE = "out_of_range"


class RatingError(ValueError):
    """A mark the rules refuse; `code` and `values` let a page word it in the reader's language,
    the text is plain English for logs."""

    def __init__(self, code: RatingProblem, aspect: str, value: object) -> None:
        self.code = code
        self.values = {
            "aspect": aspect,
            "value": str(value),
            "lowest": str(LOWEST),
            "highest": str(HIGHEST),
        }
        super().__init__(f"{aspect}: {value!r} is not a whole number from {LOWEST} to {HIGHEST}")


@dataclass(frozen=True, slots=True)
class Rating:
    """One supervisor's rating of one enumerator's work in one activity."""

    attitude: int
    quality: int
    timeliness: int

    def __post_init__(self) -> None:
        for aspect in ASPECTS:
            value: object = getattr(self, aspect)
            if isinstance(value, bool) or not isinstance(value, int):
                raise RatingError(RatingProblem.NOT_WHOLE, aspect, value)
            if not LOWEST <= value <= HIGHEST:
                raise RatingError(RatingProblem.OUT_OF_RANGE, aspect, value)


def rating_score(rating: Rating) -> Fraction:
    """The mean of the three marks, exactly."""
    return Fraction(rating.attitude + rating.quality + rating.timeliness, len(ASPECTS))


def yearly_average(ratings: Iterable[Rating]) -> Fraction | None:
    """The mean of the ratings' scores, exactly; None when there is no rating."""
    scores = [rating_score(rating) for rating in ratings]
    if not scores:
        return None
    return sum(scores, Fraction(0)) / len(scores)


def performance_rating_for(ratings: Iterable[Rating]) -> Decimal | None:
    """The past performance rating next year's mitra ranking reads: the yearly average rounded
    half up to three decimals (e.g. Decimal("7.667")); None when there is no rating."""
    average = yearly_average(ratings)
    return None if average is None else _rounded(average)


def performance_rating_of_totals(marks: int, ratings: int) -> Decimal | None:
    """`performance_rating_for` from the sum of every mark of the year's ratings and their
    number, as a database adds them up: every rating has three marks, so the yearly average
    is marks / (3 x ratings) exactly. None when there is no rating."""
    if ratings <= 0:
        return None
    # round half up of marks / (3 n) to thousandths, in integers: floor((2000 m + 3n) / 6n)
    places = 10**PLACES
    divisor = len(ASPECTS) * ratings
    thousandths = (2 * places * marks + divisor) // (2 * divisor)
    return Decimal(thousandths).scaleb(-PLACES)


def _rounded(average: Fraction) -> Decimal:
    thousandths = (average * 10**PLACES + Fraction(1, 2)).__floor__()
    return Decimal(thousandths).scaleb(-PLACES)
