"""The agency's reports on one selection (laporan): applicants per formation and stage, pass
rates, objections, absences and registrations per day, read for the committee's report page
and its workbook.

Decisions worth knowing:

- Every figure comes from a fixed number of grouped queries (`values(...).annotate(Count(...,
  filter=Q(...)))`, grouped by formation, session or day), whatever the number of formations:
  the 1,048 formations of a national allocation cost the same ten queries as three. Totals
  and the rates per procurement type are sums of the per-formation lines, so a total always
  equals the sum of the lines shown.
- Administrative MS and TMS are the committee's current decision (`admin_result`) of the
  applications whose check is final (checked, published, objected, answered, final): an
  accepted objection counts as MS. Submitted applications still being checked are counted
  as "in verification".
- Attendance at a test stage is the check-in's when one was recorded (`Booking.attendance`,
  as the ranking reads it); otherwise the imported score's (`Score.attendance`), first round
  only, so a PPPK re-test round does not count the same person twice.
- "Passed" reads the latest confirmed ranking run of each stage (an unconfirmed run decides
  nothing): P/L and P for SKD, L and L-2 for the final, PPPK and mitra runs. A row counts in
  the formation the person applied to; an L-2 placement elsewhere shows on the run's page.
  A run with confirmed withdrawals also shows them (APS, DIS, in the leaver's formation) and
  its replacements (in the formation of the one who takes the seat); the codes and the rates
  stay the run's own, as it was confirmed.
- Rates are exact: integer arithmetic rounded half up to one decimal (`percentage`), and no
  rate at all ("–") when nothing was counted below the line. The final rate's denominator is
  the ranked rows (those with a rank): absent participants and those below the pass marks
  have none.
- Days are the agency's days: a submission at 23:30 WIB on the 1st counts on the 1st even
  though it is the 1st at 16:30 UTC.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from seleksi.applications.models import Application
from seleksi.exams.models import STAGES as TEST_STAGES
from seleksi.exams.models import Booking
from seleksi.rules.formations import ProcurementType
from seleksi.rules.ranking import Outcome
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.scoring.models import RankingRow, RankingRun, Score, Withdrawal
from seleksi.selections.models import PROCUREMENT_TYPES, Formation, Selection
from seleksi.verification.models import Objection

DECIDED_STAGES: tuple[str, ...] = (
    AdminStage.CHECKED,
    AdminStage.PUBLISHED,
    AdminStage.OBJECTED,
    AdminStage.ANSWERED,
    AdminStage.FINAL,
)
"""Administrative stages in which the decision (`admin_result`) is final."""
PASSING_CODES: dict[str, tuple[str, ...]] = {
    RankingRun.Stage.SKD: (Outcome.WITHIN_CUT, Outcome.OUTSIDE_CUT),
    RankingRun.Stage.FINAL: (Outcome.PASSED, Outcome.PASSED_OPTIMALISASI),
    RankingRun.Stage.PPPK: (Outcome.PASSED, Outcome.PASSED_OPTIMALISASI),
    RankingRun.Stage.MITRA: (Outcome.PASSED, Outcome.PASSED_OPTIMALISASI),
}
"""The outcome codes that pass a run of each stage, in the engine's order."""
FINAL_STAGE: dict[str, str] = {
    ProcurementType.CPNS: RankingRun.Stage.FINAL,
    ProcurementType.PPPK: RankingRun.Stage.PPPK,
    ProcurementType.MITRA: RankingRun.Stage.MITRA,
}
"""The run whose L decides, for each procurement type."""


def submitted_label() -> str:
    """ "Submitted" as a count of applications (the word alone means the registration closed)."""
    return pgettext("count of applications", "Submitted")


def percentage(numerator: int, denominator: int) -> Decimal | None:
    """`numerator` as a percentage of `denominator` with one decimal, rounded half up, computed
    on integers; None when `denominator` is 0 (shown as "–"). Both are counts (not negative)."""
    if denominator == 0:
        return None
    tenths, remainder = divmod(numerator * 1000, denominator)
    if 2 * remainder >= denominator:
        tenths += 1
    return Decimal(tenths).scaleb(-1)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        return percentage(self.numerator, self.denominator)


@dataclass(frozen=True)
class Column:
    """One count of the per-formation table: `key` in `FormationLine.counts`."""

    key: str
    label: str
    group: str


