"""Reads of the mitra pool.

Decisions worth knowing:
- `pool_members` filters in the database except "has rating ≥" and "available in a month",
  which need the rules: a member is available in a month when what they already earn in it
  is below the cap of the role asked (default PPL) in the agency's table of that year; without
  a table nobody is known to be available, so nobody is listed.
- "has rating ≥" reads the member's yearly rating of the pool's year before (the figure next
  year's ranking reads), from `figures.yearly_ratings`.
- The education filter keeps members with at least one completed education of that level or
  higher (by the level's order).
- A pool holds up to some 20,000 mitra, so no figure is read per member: the ratings of a
  year come from one grouped query and the earnings of a month or a year from two, both read
  by `figures` for the whole list at once (the same readers the cap check and the proposals
  use, so the list shows what they count).
"""

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from seleksi.accounts.models import Education
from seleksi.agencies.models import Agency
from seleksi.pool.figures import earnings, office_ratings
from seleksi.pool.models import (
    Activity,
    ActivityRole,
    CapTable,
    PerformanceRating,
    PoolMember,
    Role,
)
from seleksi.reference.models import EducationLevel, Regency
from seleksi.rules.honorarium import MONTHS, YearMonth
from seleksi.scoring.models import RankingRun

DEVICE_FIELDS = {
    "smartphone": "has_smartphone",
    "computer": "has_computer",
    "tablet": "has_tablet",
    "motorcycle": "has_motorcycle",
}

# Searching the pool --------------------------------------------------------------------------


def _filtered(agency: Agency, year: int, filters: Mapping[str, Any]) -> QuerySet[PoolMember]:
    """The pool of `year` narrowed by the filters the database answers, in list order."""
    members: QuerySet[PoolMember] = PoolMember.objects.filter(agency=agency, year=year)
    if filters.get("regency"):
        members = members.filter(domicile_regency=filters["regency"])
    if filters.get("education"):
        level = EducationLevel.objects.get(code=filters["education"])
        members = members.filter(
            Exists(
                Education.objects.filter(user_id=OuterRef("user_id"), level__order__gte=level.order)
            )
        )
    if filters.get("address"):
        members = members.filter(user__profile__address__icontains=filters["address"])
    if filters.get("experience"):
        members = members.filter(user__profile__survey_experience__icontains=filters["experience"])
    for device in filters.get("devices") or ():
        members = members.filter(Q(**{f"user__profile__{DEVICE_FIELDS[device]}": True}))
    return members.order_by("user__full_name", "pk")


def _keeps(agency: Agency, year: int, filters: Mapping[str, Any]) -> Callable[[int], bool] | None:
    """Whether a member of the pool of `year` passes the filters answered in Python (rating,
    availability), by user id; None when neither is asked. The figures are read for the whole
    pool (a plain subquery the database plans well) and looked up for the members found."""
    minimum = filters.get("min_rating")
    available = filters.get("available")
    if minimum is None and available is None:
        return None
    tests: list[Callable[[int], bool]] = []
    if minimum is not None:
        ratings = office_ratings(agency_id=agency.pk, year=year - 1)
        tests.append(lambda user: (rating := ratings.get(user)) is not None and rating >= minimum)
    if available is not None:
        month: YearMonth = (int(available[0]), int(available[1]))
        stored = CapTable.objects.filter(agency=agency, year=month[0]).first()
        if stored is None:
            return lambda user: False
        cap = stored.table().cap(filters.get("role") or Role.PPL, month)
        pool = PoolMember.objects.filter(agency=agency, year=year).values("user_id")
        earned = earnings(user_ids=pool, months=[month])
        tests.append(lambda user: earned.get(user, {}).get(month, 0) < cap)
    return lambda user: all(test(user) for test in tests)


