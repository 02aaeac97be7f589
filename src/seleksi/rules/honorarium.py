"""Honorarium of the mitra pool: the cap table of a year, what an assignment pays in each month,
and whether an assignment takes a mitra over the cap.

All money is whole rupiah (int); nothing here uses floats. A month is `(year, month)`.

Decisions worth knowing:

- The cap table is data (`policies/honorarium/<code>.json`), one per office and year: for each
  role (PPL enumerator, PML supervisor) and each month 1..12 the most a mitra may earn in that
  month. A table must give every month for every role; amounts are whole, non-negative rupiah;
  an unknown role is refused. `cap_table_parse` lists every problem at once.
- The cap is compared with the mitra's whole income of the month, across activities and roles:
  the total of the month (everything already earned plus the new assignment) is checked
  against the cap of the role the mitra holds in the assignment being added. So a mitra who
  is PML in one activity and PPL in another is checked against the PML cap when the PML
  assignment is added and against the PPL cap when the PPL one is. Callers pass in `existing`
  the mitra's earnings from all their other assignments, whatever the role.
- Only the months the new assignment pays into are checked: a month already over the cap
  without the new assignment is not this assignment's warning.
- What an assignment pays: rate x quantity, for each pay unit (documents, person-months, or
  lump sums, whose quantity is normally 1). The amount is spread over the activity's months by
  `spread`: equal whole-rupiah shares, the remainder one rupiah each to the earliest months,
  so the shares always add up to the amount exactly. A person-month assignment whose quantity
  equals its number of months therefore pays exactly the rate in each month. The amounts
  actually recorded per month by the office replace this estimate where they exist.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from itertools import pairwise

from seleksi.rules.policy_files import read_policy, shipped_codes

POLICY_PACKAGE = "seleksi.rules.policies.honorarium"
MONTHS = tuple(range(1, 13))

type YearMonth = tuple[int, int]
"""(year, month), month 1..12."""


class Role(StrEnum):
    """PPL (petugas pendataan lapangan, enumerator) and PML (pemeriksa lapangan, supervisor)."""

    PPL = "ppl"
    PML = "pml"


class PayUnit(StrEnum):
    DOCUMENT = "document"
    PERSON_MONTH = "person_month"
    LUMP_SUM = "lump_sum"


class HonorariumProblem(StrEnum):
    """What is wrong; `where` names the place, the values each message needs are in brackets."""

    EXPECTED_OBJECT = "expected_object"
    MISSING_FIELD = "missing_field"  # field
    UNKNOWN_FIELD = "unknown_field"  # field
    EXPECTED_TEXT = "expected_text"
    EXPECTED_WHOLE = "expected_whole"  # value
    NEGATIVE_AMOUNT = "negative_amount"  # value
    UNKNOWN_ROLE = "unknown_role"  # role, known
    UNKNOWN_UNIT = "unknown_unit"  # unit, known
    NO_ROLES = "no_roles"
    MISSING_MONTH = "missing_month"  # role, month
    UNKNOWN_MONTH = "unknown_month"  # role, month
    NO_MONTHS = "no_months"
    BAD_MONTH = "bad_month"  # month
    DUPLICATE_MONTH = "duplicate_month"  # month
    OUTSIDE_YEAR = "outside_year"  # month, year


@dataclass(frozen=True, slots=True)
class Problem:
    problem: HonorariumProblem
    where: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def values(self) -> dict[str, object]:
        return dict(self.params)

    @property
    def text(self) -> str:
        """Plain English, for logs and commands; pages word `problem` in the reader's language."""
        details = ", ".join(f"{name} {value}" for name, value in self.params)
        return f"{self.where}: {self.problem}" + (f" ({details})" if details else "")