@dataclass
class FormationLine:
    formation_id: int
    code: str
    position: str
    procurement_type: str
    quota: int | None
    counts: Counter[str] = field(default_factory=Counter)

    def cells(self, columns: list[Column]) -> list[int]:
        return [self.counts[column.key] for column in columns]


@dataclass(frozen=True)
class ConfirmedRun:
    run: RankingRun
    codes: tuple[str, ...]
    """the passing codes counted for it"""
    withdrawals: bool = False
    """whether it has confirmed withdrawals (APS, DIS) and replacements"""

    @property
    def label(self) -> str:
        return _("%(stage)s run #%(number)d") % {
            "stage": self.run.get_stage_display(),
            "number": self.run.pk,
        }


@dataclass(frozen=True)
class PassRates:
    label: str
    """the procurement type, or "All formations\""""
    administrative: Rate
    """MS / submitted"""
    skd: Rate
    """P/L + P of the confirmed SKD run / present at the SKD"""
    final: Rate
    """L + L-2 of the confirmed final run (akhir, PPPK or mitra) / ranked in it"""


@dataclass(frozen=True)
class ObjectionCounts:
    label: str
    filed: int
    accepted: int
    rejected: int
    pending: int
    overdue: int
    """pending, and the day to answer by has passed (agency's date)"""


@dataclass(frozen=True)
class SessionAttendance:
    stage: str
    stage_label: str
    session: str
    """the session's code; empty for imported scores without a check-in here"""
    site: str
    starts_local: datetime | None
    """when the session starts, in the agency's time zone (without a zone)"""
    booked: int
    present: int
    absent: int

    @property
    def not_recorded(self) -> int:
        return self.booked - self.present - self.absent


@dataclass(frozen=True)
class Report:
    selection: Selection
    today: date
    """the agency's date the report was read on"""
    columns: list[Column]
    lines: list[FormationLine]
    totals: Counter[str]
    test_stages: list[tuple[str, str]]
    """(stage, label) of the test stages with any booking or score"""
    runs: list[ConfirmedRun]
    pass_rates: list[PassRates]
    objections: list[ObjectionCounts]
    absences: list[SessionAttendance]
    submissions: list[tuple[date, int]]
    """every day from the first submission to the last, with the submissions that day"""

    @property
    def total_cells(self) -> list[int]:
        return [self.totals[column.key] for column in self.columns]


def agency_report(selection: Selection) -> Report:
    """Every table of the report on `selection` (see the module docstring), in ten queries
    (eight while no ranking run is confirmed)."""
    today = selection.agency.today()
    lines = {
        row["pk"]: FormationLine(
            row["pk"], row["code"], row["position"], row["procurement_type"], row["quota"]
        )
        for row in Formation.objects.filter(selection=selection)
        .order_by("code")
        .values("pk", "code", "position", "procurement_type", "quota")
    }
    _count_applications(selection, lines, today)
    test_stages = _count_attendance(selection, lines)
    runs = _count_passed(selection, lines)
    ordered = list(lines.values())
    totals: Counter[str] = Counter()
    for line in ordered:
        totals.update(line.counts)
    return Report(
        selection=selection,
        today=today,
        columns=_columns(test_stages, runs),
        lines=ordered,
        totals=totals,
        test_stages=test_stages,
        runs=runs,
        pass_rates=_pass_rates(ordered, runs),
        objections=_objections(ordered),
        absences=_absences(selection, test_stages),
        submissions=_submissions(selection),
    )


def _count_applications(selection: Selection, lines: dict[int, FormationLine], today: date) -> None:
    submitted = Q(status=Application.Status.SUBMITTED)
    decided = submitted & Q(admin_stage__in=DECIDED_STAGES)
    objection = Q(objection__isnull=False)
    pending = Q(objection__status=Objection.Status.FILED)
    rows = (
        Application.objects.filter(selection=selection)
        .values("formation_id")
        .order_by()
        .annotate(
            drafts=Count("id", filter=Q(status=Application.Status.DRAFT)),
            submitted=Count("id", filter=submitted),
            in_verification=Count("id", filter=submitted & ~Q(admin_stage__in=DECIDED_STAGES)),
            ms=Count("id", filter=decided & Q(admin_result=Mark.MS)),
            tms=Count("id", filter=decided & Q(admin_result=Mark.TMS)),
            objections_filed=Count("id", filter=objection),
            objections_accepted=Count("id", filter=Q(objection__status=Objection.Status.ACCEPTED)),
            objections_rejected=Count("id", filter=Q(objection__status=Objection.Status.REJECTED)),
            objections_pending=Count("id", filter=pending),
            objections_overdue=Count("id", filter=pending & Q(objection__answer_due_on__lt=today)),
        )
    )
    for row in rows:
        figures: dict[str, Any] = dict(row)
        counts = lines[figures.pop("formation_id")].counts
        counts.update(figures)


