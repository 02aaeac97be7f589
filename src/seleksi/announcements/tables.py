"""An announcement's result table, built from its source as it will be printed.

Decisions worth knowing:
- Rows are read set-wise (one query per source, streamed in chunks) as plain tuples: a
  100,000-row table is built without model instances. The order is the ranking engine's
  (`RankingRow.order`: formation, rank, participant number, unranked last); the
  administrative tables are ordered by formation code, then participant number.
- Figures are strings as the ranking prints them: whole numbers as they are, decimals with
  three decimals, an empty string where there is no figure (absent). `columns` holds the
  RankingRow field names of the figures (`COLUMN_LABELS` says them to a reader).
- The administrative tables list the MS applications only; the counts per formation hold MS
  and TMS, so a formation whose applicants all failed still shows with no rows.
- Notes are written in the official language of the announcement (the site's default,
  Bahasa Indonesia), as the body and title are: the announcement is one document.
- The fingerprint is SHA-256 over the column names and the rows as printed, one line per row,
  tab-separated, so the same result always gives the same fingerprint.
"""

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from seleksi.applications.models import Application
from seleksi.core.privacy import masked_name
from seleksi.rules.verification import Mark
from seleksi.scoring.models import RankingRun
from seleksi.scoring.replacements import run_standings
from seleksi.scoring.selectors import figure_text
from seleksi.selections.models import Formation

from .models import Kind
from .sources import Source

CHUNK_SIZE = 5000
PREVIEW_ROWS = 20

FIGURE_COLUMNS: dict[str, tuple[str, ...]] = {
    RankingRun.Stage.SKD: ("twk", "tiu", "tkp"),
    RankingRun.Stage.FINAL: ("skd_score", "skb_score"),
    RankingRun.Stage.PPPK: ("teknis_score",),
    RankingRun.Stage.MITRA: ("test_score", "preference_points"),
}
TOTAL_COLUMN: dict[str, str] = {
    RankingRun.Stage.SKD: "skd_total",
    RankingRun.Stage.FINAL: "final_score",
    RankingRun.Stage.PPPK: "final_score",
    RankingRun.Stage.MITRA: "final_score",
}
COLUMN_LABELS: dict[str, Any] = {
    "twk": "TWK",
    "tiu": "TIU",
    "tkp": "TKP",
    "skd_score": gettext_lazy("SKD score"),
    "skb_score": gettext_lazy("SKB score"),
    "teknis_score": gettext_lazy("Technical score with affirmation"),
    "test_score": gettext_lazy("Test score"),
    "preference_points": gettext_lazy("Added points"),
}
"""What each figure column is called on a page, a print or a download."""

PASSING_CODES: dict[str, frozenset[str]] = {
    Kind.ADMINISTRATIVE: frozenset({Mark.MS.value}),
    Kind.POST_OBJECTION: frozenset({Mark.MS.value}),
    Kind.SKD: frozenset({"P/L"}),
    Kind.FINAL: frozenset({"L", "L-2"}),
    Kind.PPPK: frozenset({"L", "L-2"}),
    Kind.MITRA: frozenset({"L", "L-2"}),
    Kind.REPLACEMENT: frozenset({"L", "L-2"}),
}


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table, as printed; `order` is given when it is written."""

    application_id: int
    formation_code: str
    number: str
    name: str
    figures: tuple[str, ...]
    total: str
    rank: int | None
    code: str
    note: str = ""


@dataclass
class FormationTally:
    code: str
    label: str
    first_order: int
    row_count: int = 0
    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class Tally:
    """What is learnt about the table while its rows stream past: where each formation
    starts, its rows per code, the fingerprint."""

    columns: tuple[str, ...]
    labels: dict[str, str]
    extra: dict[str, Counter[str]] = field(default_factory=dict)
    """counts of codes without rows (TMS of the administrative tables), per formation"""
    formations: dict[str, FormationTally] = field(default_factory=dict)
    row_count: int = 0
    digest: Any = None

    def __post_init__(self) -> None:
        self.digest = hashlib.sha256()
        self.digest.update(("\t".join(self.columns) + "\n").encode())

    def add(self, row: Row) -> int:
        """Count `row`; returns its order (from 1)."""
        self.row_count += 1
        order = self.row_count
        tally = self.formations.get(row.formation_code)
        if tally is None:
            label = self.labels.get(row.formation_code, "")
            tally = self.formations[row.formation_code] = FormationTally(
                row.formation_code, label, order
            )
        tally.row_count += 1
        tally.counts[row.code] += 1
        self.digest.update(_printed(order, row).encode())
        return order

    @property
    def fingerprint(self) -> str:
        return str(self.digest.hexdigest())

    def formation_list(self) -> list[list[Any]]:
        """[code, label, first order, row count, counts per code] in printed order, with the
        formations that have counts but no rows placed by code."""
        tallies = list(self.formations.values())
        for code in sorted(set(self.extra) - set(self.formations)):
            tallies.append(FormationTally(code, self.labels.get(code, ""), 0))
        if self.extra:
            tallies.sort(key=lambda tally: tally.code)
        listed: list[list[Any]] = []
        next_order = self.row_count + 1
        for tally in reversed(tallies):
            first = next_order if tally.row_count == 0 else tally.first_order
            next_order = first
            counts = tally.counts + self.extra.get(tally.code, Counter())
            listed.append([tally.code, tally.label, first, tally.row_count, dict(counts)])
        return listed[::-1]

    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for tally in self.formations.values():
            total.update(tally.counts)
        for extra in self.extra.values():
            total.update(extra)
        return dict(total)


def _printed(order: int, row: Row) -> str:
    rank = "" if row.rank is None else str(row.rank)
    cells = (str(order), row.formation_code, row.number, row.name, *row.figures)
    return "\t".join((*cells, row.total, rank, row.code, row.note)) + "\n"


def rows_fingerprint(columns: Iterable[str], rows: Iterable[tuple[int, Row]]) -> str:
    """The fingerprint of (order, row) pairs, as `Tally` computes it while publishing."""
    digest = hashlib.sha256(("\t".join(columns) + "\n").encode())
    for order, row in rows:
        digest.update(_printed(order, row).encode())
    return digest.hexdigest()


@dataclass
class Table:
    columns: tuple[str, ...]
    rows: Iterator[Row]
    tally: Tally


def table_for(source: Source) -> Table:
    """The table of `source`: its columns, its rows (streamed, read when iterated) and the
    tally they fill as they pass."""
    selection_id = (source.run or source.publication).selection_id  # type: ignore[union-attr]
    labels = {
        code: f"{position} · {unit}"
        for code, position, unit in Formation.objects.filter(selection_id=selection_id).values_list(
            "code", "position", "placement_unit"
        )
    }
    if source.publication is not None:
        extra = _administrative_counts(selection_id)
        columns: tuple[str, ...] = ()
        tally = Tally(columns, labels, extra)
        return Table(columns, _administrative_rows(selection_id), tally)
    run = source.run
    if run is None:
        raise ValueError("a source has a run or a publication")
    columns = FIGURE_COLUMNS[run.stage]
    tally = Tally(columns, labels)
    if source.kind == Kind.REPLACEMENT:
        return Table(columns, _replacement_rows(run), tally)
    return Table(columns, _run_rows(run), tally)


def _official(function: Any) -> Any:
    """Notes are said in the site's default language, whoever publishes."""
    with translation.override(settings.LANGUAGE_CODE):
        return function()


