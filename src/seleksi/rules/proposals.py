"""Proposing mitra for the places of a survey activity, by area, rating and current load.

An activity needs, in each regency (kabupaten/kota) it covers, a number of mitra in each role
(PPL enumerator, PML supervisor). `propose` picks them from the office's pool; the office then
confirms the proposal or changes it by hand. Nothing here reads or writes the database.

Decisions worth knowing:

- By area only: a place of a regency is proposed only to mitra whose domicile is that regency.
  Nobody is brought in from a neighbouring regency; a place left open says why instead.
- Never over the cap: a mitra whose assignment to the place would take them over the cap of
  its role in any month (what they already earn in that month plus what the place pays, as in
  `honorarium.cap_check`) is not proposed. Such mitra are listed with the place, in the same
  order of preference and with the figures of the warning, so the office can still choose
  them by hand (and confirm with a reason, as for any assignment over the cap).
- Order of preference among the mitra of the regency who stay within the cap: higher yearly
  rating first, mitra without a rating after every rated one; then the lower current load (the
  rupiah already earned in the activity's months, from every other activity); then the lower
  mitra id, so that ties are broken the same way every time. Ratings are compared exactly
  (Decimal and Fraction alike); a NaN or infinite rating of a mitra in the activity's area is
  refused.
- The activity's months are those of its places' assignments. `table` is one cap table or the
  tables by year: an activity running into a second year (a survey from November to February)
  checks each month against the table of its own year, as the pool's services do when an
  assignment is added. A month whose year has no table is refused
  (`honorarium.HonorariumDataError`), as the cap check needs.
- The cap of a mitra is that of their own office: a province office's activity takes mitra
  from the pools of the offices below it, each checked against its office's tables
  (`office_tables`, by `Candidate.office`); a candidate without an office is checked against
  `table`.
- A mitra is proposed for at most one place of the activity, and mitra already assigned to it
  are left out. When a regency needs both roles, its PML places are filled before its PPL
  places: the supervisors are fewer and the order puts the best rated among them. The cap
  and the pay differ by role, so a mitra listed as over the cap for a PML place may still be
  proposed for a PPL place of the same regency; the list keeps them.
- An open place gives its reason: everyone left in the regency would go over the cap (the
  place's over-cap list is not empty), or nobody is left in the regency at all.
- The proposal does not depend on the order of the input: places come out by regency, then
  PML before PPL, and within a place in the order of preference.
- Cost: the pool is grouped by regency once and each group sorted once (O(n log n)); each
  place then walks its regency's group once, so a regency's group is walked at most once per
  role.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from seleksi.rules.honorarium import (
    Assignment,
    CapCheck,
    CapTable,
    HonorariumDataError,
    HonorariumProblem,
    MonthCheck,
    Problem,
    Role,
    YearMonth,
    cap_check,
)

ROLE_ORDER = (Role.PML, Role.PPL)
"""The order in which the places of one regency are filled and listed."""


class ProposalError(ValueError):
    """Input the proposal refuses: a place given twice, a mitra given twice, a negative number
    needed, a rating that is not a finite number."""


class Shortfall(StrEnum):
    """Why places of a slot are left open."""

    NOBODY_IN_AREA = "nobody_in_area"
    EVERYONE_OVER_CAP = "everyone_over_cap"


@dataclass(frozen=True, slots=True)
class Slot:
    """The places of one role in one regency: how many mitra are needed and what each one's
    assignment is (role, pay unit, rate, quantity, the activity's months)."""

    regency: str
    needed: int
    assignment: Assignment

    def __post_init__(self) -> None:
        if isinstance(self.needed, bool) or not isinstance(self.needed, int) or self.needed < 0:
            raise ProposalError(f"{self.regency} {self.role}: needed must be a whole number")

    @property
    def role(self) -> Role:
        return self.assignment.role


@dataclass(frozen=True)
class Candidate:
    """A mitra of the pool: id, domicile regency, yearly rating (None without rated work), what
    they already earn per month from other activities (whole rupiah), whether they are
    already assigned to this activity, and the office whose cap tables apply to them (None:
    the proposal's own `table`)."""

    mitra: int
    regency: str
    rating: Decimal | Fraction | None
    earned: Mapping[YearMonth, int] = field(default_factory=dict)
    assigned: bool = False
    office: int | None = None


@dataclass(frozen=True, slots=True)
class OverCap:
    """A mitra of the regency whom the place would take over the cap, with the warning's
    figures."""

    mitra: int
    check: CapCheck


@dataclass(frozen=True, slots=True)
class SlotProposal:
    """What is proposed for one slot: the mitra in order of preference, the mitra who would go
    over the cap, and how many places stay open and why."""

    regency: str
    role: Role
    needed: int
    proposed: tuple[int, ...]
    over_cap: tuple[OverCap, ...]
    shortfall: Shortfall | None

    @property
    def unfilled(self) -> int:
        return self.needed - len(self.proposed)


@dataclass(frozen=True, slots=True)
class Proposal:
    slots: tuple[SlotProposal, ...]

    @property
    def proposed(self) -> int:
        return sum(len(slot.proposed) for slot in self.slots)

    @property
    def unfilled(self) -> int:
        return sum(slot.unfilled for slot in self.slots)

    def slot(self, regency: str, role: Role | str) -> SlotProposal:
        for slot in self.slots:
            if slot.regency == regency and slot.role == role:
                return slot
        raise KeyError((regency, role))


type PreferenceKey = tuple[bool, Decimal | Fraction, int, int]


def _negated(rating: Decimal | Fraction, mitra: int) -> Decimal | Fraction:
    """-rating, exactly: a finite Decimal stays a Decimal (negated without the context's
    rounding), anything else becomes a Fraction. Decimal and Fraction compare exactly with
    each other, and Decimals sort far faster than Fractions."""
    if isinstance(rating, Decimal):
        if not rating.is_finite():
            raise ProposalError(f"mitra {mitra}: rating {rating!r} is not a finite number")
        return rating.copy_negate()
    try:
        return -Fraction(rating)
    except (ValueError, OverflowError, TypeError) as error:
        raise ProposalError(f"mitra {mitra}: rating {rating!r} is not a finite number") from error


def preference_key(candidate: Candidate, months: Iterable[YearMonth]) -> PreferenceKey:
    """The sort key of the order of preference: rated before unrated, higher rating, lower load
    over `months` (the activity's months), lower mitra id."""
    rating = candidate.rating
    negated = Fraction(0) if rating is None else _negated(rating, candidate.mitra)
    load = sum(candidate.earned.get(month, 0) for month in months)
    return (rating is None, negated, load, candidate.mitra)


type Tables = CapTable | Mapping[int, CapTable]
"""One cap table, or the cap tables by year."""


def tables_by_year(table: Tables) -> dict[int, CapTable]:
    """The tables keyed by their year; a ProposalError when a key is not its table's year."""
    if isinstance(table, CapTable):
        return {table.year: table}
    tables = dict(table)
    for year, held in tables.items():
        if held.year != year:
            raise ProposalError(f"the table of {held.year} is given as the table of {year}")
    return tables


def _table_of(tables: Mapping[int, CapTable], month: YearMonth) -> CapTable:
    found = tables.get(month[0])
    if found is None:
        known = ", ".join(str(year) for year in sorted(tables)) or "none"
        where = f"month {month[0]}-{month[1]:02d}"
        problem = Problem(
            HonorariumProblem.OUTSIDE_YEAR, where, (("month", month), ("year", known))
        )
        raise HonorariumDataError([problem])
    return found


def cap_check_by_year(
    *,
    tables: Mapping[int, CapTable],
    role: Role | str,
    existing: Mapping[YearMonth, int],
    added: Mapping[YearMonth, int],
) -> CapCheck:
    """`honorarium.cap_check` with each month of `added` checked against its year's table."""
    rows: list[MonthCheck] = []
    for year in sorted({month[0] for month in added}):
        table = _table_of(tables, (year, 1))
        of_year = {month: pay for month, pay in added.items() if month[0] == year}
        rows += cap_check(table=table, role=role, existing=existing, added=of_year).months
    return CapCheck(Role(role), tuple(rows))


def propose(
    *,
    table: Tables,
    slots: Sequence[Slot],
    candidates: Iterable[Candidate],
    office_tables: Mapping[int, Tables] | None = None,
) -> Proposal:
    """The proposal for an activity's `slots` from the pool `candidates`, checked against the
    caps of `table` (one table, or the tables by year), or of `office_tables[office]` for a
    candidate of that office; see the module docstring for the order of preference."""
    tables = _Caps(table, office_tables or {})
    by_place: dict[tuple[str, Role], Slot] = {}
    for slot in slots:
        place = (slot.regency, slot.role)
        if place in by_place:
            raise ProposalError(f"{slot.regency} {slot.role}: the place is given twice")
        by_place[place] = slot
    months = sorted({month for slot in slots for month in slot.assignment.months})
    regencies = {slot.regency for slot in slots}

    groups: dict[str, list[tuple[PreferenceKey, Candidate]]] = {}
    seen: set[int] = set()
    for candidate in candidates:
        if candidate.mitra in seen:
            raise ProposalError(f"mitra {candidate.mitra} is given twice")
        seen.add(candidate.mitra)
        if candidate.assigned or candidate.regency not in regencies:
            continue
        key = preference_key(candidate, months)
        groups.setdefault(candidate.regency, []).append((key, candidate))

    results: list[SlotProposal] = []
    for regency in sorted(regencies):
        group = [candidate for _, candidate in sorted(groups.get(regency, ()), key=_first)]
        taken: set[int] = set()
        for role in ROLE_ORDER:
            wanted = by_place.get((regency, role))
            if wanted is not None:
                results.append(_fill(tables, wanted, group, taken))
    return Proposal(tuple(results))


def _first(pair: tuple[PreferenceKey, Candidate]) -> PreferenceKey:
    return pair[0]


class _Caps:
    """The cap tables by year of the proposal and of each office, read lazily: a set of tables
    no candidate uses is never asked for a month."""

    def __init__(self, table: Tables, office_tables: Mapping[int, Tables]) -> None:
        self.default = tables_by_year(table)
        self.offices = {office: tables_by_year(held) for office, held in office_tables.items()}

    def of(self, candidate: Candidate) -> Mapping[int, CapTable]:
        if candidate.office is None:
            return self.default
        found = self.offices.get(candidate.office)
        if found is None:
            raise ProposalError(f"mitra {candidate.mitra}: no tables of office {candidate.office}")
        return found


def _fill(tables: _Caps, slot: Slot, group: list[Candidate], taken: set[int]) -> SlotProposal:
    added = slot.assignment.earnings()
    limits_of: dict[int | None, tuple[tuple[YearMonth, int], ...]] = {}
    proposed: list[int] = []
    over: list[OverCap] = []
    for candidate in group:
        if candidate.mitra in taken:
            continue
        limits = limits_of.get(candidate.office)
        if limits is None:
            held = tables.of(candidate)
            limits = tuple(
                (month, _table_of(held, month).cap(slot.role, month) - pay)
                for month, pay in added.items()
            )
            limits_of[candidate.office] = limits
        earned = candidate.earned
        if all(earned.get(month, 0) <= limit for month, limit in limits):
            if len(proposed) < slot.needed:
                proposed.append(candidate.mitra)
                taken.add(candidate.mitra)
            continue
        check = cap_check_by_year(
            tables=tables.of(candidate), role=slot.role, existing=earned, added=added
        )
        over.append(OverCap(candidate.mitra, check))
    shortfall = None
    if len(proposed) < slot.needed:
        shortfall = Shortfall.EVERYONE_OVER_CAP if over else Shortfall.NOBODY_IN_AREA
    return SlotProposal(
        regency=slot.regency,
        role=slot.role,
        needed=slot.needed,
        proposed=tuple(proposed),
        over_cap=tuple(over),
        shortfall=shortfall,
    )