def _count_attendance(
    selection: Selection, lines: dict[int, FormationLine]
) -> list[tuple[str, str]]:
    """Booked, present and absent per formation and test stage; the stages that have any."""
    stages: set[str] = set()
    bookings = (
        Booking.objects.filter(selection=selection)
        .values("application__formation_id", "stage")
        .order_by()
        .annotate(
            booked=Count("id"),
            present=Count("id", filter=Q(attendance=Booking.Attendance.PRESENT)),
            absent=Count("id", filter=Q(attendance=Booking.Attendance.ABSENT)),
        )
    )
    for row in bookings:
        stage = row["stage"]
        stages.add(stage)
        counts = lines[row["application__formation_id"]].counts
        for key in ("booked", "present", "absent"):
            counts[f"{key}:{stage}"] += row[key]
    checked_in = Booking.objects.filter(
        application=OuterRef("application"), stage=OuterRef("stage")
    ).exclude(attendance="")
    scores = (
        Score.objects.filter(selection=selection, round=1)
        .exclude(Exists(checked_in))
        .values("application__formation_id", "stage")
        .order_by()
        .annotate(
            present=Count("id", filter=Q(attendance=Score.Attendance.PRESENT)),
            absent=Count("id", filter=Q(attendance=Score.Attendance.ABSENT)),
        )
    )
    for imported in scores:
        stage = imported["stage"]
        stages.add(stage)
        counts = lines[imported["application__formation_id"]].counts
        counts[f"present:{stage}"] += imported["present"]
        counts[f"absent:{stage}"] += imported["absent"]
    return [(stage, str(label)) for stage, label in TEST_STAGES if stage in stages]


def _latest_confirmed_runs(selection: Selection) -> list[RankingRun]:
    latest: dict[str, RankingRun] = {}
    for run in RankingRun.objects.filter(selection=selection, confirmed_at__isnull=False).order_by(
        "confirmed_at", "pk"
    ):
        latest[run.stage] = run
    order = [stage for stage, _label in RankingRun.Stage.choices]
    return sorted(latest.values(), key=lambda run: order.index(run.stage))


def _count_passed(selection: Selection, lines: dict[int, FormationLine]) -> list[ConfirmedRun]:
    """Rows per outcome code and ranked rows of each run, per formation; then the run's
    confirmed withdrawals by reason (APS, DIS) in the leaver's formation and its replacements
    in the formation of the one who takes the seat."""
    runs = _latest_confirmed_runs(selection)
    if not runs:
        return []
    rows = (
        RankingRow.objects.filter(run__in=runs)
        .values("run_id", "application__formation_id", "outcome")
        .order_by()
        .annotate(rows=Count("order"), ranked=Count("order", filter=Q(rank__isnull=False)))
    )
    for row in rows:
        counts = lines[row["application__formation_id"]].counts
        counts[f"run:{row['run_id']}:{row['outcome']}"] += row["rows"]
        counts[f"run:{row['run_id']}:ranked"] += row["ranked"]
    withdrawals = (
        Withdrawal.objects.filter(run__in=runs, confirmed_at__isnull=False)
        .values("run_id", "reason", "application__formation_id", "replacement__formation_id")
        .order_by()
        .annotate(n=Count("id"))
    )
    changed: set[int] = set()
    for withdrawal in withdrawals:
        run_id = withdrawal["run_id"]
        changed.add(run_id)
        leaving = lines[withdrawal["application__formation_id"]].counts
        leaving[f"run:{run_id}:{withdrawal['reason']}"] += withdrawal["n"]
        if withdrawal["replacement__formation_id"] is not None:
            taking = lines[withdrawal["replacement__formation_id"]].counts
            taking[f"run:{run_id}:replacements"] += withdrawal["n"]
    return [
        ConfirmedRun(run, PASSING_CODES[run.stage], withdrawals=run.pk in changed) for run in runs
    ]


