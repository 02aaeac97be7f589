"""Proposing pool members for the open places of a survey activity, from the database through
`rules.proposals`, and accepting a proposal.

Decisions worth knowing:
- Candidates: the pool of the activity's starting year, living in the regencies of the
  activity's roles: the agency's pool and, for a province office, the pools of the offices
  below it. Each candidate is checked against the cap tables of their own office, as
  `services.assignment_add` checks them; an office with candidates but without the table of
  a year of the activity refuses the proposal, naming the office and the year. Anyone whose
  account already holds a role in the activity is left out (by account, whatever pool year
  they were assigned from).
- Rating: the yearly rating of the year before the pool's year at the candidate's office
  (`figures.yearly_ratings`, one grouped query), the figure `selectors.yearly_rating` gives.
- Load (`earned`): what each candidate already earns in the activity's months, as the cap
  check counts it (`figures.earnings`: the amount recorded where the office recorded one,
  else the assignment's spread estimate; every assignment in every office), read for the
  whole pool in two queries. Nothing is read per member.
- The proposed and over-cap mitra come back as names (`Mitra`: the pool member's id and the
  name), not models: an over-cap list can hold thousands.
- A place is one role of one regency with its open places (needed minus assigned); what a
  mitra of the place is paid is the role's rate times the quantity per mitra the office gives
  for the role (documents per enumerator; person-months, by default the activity's months;
  1 for a lump sum). A role paid per document has no default: the office must say it.
- Two years: an activity running into a second year (November to February) is proposed
  against the cap table of each year, as `services.assignment_add` checks it:
  `rules.proposals.propose` takes the tables by year. A year without a table (of an office
  with candidates) refuses the proposal with "no_cap_table", naming the year, as an
  assignment would be refused; with no candidate at all, no table is needed.
- Accepting: `assignment_add` for each place the office kept ticked, each in its own
  transaction and without the over-cap confirmation (nobody over the cap is proposed, but the
  figures may have changed since the page was drawn). Anyone refused is reported with the
  reason and the others are assigned; each assignment is audited by `assignment_add`. An id
  that is not a role of the activity or a member of the activity's pool refuses the whole
  request before anything is assigned.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from seleksi.agencies.models import Agency
from seleksi.pool.activity_selectors import pool_agency_ids
from seleksi.pool.figures import earnings, yearly_ratings
from seleksi.pool.models import (
    Activity,
    ActivityRole,
    Assignment,
    CapTable,
    PayUnit,
    PoolMember,
)
from seleksi.pool.services import PoolRefused, assignment_add, user_manages_pool
from seleksi.rules.honorarium import Assignment as PaidWork
from seleksi.rules.honorarium import CapCheck
from seleksi.rules.honorarium import CapTable as CapTableRules
from seleksi.rules.honorarium import PayUnit as RulePayUnit
from seleksi.rules.honorarium import Role as RuleRole
from seleksi.rules.proposals import Candidate, Shortfall, Slot, propose


def default_quantity(role: ActivityRole, months: int) -> int | None:
    """The quantity per mitra a role suggests: 1 lump sum, the activity's months for a
    person-month role; None for a role paid per document, whose office must say it."""
    if role.unit == PayUnit.LUMP_SUM:
        return 1
    if role.unit == PayUnit.PERSON_MONTH:
        return months
    return None


@dataclass(frozen=True)
class Mitra:
    """A pool member as a proposal names them: the member's id and the account's name."""

    pk: int
    name: str


def mitra_names(member_ids: Iterable[int]) -> dict[int, Mitra]:
    """The members of `member_ids` by id, named as `User.display_name` names them, from one
    query and without building the models."""
    rows = PoolMember.objects.filter(pk__in=sorted(set(member_ids))).values_list(
        "pk", "user__full_name", "user__first_name", "user__last_name", "user__username"
    )
    return {
        pk: Mitra(pk, full or f"{first} {last}".strip() or username)
        for pk, full, first, last, username in rows
    }


@dataclass(frozen=True)
class ProposedMitra:
    member: Mitra
    rating: Decimal | None
    load: int
    """rupiah already earned in the activity's months"""


