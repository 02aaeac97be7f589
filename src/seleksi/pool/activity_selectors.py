"""Reads of one survey activity and its assignments, for the committee's activity pages.

Decisions worth knowing:
- An activity or an assignment is found only within the agencies where the reader holds
  DECIDE_RESULTS and the offices below them (a province office runs the pools of its
  regencies' offices, as `services.user_manages_pool` allows; everywhere for a superuser): an
  id of another agency finds nothing, so the page answers 404 without saying the id exists.
- An activity draws from its agency's pool and, for a province office, from the pools of
  the offices below it.
- The search for a mitra to assign reads the activity's pool (the agency's pool of the year
  the activity starts in), living in the given regencies, by a part of the name, and returns
  a short list: a pool can hold 20,000 mitra, too many for one list on a page.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from seleksi.agencies.models import Agency
from seleksi.agencies.permissions import Capability, agency_ids_with
from seleksi.pool.figures import estimate, months_of, recorded_amounts
from seleksi.pool.models import Activity, ActivityRole, Assignment, PoolMember, Role
from seleksi.rules.honorarium import YearMonth

SEARCH_LIMIT = 20


def _scoped[M: Any](objects: QuerySet[M], user: Any, path: str) -> QuerySet[M]:
    if user.is_superuser:
        return objects
    agencies = agency_ids_with(user, Capability.DECIDE_RESULTS)
    return objects.filter(
        Q(**{f"{path}_id__in": agencies}) | Q(**{f"{path}__parent_id__in": agencies})
    )


def pool_agency_ids(activity: Activity) -> list[int]:
    """The offices whose pools the activity draws from: its agency's and, for a province
    office, those of the offices below it (`Agency.parent`)."""
    below = Agency.objects.filter(parent_id=activity.agency_id).order_by("pk")
    return [activity.agency_id, *below.values_list("pk", flat=True)]


def activity_for(*, user: Any, pk: int) -> Activity | None:
    """The activity `pk` if the reader runs its agency's pool, else None."""
    activities = Activity.objects.select_related("agency")
    return _scoped(activities, user, "agency").filter(pk=pk).first()


def assignment_for(*, user: Any, pk: int) -> Assignment | None:
    """The assignment `pk` if the reader runs its agency's pool, else None."""
    assignments = Assignment.objects.select_related(
        "activity__agency", "activity_role", "member__user", "rating", "assigned_by"
    )
    return _scoped(assignments, user, "activity__agency").filter(pk=pk).first()


def activity_roles(activity: Activity) -> list[ActivityRole]:
    """The activity's roles by regency, each with `filled` (how many are assigned)."""
    roles: list[ActivityRole] = list(
        ActivityRole.objects.filter(activity=activity)
        .annotate(filled=Count("assignments"))
        .order_by("regency", "-role")
    )
    for role in roles:
        role.activity = activity
    return roles


def activity_assignments(activity: Activity) -> list[Assignment]:
    return list(
        Assignment.objects.filter(activity=activity)
        .select_related("activity_role", "member__user", "rating")
        .order_by("activity_role__regency", "-activity_role__role", "member__user__full_name")
    )


def member_search(
    *, activity: Activity, regencies: list[str], name: str, limit: int = SEARCH_LIMIT
) -> list[PoolMember]:
    """Up to `limit` members of the activity's pool living in `regencies` whose name holds
    `name`, not yet assigned to the activity, by name."""
    members = PoolMember.objects.filter(
        agency_id__in=pool_agency_ids(activity),
        year=activity.starts_on.year,
        domicile_regency__in=regencies,
    ).exclude(user_id__in=Assignment.objects.filter(activity=activity).values("member__user_id"))
    name = name.strip()
    if name:
        members = members.filter(Q(user__full_name__icontains=name))
    return list(members.select_related("user").order_by("user__full_name", "pk")[:limit])


def pool_member(*, activity: Activity, pk: int) -> PoolMember | None:
    """A member of the activity's pool (see `pool_agency_ids`; of the year it starts in) by id,
    else None."""
    return (
        PoolMember.objects.select_related("user")
        .filter(agency_id__in=pool_agency_ids(activity), year=activity.starts_on.year, pk=pk)
        .first()
    )


@dataclass(frozen=True)
class MonthEarning:
    month: YearMonth
    estimate: int
    recorded: int | None

    @property
    def key(self) -> str:
        return f"{self.month[0]}-{self.month[1]:02d}"


def assignment_months(assignment: Assignment) -> list[MonthEarning]:
    """Every month of the assignment (its activity's, stored on it): its spread estimate and
    what was recorded."""
    months = months_of(assignment.months) or assignment.activity.months()
    spread_months = estimate(assignment.amount, months)
    recorded = recorded_amounts(assignment.earnings.all()).get(assignment.pk, {})
    return [MonthEarning(month, spread_months[month], recorded.get(month)) for month in months]


def supervisors(assignment: Assignment) -> list[Assignment]:
    """The PML assignments of the same activity and regency as `assignment`."""
    return list(
        Assignment.objects.filter(
            activity_id=assignment.activity_id,
            activity_role__role=Role.PML,
            activity_role__regency=assignment.activity_role.regency,
        ).select_related("member__user")
    )
