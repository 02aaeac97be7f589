"""Reads for the committee's ranking pages (pemeringkatan): the runs of a selection, one run's
rows, its notes and its CSV export."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from seleksi.core.privacy import masked_name
from seleksi.rules.formations import ProcurementType
from seleksi.rules.rank_files import OUTPUT_COLUMNS
from seleksi.rules.ranking import Outcome, Stage
from seleksi.selections.models import Formation, Selection

from .messages import placement_note, tie_note
from .models import RankingRow, RankingRun, Withdrawal

OUTCOME_ORDER: tuple[str, ...] = ("P/L", "P", "T/L", "L", "L-2", "TL", "TH")

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    RankingRun.Stage.SKD: OUTPUT_COLUMNS[Stage.SKD],
    # The placed formation of an L-2 row is only a note in `seleksi rank-file`; the export keeps
    # rank-file's columns first and adds it last, so the file stays comparable.
    RankingRun.Stage.FINAL: (*OUTPUT_COLUMNS[Stage.FINAL], "kode_formasi_penempatan"),
    RankingRun.Stage.PPPK: OUTPUT_COLUMNS[Stage.PPPK],
    RankingRun.Stage.MITRA: OUTPUT_COLUMNS[Stage.MITRA],
}
CSV_FIELDS: dict[str, tuple[str, ...]] = {
    RankingRun.Stage.SKD: ("twk", "tiu", "tkp", "skd_total"),
    RankingRun.Stage.FINAL: ("skd_score", "skb_score", "final_score"),
    RankingRun.Stage.PPPK: ("teknis_score", "final_score"),
    RankingRun.Stage.MITRA: ("test_score", "preference_points", "final_score"),
}


@dataclass(frozen=True)
class RunSummary:
    run: RankingRun
    counts: list[tuple[str, int]]
    identical_to: int | None
    """the latest earlier run of the same stage with the same fingerprint"""
    superseded_by: int | None
    """the latest run of the same stage, when it is newer than this one"""


@dataclass(frozen=True)
class DisplayRow:
    row: RankingRow
    name: str
    """the applicant's name, masked"""


def ordered_counts(counts: dict[str, Any]) -> list[tuple[str, int]]:
    """The run's rows per outcome code, in the engine's order of codes; unknown codes last."""
    known = [(code, int(counts[code])) for code in OUTCOME_ORDER if counts.get(code)]
    others = sorted((code, int(n)) for code, n in counts.items() if code not in OUTCOME_ORDER)
    return known + [(code, n) for code, n in others if n]


def rankable_stages(selection: Selection) -> list[tuple[str, str]]:
    """The stages the committee may rank this selection in, with their labels: SKD and final
    for CPNS openings, PPPK for PPPK openings, mitra for mitra openings or a mitra recruitment.
    A selection without openings yet is offered the stages of its kind."""
    types = set(
        Formation.objects.filter(selection=selection)
        .values_list("procurement_type", flat=True)
        .distinct()
    )
    is_mitra = selection.kind == Selection.Kind.MITRA
    if not types:
        types = (
            {ProcurementType.MITRA} if is_mitra else {ProcurementType.CPNS, ProcurementType.PPPK}
        )
    stages: list[RankingRun.Stage] = []
    if ProcurementType.CPNS in types:
        stages += [RankingRun.Stage.SKD, RankingRun.Stage.FINAL]
    if ProcurementType.PPPK in types:
        stages.append(RankingRun.Stage.PPPK)
    if ProcurementType.MITRA in types or is_mitra:
        stages.append(RankingRun.Stage.MITRA)
    labels = dict(RankingRun.Stage.choices)
    return [(stage.value, str(labels[stage.value])) for stage in stages]