def pool_members(
    *, agency: Agency, year: int, filters: Mapping[str, Any] | None = None
) -> list[PoolMember]:
    """The agency's pool of `year`, filtered. `filters` may hold: "regency" (code),
    "address" (text the address of domicile contains: a village or district name),
    "education" (EducationLevel code, at least), "experience" (text the declared survey
    experience contains), "devices" (names from DEVICE_FIELDS, all owned), "min_rating"
    (Decimal, yearly rating of the year before at least), "available" ((year, month): still
    under the cap that month) and "role" (the cap's role, default PPL)."""
    filters = filters or {}
    members = _filtered(agency, year, filters)
    found = list(members.select_related("user", "user__profile"))
    keeps = _keeps(agency, year, filters)
    if keeps is None:
        return found
    return [member for member in found if keeps(member.user_id)]


def pool_member_ids(
    *, agency: Agency, year: int, filters: Mapping[str, Any] | None = None
) -> list[int]:
    """The ids of `pool_members`, in the same order, without loading the members: what a
    page of the list is cut from."""
    filters = filters or {}
    members = _filtered(agency, year, filters)
    rows = list(members.values_list("pk", "user_id"))
    keeps = _keeps(agency, year, filters)
    return [pk for pk, user_id in rows if keeps is None or keeps(user_id)]


def pool_of_year(agency: Agency, year: int) -> QuerySet[PoolMember]:
    """Every member of the pool of `year`, with what carrying them over reads."""
    return PoolMember.objects.filter(agency=agency, year=year).select_related("user__profile")


# Lines of the pool's list ------------------------------------------------------------------


@dataclass(frozen=True)
class PoolRow:
    """One line of the pool's list."""

    member: PoolMember
    regency: str
    """the regency of domicile by name (its code when unknown)"""
    education: str
    """the highest completed education level, by name"""
    devices: list[str]
    rating: Decimal | None
    """the yearly rating of the year before the pool's year"""
    earnings: int
    """what the mitra earns in the pool's year, every office together"""


def pool_rows(*, agency: Agency, year: int, member_ids: Sequence[int]) -> list[PoolRow]:
    """The lines of the members `member_ids` (one page of the list) of the pool of `year`, in
    that order, with their figures read for all of them at once."""
    members = PoolMember.objects.filter(agency=agency, year=year).select_related(
        "user", "user__profile"
    )
    loaded = members.in_bulk(list(member_ids))
    ordered = [loaded[pk] for pk in member_ids if pk in loaded]
    user_ids = [member.user_id for member in ordered]
    names = regency_names(member.domicile_regency for member in ordered)
    highest: dict[int, tuple[int, str]] = {}
    for user_id, order, name in Education.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "level__order", "level__name"
    ):
        if user_id not in highest or order > highest[user_id][0]:
            highest[user_id] = (order, name)
    ratings = office_ratings(agency_id=agency.pk, year=year - 1, user_ids=user_ids)
    earned = earnings(user_ids=user_ids, months=[(year, month) for month in MONTHS])
    rows = []
    for member in ordered:
        profile = getattr(member.user, "profile", None)
        rows.append(
            PoolRow(
                member=member,
                regency=names.get(member.domicile_regency, member.domicile_regency),
                education=highest.get(member.user_id, (0, ""))[1],
                devices=profile.devices() if profile is not None else [],
                rating=ratings.get(member.user_id),
                earnings=sum(earned.get(member.user_id, {}).values()),
            )
        )
    return rows


# What the pool's pages choose from -----------------------------------------------------------


def pool_year_sizes(agency: Agency) -> dict[int, int]:
    """How many members the agency's pool has in each year, newest first."""
    rows = (
        PoolMember.objects.filter(agency=agency)
        .values_list("year")
        .annotate(members=Count("pk"))
        .order_by("-year")
    )
    return dict(rows)


def pool_regencies(agency: Agency, year: int) -> list[tuple[str, str]]:
    """The regencies the members of the pool of `year` live in, as (code, name) by name."""
    codes = set(
        PoolMember.objects.filter(agency=agency, year=year)
        .exclude(domicile_regency="")
        .values_list("domicile_regency", flat=True)
        .distinct()
    )
    names = regency_names(codes)
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda pair: pair[1])