def _columns(test_stages: list[tuple[str, str]], runs: list[ConfirmedRun]) -> list[Column]:
    application = _("Applications")
    administrative = _("Administrative selection")
    objections = _("Objections")
    columns = [
        Column("drafts", _("Drafts"), application),
        Column("submitted", submitted_label(), application),
        Column("in_verification", _("In verification"), administrative),
        Column("ms", _("MS"), administrative),
        Column("tms", _("TMS"), administrative),
        Column("objections_filed", _("Filed"), objections),
        Column("objections_accepted", _("Accepted"), objections),
        Column("objections_rejected", _("Rejected"), objections),
    ]
    for stage, label in test_stages:
        columns += [
            Column(f"booked:{stage}", _("Booked"), label),
            Column(f"present:{stage}", _("Present (H)"), label),
            Column(f"absent:{stage}", _("Absent (TH)"), label),
        ]
    for confirmed in runs:
        prefix = f"run:{confirmed.run.pk}:"
        columns += [Column(prefix + code, code, confirmed.label) for code in confirmed.codes]
        if confirmed.withdrawals:
            columns += [
                Column(prefix + reason, reason, confirmed.label)
                for reason in Withdrawal.Reason.values
            ]
            columns.append(Column(prefix + "replacements", _("Replacements"), confirmed.label))
    return columns


def _type_label(procurement_type: str) -> str:
    return str(dict(PROCUREMENT_TYPES).get(procurement_type, procurement_type))


def _type_sums(lines: list[FormationLine]) -> list[tuple[str, Counter[str]]]:
    """(procurement type, summed counts) for each type with formations, in the usual order."""
    sums: dict[str, Counter[str]] = {}
    for line in lines:
        sums.setdefault(line.procurement_type, Counter()).update(line.counts)
    order = [value for value, _label in PROCUREMENT_TYPES]
    return sorted(sums.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99)


def _by_type(lines: list[FormationLine]) -> list[tuple[str, Counter[str]]]:
    """(label, summed counts) for each procurement type with formations, then all of them."""
    total: Counter[str] = Counter()
    for line in lines:
        total.update(line.counts)
    groups = [(_type_label(kind), counts) for kind, counts in _type_sums(lines)]
    return [*groups, (_("All formations"), total)]


def _pass_rates(lines: list[FormationLine], runs: list[ConfirmedRun]) -> list[PassRates]:
    by_stage = {confirmed.run.stage: confirmed for confirmed in runs}
    skd = by_stage.get(RankingRun.Stage.SKD)
    result = []

    def final_counts(kind: str, counts: Counter[str]) -> tuple[int, int]:
        confirmed = by_stage.get(FINAL_STAGE.get(kind, ""))
        if confirmed is None:
            return 0, 0
        prefix = f"run:{confirmed.run.pk}:"
        return sum(counts[prefix + code] for code in confirmed.codes), counts[prefix + "ranked"]

    def skd_passed(counts: Counter[str]) -> int:
        if skd is None:
            return 0
        return sum(counts[f"run:{skd.run.pk}:{code}"] for code in skd.codes)

    overall = [0, 0, 0, 0, 0, 0]
    for kind, counts in _type_sums(lines):
        final_passed, ranked = final_counts(kind, counts)
        figures = (
            counts["ms"],
            counts["submitted"],
            skd_passed(counts),
            counts[f"present:{RankingRun.Stage.SKD}"],
            final_passed,
            ranked,
        )
        overall = [a + b for a, b in zip(overall, figures, strict=True)]
        result.append(_rates(_type_label(kind), figures))
    result.append(_rates(_("All formations"), tuple(overall)))
    return result


def _rates(label: str, figures: tuple[int, ...] | list[int]) -> PassRates:
    return PassRates(
        label,
        administrative=Rate(figures[0], figures[1]),
        skd=Rate(figures[2], figures[3]),
        final=Rate(figures[4], figures[5]),
    )


