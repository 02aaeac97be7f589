"""Reading and writing the files of `seleksi rank-file`: FORMASI.csv and NILAI.csv in, the
ranked list out, with the columns and order other tools rely on. No Django here: a problem is a
`score_files.FileProblem` named with its file (`RankFileErrors`), and the layer above says it in
the reader's language; the ranking itself is the stage's engine in `ranking`.

Decisions worth knowing:

- Both files are read before anything is ranked and every problem of both is reported, so a
  committee fixes its files in one pass.
- A national SKD stage is a million lines and takes seconds: well-formed lines are read without
  a `Row` (`QUICK_PARSERS`), and the output is joined without `csv.writer` when no cell needs
  quoting. Every cell written is neutralised (`cells`), so no spreadsheet runs the output as
  formulas.
"""

import csv
import io
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from fractions import Fraction
from operator import itemgetter
from pathlib import Path
from typing import Any

from .cells import FORMULA_STARTS, TEXT_MARK, neutralise_row
from .eligibility import PreferenceCode
from .ranking import (
    Affirmation,
    FinalResult,
    FinalScore,
    Formation,
    MitraResult,
    MitraScore,
    PppkResult,
    PppkScore,
    RankingPolicy,
    SkdResult,
    SkdScore,
    Stage,
    format_score,
)
from .score_files import (
    ABSENT,
    NO,
    PARTICIPANT_NUMBER,
    PRESENT,
    YES,
    FileErrors,
    FileProblem,
    Problem,
    Row,
    Table,
    column_positions,
    read_table,
    table_row,
    table_rows,
)

FORMATION_COLUMNS = ("kode_formasi", "jabatan", "unit_penempatan", "jenis_formasi", "kuota")
TEKNIS_THRESHOLD_COLUMN = "ambang_teknis"
MITRA_PREFERENCE_COLUMNS: dict[str, PreferenceCode] = {
    "pendidikan_minimal": PreferenceCode.EDUCATION_MIN,
    "domisili": PreferenceCode.DOMICILE,
    "rentang_usia": PreferenceCode.AGE_BAND,
    "perangkat": PreferenceCode.DEVICES,
    "kendaraan": PreferenceCode.VEHICLE,
    "pengalaman": PreferenceCode.EXPERIENCE,
}
"""NILAI.csv columns (Y/N) for the mitra preferences (diutamakan) a participant meets."""
SCORE_COLUMNS: dict[Stage, tuple[str, ...]] = {
    Stage.SKD: ("nomor_peserta", "kode_formasi", "kehadiran", "twk", "tiu", "tkp"),
    Stage.FINAL: (
        "nomor_peserta",
        "kode_formasi",
        "kehadiran",
        "twk",
        "tiu",
        "tkp",
        "skb",
        "ipk",
        "tanggal_lahir",
    ),
    Stage.PPPK: (
        "nomor_peserta",
        "kode_formasi",
        "tahap",
        "kehadiran",
        "teknis",
        "manajerial_sosiokultural",
        "wawancara",
        *(ground.value for ground in Affirmation),
    ),
    Stage.MITRA: (
        "nomor_peserta",
        "kode_formasi",
        "kehadiran",
        "nilai_tes",
        *MITRA_PREFERENCE_COLUMNS,
        "nilai_kinerja",
    ),
}
OUTPUT_COLUMNS: dict[Stage, tuple[str, ...]] = {
    Stage.SKD: ("nomor_peserta", "kode_formasi", "twk", "tiu", "tkp", "total", "peringkat", "kode"),
    Stage.FINAL: (
        "nomor_peserta",
        "kode_formasi",
        "nilai_skd",
        "nilai_skb",
        "nilai_akhir",
        "peringkat",
        "kode",
    ),
    Stage.PPPK: ("nomor_peserta", "kode_formasi", "teknis_afirmasi", "total", "peringkat", "kode"),
    Stage.MITRA: (
        "nomor_peserta",
        "kode_formasi",
        "nilai_tes",
        "poin_preferensi",
        "total",
        "peringkat",
        "kode",
    ),
}
IPK_MAXIMUM = 4

type Score = SkdScore | FinalScore | PppkScore | MitraScore
type Scores = list[SkdScore] | list[FinalScore] | list[PppkScore] | list[MitraScore]
type Result = SkdResult | FinalResult | PppkResult | MitraResult
QuickParser = Callable[[Sequence[str]], Score | None]
"""A stage's reading of a well-formed line (its cells in SCORE_COLUMNS order) without a `Row`;
None sends the line through the stage's parser."""


