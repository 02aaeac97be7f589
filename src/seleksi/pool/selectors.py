"""Reads of the mitra pool.

Decisions worth knowing:
- `pool_members` filters in the database except "available in a month", which needs the cap
  arithmetic of the rules: a member is available in a month when what they already earn in it
  is below the cap of the role asked (default PPL) in the agency's table of that year; without
  a table nobody is known to be available, so nobody is listed.
- "has rating ≥" reads the member's yearly rating of the pool's year before (the figure next
  year's ranking reads), computed with `rules.ratings.performance_rating_for`.
- The education filter keeps members with at least one completed education of that level or
  higher (by the level's order).
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from seleksi.agencies.models import Agency
from seleksi.pool.models import CapTable, PerformanceRating, PoolMember, Role
from seleksi.pool.services import existing_earnings
from seleksi.reference.models import EducationLevel
from seleksi.rules.ratings import Rating, performance_rating_for

DEVICE_FIELDS = {
    "smartphone": "has_smartphone",
    "computer": "has_computer",
    "tablet": "has_tablet",
    "motorcycle": "has_motorcycle",
}


def pool_members(
    *, agency: Agency, year: int, filters: Mapping[str, Any] | None = None
) -> list[PoolMember]:
    """The agency's pool of `year`, filtered. `filters` may hold: "regency" (code),
    "education" (EducationLevel code, at least), "experience" (text the declared survey
    experience contains), "devices" (names from DEVICE_FIELDS, all owned), "min_rating"
    (Decimal, yearly rating of the year before at least), "available" ((year, month): still
    under the cap that month) and "role" (the cap's role, default PPL)."""
    filters = filters or {}
    members: QuerySet[PoolMember] = PoolMember.objects.filter(
        agency=agency, year=year
    ).select_related("user", "user__profile")
    if filters.get("regency"):
        members = members.filter(domicile_regency=filters["regency"])
    if filters.get("education"):
        level = EducationLevel.objects.get(code=filters["education"])
        members = members.filter(user__educations__level__order__gte=level.order).distinct()
    if filters.get("experience"):
        members = members.filter(user__profile__survey_experience__icontains=filters["experience"])
    for device in filters.get("devices") or ():
        members = members.filter(Q(**{f"user__profile__{DEVICE_FIELDS[device]}": True}))
    found = list(members.order_by("user__full_name", "pk"))
    minimum = filters.get("min_rating")
    if minimum is not None:
        found = [
            member
            for member in found
            if (rating := yearly_rating(user=member.user, agency=agency, year=year - 1)) is not None
            and rating >= minimum
        ]
    available = filters.get("available")
    if available is not None:
        stored = CapTable.objects.filter(agency=agency, year=available[0]).first()
        if stored is None:
            return []
        table = stored.table()
        cap = table.cap(filters.get("role") or Role.PPL, tuple(available))
        found = [
            member
            for member in found
            if existing_earnings(user_id=member.user_id).get(tuple(available), 0) < cap
        ]
    return found


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
    ratings = PerformanceRating.objects.filter(
        assignment__member__user=user,
        assignment__member__agency=agency,
        assignment__member__year=year,
    ).values_list("attitude", "quality", "timeliness")
    return performance_rating_for(
        Rating(attitude=a, quality=q, timeliness=t) for a, q, t in ratings
    )