@dataclass(frozen=True)
class AreaChoices:
    """The regencies an activity of the agency may cover: every regency of the provinces its
    pool members live in, and the one most of them live in (the office's own, for a regency
    office)."""

    regencies: list[tuple[str, str]]
    home: str | None


def activity_areas(agency: Agency) -> AreaChoices:
    """The agency has no regency of its own on record; its pool tells where it works."""
    lived = Counter(
        dict(
            PoolMember.objects.filter(agency=agency)
            .exclude(domicile_regency="")
            .values_list("domicile_regency")
            .annotate(members=Count("pk"))
            .order_by()
        )
    )
    provinces = {code[:2] for code in lived}
    regencies = Regency.objects.filter(province_id__in=provinces).order_by("code")
    choices = [(regency.code, regency.name) for regency in regencies]
    known = {code for code, _name in choices}
    home = next((code for code, _count in lived.most_common() if code in known), None)
    return AreaChoices(choices, home)


def regency_names(codes: Iterable[str]) -> dict[str, str]:
    """The names of the regencies `codes`, by code (unknown codes left out)."""
    return dict(Regency.objects.filter(code__in=set(codes)).values_list("code", "name"))


def mitra_runs(agency: Agency) -> QuerySet[RankingRun]:
    """The agency's confirmed mitra ranking runs, newest first: what fills the pool."""
    return (
        RankingRun.objects.filter(
            selection__agency=agency,
            stage=RankingRun.Stage.MITRA,
            confirmed_at__isnull=False,
        )
        .select_related("selection")
        .order_by("-confirmed_at", "-pk")
    )


def cap_tables(agency: Agency) -> list[CapTable]:
    """The agency's honorarium cap tables, newest year first."""
    return list(
        CapTable.objects.filter(agency=agency).select_related("created_by").order_by("-year")
    )


# Activities ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleLine:
    """One role of an activity in one regency, with the places taken."""

    role: ActivityRole
    regency: str
    """the regency by name (its code when unknown)"""
    filled: int


@dataclass(frozen=True)
class ActivityLine:
    """One activity in the agency's list."""

    activity: Activity
    status: str
    """"upcoming", "running" or "ended" on the agency's today"""
    regencies: list[str]
    roles: list[RoleLine]


def activity_status(activity: Activity, today: date) -> str:
    if today < activity.starts_on:
        return "upcoming"
    if today > activity.ends_on:
        return "ended"
    return "running"


def activities_of(agency: Agency) -> list[ActivityLine]:
    """The agency's activities, latest start first, with their roles and places taken."""
    roles = ActivityRole.objects.annotate(filled=Count("assignments")).order_by("role", "regency")
    activities = list(
        Activity.objects.filter(agency=agency).prefetch_related(Prefetch("roles", queryset=roles))
    )
    names = regency_names(
        code
        for activity in activities
        for code in [*activity.regencies, *(role.regency for role in activity.roles.all())]
    )
    today = agency.today()
    return [
        ActivityLine(
            activity=activity,
            status=activity_status(activity, today),
            regencies=[names.get(code, code) for code in activity.regencies],
            roles=[
                RoleLine(role, names.get(role.regency, role.regency), role.filled)  # type: ignore[attr-defined]
                for role in activity.roles.all()
            ],
        )
        for activity in activities
    ]


# One member ----------------------------------------------------------------------------------


def member_ratings(member: PoolMember) -> list[PerformanceRating]:
    """The ratings of the member's assignments, newest first."""
    return list(
        PerformanceRating.objects.filter(assignment__member=member)
        .select_related("assignment__activity")
        .order_by("-rated_at", "-pk")
    )


def yearly_rating(*, user: Any, agency: Agency, year: int) -> Decimal | None:
    """The yearly performance rating of the mitra's work for the agency in `year` (the value
    next year's ranking stores as `performance_rating`), None without any rating."""
    return office_ratings(agency_id=agency.pk, year=year, user_ids=[user.pk]).get(user.pk)
