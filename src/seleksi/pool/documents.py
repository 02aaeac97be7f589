"""What the printed documents of an assignment say, and the honorarium recap of a year: the
work contract (SPK, Surat Perjanjian Kerja), the hand-over record (BAST, Berita Acara Serah
Terima Pekerjaan) and the recap finance pays from (rekap honorarium). Reads only; the pages
render them.

Decisions worth knowing:

- Numbers: a document's number is derived, not stored: "<activity>.<assignment>/SPK/<AGENCY
  CODE>/<year the activity starts>" (BAST for the hand-over record). Both ids are fixed once
  the assignment exists, so every reprint carries the same number, and no counter has to be
  kept in step between staff printing at once. The number says nothing about the mitra.
- Dates: the contract is dated the day the assignment was made, in the agency's zone (the
  day the office engaged the mitra; stable across reprints); the hand-over record is dated
  the activity's last day.
- NIK: the contract prints the NIK masked as everywhere else the project prints it (the
  resume, the account card): the regency digits and asterisks. The full NIK never reaches a
  document (it is masked as it is decrypted), so a lost or forwarded copy gives nothing
  away; the mitra shows the e-KTP when signing, which is where a contract's identity check
  happens. The recap carries no NIK at all (a masked NIK tells no two mitra of one regency
  apart); it numbers mitra by their account id.
- Money: the contract amount is the assignment's (rate x quantity), paid per month as
  `rules.honorarium.spread` divides it over the activity's months. The hand-over record and
  the recap use, per month, the amount the office recorded (`Earning`) where there is one and
  the spread estimate otherwise: the same rule as every earnings figure of the pool
  (`figures.pay_by_month`), but over the agency's own assignments only, since finance pays
  what its own office owes.
- The recap of a year holds every assignment of the agency's activities that pay into that
  year (an activity running into the next year shows its months of each year in that year's
  recap), in a fixed number of queries whatever the size of the pool. A month of a mitra is
  over the cap when what the agency pays them in it passes the cap of their highest-paid
  role that month (the PML cap when they supervise in one activity and enumerate in another);
  without a cap table for the year nothing is marked. Assignments confirmed over the cap
  carry the recorded reason.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from seleksi.agencies.models import Agency
from seleksi.pool.figures import (
    estimate,
    months_of,
    months_of_text,
    pay_by_month,
    recorded_amounts,
)
from seleksi.pool.models import Activity, Assignment, CapTable, Earning, PayUnit, Role
from seleksi.pool.selectors import regency_names
from seleksi.reference.models import Regency
from seleksi.rules.honorarium import MONTHS
from seleksi.rules.terbilang import rupiah_words

CONTRACT = "SPK"
HANDOVER = "BAST"


@dataclass(frozen=True, slots=True)
class MonthPay:
    """What an assignment pays in one month, whole rupiah; `recorded` when the office recorded
    it rather than the spread estimate."""

    month: date
    amount: int
    recorded: bool


@dataclass(frozen=True)
class WorkDocument:
    """Everything the SPK and the BAST of one assignment print; the labels (role, pay unit)
    are in the language active when it is made."""

    assignment_id: int
    agency: Agency
    contract_number: str
    handover_number: str
    contract_date: date
    handover_date: date
    mitra_name: str
    nik_masked: str
    domicile: str
    activity_name: str
    role: str
    role_label: str
    area: str
    starts_on: date
    ends_on: date
    quantity: int
    unit: str
    unit_label: str
    rate: int
    amount: int
    amount_words: str
    schedule: tuple[MonthPay, ...]
    handed_over: tuple[MonthPay, ...]
    handover_total: int
    handover_words: str

    @property
    def any_recorded(self) -> bool:
        return any(pay.recorded for pay in self.handed_over)


def document_number(assignment: Assignment, kind: str) -> str:
    """The derived number of the assignment's SPK or BAST (see the module's decisions)."""
    activity = assignment.activity
    return (
        f"{activity.pk}.{assignment.pk}/{kind}/{activity.agency.code.upper()}/"
        f"{activity.starts_on.year}"
    )


def _with_document_data(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return assignments.select_related(
        "activity__agency", "activity_role", "member__user", "member__agency"
    )


def assignment_for_documents(pk: int) -> Assignment | None:
    """The assignment with what its documents print; the caller checks that the reader may
    see the activity's agency."""
    return _with_document_data(Assignment.objects.filter(pk=pk)).first()


