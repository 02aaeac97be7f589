"""Reading and writing the formation table as CSV or XLSX files.

Files are judged by their content: a CSV must be UTF-8 text, an XLSX must open as a
workbook. Whatever is wrong comes back as a `TableFileError` with a message a person can act on.
"""

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from seleksi.rules.formations import EXPORT_COLUMNS

MAX_FILE_BYTES = 10 * 1024 * 1024
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TableFileError(Exception):
    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


Table = tuple[list[str], list[list[str]]]


def read_table(filename: str, content: bytes) -> Table:
    """Header and rows (as text) of a .csv or .xlsx file."""
    if len(content) > MAX_FILE_BYTES:
        raise TableFileError(_("The file is larger than 10 MB. Split it or remove unused sheets."))
    if not content.strip():
        raise TableFileError(_("The file is empty."))
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return _read_xlsx(content)
    if lower.endswith(".csv") or lower.endswith(".txt"):
        return _read_csv(content)
    raise TableFileError(_("Only .csv and .xlsx files can be imported."))


def _read_csv(content: bytes) -> Table:
    if content.startswith(b"PK\x03\x04"):
        raise TableFileError(
            _("This file is a spreadsheet workbook, not CSV text. Save it as .xlsx or as CSV.")
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise TableFileError(
            _(
                "Line %(line)d is not UTF-8 text. Save the file as “CSV UTF-8” "
                "(in Excel: Save As → CSV UTF-8) and import it again."
            )
            % {"line": line}
        ) from error
    if "\x00" in text:
        raise TableFileError(_("The file contains binary data; it is not a CSV text file."))
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ","
    if first_line.count(";") > first_line.count(","):
        delimiter = ";"
    elif first_line.count("\t") > first_line.count(","):
        delimiter = "\t"
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise TableFileError(
            _("The CSV file is malformed: %(error)s. Check quotes on that line.") % {"error": error}
        ) from error
    if not records:
        raise TableFileError(_("The file is empty."))
    return records[0], records[1:]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _read_xlsx(content: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TableFileError(
            _("The file cannot be opened as an Excel workbook (.xlsx). Is it damaged or renamed?")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        records = [
            [_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    while records and not any(cell.strip() for cell in records[-1]):
        records.pop()
    if not records:
        raise TableFileError(_("The first sheet of the workbook is empty."))
    return records[0], records[1:]


def write_csv(rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_xlsx(rows: Sequence[Sequence[str]], *, title: str = "formasi") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(EXPORT_COLUMNS))
    quota_index = EXPORT_COLUMNS.index("kuota")
    for row in rows:
        values: list[object] = list(row)
        if row[quota_index]:
            values[quota_index] = int(row[quota_index])
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
