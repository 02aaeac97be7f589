"""The two figures the pool reads everywhere, each read by one function: the yearly rating of a
mitra at an office, and what a mitra earns per month. Services (the cap check), selectors,
proposals, the documents and the mitra's own page all read them here, so they cannot drift
apart.

Decisions worth knowing:
- A yearly rating belongs to a pool: the ratings of the assignments made from the pool
  member of one office (`PoolMember.agency`) and one pool year, whichever office ran the
  activity (a province office's activity rates the regency office's mitra into that
  office's pool). It is `rules.ratings.performance_rating_for` of those ratings, worked out
  by the database as the sum of the marks and the number of ratings
  (`rules.ratings.performance_rating_of_totals`, which gives the same rounded figure).
- What a mitra earns in a month, over all their assignments in every office: for each
  assignment, the amount the office recorded (`Earning`) where there is one, else the
  assignment's share of its amount spread over its months (`rules.honorarium.spread`). An
  assignment's months are those stored on it (its activity's months, copied when it was
  made); an assignment without stored months has no estimate.
- Many users at once in two queries whatever their number: the recorded amounts, and the
  assignments (of activities overlapping the months asked, when months are asked). An amount
  recorded for a month outside its activity's period still counts.
- The months of an assignment are read from their JSON text and the spread estimate is kept
  per (amount, months): the assignments of one activity share both, so tens of thousands of
  assignments decode and divide a few dozen times.
"""

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast

from seleksi.pool.models import Assignment, Earning, PerformanceRating
from seleksi.rules.honorarium import YearMonth, spread
from seleksi.rules.ratings import performance_rating_of_totals

type UserIds = Collection[int] | QuerySet[Any, Any]
"""Users named by id, or by a query of their ids (kept in the database as a subquery)."""


# Ratings -------------------------------------------------------------------------------------


def yearly_ratings(
    *, agency_ids: Iterable[int], year: int, user_ids: UserIds | None = None
) -> dict[tuple[int, int], Decimal]:
    """The yearly rating of `year` by (office, user id), at each office of `agency_ids` (the
    pool member's office), for the users of `user_ids` when given, else everyone rated; users
    without a rating are absent. One grouped query."""
    rows = PerformanceRating.objects.filter(
        assignment__member__agency_id__in=list(agency_ids), assignment__member__year=year
    )
    if user_ids is not None:
        rows = rows.filter(assignment__member__user_id__in=user_ids)
    totals = (
        rows.values("assignment__member__agency_id", "assignment__member__user_id")
        .annotate(marks=Sum(F("attitude") + F("quality") + F("timeliness")), ratings=Count("pk"))
        .order_by()
        .values_list(
            "assignment__member__agency_id", "assignment__member__user_id", "marks", "ratings"
        )
    )
    found = {}
    for agency_id, user_id, marks, ratings in totals:
        rating = performance_rating_of_totals(int(marks), int(ratings))
        if rating is not None:
            found[(agency_id, user_id)] = rating
    return found


def office_ratings(
    *, agency_id: int, year: int, user_ids: UserIds | None = None
) -> dict[int, Decimal]:
    """`yearly_ratings` of one office, by user id."""
    found = yearly_ratings(agency_ids=[agency_id], year=year, user_ids=user_ids)
    return {user_id: rating for (_office, user_id), rating in found.items()}


# Months and pay of one assignment ------------------------------------------------------------


def months_of(stored: Iterable[Any]) -> tuple[YearMonth, ...]:
    """An assignment's stored `months` (JSON pairs [year, month]) as YearMonth tuples."""
    return tuple((int(year), int(month)) for year, month in stored)


@lru_cache(maxsize=256)
def months_of_text(text: str) -> tuple[YearMonth, ...]:
    """`months_of` the JSON text of the stored months (see the module's decisions)."""
    return months_of(json.loads(text))


@lru_cache(maxsize=4096)
def estimate(amount: int, months: tuple[YearMonth, ...]) -> dict[YearMonth, int]:
    """The spread estimate of `amount` over `months`, empty without months. Shared between
    callers: read it, never change it."""
    return spread(amount, months) if months else {}


def pay_by_month(
    amount: int, months: tuple[YearMonth, ...], recorded: Mapping[YearMonth, int]
) -> Mapping[YearMonth, int]:
    """What one assignment pays in each month: the `recorded` amount where there is one, else
    the spread estimate, over the months of either (the estimate's first). Read it, never
    change it (without recorded amounts it is the shared estimate)."""
    spread_months = estimate(amount, months)
    return {**spread_months, **recorded} if recorded else spread_months


def recorded_amounts(rows: QuerySet[Earning]) -> dict[int, dict[YearMonth, int]]:
    """The amounts the offices recorded in `rows`, by assignment id then month."""
    recorded: dict[int, dict[YearMonth, int]] = defaultdict(dict)
    for assignment_id, year, month, amount in rows.order_by().values_list(
        "assignment_id", "year", "month", "amount"
    ):
        recorded[assignment_id][(year, month)] = amount
    return recorded


def _month_after(month: YearMonth) -> date:
    year, number = month
    return date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)


# Earnings of many users ----------------------------------------------------------------------


def earnings(
    *,
    user_ids: UserIds,
    months: Collection[YearMonth] | None = None,
    excluding: int | None = None,
) -> dict[int, dict[YearMonth, int]]:
    """What each user of `user_ids` earns per month over all their assignments in every
    office (see the module's decisions), by user id then month: in `months` only when given,
    else in every month; without the assignment `excluding` when given. Two queries."""
    wanted = None if months is None else set(months)
    if wanted is not None and not wanted:
        return {}
    paid = Earning.objects.filter(assignment__member__user_id__in=user_ids)
    assignments = Assignment.objects.filter(member__user_id__in=user_ids)
    if excluding is not None:
        paid = paid.exclude(assignment_id=excluding)
        assignments = assignments.exclude(pk=excluding)
    if wanted is not None:
        in_months = Q()
        for year in sorted({year for year, _number in wanted}):
            in_months |= Q(year=year, month__in=sorted(m for y, m in wanted if y == year))
        paid = paid.filter(in_months)
        assignments = assignments.filter(
            activity__starts_on__lt=_month_after(max(wanted)),
            activity__ends_on__gte=date(*min(wanted), 1),
        )
    recorded: dict[int, dict[YearMonth, int]] = defaultdict(dict)
    owner: dict[int, int] = {}
    for assignment_id, user_id, paid_year, paid_month, amount in paid.order_by().values_list(
        "assignment_id", "assignment__member__user_id", "year", "month", "amount"
    ):
        recorded[assignment_id][(paid_year, paid_month)] = amount
        owner[assignment_id] = user_id
    totals: dict[int, dict[YearMonth, int]] = defaultdict(lambda: defaultdict(int))
    for assignment_id, user_id, amount, text in (
        assignments.order_by()
        .annotate(months_text=Cast("months", output_field=TextField()))
        .values_list("pk", "member__user_id", "amount", "months_text")
    ):
        of_user = totals[user_id]
        for month, value in pay_by_month(
            amount, months_of_text(text), recorded.pop(assignment_id, {})
        ).items():
            if wanted is None or month in wanted:
                of_user[month] += value
    for assignment_id, actual in recorded.items():  # recorded outside its activity's period
        for month, value in actual.items():
            totals[owner[assignment_id]][month] += value
    return {user_id: dict(of_user) for user_id, of_user in totals.items() if of_user}
