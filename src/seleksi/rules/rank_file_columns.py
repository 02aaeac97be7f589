"""`seleksi rank-file` on the columnar path: NILAI.csv read by polars straight into a scores
frame (`ranking_columns.score_schema`), ranked by `ranking_columns`, written by polars, with
the same columns, number formats, notes and fingerprint as `rank_files` and the reference
engines give.

Decisions worth knowing:

- All or nothing. The file is taken only when every line is plain: quotation marks only as
  RFC 4180 has them, around whole cells without a line break (as tools that quote every
  cell, or the cells with commas, write them; `_QUOTED_AS_RFC_4180`), no blank line, no lone
  carriage return, no cell marked as text, and every cell the stage reads
  already in the strict form the row parser would accept without a word (a participant number
  in its format, a known formation code, H or TH, whole numbers and decimals of at most
  `ranking_columns.DECIMAL_PLACES` places without sign or spaces, in range; ISO dates; Y or N),
  and no participant repeats. Anything else, and any file with a problem, returns None and is
  read by `rank_files.read_rank_files`, which reports every problem per line as before; so the
  per-row messages, the exit code and "nothing written on error" are the row reader's own.
- What is taken reads exactly as the row parser reads it: those strict forms are a subset of
  what it accepts, with the same values; an absent participant's figures are checked as it
  checks them and then ignored, as the score classes ignore them.
- No cell of the output needs neutralising or quoting: participant numbers and formation codes
  begin with a letter or a digit (their formats), figures are unsigned numbers, codes are
  letters and / or -. So polars writes exactly what `rank_files.csv_text` writes.
"""

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from .cells import TEXT_MARK
from .rank_files import (
    IPK_MAXIMUM,
    MITRA_PREFERENCE_COLUMNS,
    OUTPUT_COLUMNS,
    SCORE_COLUMNS,
)
from .ranking import Formation, RankingPolicy, Stage, committee_notes
from .ranking_columns import (
    AFFIRMATIONS,
    PREFERENCES,
    SCALE,
    by_distinct_value,
    decimal_units,
    fingerprint_columns,
    note_results,
    rank_columns,
    score_schema,
)
from .score_files import ABSENT, NO, PARTICIPANT_NUMBER, PRESENT, YES

_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class ColumnarRanking:
    """A ranked stage: the output lines (`output_frame`), the committee's notes and the
    run's fingerprint."""

    output: pl.DataFrame
    notes: list[str]
    fingerprint: str


def rank_files_columnar(
    policy: RankingPolicy, stage: Stage, formations: Sequence[Formation], scores_path: Path
) -> ColumnarRanking | None:
    """The whole of rank-file after FORMASI.csv was read: None when NILAI.csv is not plain or
    the ranking is for the reference engine (see the module docstring)."""
    scores = read_score_frame(policy, stage, formations, scores_path)
    if scores is None:
        return None
    results = rank_columns(policy, stage, formations, scores)
    if results is None:
        return None
    fingerprint = fingerprint_columns(policy, stage, formations, scores)
    if fingerprint is None:
        return None
    notes = committee_notes(note_results(stage, results))
    return ColumnarRanking(output_frame(stage, results), notes, fingerprint)


def read_score_frame(
    policy: RankingPolicy, stage: Stage, formations: Sequence[Formation], path: Path
) -> pl.DataFrame | None:
    """NILAI.csv as a scores frame, or None when any line is not plain."""
    try:
        content = path.read_bytes()
    except OSError:
        return None
    content = content.removeprefix(_BYTE_ORDER_MARK)
    if any(mark in content for mark in (b"\x00", b"\n\n", b"+", TEXT_MARK.encode())):
        return None
    quoted = b'"' in content
    if b"\r" in content and content.count(b"\r") != content.count(b"\r\n"):
        return None
    if not content.isascii():
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
    end = content.find(b"\n")
    if end < 0 or len(content) <= end + 1:
        return None
    if quoted and not _quoted_as_rfc_4180(content):
        return None
    header = content[:end].decode("utf-8").rstrip("\r")
    names = [name.strip().lower() for name in next(csv.reader([header]))]
    wanted = SCORE_COLUMNS[stage]
    if not set(wanted) <= set(names):
        return None
    positions = {column: names.index(column) for column in wanted}
    codes = sorted(formation.code for formation in formations)
    types = _cell_types(stage, codes)
    at = {position: column for column, position in positions.items()}
    schema = {
        at.get(i, f"extra {i}"): types.get(at.get(i, ""), pl.String()) for i in range(len(names))
    }
    try:
        cells = pl.read_csv(
            content,
            has_header=False,
            skip_rows=1,
            schema=schema,
            quote_char='"' if quoted else None,
            truncate_ragged_lines=True,
        )
    except (pl.exceptions.PolarsError, ValueError):
        return None
    if quoted:
        # the row reader reads "" as an empty cell, as it reads nothing between two commas
        text = pl.col(pl.String)
        cells = cells.with_columns(pl.when(text != "").then(text))
    read: dict[str, pl.Expr] = {}
    for column, parse, dtype in _TEXT_CELLS:
        if column in positions:
            value = by_distinct_value(cells, column, parse, dtype)
            if value is None:
                return None
            read[f"{column} value"] = value
    cells = cells.with_columns(**read)
    checks, frame = _stage_cells(policy, stage)
    start = pl.col("nomor_peserta").str.contains(
        f"^{PARTICIPANT_NUMBER.pattern}$"
    ) & pl.all_horizontal(pl.col("kode_formasi", "kehadiran").is_not_null())
    passed = cells.select(pl.all_horizontal(start, *checks).fill_null(False).all()).item()
    if not passed:
        return None
    scores = cells.select(**frame)
    if scores.schema != pl.Schema(score_schema(stage)):
        return None
    return scores


