"""Reading and writing the formation table as CSV or XLSX files.

Decisions worth knowing:

- Files are judged by their content: a CSV must be UTF-8 text, an XLSX must open as a
  workbook. Whatever is wrong is a `TableFileError`: a code and the values its message needs,
  said in the reader's language when shown (`TableFileError.message`), so that a file the task
  worker refused reads in the language of whoever opens the console.
- A workbook is a zip of XML parts. Before anything is unpacked, its directory is checked
  against the bounds below, so a decompression bomb is refused in milliseconds without a byte
  of it inflated; the bounds sit far above a national allocation (20,000 rows unpack to about
  12 MB). Reading stops past `MAX_TABLE_LINES` lines in both formats.
- Any part of a workbook that cannot be parsed (broken XML, missing parts) is one message:
  a damaged workbook. The parsers below raise many kinds of exceptions on such files.
- Every cell written goes through `rules.cells.neutralise_cell` and every cell read through
  `restore_cell`; XLSX text is written as text cells, never as formulas, so an export of
  hostile names opens as text and imports back unchanged.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from seleksi.core.errors import ServiceRefused
from seleksi.rules.cells import TEXT_MARK, neutralise_cell, restore_cell
from seleksi.rules.formations import EXPORT_COLUMNS, MAX_ROWS

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TABLE_LINES = 100_000
"""Lines a file may have, blank ones included: five times a national allocation's rows."""
XLSX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""What all parts of a workbook may unpack to together (a national allocation: about 12 MB)."""
XLSX_MAX_COMPRESSION_RATIO = 100
"""How many times its packed size one part may unpack to (spreadsheets write 5 to 30)."""
XLSX_RATIO_CHECKED_FROM_BYTES = 1024 * 1024
"""Parts that unpack to less are not checked for their ratio: small XML packs very well."""
XLSX_MAX_PARTS = 1_000
"""Parts (files in the zip) a workbook may have; an allocation workbook has about a dozen."""
XLSX_MAX_COLUMNS = 200
"""Columns read from the header row; columns further right are ignored."""
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEGABYTE = 1024 * 1024

FILE_ERRORS: dict[str, Promise] = {
    "too_large": _("The file is larger than %(limit)d MB. Split it or remove unused sheets."),
    "empty": _("The file is empty."),
    "unknown_type": _("Only .csv and .xlsx files can be imported."),
    "workbook_as_csv": _(
        "This file is a spreadsheet workbook, not CSV text. Save it as .xlsx or as CSV."
    ),
    "not_utf8": _(
        "Line %(line)d is not UTF-8 text. Save the file as “CSV UTF-8” "
        "(in Excel: Save As → CSV UTF-8) and import it again."
    ),
    "binary": _("The file contains binary data; it is not a CSV text file."),
    "malformed_csv": _("The CSV file is malformed: %(error)s. Check quotes on that line."),
    "too_many_lines": _(
        "The file has more than %(limit)d lines, and an allocation has at most %(rows)d "
        "formation rows. Delete the empty lines at the end of the sheet or split the file."
    ),
    "damaged_workbook": _(
        "The file cannot be read as an Excel workbook (.xlsx): it is damaged or is not a "
        "workbook. Open it in Excel or LibreOffice, save it again as .xlsx and import that file."
    ),
    "unusual_workbook": _(
        "The workbook is encrypted or packed in a way spreadsheet programs do not write. "
        "Open it in Excel or LibreOffice, remove any password, save it again as .xlsx and "
        "import that file."
    ),
    "workbook_too_large": _(
        "The workbook unpacks to more than %(limit)d MB, far more than any allocation needs. "
        "Keep only the allocation sheet, without images, or save it as CSV UTF-8."
    ),
    "workbook_packed_too_tightly": _(
        "A part of the workbook unpacks to more than %(ratio)d times its size, which "
        "spreadsheet programs never write. Open it in Excel or LibreOffice, save it again as "
        ".xlsx and import that file."
    ),
    "empty_sheet": _("The first sheet of the workbook is empty."),
}


class TableFileError(ServiceRefused):
    """An unreadable file: `code` names what is wrong, `values` fill its message."""

    def __init__(self, code: str, **values: Any) -> None:
        template = FILE_ERRORS.get(code, FILE_ERRORS["damaged_workbook"])
        super().__init__(code, template, values or None)
        self.values = values


Table = tuple[list[str], list[list[str]]]


def read_table(filename: str, content: bytes) -> Table:
    """Header and rows (as text) of a .csv or .xlsx file."""
    if _checked_format(filename, content) == "xlsx":
        return _read_xlsx(content)
    return _read_csv(content)


def unpacked_size(filename: str, content: bytes) -> int:
    """The bytes a parser would read: the text of a CSV, every part of a workbook unpacked.
    Refuses at once, with a `TableFileError`, what needs no parsing to refuse: a file too
    large, empty or of another type, and a workbook that breaks a bound."""
    if _checked_format(filename, content) == "xlsx":
        return check_workbook_archive(content)
    return len(content)


def _checked_format(filename: str, content: bytes) -> str:
    if len(content) > MAX_FILE_BYTES:
        raise TableFileError("too_large", limit=MAX_FILE_BYTES // MEGABYTE)
    if not content.strip():
        raise TableFileError("empty")
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return "xlsx"
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return "csv"
    raise TableFileError("unknown_type")


def _read_csv(content: bytes) -> Table:
    if content.startswith(b"PK\x03\x04"):
        raise TableFileError("workbook_as_csv")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise TableFileError("not_utf8", line=line) from error
    if "\x00" in text:
        raise TableFileError("binary")
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ","
    if first_line.count(";") > first_line.count(","):
        delimiter = ";"
    elif first_line.count("\t") > first_line.count(","):
        delimiter = "\t"
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            if len(records) >= MAX_TABLE_LINES:
                raise _too_many_lines()
            records.append(record)
    except csv.Error as error:
        raise TableFileError("malformed_csv", error=str(error)) from error
    if not records:
        raise TableFileError("empty")
    if TEXT_MARK in text:
        records = [[restore_cell(cell) for cell in record] for record in records]
    return records[0], records[1:]


def _too_many_lines() -> TableFileError:
    return TableFileError("too_many_lines", limit=MAX_TABLE_LINES, rows=MAX_ROWS)


def check_workbook_archive(content: bytes) -> int:
    """What the workbook's parts unpack to, read from the zip directory without unpacking
    anything; a `TableFileError` when the directory breaks a bound. (Python's zipfile stops
    a part at the size the directory gives it, so the directory cannot understate it.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise TableFileError("damaged_workbook") from error
    if len(parts) > XLSX_MAX_PARTS:
        raise TableFileError("unusual_workbook")
    unpacked = 0
    for part in parts:
        encrypted = part.flag_bits & 0x1
        if encrypted or part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise TableFileError("unusual_workbook")
        unpacked += part.file_size
        if unpacked > XLSX_MAX_UNPACKED_BYTES:
            raise TableFileError("workbook_too_large", limit=XLSX_MAX_UNPACKED_BYTES // MEGABYTE)
        if (
            part.file_size >= XLSX_RATIO_CHECKED_FROM_BYTES
            and part.file_size > XLSX_MAX_COMPRESSION_RATIO * part.compress_size
        ):
            raise TableFileError("workbook_packed_too_tightly", ratio=XLSX_MAX_COMPRESSION_RATIO)
    return unpacked


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return restore_cell(value)
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _read_xlsx(content: bytes) -> Table:
    check_workbook_archive(content)
    try:
        records = _sheet_records(content)
    except TableFileError:
        raise
    except Exception as error:
        # openpyxl and the XML parser raise many kinds of exceptions on a damaged part.
        raise TableFileError("damaged_workbook") from error
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()
    if not records:
        raise TableFileError("empty_sheet")
    return records[0], records[1:]


def _sheet_records(content: bytes) -> list[list[str]]:
    """The first sheet's rows as text, as wide as its header row. A sheet's own dimension is
    trusted only to refuse early: rows are read one by one and counted."""
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet: Any = workbook.worksheets[0]
        declared_rows = sheet.max_row
        if declared_rows is not None and declared_rows > MAX_TABLE_LINES:
            raise _too_many_lines()
        sheet.reset_dimensions()
        first = next(sheet.iter_rows(max_row=1, max_col=XLSX_MAX_COLUMNS, values_only=True), ())
        header = [_cell_text(value) for value in first]
        while header and not header[-1].strip():
            header.pop()
        records = [header]
        for values in sheet.iter_rows(min_row=2, max_col=max(len(header), 1), values_only=True):
            if len(records) >= MAX_TABLE_LINES:
                raise _too_many_lines()
            records.append([_cell_text(value) for value in values])
    finally:
        workbook.close()
    return records


def write_csv(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([neutralise_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def write_xlsx(rows: Sequence[Sequence[str]], *, title: str = "formasi") -> bytes:
    """Text cells are neutralised and typed as text: openpyxl would otherwise make a formula
    of text beginning with "=" and an error cell of "#N/A". The quota is a number."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(EXPORT_COLUMNS))
    quota_index = EXPORT_COLUMNS.index("kuota")
    for row in rows:
        values = _text_cells(sheet, row)
        if row[quota_index]:
            values[quota_index] = int(row[quota_index])
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cells(sheet: WriteOnlyWorksheet, texts: Iterable[str]) -> list[object]:
    cells: list[object] = []
    for text in texts:
        if not text:
            cells.append(None)
            continue
        cell = WriteOnlyCell(sheet)
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", neutralise_cell(text))
        cell.data_type = "s"
        cells.append(cell)
    return cells


Sheet = tuple[str, Sequence[str], Iterable[Sequence[object]]]
"""A sheet to write: its title, its header and its rows."""


def write_xlsx_sheets(sheets: Iterable[Sheet]) -> bytes:
    """A workbook of several sheets, each with a header row. Text cells are neutralised and
    typed as text, as in `write_xlsx`; numbers (int, Decimal) and dates stay what they are, so
    a spreadsheet can add them up; None is an empty cell. Titles are cut to the 31 characters
    a sheet name may have."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(_text_cells(sheet, header))
        for row in rows:
            sheet.append(
                [_text_cells(sheet, [cell])[0] if isinstance(cell, str) else cell for cell in row]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