@dataclass(frozen=True)
class OverCapMitra:
    member: Mitra
    rating: Decimal | None
    check: CapCheck


@dataclass(frozen=True)
class PlaceProposal:
    """What is proposed for one role of the activity."""

    role: ActivityRole
    quantity: int
    open: int
    proposed: tuple[ProposedMitra, ...]
    over_cap: tuple[OverCapMitra, ...]
    shortfall: Shortfall | None

    @property
    def unfilled(self) -> int:
        return self.open - len(self.proposed)

    @property
    def amount(self) -> int:
        return self.role.rate * self.quantity


@dataclass(frozen=True)
class ActivityProposal:
    activity: Activity
    places: tuple[PlaceProposal, ...]
    candidates: int

    @property
    def proposed(self) -> int:
        return sum(len(place.proposed) for place in self.places)

    @property
    def unfilled(self) -> int:
        return sum(place.unfilled for place in self.places)


def pool_year(activity: Activity) -> int:
    """The pool an activity draws from: that of the year it starts in."""
    return activity.starts_on.year


def _pool(activity: Activity, regencies: Iterable[str]) -> QuerySet[PoolMember]:
    return PoolMember.objects.filter(
        agency_id__in=pool_agency_ids(activity),
        year=pool_year(activity),
        domicile_regency__in=sorted(set(regencies)),
    )


def proposal_cap_tables(activity: Activity) -> dict[int, dict[int, CapTableRules]]:
    """The cap tables of every year the activity runs in, by office then year, of each office
    whose pool has members living in the activity's regencies. Refuses "no_cap_table" when
    the activity's own agency lacks a year, "no_cap_table_office" naming another office."""
    regencies = ActivityRole.objects.filter(activity=activity).values_list("regency", flat=True)
    offices = sorted(
        set(_pool(activity, regencies).order_by().values_list("agency_id", flat=True).distinct())
    )
    years = sorted({year for year, _month in activity.months()})
    stored: dict[int, dict[int, CapTableRules]] = {office: {} for office in offices}
    for table in CapTable.objects.filter(agency_id__in=offices, year__in=years):
        stored[table.agency_id][table.year] = table.table()
    for office in offices:
        for year in years:
            if year in stored[office]:
                continue
            if office == activity.agency_id:
                raise PoolRefused("no_cap_table", params=year)
            name = Agency.objects.get(pk=office).name
            raise PoolRefused("no_cap_table_office", params={"office": name, "year": year})
    return stored


def _open_places(activity: Activity) -> list[tuple[ActivityRole, int]]:
    roles = (
        ActivityRole.objects.filter(activity=activity)
        .annotate(filled=Count("assignments"))
        .order_by("regency", "role")
    )
    places: list[tuple[ActivityRole, int]] = []
    for role in roles:
        role.activity = activity
        places.append((role, max(0, role.needed - role.filled)))
    return places


