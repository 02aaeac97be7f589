"""Reads for a mitra themself: the pools they are in, their assignments, what they earn per
month and how their work was rated. The only reader is the signed-in person's own dashboard,
so every function takes the user and nothing else: no identifier can reach another mitra's
rows.

Decisions worth knowing:
- Earnings per month are worked out as the cap check does (`figures.pay_by_month` of each
  assignment): the amount the office recorded for an assignment and month where there is one,
  else that assignment's share of its amount spread over the activity's months. Every line
  says which it is, so a page can mark estimates; a month's total counts both.
- Assignments are grouped by the year of the pool they were made from (the year the yearly
  rating counts them in), newest first; "current" means the activity has not ended at its
  office's date.
- The yearly rating is `rules.ratings.performance_rating_for` over the ratings of one office's
  pool of one year, as `selectors.yearly_rating` gives it, worked out from the rows read
  once.
- Four queries whatever the number of assignments (pools, assignments with their activity,
  role, rating and rater, recorded earnings, regency names); none for a user in no pool past
  the first.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from seleksi.pool.figures import months_of, pay_by_month, recorded_amounts
from seleksi.pool.models import Assignment, Earning, PoolMember
from seleksi.pool.selectors import regency_names
from seleksi.rules.honorarium import YearMonth
from seleksi.rules.ratings import Rating, performance_rating_for


@dataclass(frozen=True)
class Membership:
    agency: str
    year: int
    source: str


@dataclass(frozen=True)
class MyRating:
    activity: str
    attitude: int
    quality: int
    timeliness: int
    score: Decimal
    comment: str
    rated_by: str
    rated_at: datetime


@dataclass(frozen=True)
class MyAssignment:
    pk: int
    agency: str
    year: int
    activity: str
    role: str
    regency: str
    regency_name: str
    starts_on: date
    ends_on: date
    quantity: int
    unit: str
    rate: int
    amount: int
    current: bool
    started: bool
    rating: MyRating | None


@dataclass(frozen=True)
class EarningLine:
    activity: str
    role: str
    amount: int
    estimated: bool


@dataclass
class MonthEarnings:
    month: YearMonth
    lines: list[EarningLine] = field(default_factory=list)

    @property
    def first_day(self) -> date:
        return date(self.month[0], self.month[1], 1)

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def estimated(self) -> int:
        return sum(line.amount for line in self.lines if line.estimated)

    @property
    def recorded(self) -> int:
        return self.total - self.estimated


@dataclass
class YearEarnings:
    year: int
    months: list[MonthEarnings] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(month.total for month in self.months)

    @property
    def estimated(self) -> int:
        return sum(month.estimated for month in self.months)

    @property
    def recorded(self) -> int:
        return self.total - self.estimated


@dataclass(frozen=True)
class YearRating:
    agency: str
    year: int
    value: Decimal
    count: int


@dataclass(frozen=True)
class AssignmentYear:
    year: int
    assignments: tuple[MyAssignment, ...]


@dataclass(frozen=True)
class MitraWork:
    memberships: tuple[Membership, ...]
    years: tuple[AssignmentYear, ...] = ()
    earnings: tuple[YearEarnings, ...] = ()
    ratings: tuple[MyRating, ...] = ()
    yearly: tuple[YearRating, ...] = ()
    today: date | None = None

    @property
    def in_pool(self) -> bool:
        return bool(self.memberships)

    @property
    def current(self) -> tuple[MyAssignment, ...]:
        return tuple(a for year in self.years for a in year.assignments if a.current)

    def month(self, month: YearMonth) -> MonthEarnings | None:
        for year in self.earnings:
            for found in year.months:
                if found.month == month:
                    return found
        return None

    @property
    def this_month(self) -> MonthEarnings | None:
        return None if self.today is None else self.month((self.today.year, self.today.month))

    @property
    def latest_rating(self) -> MyRating | None:
        return self.ratings[0] if self.ratings else None


def mitra_work(*, user: Any) -> MitraWork:
    """Everything the mitra's own work page shows; `in_pool` is False for a user in no pool."""
    members = list(
        PoolMember.objects.filter(user=user).select_related("agency").order_by("-year", "pk")
    )
    if not members:
        return MitraWork(memberships=())
    memberships = tuple(
        Membership(member.agency.name, member.year, str(member.get_source_display()))
        for member in members
    )
    today = members[0].agency.today()
    assignments = list(
        Assignment.objects.filter(member__user=user)
        .select_related("activity__agency", "activity_role", "member", "rating", "rating__rated_by")
        .order_by("-member__year", "-activity__starts_on", "activity__name", "pk")
    )
    recorded = recorded_amounts(Earning.objects.filter(assignment__member__user=user))
    names = regency_names(assignment.activity_role.regency for assignment in assignments)

    by_year: dict[int, list[MyAssignment]] = defaultdict(list)
    ratings: list[MyRating] = []
    rated: dict[tuple[int, int], list[Rating]] = defaultdict(list)
    agency_names = {member.agency_id: member.agency.name for member in members}
    months: dict[YearMonth, MonthEarnings] = {}
    for assignment in assignments:
        activity, role = assignment.activity, assignment.activity_role
        office_today = activity.agency.today()
        rating = _rating(assignment)
        if rating is not None:
            ratings.append(rating)
            rated[(assignment.member.agency_id, assignment.member.year)].append(
                Rating(rating.attitude, rating.quality, rating.timeliness)
            )
        by_year[assignment.member.year].append(
            MyAssignment(
                pk=assignment.pk,
                agency=activity.agency.name,
                year=assignment.member.year,
                activity=activity.name,
                role=str(role.get_role_display()),
                regency=role.regency,
                regency_name=names.get(role.regency, role.regency),
                starts_on=activity.starts_on,
                ends_on=activity.ends_on,
                quantity=assignment.quantity,
                unit=str(role.get_unit_display()),
                rate=role.rate,
                amount=assignment.amount,
                current=office_today <= activity.ends_on,
                started=activity.starts_on <= office_today,
                rating=rating,
            )
        )
        actual = recorded.get(assignment.pk, {})
        for month, amount in pay_by_month(
            assignment.amount, months_of(assignment.months), actual
        ).items():
            line = EarningLine(
                activity=activity.name,
                role=str(role.get_role_display()),
                amount=amount,
                estimated=month not in actual,
            )
            months.setdefault(month, MonthEarnings(month)).lines.append(line)

    earnings: dict[int, YearEarnings] = {}
    for month in sorted(months):
        earnings.setdefault(month[0], YearEarnings(month[0])).months.append(months[month])
    yearly = [
        YearRating(agency_names.get(agency_id, ""), year, value, len(marks))
        for (agency_id, year), marks in rated.items()
        if (value := performance_rating_for(marks)) is not None
    ]
    return MitraWork(
        memberships=memberships,
        years=tuple(AssignmentYear(year, tuple(found)) for year, found in by_year.items()),
        earnings=tuple(earnings[year] for year in sorted(earnings, reverse=True)),
        ratings=tuple(sorted(ratings, key=lambda r: r.rated_at, reverse=True)),
        yearly=tuple(sorted(yearly, key=lambda r: (-r.year, r.agency))),
        today=today,
    )


def _rating(assignment: Assignment) -> MyRating | None:
    marks = getattr(assignment, "rating", None)
    if marks is None:
        return None
    score = performance_rating_for([Rating(marks.attitude, marks.quality, marks.timeliness)])
    return MyRating(
        activity=assignment.activity.name,
        attitude=marks.attitude,
        quality=marks.quality,
        timeliness=marks.timeliness,
        score=score if score is not None else Decimal(0),
        comment=marks.comment,
        rated_by=marks.rated_by.display_name if marks.rated_by else "",
        rated_at=marks.rated_at,
    )