def own_assignment(*, user: Any, pk: int) -> Assignment | None:
    """The assignment `pk` if it is the mitra `user`'s own (their copy of the SPK and BAST),
    else None: another mitra's id finds nothing."""
    if not getattr(user, "is_authenticated", False):
        return None
    return _with_document_data(Assignment.objects.filter(pk=pk, member__user_id=user.pk)).first()


def work_document(assignment: Assignment) -> WorkDocument:
    """What the SPK and BAST of `assignment` say, in two queries (its recorded earnings and
    the regency names) once `assignment_for_documents` has read the rows."""
    activity = assignment.activity
    agency = activity.agency
    role = assignment.activity_role
    user = assignment.member.user
    months = months_of(assignment.months) or activity.months()
    recorded = recorded_amounts(assignment.earnings.all()).get(assignment.pk, {})
    handed_over = tuple(
        MonthPay(date(*month, 1), amount, month in recorded)
        for month, amount in sorted(pay_by_month(assignment.amount, months, recorded).items())
    )
    handover_total = sum(pay.amount for pay in handed_over)
    names = regency_names([role.regency, assignment.member.domicile_regency])
    return WorkDocument(
        assignment_id=assignment.pk,
        agency=agency,
        contract_number=document_number(assignment, CONTRACT),
        handover_number=document_number(assignment, HANDOVER),
        contract_date=agency.date_of(assignment.assigned_at),
        handover_date=activity.ends_on,
        mitra_name=user.full_name or user.get_full_name() or "–",
        nik_masked=user.nik_masked,
        domicile=names.get(assignment.member.domicile_regency, assignment.member.domicile_regency),
        activity_name=activity.name,
        role=role.role,
        role_label=str(Role(role.role).label),
        area=names.get(role.regency, role.regency),
        starts_on=activity.starts_on,
        ends_on=activity.ends_on,
        quantity=assignment.quantity,
        unit=role.unit,
        unit_label=str(PayUnit(role.unit).label),
        rate=role.rate,
        amount=assignment.amount,
        amount_words=rupiah_words(assignment.amount),
        schedule=tuple(
            MonthPay(date(*month, 1), share, False)
            for month, share in estimate(assignment.amount, months).items()
        ),
        handed_over=handed_over,
        handover_total=handover_total,
        handover_words=rupiah_words(handover_total),
    )


# The honorarium recap of a year ------------------------------------------------------------


class RecapLine(NamedTuple):
    """What one assignment pays one mitra in one month of the recap's year. A named tuple:
    a pool's year holds a hundred thousand of them."""

    month: int
    mitra_id: int
    name: str
    activity_id: int
    activity: str
    role: str
    unit: str
    quantity: int
    amount: int
    recorded: bool
    cap: int | None
    over_cap_reason: str


@dataclass(frozen=True, slots=True)
class RecapMitra:
    """One mitra's year: what the agency pays them in each month (twelve amounts) and the
    months (1..12) over the cap."""

    mitra_id: int
    name: str
    regency: str
    roles: tuple[str, ...]
    months: tuple[int, ...]
    over_months: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.months)


@dataclass(frozen=True)
class HonorariumRecap:
    """The agency's honorarium recap of `year`: mitra by name, lines by month, name and
    activity; `caps` the cap table of the year by role (twelve months each), empty without
    one (then nothing is marked)."""

    agency: Agency
    year: int
    caps: tuple[tuple[str, tuple[int, ...]], ...]
    mitra: tuple[RecapMitra, ...]
    lines: tuple[RecapLine, ...]

    @property
    def has_caps(self) -> bool:
        return bool(self.caps)

    @property
    def total(self) -> int:
        return sum(mitra.total for mitra in self.mitra)


def recap_years(*, agency: Agency) -> list[int]:
    """The years the agency's activities run in, newest first: the recaps worth a link."""
    years: set[int] = set()
    for starts_on, ends_on in Activity.objects.filter(agency=agency).values_list(
        "starts_on", "ends_on"
    ):
        years.update(range(starts_on.year, ends_on.year + 1))
    return sorted(years, reverse=True)