class HonorariumDataError(ValueError):
    """Input the honorarium rules refuse, with every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problem.text for problem in self.problems))


def _refuse(problem: HonorariumProblem, where: str, **params: object) -> HonorariumDataError:
    return HonorariumDataError([Problem(problem, where, tuple(params.items()))])


# The cap table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapTable:
    """The ceiling of each role in each month of `year`, whole rupiah; `caps` holds the twelve
    months of each role in month order."""

    code: str
    version: int
    year: int
    source: str
    note: str
    caps: tuple[tuple[Role, tuple[int, ...]], ...]

    def __post_init__(self) -> None:
        for role, months in self.caps:
            if len(months) != len(MONTHS) or any(amount < 0 for amount in months):
                raise ValueError(f"role {role}: twelve non-negative amounts are needed")

    @property
    def roles(self) -> tuple[Role, ...]:
        return tuple(role for role, _ in self.caps)

    def cap(self, role: Role | str, month: YearMonth) -> int:
        """The ceiling of `role` in `month`; a HonorariumDataError for a month of another year
        or a role the table does not give."""
        year, number = _checked_month(month)
        if year != self.year:
            raise _refuse(
                HonorariumProblem.OUTSIDE_YEAR, "month", month=_label(month), year=self.year
            )
        for held, months in self.caps:
            if held == role:
                return months[number - 1]
        raise _refuse(
            HonorariumProblem.UNKNOWN_ROLE, "role", role=role, known=", ".join(self.roles)
        )


def cap_table_parse(data: object) -> CapTable:
    """A cap table from JSON data: {"code", "version", "year", "source", "note"?, "caps": {role:
    {"1": amount, ..., "12": amount}}}. Every problem is listed in one HonorariumDataError."""
    problems: list[Problem] = []

    def add(problem: HonorariumProblem, where: str, **params: object) -> None:
        problems.append(Problem(problem, where, tuple(params.items())))

    if not isinstance(data, Mapping):
        raise _refuse(HonorariumProblem.EXPECTED_OBJECT, "table")
    required = ("code", "version", "year", "source", "caps")
    for field in required:
        if field not in data:
            add(HonorariumProblem.MISSING_FIELD, "table", field=field)
    for field in sorted(set(data) - set(required) - {"note"}, key=str):
        add(HonorariumProblem.UNKNOWN_FIELD, "table", field=field)
    texts = {}
    for field in ("code", "source", "note"):
        value = data.get(field, "")
        if not isinstance(value, str):
            add(HonorariumProblem.EXPECTED_TEXT, field)
        texts[field] = value if isinstance(value, str) else ""
    whole = {}
    for field in ("version", "year"):
        value = data.get(field, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            add(HonorariumProblem.EXPECTED_WHOLE, field, value=value)
        whole[field] = value if isinstance(value, int) else 0

    caps: list[tuple[Role, tuple[int, ...]]] = []
    table = data.get("caps", {})
    if not isinstance(table, Mapping):
        add(HonorariumProblem.EXPECTED_OBJECT, "caps")
        table = {}
    elif "caps" in data and not table:
        add(HonorariumProblem.NO_ROLES, "caps")
    known = ", ".join(Role)
    for role, months in table.items():
        where = f"caps.{role}"
        if role not in Role.__members__.values():
            add(HonorariumProblem.UNKNOWN_ROLE, where, role=role, known=known)
            continue
        if not isinstance(months, Mapping):
            add(HonorariumProblem.EXPECTED_OBJECT, where)
            continue
        names = {str(month) for month in MONTHS}
        for month in MONTHS:
            if str(month) not in months:
                add(HonorariumProblem.MISSING_MONTH, where, role=role, month=month)
        for extra in sorted(set(map(str, months)) - names):
            add(HonorariumProblem.UNKNOWN_MONTH, where, role=role, month=extra)
        amounts: list[int] = []
        for month in MONTHS:
            amount = months.get(str(month), 0)
            if isinstance(amount, bool) or not isinstance(amount, int):
                add(HonorariumProblem.EXPECTED_WHOLE, f"{where}.{month}", value=amount)
                amount = 0
            elif amount < 0:
                add(HonorariumProblem.NEGATIVE_AMOUNT, f"{where}.{month}", value=amount)
            amounts.append(amount)
        caps.append((Role(role), tuple(amounts)))
    if problems:
        raise HonorariumDataError(problems)
    return CapTable(
        code=texts["code"],
        version=whole["version"],
        year=whole["year"],
        source=texts["source"],
        note=texts["note"],
        caps=tuple(sorted(caps)),
    )


def cap_table_codes() -> tuple[str, ...]:
    """The codes of the tables shipped in `policies/honorarium/`, sorted."""
    return shipped_codes(POLICY_PACKAGE)


@cache
def load_cap_table(code: str) -> CapTable:
    """The shipped table `policies/honorarium/<code>.json`; a LookupError for one not shipped."""
    table = cap_table_parse(read_policy(POLICY_PACKAGE, code, "honorarium cap"))
    if table.code != code:
        raise ValueError(f"{code}.json holds the table {table.code!r}")
    return table


# What assignments pay ------------------------------------------------------------------------


def spread(amount: int, months: Sequence[YearMonth]) -> dict[YearMonth, int]:
    """`amount` rupiah over `months` in whole rupiah: equal shares, the remainder one rupiah
    each to the earliest months; the shares add up to `amount` exactly. The result is in month
    order. Refuses a negative amount, no months, a month twice or a month outside 1..12."""
    _whole_amount(amount, "amount")
    ordered = sorted(_checked_month(month) for month in months)
    if not ordered:
        raise _refuse(HonorariumProblem.NO_MONTHS, "months")
    for earlier, later in pairwise(ordered):
        if earlier == later:
            raise _refuse(HonorariumProblem.DUPLICATE_MONTH, "months", month=_label(later))
    share, remainder = divmod(amount, len(ordered))
    return {month: share + (1 if index < remainder else 0) for index, month in enumerate(ordered)}


@dataclass(frozen=True, slots=True)
class Assignment:
    """One mitra's place in one activity: the role, how it is paid (`unit`), the rate per unit
    in rupiah, the number of units (documents, person-months, lump sums) and the activity's
    months."""

    role: Role
    unit: PayUnit
    rate: int
    quantity: int
    months: tuple[YearMonth, ...]

    def __post_init__(self) -> None:
        if self.role not in Role.__members__.values():
            raise _refuse(
                HonorariumProblem.UNKNOWN_ROLE, "role", role=self.role, known=", ".join(Role)
            )
        if self.unit not in PayUnit.__members__.values():
            raise _refuse(
                HonorariumProblem.UNKNOWN_UNIT, "unit", unit=self.unit, known=", ".join(PayUnit)
            )
        _whole_amount(self.rate, "rate")
        _whole_amount(self.quantity, "quantity")
        spread(0, self.months)  # refuses no months, a month twice or a month outside 1..12

    @property
    def amount(self) -> int:
        """rate x quantity, whole rupiah."""
        return self.rate * self.quantity

    def earnings(self) -> dict[YearMonth, int]:
        """The amount spread over the activity's months."""
        return spread(self.amount, self.months)


