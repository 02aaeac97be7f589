"""Reading score files (NILAI.csv, FORMASI.csv and the CAT exports): UTF-8 CSV with a header
line, one participant per row, every problem reported per row and column.

Shared by `seleksi rank-file` (through `rank_files`) and `seleksi import-scores`, so that one
file is read the same way by both. No Django here: a problem is a `FileProblem`, a code with
the line, the column and the values its message needs, and the layer above says it in the
reader's language (`seleksi.scoring.messages.describe_score_problem`). A `Row` collects its own
problems and the caller decides what a problem means. A caller with a million lines may read the
well-formed ones without a `Row` (`column_positions` says where its cells are) and make a `Row`
of the others with `table_row`.

Identifiers are checked against their format on the way in (`PARTICIPANT_NUMBER`,
`formations.CODE_PATTERN`), so that nothing a spreadsheet would run as a formula becomes a
participant number or a formation code. Cells are read through `cells.restore_cell`, so a file
Seleksi wrote reads back as it was.
"""

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from pathlib import Path

from .cells import TEXT_MARK, restore_cell
from .formations import CODE_PATTERN, MAX_CODE

PRESENT, ABSENT = "H", "TH"
YES, NO = "Y", "N"

PARTICIPANT_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,31}")
"""Nomor peserta: 1 to 32 ASCII letters, digits and . _ / -, beginning with a letter or a digit
(`Application.number` holds 32 characters)."""

_WHOLE = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Table = tuple[list[str], list[list[str]]]
"""The header (names stripped and lower-cased) and the lines after it."""


class Problem(StrEnum):
    """What is wrong; the placeholders each message needs are in brackets."""

    UNREADABLE = "unreadable"  # reason
    NOT_UTF8 = "not_utf8"
    MALFORMED = "malformed"
    EMPTY_FILE = "empty_file"
    MISSING_COLUMN = "missing_column"
    REQUIRED = "required"
    NOT_WHOLE_NUMBER = "not_whole_number"  # value
    OUT_OF_RANGE = "out_of_range"  # value, low, high
    NOT_A_NUMBER = "not_a_number"  # value
    TOO_MANY_DECIMALS = "too_many_decimals"  # value, places
    NOT_ONE_OF = "not_one_of"  # value, allowed
    NOT_A_DATE = "not_a_date"  # value
    BAD_PARTICIPANT_NUMBER = "bad_participant_number"  # value
    BAD_FORMATION_CODE = "bad_formation_code"  # value
    DUPLICATE = "duplicate"  # value, earlier
    DUPLICATE_IN_ROUND = "duplicate_in_round"  # value, round, earlier
    UNKNOWN_FORMATION = "unknown_formation"  # value
    OTHER_FORMATION = "other_formation"  # value
    NO_FORMATION_ROWS = "no_formation_rows"
    NO_SCORE_ROWS = "no_score_rows"
    NOT_REGISTERED = "not_registered"  # value, selection
    NOT_SUBMITTED = "not_submitted"  # value
    NOT_ADMITTED = "not_admitted"  # value: found TMS in the administrative selection
    WRONG_PROCUREMENT = "wrong_procurement"  # value, applied, stage, expected
    WRONG_FORMATION = "wrong_formation"  # value, participant, formation


@dataclass(frozen=True)
class FileProblem:
    """`line` as a spreadsheet numbers it (the header is line 1), 0 for the whole file;
    `column` is empty when the problem is not in one cell."""

    code: Problem
    line: int = 0
    column: str = ""
    values: dict[str, str] = field(default_factory=dict, hash=False)