def runs_for(selection: Selection) -> list[RunSummary]:
    """Every run of the selection, newest first, each with the earlier run it is identical to
    and the newer run that supersedes it."""
    runs = list(
        RankingRun.objects.filter(selection=selection)
        .select_related("created_by", "confirmed_by")
        .order_by("-pk")
    )
    latest: dict[str, int] = {}
    for run in runs:
        latest.setdefault(run.stage, run.pk)
    seen: dict[tuple[str, str], int] = {}
    identical: dict[int, int] = {}
    for run in reversed(runs):
        key = (run.stage, run.fingerprint)
        if key in seen:
            identical[run.pk] = seen[key]
        seen[key] = run.pk
    return [
        RunSummary(
            run=run,
            counts=ordered_counts(run.counts),
            identical_to=identical.get(run.pk),
            superseded_by=latest[run.stage] if latest[run.stage] != run.pk else None,
        )
        for run in runs
    ]


def run_summary(run: RankingRun) -> RunSummary:
    same_stage = RankingRun.objects.filter(selection_id=run.selection_id, stage=run.stage)
    identical_to = (
        same_stage.filter(fingerprint=run.fingerprint, pk__lt=run.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    newest = same_stage.filter(pk__gt=run.pk).order_by("-pk").values_list("pk", flat=True).first()
    return RunSummary(run, ordered_counts(run.counts), identical_to, newest)


def run_formation_codes(run: RankingRun) -> list[str]:
    """The formations the run ranks in, and those it places people in by optimalisasi."""
    ranked = run.rows.values_list("formation_code", flat=True).distinct()
    placed = (
        run.rows.exclude(placed_formation_code="")
        .values_list("placed_formation_code", flat=True)
        .distinct()
    )
    return sorted({*ranked, *placed})


def run_rows(run: RankingRun, *, formation: str = "") -> QuerySet[RankingRow]:
    """The run's rows in the engine's order; with `formation`, those ranked in it and those
    placed in it by optimalisasi."""
    rows = run.rows.select_related("application__applicant").only(
        *(field.name for field in RankingRow._meta.concrete_fields),
        "application__number",
        "application__applicant__full_name",
    )
    if formation:
        rows = rows.filter(Q(formation_code=formation) | Q(placed_formation_code=formation))
    return rows.order_by("order")


def display_rows(rows: list[RankingRow]) -> list[DisplayRow]:
    return [DisplayRow(row, masked_name(row.application.applicant.full_name)) for row in rows]


@dataclass(frozen=True)
class RunNotes:
    placements: list[str]
    """optimalisasi: rows placed in another formation (L-2)"""
    ties: list[str]
    """rows tied at the quota, whose code the committee must confirm"""


def run_notes(run: RankingRun) -> RunNotes:
    """Optimalisasi placements and ties at the quota, as the engine reports them when ranking."""
    flagged = (
        run.rows.filter(Q(tied_at_cut=True) | ~Q(placed_formation_code=""))
        .select_related("application")
        .only(
            "run",
            "application",
            "formation_code",
            "placed_formation_code",
            "rank",
            "outcome",
            "tied_at_cut",
            "application__number",
        )
        .order_by("order")
    )
    notes = RunNotes([], [])
    for row in flagged:
        number, formation = row.application.number, row.formation_code
        if row.placed_formation_code:
            notes.placements.append(
                placement_note(number=number, formation=formation, placed=row.placed_formation_code)
            )
        if row.tied_at_cut:
            rank = "–" if row.rank is None else row.rank
            notes.ties.append(
                tie_note(number=number, formation=formation, rank=rank, code=row.outcome)
            )
    return notes


def csv_header(run: RankingRun) -> tuple[str, ...]:
    return CSV_COLUMNS[run.stage]


def figure_text(value: object) -> str:
    """A ranking figure as printed: empty for none, three decimals for a decimal."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.3f}"
    return str(value)


def csv_rows(run: RankingRun) -> Iterator[list[str]]:
    """The run's rows in the columns `seleksi rank-file` writes for the stage."""
    fields = CSV_FIELDS[run.stage]
    rows = run.rows.select_related("application").order_by("order")
    for row in rows.iterator(chunk_size=2000):
        cells = [
            row.application.number,
            row.formation_code,
            *(figure_text(getattr(row, field)) for field in fields),
            figure_text(row.rank),
            row.outcome,
        ]
        if run.stage == RankingRun.Stage.FINAL:
            cells.append(row.placed_formation_code)
        yield cells


@dataclass(frozen=True)
class RankingWork:
    """What waits in one selection's ranking, as the staff workspace shows it."""

    to_confirm: list[RankingRun]
    """the latest run of each stage, when it is not confirmed yet (older runs cannot be)"""
    replacements: list[RankingRun]
    """the latest confirmed run of each stage that passes people: where withdrawals and
    replacements are recorded"""


def ranking_work(*, selections: list[Selection]) -> dict[int, RankingWork]:
    """Selection id → its runs to confirm and its runs open to replacements, in two queries."""
    from .replacements import PASSING_STAGES

    runs = RankingRun.objects.filter(selection__in=selections).only(
        "pk", "selection_id", "stage", "created_at", "confirmed_at", "row_count"
    )
    latest: dict[tuple[int, str], RankingRun] = {}
    for run in runs.order_by("pk"):
        latest[(run.selection_id, run.stage)] = run
    confirmed: dict[tuple[int, str], RankingRun] = {}
    for run in runs.filter(confirmed_at__isnull=False, stage__in=PASSING_STAGES).order_by(
        "confirmed_at", "pk"
    ):
        confirmed[(run.selection_id, run.stage)] = run
    return {
        selection.pk: RankingWork(
            to_confirm=[
                run
                for (selection_id, _stage), run in sorted(latest.items())
                if selection_id == selection.pk and run.confirmed_at is None
            ],
            replacements=[
                run
                for (selection_id, _stage), run in sorted(confirmed.items())
                if selection_id == selection.pk
            ],
        )
        for selection in selections
    }


# The public announcement of replacements --------------------------------------------------------


def public_replacements(selection: Selection) -> QuerySet[Withdrawal]:
    """Confirmed withdrawals of the selection with their replacements, oldest first; public by
    registration number only."""
    return (
        Withdrawal.objects.filter(run__selection=selection, confirmed_at__isnull=False)
        .select_related("application", "replacement")
        .order_by("confirmed_at", "pk")
    )


def selections_with_replacements(*, selection_ids: list[int]) -> set[int]:
    """Of these selections, those with at least one confirmed replacement (one query)."""
    return set(
        Withdrawal.objects.filter(run__selection_id__in=selection_ids, confirmed_at__isnull=False)
        .values_list("run__selection_id", flat=True)
        .distinct()
    )


def public_replacement_lookup(*, selection: Selection, number: str) -> list[Withdrawal]:
    """The confirmed withdrawals in which `number` leaves or takes a seat."""
    return list(
        public_replacements(selection).filter(
            Q(application__number__iexact=number) | Q(replacement__number__iexact=number)
        )
    )


# Who goes on to the SKB --------------------------------------------------------------------------

SKB_ADMITTED: tuple[str, ...] = (Outcome.WITHIN_CUT.value,)
"""SKD outcome codes that admit to the SKB: P/L only, passed the marks within the cut (seed 003,
section VI.3: at most three times the openings of each position, by SKD rank). P passed the marks
outside the cut and does not sit the SKB."""


def confirmed_skd_run(selection: Selection) -> RankingRun | None:
    """The SKD run the committee confirmed last: the one whose outcomes admit to the SKB."""
    return (
        RankingRun.objects.filter(
            selection=selection, stage=RankingRun.Stage.SKD, confirmed_at__isnull=False
        )
        .order_by("-confirmed_at", "-pk")
        .first()
    )


def passed_skd_application_ids(selection: Selection) -> QuerySet[RankingRow, int]:
    """The applications the latest confirmed SKD run admits to the SKB (`SKB_ADMITTED`; none
    without a confirmed run), as a queryset of ids that can be used as a subquery."""
    run = confirmed_skd_run(selection)
    if run is None:
        return RankingRow.objects.none().values_list("application_id", flat=True)
    rows = RankingRow.objects.filter(run=run, outcome__in=SKB_ADMITTED)
    return rows.values_list("application_id", flat=True)