def activity_proposal(*, activity: Activity, quantities: Mapping[int, int]) -> ActivityProposal:
    """The proposal for the open places of `activity`; `quantities` gives the quantity per
    mitra by role id (a role left out takes `default_quantity`). Refuses "quantity" for a role
    with open places and no quantity, and "no_cap_table" (see the module's decisions)."""
    months = activity.months()
    tables = proposal_cap_tables(activity)
    places = _open_places(activity)
    chosen: dict[int, int] = {}
    for role, open_places in places:
        quantity = quantities.get(role.pk, default_quantity(role, len(months)))
        if open_places and (quantity is None or quantity < 1):
            raise PoolRefused("quantity")
        chosen[role.pk] = quantity or 1
    open_roles = [(role, count) for role, count in places if count]
    pool = _pool(activity, (role.regency for role, _count in open_roles))
    users = pool.values("user_id")
    assigned = set(
        Assignment.objects.filter(activity=activity).values_list("member__user_id", flat=True)
    )
    ratings = yearly_ratings(
        agency_ids=pool_agency_ids(activity), year=pool_year(activity) - 1, user_ids=users
    )
    earned = earnings(user_ids=users, months=months)
    members = list(pool.values_list("pk", "agency_id", "user_id", "domicile_regency"))
    user_of = {pk: (office, user_id) for pk, office, user_id, _regency in members}
    candidates = [
        Candidate(
            mitra=pk,
            regency=regency,
            rating=ratings.get((office, user_id)),
            earned=earned.get(user_id, {}),
            assigned=user_id in assigned,
            office=office,
        )
        for pk, office, user_id, regency in members
    ]
    slots = [
        Slot(
            regency=role.regency,
            needed=count,
            assignment=PaidWork(
                role=RuleRole(role.role),
                unit=RulePayUnit(role.unit),
                rate=role.rate,
                quantity=chosen[role.pk],
                months=months,
            ),
        )
        for role, count in open_roles
    ]
    proposal = propose(
        table=tables.get(activity.agency_id, {}),
        slots=slots,
        candidates=candidates,
        office_tables=tables,
    )
    named = {mitra for slot in proposal.slots for mitra in slot.proposed} | {
        over.mitra for slot in proposal.slots for over in slot.over_cap
    }
    found = mitra_names(named)

    def rating_of(mitra: int) -> Decimal | None:
        return ratings.get(user_of[mitra])

    def load_of(mitra: int) -> int:
        return sum(earned.get(user_of[mitra][1], {}).get(month, 0) for month in months)

    by_place = {(slot.regency, str(slot.role)): slot for slot in proposal.slots}
    results = []
    for role, count in places:
        slot = by_place.get((role.regency, role.role))
        results.append(
            PlaceProposal(
                role=role,
                quantity=chosen[role.pk],
                open=count,
                proposed=tuple(
                    ProposedMitra(found[mitra], rating_of(mitra), load_of(mitra))
                    for mitra in (slot.proposed if slot else ())
                ),
                over_cap=tuple(
                    OverCapMitra(found[over.mitra], rating_of(over.mitra), over.check)
                    for over in (slot.over_cap if slot else ())
                ),
                shortfall=slot.shortfall if slot else None,
            )
        )
    return ActivityProposal(activity=activity, places=tuple(results), candidates=len(candidates))


@dataclass(frozen=True)
class AcceptOutcome:
    assigned: tuple[Assignment, ...]
    refused: tuple[tuple[PoolMember, ActivityRole, PoolRefused], ...]


def proposal_accept(
    *,
    activity: Activity,
    actor: Any,
    choices: Iterable[tuple[int, int]],
    quantities: Mapping[int, int],
) -> AcceptOutcome:
    """Assigns each (role id, pool member id) of `choices` with the role's quantity (see the
    module's decisions); returns who was assigned and who was refused, with the refusal."""
    if not user_manages_pool(actor, activity.agency):
        raise PoolRefused("forbidden")
    offices = set(pool_agency_ids(activity))
    choices = list(dict.fromkeys(choices))
    roles = {role.pk: role for role in ActivityRole.objects.filter(activity=activity)}
    for role in roles.values():
        role.activity = activity
    members = PoolMember.objects.select_related("user").in_bulk(
        sorted({member for _role, member in choices})
    )
    for role_id, member_id in choices:
        member = members.get(member_id)
        if role_id not in roles or member is None or member.agency_id not in offices:
            raise PoolRefused("proposal_unknown")
        quantity = quantities.get(role_id)
        if quantity is None or quantity < 1:
            raise PoolRefused("quantity")
    assigned: list[Assignment] = []
    refused: list[tuple[PoolMember, ActivityRole, PoolRefused]] = []
    for role_id, member_id in choices:
        role, member = roles[role_id], members[member_id]
        try:
            assigned.append(
                assignment_add(
                    activity_role=role,
                    member=member,
                    actor=actor,
                    quantity=quantities[role_id],
                )
            )
        except PoolRefused as refusal:
            refused.append((member, role, refusal))
    return AcceptOutcome(assigned=tuple(assigned), refused=tuple(refused))