class RankFileErrors(Exception):
    """The files cannot be ranked: every problem found, each with the name of its file."""

    def __init__(self, problems: list[tuple[str, FileProblem]]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def read_rank_files(
    policy: RankingPolicy, stage: Stage, formations_path: Path, scores_path: Path
) -> tuple[list[Formation], Scores]:
    """FORMASI.csv and NILAI.csv as the engine's inputs for `stage`; RankFileErrors with the
    problems of both files when either has one."""
    problems: list[tuple[str, FileProblem]] = []
    formations: list[Formation] = []
    try:
        formations = parse_formations(policy, stage, read_table(formations_path))
    except FileErrors as error:
        problems += [(formations_path.name, problem) for problem in error.problems]
    scores: Scores = []
    try:
        scores = parse_scores(policy, stage, formations, read_table(scores_path))
    except FileErrors as error:
        problems += [(scores_path.name, problem) for problem in error.problems]
    if problems:
        raise RankFileErrors(problems)
    return formations, scores


def output_rows(stage: Stage, results: Sequence[Result]) -> list[Sequence[str]]:
    """The engine's results of `stage` as the lines of the output, in OUTPUT_COLUMNS order."""
    if stage is Stage.SKD:
        return [_skd_row(result) for result in results if isinstance(result, SkdResult)]
    if stage is Stage.FINAL:
        return [_final_row(result) for result in results if isinstance(result, FinalResult)]
    if stage is Stage.PPPK:
        return [_pppk_row(result) for result in results if isinstance(result, PppkResult)]
    return [_mitra_row(result) for result in results if isinstance(result, MitraResult)]


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The rows, neutralised (`rules.cells`), as `csv.writer` writes them ("\\n" line ends).
    When no cell holds a comma, a quote or a line break, or begins with a character that
    neutralising changes, that is the cells joined by commas, which is much quicker."""
    lines = [",".join(header), *map(",".join, rows)]
    text = "\n".join(lines) + "\n"
    width = len(header)
    if (
        width > 1
        and set(map(len, rows)) <= {width}
        and text.count(",") == len(lines) * (width - 1)
        and text.count("\n") == len(lines)
        and '"' not in text
        and "\r" not in text
        and not any(f",{start}" in text or f"\n{start}" in text for start in _CELL_STARTS)
        and text[:1] not in _CELL_STARTS
    ):
        return text
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(neutralise_row(header))
    writer.writerows(map(neutralise_row, rows))
    return buffer.getvalue()


_CELL_STARTS = (*sorted(FORMULA_STARTS), TEXT_MARK)
"""First characters of a cell that `neutralise_cell` may change: such a text goes through
the writer."""


def parse_formations(policy: RankingPolicy, stage: Stage, table: Table) -> list[Formation]:
    pppk = stage is Stage.PPPK
    columns = FORMATION_COLUMNS + ((TEKNIS_THRESHOLD_COLUMN,) if pppk else ())
    rows = table_rows(*table, columns)
    types = policy.skd_rules().formation_types if stage in (Stage.SKD, Stage.FINAL) else None
    teknis_maximum = policy.pppk_rules().teknis_maximum if pppk else 0
    seen: dict[str, int] = {}
    formations = []
    for row in rows:
        code = row.formation_code("kode_formasi")
        if code is not None and seen.setdefault(code, row.line) != row.line:
            row.fail("kode_formasi", Problem.DUPLICATE, value=code, earlier=seen[code])
        position = row.text("jabatan")
        unit = row.text("unit_penempatan")
        kind = row.choice("jenis_formasi", types) if types else row.text("jenis_formasi")
        quota = row.whole("kuota", 0, 1_000_000)
        teknis = row.whole(TEKNIS_THRESHOLD_COLUMN, 0, teknis_maximum) if pppk else None
        if not row.errors and code and position and unit and kind and quota is not None:
            formations.append(Formation(code, position, unit, kind, quota, teknis))
    problems = [problem for row in rows for problem in row.errors]
    if problems:
        raise FileErrors(problems)
    if not rows:
        raise FileErrors([FileProblem(Problem.NO_FORMATION_ROWS)])
    return formations


def parse_scores(
    policy: RankingPolicy,
    stage: Stage,
    formations: Sequence[Formation],
    table: Table,
) -> Scores:
    """Formations that failed to parse leave `formations` empty: their codes are then not
    checked, so that the NILAI.csv errors shown are not all "unknown formation".

    A stage may have a quick parser for well-formed lines (a national SKD file is a million of
    them). When it takes every line and no participant repeats, that is the answer; otherwise
    the lines it did not take, and the lines that repeat a participant, go through the stage's
    parser, which reports every problem."""
    header, body = table
    positions = column_positions(header, SCORE_COLUMNS[stage])
    codes = {formation.code for formation in formations}
    parsers: dict[Stage, Callable[[Row], Score | None]] = {
        Stage.SKD: lambda row: _skd_score(policy, row),
        Stage.FINAL: lambda row: _final_score(policy, row),
        Stage.PPPK: lambda row: _pppk_score(policy, row),
        Stage.MITRA: lambda row: _mitra_score(policy, row),
    }
    taken: list[Any] = [None] * len(body)
    if stage in QUICK_PARSERS:
        quick = QUICK_PARSERS[stage](policy, codes)
        cells_of = itemgetter(*positions.values())
        width = max(positions.values()) + 1
        taken = [quick(cells_of(raw)) if len(raw) >= width else None for raw in body]
        if len({score.participant for score in taken if score is not None}) == len(taken):
            return taken
    first_line: dict[tuple[str, int], int] = {}
    formation_of: dict[str, str] = {}
    scores: list[Any] = []
    problems: list[FileProblem] = []
    for line, (raw, quick_score) in enumerate(zip(body, taken, strict=True), start=2):
        if quick_score is not None:
            participant = quick_score.participant
            key = (participant, quick_score.round if isinstance(quick_score, PppkScore) else 0)
            if (
                key not in first_line
                and formation_of.setdefault(participant, quick_score.formation)
                == quick_score.formation
            ):
                first_line[key] = line
                scores.append(quick_score)
                continue
        row = table_row(line, raw, positions)
        if row is None:
            continue
        participant = row.participant("nomor_peserta")
        code = row.formation_code("kode_formasi")
        if code is not None and codes and code not in codes:
            row.fail("kode_formasi", Problem.UNKNOWN_FORMATION, value=code)
        score = parsers[stage](row)
        if participant is not None:
            round_ = score.round if isinstance(score, PppkScore) else 0
            row.first_for(first_line, participant, round_, by_round=stage is Stage.PPPK)
            if code is not None and formation_of.setdefault(participant, code) != code:
                row.fail("kode_formasi", Problem.OTHER_FORMATION, value=participant)
            if score is not None and not row.errors:
                scores.append(score)
        problems += row.errors
    if problems:
        raise FileErrors(problems)
    return scores


def _skd_quick(policy: RankingPolicy, codes: AbstractSet[str]) -> QuickParser:
    """An SKD line exactly as `_skd_score` reads it when it has nothing to report: a participant
    number in its format, a known formation, H with three whole numbers in range or TH with
    none; None for anything else."""
    rules = policy.skd_rules()
    twk_maximum, tiu_maximum, tkp_maximum = rules.twk_maximum, rules.tiu_maximum, rules.tkp_maximum
    is_participant_number = PARTICIPANT_NUMBER.fullmatch

    def parse(cells: Sequence[str]) -> SkdScore | None:
        number, code, attendance, twk, tiu, tkp = cells
        participant = number.strip()
        if code not in codes:
            return None
        plain = participant.isalnum() and participant.isascii() and len(participant) <= 32
        if not plain and not is_participant_number(participant):
            return None
        if attendance == ABSENT:
            return None if twk or tiu or tkp else SkdScore(participant, code, False)
        if not (
            attendance == PRESENT
            and twk.isdigit()
            and tiu.isdigit()
            and tkp.isdigit()
            and (twk + tiu + tkp).isascii()
        ):
            return None
        twk_score, tiu_score, tkp_score = int(twk), int(tiu), int(tkp)
        if twk_score > twk_maximum or tiu_score > tiu_maximum or tkp_score > tkp_maximum:
            return None
        return SkdScore(participant, code, True, twk_score, tiu_score, tkp_score)

    return parse


QUICK_PARSERS: dict[Stage, Callable[[RankingPolicy, AbstractSet[str]], QuickParser]] = {
    Stage.SKD: _skd_quick,
}
"""Per stage, a quick parser for the policy and the formation codes; a stage without one
reads every line with its `Row` parser."""


def _skd_score(policy: RankingPolicy, row: Row) -> SkdScore | None:
    rules = policy.skd_rules()
    present = row.attendance()
    required = present is True
    twk = row.whole("twk", 0, rules.twk_maximum, required=required)
    tiu = row.whole("tiu", 0, rules.tiu_maximum, required=required)
    tkp = row.whole("tkp", 0, rules.tkp_maximum, required=required)
    if row.errors or present is None:
        return None
    return SkdScore(
        row.cells["nomor_peserta"],
        row.cells["kode_formasi"],
        present,
        *((twk or 0, tiu or 0, tkp or 0) if present else (0, 0, 0)),
    )


def _final_score(policy: RankingPolicy, row: Row) -> FinalScore | None:
    skd = policy.skd_rules()
    present = row.attendance()
    required = present is True
    twk = row.whole("twk", 0, skd.twk_maximum, required=required)
    tiu = row.whole("tiu", 0, skd.tiu_maximum, required=required)
    tkp = row.whole("tkp", 0, skd.tkp_maximum, required=required)
    skb = row.decimal("skb", 0, policy.final_rules().skb_maximum, required=required)
    ipk = row.decimal("ipk", 0, IPK_MAXIMUM, required=False)
    born = row.birth_date("tanggal_lahir", required=required)
    if row.errors or present is None:
        return None
    if not present:
        return FinalScore(row.cells["nomor_peserta"], row.cells["kode_formasi"], False)
    return FinalScore(
        row.cells["nomor_peserta"],
        row.cells["kode_formasi"],
        True,
        twk or 0,
        tiu or 0,
        tkp or 0,
        skb or Fraction(0),
        ipk,
        born,
    )


def _pppk_score(policy: RankingPolicy, row: Row) -> PppkScore | None:
    rules = policy.pppk_rules()
    round_ = row.whole("tahap", 1, rules.rounds)
    present = row.attendance()
    required = present is True
    teknis = row.whole("teknis", 0, rules.teknis_maximum, required=required)
    social = row.whole(
        "manajerial_sosiokultural", 0, rules.manajerial_sosiokultural_maximum, required=required
    )
    interview = row.whole("wawancara", 0, rules.wawancara_maximum, required=required)
    grounds = frozenset(
        ground for ground in Affirmation if row.choice(ground.value, (YES, NO)) == YES
    )
    if row.errors or present is None or round_ is None:
        return None
    if not present:
        return PppkScore(row.cells["nomor_peserta"], row.cells["kode_formasi"], round_, False)
    return PppkScore(
        row.cells["nomor_peserta"],
        row.cells["kode_formasi"],
        round_,
        True,
        teknis or 0,
        social or 0,
        interview or 0,
        grounds,
    )


def _mitra_score(policy: RankingPolicy, row: Row) -> MitraScore | None:
    rules = policy.mitra_rules()
    present = row.attendance()
    test = row.decimal("nilai_tes", 0, rules.test_maximum, required=present is True)
    met = frozenset(
        str(code)
        for column, code in MITRA_PREFERENCE_COLUMNS.items()
        if row.choice(column, (YES, NO)) == YES
    )
    rating = row.decimal("nilai_kinerja", 0, rules.rating_maximum, required=False)
    if row.errors or present is None:
        return None
    participant, code = row.cells["nomor_peserta"], row.cells["kode_formasi"]
    if not present:
        return MitraScore(participant, code, False)
    return MitraScore(participant, code, True, test or Fraction(0), met, rating)


def _skd_row(result: SkdResult) -> Sequence[str]:
    rank = "" if result.rank is None else str(result.rank)
    if not result.present:
        return (result.participant, result.formation, "", "", "", "", rank, result.outcome)
    return (
        result.participant,
        result.formation,
        str(result.twk),
        str(result.tiu),
        str(result.tkp),
        str(result.total),
        rank,
        result.outcome,
    )


def _final_row(result: FinalResult) -> list[str]:
    figures = [
        "" if value is None else format_score(value)
        for value in (result.skd_score, result.skb_score, result.final_score)
    ]
    rank = "" if result.rank is None else str(result.rank)
    return [result.participant, result.formation, *figures, rank, result.outcome]


def _pppk_row(result: PppkResult) -> list[str]:
    figures = [
        "" if value is None else format_score(value)
        for value in (result.teknis_affirmed, result.total)
    ]
    rank = "" if result.rank is None else str(result.rank)
    return [result.participant, result.formation, *figures, rank, result.outcome]


def _mitra_row(result: MitraResult) -> list[str]:
    figures = [
        "" if value is None else format_score(value)
        for value in (result.test_score, result.preference_points, result.total)
    ]
    rank = "" if result.rank is None else str(result.rank)
    return [result.participant, result.formation, *figures, rank, result.outcome]