_QUOTED_OR_BARE = r'(?:"(?:[^"\r\n]|"")*"|[^",\r\n]*)'
_QUOTED_AS_RFC_4180 = f"^{_QUOTED_OR_BARE}(?:,{_QUOTED_OR_BARE})*\\r?$"
"""A line whose cells are each bare (no quotation mark) or wholly quoted, a quotation mark
inside written twice, without a line break: RFC 4180's form, which Python's CSV reader and
polars both read the same way (a quoted cell is its inside, "" inside one is "). Anything
else (text before or after the quotes, a lone quotation mark, a quoted line break) goes to
the row reader, whatever polars would make of it."""


def _quoted_as_rfc_4180(content: bytes) -> bool:
    """Whether every line of the file (no NUL in it, so NUL parts nothing) is
    `_QUOTED_AS_RFC_4180`, checked by polars' regular expressions: about 0.1 s for a million
    lines."""
    try:
        lines = pl.read_csv(
            content,
            has_header=False,
            separator="\x00",
            quote_char=None,
            schema={"line": pl.String()},
        )
    except (pl.exceptions.PolarsError, ValueError):
        return False
    return bool(lines.select(pl.col("line").str.contains(_QUOTED_AS_RFC_4180).all()).item())


def _date_text(text: str) -> date | None:
    """A date cell as the row reader reads it (ISO, a real day); None for any other text."""
    if not _DATE_TEXT.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


_TEXT_CELLS: tuple[tuple[str, Callable[[str], object], pl.DataType], ...] = (
    ("skb", decimal_units, pl.Int64()),
    ("ipk", decimal_units, pl.Int64()),
    ("nilai_tes", decimal_units, pl.Int64()),
    ("nilai_kinerja", decimal_units, pl.Int64()),
    ("tanggal_lahir", _date_text, pl.Date()),
)
"""Cells read as text and parsed in Python, once per distinct value: a national file has a
million of them but a few thousand different SKB scores or birth dates."""


def _cell_types(stage: Stage, codes: Sequence[str]) -> dict[str, pl.DataType]:
    """How polars reads each cell the stage needs: a whole number as Int64 (it takes the
    strict form, and a space before it, which the row reader strips too; a file with a plus
    sign is not taken), a choice as an Enum of its values (anything else fails the read), a
    decimal and a date as text, checked by `_stage_cells`."""
    choices: dict[str, pl.DataType] = {
        "kode_formasi": pl.Enum(codes),
        "kehadiran": pl.Enum([PRESENT, ABSENT]),
    }
    yes_no = pl.Enum([NO, YES])
    whole = pl.Int64()
    types = choices | {
        name: whole
        for name in (
            "twk",
            "tiu",
            "tkp",
            "tahap",
            "teknis",
            "manajerial_sosiokultural",
            "wawancara",
        )
    }
    types |= {ground: yes_no for ground in AFFIRMATIONS}
    types |= {column: yes_no for column in MITRA_PREFERENCE_COLUMNS}
    return {name: dtype for name, dtype in types.items() if name in SCORE_COLUMNS[stage]}


type _Checks = list[pl.Expr]
type _Columns = dict[str, pl.Expr]


