"""Reading score files (NILAI.csv and the CAT exports): UTF-8 CSV with a header line, one
participant per row, every problem reported per row and column in Bahasa Indonesia.

Shared by `seleksi rank-file` and `seleksi import-scores`, so that one file is read the same
way by both. No Django here: a `Row` collects its own errors and the caller decides what an
error means. A caller with a million lines may read the well-formed ones without a `Row`
(`column_positions` says where its cells are) and make a `Row` of the others with `table_row`.
"""

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

PRESENT, ABSENT = "H", "TH"
YES, NO = "Y", "N"

_WHOLE = re.compile(r"-?[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Table = tuple[list[str], list[list[str]]]
"""The header (names stripped and lower-cased) and the lines after it."""


class FileErrors(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} kesalahan")
        self.errors = errors


@dataclass
class Row:
    """One CSV line: its number as a spreadsheet shows it and its cells by column."""

    line: int
    cells: dict[str, str]
    errors: list[str] = field(default_factory=list)

    def fail(self, column: str, message: str) -> None:
        self.errors.append(f"baris {self.line}, kolom {column}: {message}")

    def text(self, column: str) -> str | None:
        value = self.cells[column]
        if not value:
            self.fail(column, "wajib diisi")
            return None
        return value

    def whole(self, column: str, low: int, high: int, *, required: bool = True) -> int | None:
        value = self.cells[column]
        if not value:
            if required:
                self.fail(column, "wajib diisi")
            return None
        if not _WHOLE.fullmatch(value):
            self.fail(column, f"“{value}” bukan bilangan bulat")
            return None
        number = int(value)
        if not low <= number <= high:
            self.fail(column, f"{number} di luar rentang {low}..{high}")
            return None
        return number

    def decimal(
        self, column: str, low: int, high: int, *, required: bool, places: int | None = None
    ) -> Fraction | None:
        """`places` limits the digits after the decimal point; None allows any number."""
        value = self.cells[column]
        if not value:
            if required:
                self.fail(column, "wajib diisi")
            return None
        if not _DECIMAL.fullmatch(value):
            self.fail(column, f"“{value}” bukan bilangan (gunakan titik desimal)")
            return None
        if places is not None and len(value.partition(".")[2]) > places:
            self.fail(column, f"“{value}” lebih dari {places} angka di belakang titik desimal")
            return None
        number = Fraction(Decimal(value))
        if not low <= number <= high:
            self.fail(column, f"{value} di luar rentang {low}..{high}")
            return None
        return number

    def choice(self, column: str, allowed: Sequence[str]) -> str | None:
        value = self.cells[column]
        if value not in allowed:
            self.fail(column, f"“{value}” bukan salah satu dari {', '.join(allowed)}")
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
                self.fail(column, "wajib diisi")
            return None
        try:
            if not _ISO_DATE.fullmatch(value):
                raise ValueError(value)
            return date.fromisoformat(value)
        except ValueError:
            self.fail(column, f"“{value}” bukan tanggal (format TTTT-BB-HH)")
            return None


def read_table(path: Path) -> Table:
    try:
        content = path.read_bytes()
    except OSError as error:
        raise FileErrors([f"tidak dapat dibaca: {error.strerror}"]) from error
    return parse_table(content)


def parse_table(content: bytes) -> Table:
    """Decode as UTF-8 (a byte-order mark is allowed) with universal newlines, then split."""
    try:
        text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig").read()
    except UnicodeDecodeError as error:
        raise FileErrors(["bukan teks UTF-8"]) from error
    lines = list(csv.reader(io.StringIO(text, newline="")))
    if not lines:
        raise FileErrors(["berkas kosong"])
    return [name.strip().lower() for name in lines[0]], lines[1:]


def column_positions(header: list[str], columns: Sequence[str]) -> dict[str, int]:
    """Where each of `columns` is in `header`; a missing column fails the file."""
    missing = [column for column in columns if column not in header]
    if missing:
        raise FileErrors([f"baris 1, kolom {column}: kolom tidak ada" for column in missing])
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