def _objections(lines: list[FormationLine]) -> list[ObjectionCounts]:
    return [
        ObjectionCounts(
            label,
            filed=counts["objections_filed"],
            accepted=counts["objections_accepted"],
            rejected=counts["objections_rejected"],
            pending=counts["objections_pending"],
            overdue=counts["objections_overdue"],
        )
        for label, counts in _by_type(lines)
    ]


def _absences(selection: Selection, test_stages: list[tuple[str, str]]) -> list[SessionAttendance]:
    """Attendance per session of each test stage (the check-in), then per stage the imported
    scores of participants without a check-in here; in the stages' order."""
    labels = dict(test_stages)
    zone = ZoneInfo(selection.agency.time_zone)
    sessions = (
        Booking.objects.filter(selection=selection)
        .values("stage", "session__code", "session__site__name", "session__starts_at")
        .order_by()
        .annotate(
            booked=Count("id"),
            present=Count("id", filter=Q(attendance=Booking.Attendance.PRESENT)),
            absent=Count("id", filter=Q(attendance=Booking.Attendance.ABSENT)),
        )
    )
    rows = [
        SessionAttendance(
            stage=row["stage"],
            stage_label=labels.get(row["stage"], row["stage"]),
            session=row["session__code"],
            site=row["session__site__name"],
            starts_local=timezone.localtime(row["session__starts_at"], zone).replace(tzinfo=None),
            booked=row["booked"],
            present=row["present"],
            absent=row["absent"],
        )
        for row in sessions
    ]
    checked_in = Booking.objects.filter(
        application=OuterRef("application"), stage=OuterRef("stage")
    ).exclude(attendance="")
    imported = (
        Score.objects.filter(selection=selection, round=1)
        .exclude(Exists(checked_in))
        .values("stage")
        .order_by()
        .annotate(
            present=Count("id", filter=Q(attendance=Score.Attendance.PRESENT)),
            absent=Count("id", filter=Q(attendance=Score.Attendance.ABSENT)),
        )
    )
    rows += [
        SessionAttendance(
            stage=row["stage"],
            stage_label=labels.get(row["stage"], row["stage"]),
            session="",
            site=_("Imported scores, no check-in here"),
            starts_local=None,
            booked=row["present"] + row["absent"],
            present=row["present"],
            absent=row["absent"],
        )
        for row in imported
    ]
    order = [stage for stage, _label in test_stages]

    def key(row: SessionAttendance) -> tuple[Any, ...]:
        stage = order.index(row.stage) if row.stage in order else len(order)
        return (stage, row.starts_local is None, row.starts_local or datetime.min, row.session)

    return sorted(rows, key=key)


def _submissions(selection: Selection) -> list[tuple[date, int]]:
    zone = ZoneInfo(selection.agency.time_zone)
    per_day: dict[date, int] = {
        row["day"]: row["n"]
        for row in Application.objects.filter(
            selection=selection, status=Application.Status.SUBMITTED, submitted_at__isnull=False
        )
        .annotate(day=TruncDate("submitted_at", tzinfo=zone))
        .values("day")
        .order_by()
        .annotate(n=Count("id"))
    }
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    days = (last - first).days + 1
    return [
        (first + timedelta(days=offset), per_day.get(first + timedelta(days=offset), 0))
        for offset in range(days)
    ]


def stage_absences(report: Report) -> list[tuple[str, int, int]]:
    """(stage label, present, absent) for each test stage, from the formation totals."""
    return [
        (label, report.totals[f"present:{stage}"], report.totals[f"absent:{stage}"])
        for stage, label in report.test_stages
    ]


def funnel(report: Report) -> list[tuple[str, int]]:
    """The totals that make the applicants chart: from drafts to those passed."""
    totals = report.totals
    bars = [
        (_("Drafts"), totals["drafts"]),
        (submitted_label(), totals["submitted"]),
        (_("Administrative MS"), totals["ms"]),
        (_("Administrative TMS"), totals["tms"]),
        (_("Objections filed"), totals["objections_filed"]),
    ]
    for stage, label in report.test_stages:
        bars.append((_("%(stage)s: present") % {"stage": label}, totals[f"present:{stage}"]))
    for confirmed in report.runs:
        for code in confirmed.codes:
            bars.append(
                (
                    _("%(run)s: %(code)s") % {"run": confirmed.label, "code": code},
                    totals[f"run:{confirmed.run.pk}:{code}"],
                )
            )
    return bars