def _administrative_counts(selection_id: int) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for code, result, count in (
        Application.objects.filter(selection_id=selection_id, status=Application.Status.SUBMITTED)
        .exclude(published_result=Mark.MS)
        .exclude(published_result="")
        .values_list("formation__code", "published_result")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counts.setdefault(code, Counter())[result] += count
    return counts


def _administrative_rows(selection_id: int) -> Iterator[Row]:
    rows = (
        Application.objects.filter(
            selection_id=selection_id,
            status=Application.Status.SUBMITTED,
            published_result=Mark.MS,
        )
        .order_by("formation__code", "number")
        .values_list("pk", "formation__code", "number", "applicant__full_name")
    )
    for pk, code, number, full_name in rows.iterator(chunk_size=CHUNK_SIZE):
        yield Row(pk, code, number, masked_name(full_name), (), "", None, Mark.MS.value)


def _run_values(run: RankingRun, applications: Iterable[int] | None = None) -> Any:
    fields = (*FIGURE_COLUMNS[run.stage], TOTAL_COLUMN[run.stage])
    rows = run.rows.all()
    if applications is not None:
        rows = rows.filter(application_id__in=list(applications))
    return (
        rows.order_by("order")
        .values_list(
            "application_id",
            "formation_code",
            "application__number",
            "application__applicant__full_name",
            "rank",
            "outcome",
            "placed_formation_code",
            *fields,
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _run_rows(run: RankingRun) -> Iterator[Row]:
    placed_note: str = _official(lambda: _("Placed in formation %(code)s (optimalisasi)"))
    for pk, code, number, full_name, rank, outcome, placed, *figures in _run_values(run):
        *shown, total = map(figure_text, figures)
        note = placed_note % {"code": placed} if placed and outcome == "L-2" else ""
        yield Row(
            pk, code, number, masked_name(full_name), tuple(shown), total, rank, outcome, note
        )


def _replacement_rows(run: RankingRun) -> Iterator[Row]:
    """Those who left (APS, DIS) and those who took their seats (L, L-2), each with the code
    the confirmed withdrawals leave them with, in the run's order."""
    standings = run_standings(run)
    notes: dict[str, str] = _official(
        lambda: {
            "replaces": _("Replaces %(number)s"),
            "seat": _("Replaces %(number)s, seat in formation %(code)s"),
        }
    )
    for pk, code, number, full_name, rank, _outcome, _placed, *figures in _run_values(
        run, standings
    ):
        standing = standings[pk]
        *shown, total = map(figure_text, figures)
        note = ""
        if standing.replaces:
            if standing.seat and standing.seat != code:
                note = notes["seat"] % {"number": standing.replaces, "code": standing.seat}
            else:
                note = notes["replaces"] % {"number": standing.replaces}
        yield Row(
            pk, code, number, masked_name(full_name), tuple(shown), total, rank, standing.code, note
        )