def monthly_earnings(assignments: Iterable[Assignment]) -> dict[YearMonth, int]:
    """One mitra's earnings per month over `assignments`, in month order."""
    totals: dict[YearMonth, int] = {}
    for assignment in assignments:
        for month, share in assignment.earnings().items():
            totals[month] = totals.get(month, 0) + share
    return dict(sorted(totals.items()))


# The cap check -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthCheck:
    """One month of a cap check, whole rupiah: total = existing + added; over_by = how far the
    total passes the cap (0 when within it)."""

    month: YearMonth
    cap: int
    existing: int
    added: int
    total: int
    over_by: int


@dataclass(frozen=True, slots=True)
class CapCheck:
    """The figures a warning shows, one row per month the new assignment pays into."""

    role: Role
    months: tuple[MonthCheck, ...]

    @property
    def over(self) -> bool:
        return any(row.over_by > 0 for row in self.months)

    @property
    def over_months(self) -> tuple[MonthCheck, ...]:
        return tuple(row for row in self.months if row.over_by > 0)


def cap_check(
    *,
    table: CapTable,
    role: Role | str,
    existing: Mapping[YearMonth, int],
    added: Mapping[YearMonth, int],
) -> CapCheck:
    """Whether adding `added` (what the new assignment pays per month) to `existing` (what the
    mitra already earns per month, from every activity and role) passes the cap of `role` in
    any month of the table's year. Months of `existing` the assignment does not pay into are
    not checked."""
    if role not in Role.__members__.values():
        raise _refuse(HonorariumProblem.UNKNOWN_ROLE, "role", role=role, known=", ".join(Role))
    rows = []
    for month in sorted(added):
        new = added[month]
        _whole_amount(new, f"added {_label(month)}")
        earned = existing.get(month, 0)
        _whole_amount(earned, f"existing {_label(month)}")
        cap = table.cap(role, month)
        total = earned + new
        rows.append(MonthCheck(month, cap, earned, new, total, max(0, total - cap)))
    return CapCheck(Role(role), tuple(rows))


# Helpers -------------------------------------------------------------------------------------


def _whole_amount(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(HonorariumProblem.EXPECTED_WHOLE, where, value=value)
    if value < 0:
        raise _refuse(HonorariumProblem.NEGATIVE_AMOUNT, where, value=value)
    return value


def _checked_month(month: object) -> YearMonth:
    if (
        isinstance(month, tuple)
        and len(month) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in month)
        and 1 <= month[1] <= 12
    ):
        return (month[0], month[1])
    raise _refuse(HonorariumProblem.BAD_MONTH, "month", month=month)


def _label(month: object) -> str:
    if isinstance(month, tuple) and len(month) == 2:
        return f"{month[0]}-{month[1]:02d}" if isinstance(month[1], int) else str(month)
    return str(month)