def honorarium_recap(*, agency: Agency, year: int) -> HonorariumRecap:
    """The recap of the agency's assignments paying into `year` (see the module's
    decisions), in four queries and one pass over the assignments."""
    assignments = (
        Assignment.objects.filter(
            activity__agency=agency,
            activity__starts_on__lte=date(year, 12, 31),
            activity__ends_on__gte=date(year, 1, 1),
        )
        .order_by()
        .annotate(months_text=Cast("months", output_field=TextField()))
        .values_list(
            "pk",
            "member__user_id",
            "member__user__full_name",
            "member__domicile_regency",
            "activity_id",
            "activity__name",
            "activity_role__role",
            "activity_role__unit",
            "quantity",
            "amount",
            "months_text",
            "over_cap_reason",
        )
    )
    recorded = recorded_amounts(
        Earning.objects.filter(assignment__activity__agency=agency, year=year)
    )
    stored = CapTable.objects.filter(agency=agency, year=year).first()
    caps: dict[str, tuple[int, ...]] = (
        {str(role): amounts for role, amounts in stored.table().caps} if stored else {}
    )
    every_regency = dict(Regency.objects.values_list("code", "name"))

    paid_by_mitra: dict[int, list[int]] = {}
    roles_by_mitra: dict[int, set[str]] = {}
    month_caps_by_mitra: dict[int, dict[int, int]] = {}
    lines_by_mitra: dict[int, list[RecapLine]] = {}
    identity: dict[int, tuple[str, str]] = {}
    activity_names: dict[int, str] = {}
    for (
        pk,
        user_id,
        name,
        regency,
        activity_id,
        activity,
        role,
        unit,
        quantity,
        amount,
        months,
        reason,
    ) in assignments:
        actual = recorded.get(pk) or {}
        # a month recorded outside the assignment's months is paid all the same
        paid = [
            (month[1], share, month in actual)
            for month, share in pay_by_month(amount, months_of_text(months), actual).items()
            if month[0] == year
        ]
        if not paid:
            continue
        amounts = paid_by_mitra.get(user_id)
        if amounts is None:
            amounts = paid_by_mitra[user_id] = [0] * len(MONTHS)
            roles_by_mitra[user_id] = set()
            month_caps_by_mitra[user_id] = {}
            lines_by_mitra[user_id] = []
            identity[user_id] = (name, every_regency.get(regency, regency))
        roles_by_mitra[user_id].add(role)
        month_caps = month_caps_by_mitra[user_id]
        mitra_lines = lines_by_mitra[user_id]
        activity_names[activity_id] = activity
        role_caps = caps.get(role)
        for month, share, done in paid:
            amounts[month - 1] += share
            cap = role_caps[month - 1] if role_caps else None
            if cap is not None and cap > month_caps.get(month, -1):
                month_caps[month] = cap
            mitra_lines.append(
                RecapLine(
                    month,
                    user_id,
                    name,
                    activity_id,
                    activity,
                    role,
                    unit,
                    quantity,
                    share,
                    done,
                    cap,
                    reason,
                )
            )

    mitra = sorted(
        (
            RecapMitra(
                mitra_id=user_id,
                name=identity[user_id][0],
                regency=identity[user_id][1],
                roles=tuple(sorted(roles_by_mitra[user_id])),
                months=tuple(amounts),
                over_months=tuple(
                    month
                    for month, cap in sorted(month_caps_by_mitra[user_id].items())
                    if amounts[month - 1] > cap
                ),
            )
            for user_id, amounts in paid_by_mitra.items()
        ),
        key=lambda row: (row.name.casefold(), row.mitra_id),
    )
    activity_rank = {
        activity_id: rank
        for rank, activity_id in enumerate(
            sorted(activity_names, key=lambda pk: (activity_names[pk].casefold(), pk))
        )
    }
    by_month: list[list[RecapLine]] = [[] for _month in MONTHS]
    for row in mitra:
        for line in sorted(
            lines_by_mitra[row.mitra_id], key=lambda line: activity_rank[line.activity_id]
        ):
            by_month[line.month - 1].append(line)
    lines = [line for month_lines in by_month for line in month_lines]
    return HonorariumRecap(
        agency=agency,
        year=year,
        caps=tuple(sorted(caps.items())),
        mitra=tuple(mitra),
        lines=tuple(lines),
    )