def _stage_cells(policy: RankingPolicy, stage: Stage) -> tuple[_Checks, _Columns]:
    """The checks every line must pass and the scores frame's columns, for the stage."""
    present = pl.col("kehadiran") == PRESENT
    start: _Columns = {
        "participant": pl.col("nomor_peserta"),
        "formation": pl.col("kode_formasi").cast(pl.String),
    }
    if stage is Stage.PPPK:
        rules = policy.pppk_rules()
        parts = {
            "teknis": rules.teknis_maximum,
            "manajerial_sosiokultural": rules.manajerial_sosiokultural_maximum,
            "wawancara": rules.wawancara_maximum,
        }
        checks = [
            _whole_ok("tahap", 1, rules.rounds, required=pl.lit(True)),
            *(_whole_ok(name, 0, high, required=present) for name, high in parts.items()),
            *(pl.col(ground).is_not_null() for ground in AFFIRMATIONS),
        ]
        columns = (
            start
            | {"round": _whole_value("tahap"), "present": present}
            | {name: _whole_value(name, present) for name in parts}
            | {ground: present & (pl.col(ground) == YES) for ground in AFFIRMATIONS}
        )
        return checks, columns
    if stage is Stage.MITRA:
        mitra = policy.mitra_rules()
        by_code = {str(code): column for column, code in MITRA_PREFERENCE_COLUMNS.items()}
        checks = [
            _decimal_ok("nilai_tes", mitra.test_maximum, required=present),
            *(pl.col(column).is_not_null() for column in MITRA_PREFERENCE_COLUMNS),
            _decimal_ok("nilai_kinerja", mitra.rating_maximum, required=pl.lit(False)),
        ]
        columns = (
            start
            | {"present": present, "test_score": _decimal_value("nilai_tes", present)}
            | {code: present & (pl.col(by_code[code]) == YES) for code in PREFERENCES}
            | {
                "rating": pl.when(present).then(
                    _decimal_value("nilai_kinerja", pl.lit(True), empty=None)
                )
            }
        )
        return checks, columns
    skd = policy.skd_rules()
    subtests = {"twk": skd.twk_maximum, "tiu": skd.tiu_maximum, "tkp": skd.tkp_maximum}
    checks = [_whole_ok(name, 0, high, required=present) for name, high in subtests.items()]
    columns = start | {"present": present} | {n: _whole_value(n, present) for n in subtests}
    if stage is Stage.SKD:
        return checks, columns
    final = policy.final_rules()
    born = pl.col("tanggal_lahir value")
    checks += [
        _decimal_ok("skb", final.skb_maximum, required=present),
        _decimal_ok("ipk", IPK_MAXIMUM, required=pl.lit(False)),
        born.is_not_null() | ~present,
    ]
    columns |= {
        "skb": _decimal_value("skb", present),
        "ipk": pl.when(present).then(_decimal_value("ipk", pl.lit(True), empty=None)),
        "birth_date": pl.when(present).then(born),
    }
    return checks, columns


def _whole_ok(column: str, low: int, high: int, *, required: pl.Expr) -> pl.Expr:
    cell = pl.col(column)
    return pl.when(cell.is_null()).then(~required).otherwise(cell.is_between(low, high))


def _whole_value(column: str, present: pl.Expr | None = None) -> pl.Expr:
    number = pl.col(column)
    return number if present is None else pl.when(present).then(number).otherwise(0)


def _decimal_ok(column: str, high: int, *, required: pl.Expr) -> pl.Expr:
    value = pl.col(f"{column} value")
    return pl.when(value.is_null()).then(~required).otherwise(value.is_between(0, high * SCALE))


def _decimal_value(column: str, present: pl.Expr, *, empty: int | None = 0) -> pl.Expr:
    value = pl.col(f"{column} value")
    if empty is not None:
        value = value.fill_null(empty)
    return pl.when(present).then(value).otherwise(0 if empty is not None else None)


def output_frame(stage: Stage, results: pl.DataFrame) -> pl.DataFrame:
    """The results frame as the output lines: OUTPUT_COLUMNS, null where the cell is empty
    (polars writes whole numbers as they are and a null as nothing)."""
    names = OUTPUT_COLUMNS[stage]
    figures: list[pl.Expr]
    if stage is Stage.SKD:
        present = pl.col("present")
        figures = [pl.when(present).then(pl.col(c)) for c in ("twk", "tiu", "tkp", "total")]
    elif stage is Stage.FINAL:
        figures = [pl.col(c) for c in ("skd_score", "skb_score", "final_score")]
    elif stage is Stage.PPPK:
        figures = [pl.col(c) for c in ("teknis_affirmed", "total")]
    else:
        figures = [pl.col(c) for c in ("test_score", "preference_points", "total")]
    cells = [pl.col("participant"), pl.col("formation"), *figures, pl.col("rank")]
    cells.append(pl.col("outcome"))
    return results.select(cell.alias(name) for cell, name in zip(cells, names, strict=True))


def csv_of(output: pl.DataFrame) -> str:
    """The output lines as `rank_files.csv_text` writes them ("\\n" line ends)."""
    return output.write_csv(line_terminator="\n", null_value="")