class FileErrors(Exception):
    def __init__(self, problems: list[FileProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class Row:
    """One CSV line: its number as a spreadsheet shows it and its cells by column."""

    line: int
    cells: dict[str, str]
    errors: list[FileProblem] = field(default_factory=list)

    def fail(self, column: str, code: Problem, **values: object) -> None:
        self.errors.append(
            FileProblem(code, self.line, column, {k: str(v) for k, v in values.items()})
        )

    def text(self, column: str) -> str | None:
        value = self.cells[column]
        if not value:
            self.fail(column, Problem.REQUIRED)
            return None
        return value

    def first_for(
        self, seen: dict[tuple[str, int], int], number: str, round_: int, *, by_round: bool
    ) -> bool:
        """Whether this is the first line of the participant (in this round, where a stage has
        rounds); a repeated line fails, naming the line it repeats. `seen` keeps first lines."""
        earlier = seen.setdefault((number, round_), self.line)
        if earlier == self.line:
            return True
        if by_round:
            self.fail(
                "nomor_peserta",
                Problem.DUPLICATE_IN_ROUND,
                value=number,
                round=round_,
                earlier=earlier,
            )
        else:
            self.fail("nomor_peserta", Problem.DUPLICATE, value=number, earlier=earlier)
        return False

    def participant(self, column: str = "nomor_peserta") -> str | None:
        """A participant number (nomor peserta) in its format, or None."""
        value = self.text(column)
        if value is not None and not PARTICIPANT_NUMBER.fullmatch(value):
            self.fail(column, Problem.BAD_PARTICIPANT_NUMBER, value=value)
            return None
        return value

    def formation_code(self, column: str = "kode_formasi") -> str | None:
        """A formation code (kode formasi) in the format the allocation import accepts."""
        value = self.text(column)
        if value is not None and not (len(value) <= MAX_CODE and CODE_PATTERN.fullmatch(value)):
            self.fail(column, Problem.BAD_FORMATION_CODE, value=value)
            return None
        return value

    def whole(self, column: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self.cells[column]
        if not value:
            if required:
                self.fail(column, Problem.REQUIRED)
            return None
        if not _WHOLE.fullmatch(value):
            self.fail(column, Problem.NOT_WHOLE_NUMBER, value=value)
            return None
        number = int(value)
        if not low <= number <= high:
            self.fail(column, Problem.OUT_OF_RANGE, value=number, low=low, high=high)
            return None
        return number

    def decimal(
        self, column: str, low: int, high: int, *, required: bool, places: int | None = None
    ) -> Fraction | None:
        """`places` limits the digits after the decimal point; None allows any number."""
        value = self.cells[column]
        if not value:
            if required:
                self.fail(column, Problem.REQUIRED)
            return None
        if not _DECIMAL.fullmatch(value):
            self.fail(column, Problem.NOT_A_NUMBER, value=value)
            return None
        if places is not None and len(value.partition(".")[2]) > places:
            self.fail(column, Problem.TOO_MANY_DECIMALS, value=value, places=places)
            return None
        number = Fraction(Decimal(value))
        if not low <= number <= high:
            self.fail(column, Problem.OUT_OF_RANGE, value=value, low=low, high=high)
            return None
        return number

    def choice(self, column: str, allowed: Sequence[str]) -> str | None:
        value = self.cells[column]
        if value not in allowed:
            self.fail(column, Problem.NOT_ONE_OF, value=value, allowed=", ".join(allowed))
            return None
        return value

    def attendance(self, column: str = "kehadiran") -> bool | None:
        """Kehadiran: True for H (hadir), False for TH (tidak hadir), None when invalid."""
        value = self.choice(column, (PRESENT, ABSENT))
        return None if value is None else value == PRESENT

    def flag(self, column: str) -> bool | None:
        value = self.choice(column, (YES, NO))
        return None if value is None else value == YES

    def birth_date(self, column: str, *, required: bool) -> date | None:
        value = self.cells[column]
        if not value:
            if required:
                self.fail(column, Problem.REQUIRED)
            return None
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.fail(column, Problem.NOT_A_DATE, value=value)
            return None


def read_table(path: Path) -> Table:
    try:
        content = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise FileErrors([FileProblem(Problem.UNREADABLE, values={"reason": reason})]) from error
    return parse_table(content)


def parse_table(content: bytes) -> Table:
    """Decode as UTF-8 (a byte-order mark is allowed) with universal newlines, then split.
    Cells a writer neutralised (`cells.neutralise_cell`) are restored. A NUL character is no
    text a spreadsheet writes (it comes from binary files and UTF-16 exports), so it is refused
    as not UTF-8 text; a line the CSV reader cannot split is refused with its number."""
    try:
        text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig").read()
    except UnicodeDecodeError as error:
        raise FileErrors([FileProblem(Problem.NOT_UTF8)]) from error
    if "\x00" in text:
        raise FileErrors([FileProblem(Problem.NOT_UTF8)])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        lines = list(reader)
    except csv.Error as error:
        raise FileErrors([FileProblem(Problem.MALFORMED, reader.line_num)]) from error
    if not lines:
        raise FileErrors([FileProblem(Problem.EMPTY_FILE)])
    if TEXT_MARK in text:
        lines = [[restore_cell(cell) for cell in line] for line in lines]
    return [name.strip().lower() for name in lines[0]], lines[1:]


def column_positions(header: list[str], columns: Sequence[str]) -> dict[str, int]:
    """Where each of `columns` is in `header`; a missing column fails the file."""
    missing = [column for column in columns if column not in header]
    if missing:
        raise FileErrors([FileProblem(Problem.MISSING_COLUMN, 1, column) for column in missing])
    return {column: header.index(column) for column in columns}


def table_row(line: int, raw: Sequence[str], positions: Mapping[str, int]) -> Row | None:
    """The line as a `Row` holding the columns at `positions`, cells stripped; None when the
    line is blank."""
    if not any(cell.strip() for cell in raw):
        return None
    cells = {
        column: raw[position].strip() if position < len(raw) else ""
        for column, position in positions.items()
    }
    return Row(line, cells)


def table_rows(header: list[str], body: list[list[str]], columns: Sequence[str]) -> list[Row]:
    """The non-blank lines as `Row`s holding `columns`; a missing column fails the file."""
    positions = column_positions(header, columns)
    return [
        row
        for line, raw in enumerate(body, start=2)
        if (row := table_row(line, raw, positions)) is not None
    ]
