"""The files of a published announcement: CSV, XLSX and the printable PDF, and where the
made ones are kept. Used by the public pages and by the task that makes a large one.

Decisions worth knowing:
- Every cell of the downloads goes through `rules.cells.neutralise_cell`; XLSX text cells are
  typed as text, so a name beginning with "=" opens as text, not as a formula. The rank is a
  number; the figures stay text as printed (three decimals as ranked).
- The PDF prints each formation's rows as monospaced lines, not as table cells: WeasyPrint
  lays out a line about fifteen times faster than a row of cells (10,000 rows in 5 to 8 s on
  one core; 100,000 rows in about 40 s, 1,270 pages, several hundred MB while it works).
- The PDF and the XLSX are made once and kept in the private storage, per language and per
  correction (the PDF mentions it; the PDF also per page address, which its QR code names).
  While one is being made, a cache key holds the others off (`making_key`).
"""

import csv
import hashlib
import io
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from seleksi.announcements import public
from seleksi.announcements.models import Announcement, AnnouncementRow
from seleksi.applications.printing import pdf_from_html, qr_svg
from seleksi.core.templatetags.results import RESULT_CODES
from seleksi.rules.cells import neutralise_cell

MAKING_SECONDS = 900
"""How long the request or task making a PDF or XLSX holds the others off."""

FIGURE_LABELS: dict[str, Any] = {
    "twk": _("TWK"),
    "tiu": _("TIU"),
    "tkp": _("TKP"),
    "skd_score": _("SKD score"),
    "skb_score": _("SKB score"),
    "teknis_score": _("Technical competence score"),
    "manajerial_score": _("Managerial and socio-cultural score"),
    "wawancara_score": _("Interview score"),
    "test_score": _("Test score"),
    "preference_points": _("Preference points"),
}
"""Headers of the figure columns an announcement may have; another key is shown as it is."""


def figure_headers(announcement: Announcement) -> list[str]:
    return [str(FIGURE_LABELS.get(column, column)) for column in announcement.columns or []]


def code_counts(counts: dict[str, int]) -> list[tuple[str, int, str]]:
    """(code, rows, meaning) in the order of the legend; unknown codes after, by name."""
    listed = [
        (code, counts[code], str(meaning))
        for code, meaning in RESULT_CODES.items()
        if code in counts
    ]
    others = sorted(code for code in counts if code not in RESULT_CODES)
    return listed + [(code, counts[code], "") for code in others]


def aligned(row: AnnouncementRow, width: int) -> list[str]:
    """The row's figures, one per column: missing ones empty, extra ones dropped."""
    return [str(figure) for figure in (list(row.figures or []) + [""] * width)[:width]]


EXPORT_HEAD = ["formasi_kode", "formasi", "nomor_peserta", "nama"]
EXPORT_TAIL = ["total", "peringkat", "kode", "keterangan"]


def export_header(announcement: Announcement) -> list[str]:
    return [*EXPORT_HEAD, *(announcement.columns or []), *EXPORT_TAIL]


def export_records(announcement: Announcement) -> Iterator[list[str]]:
    """Every row as text, in printed order, with its formation's code and label."""
    labels = {part.code: part.label for part in public.formation_parts(announcement)}
    width = len(announcement.columns or [])
    for row in public.rows_in_order(announcement=announcement):
        yield [
            row.formation_code,
            labels.get(row.formation_code, ""),
            row.number,
            row.name,
            *aligned(row, width),
            row.total,
            "" if row.rank is None else str(row.rank),
            row.code,
            row.note,
        ]


def csv_chunks(announcement: Announcement) -> Iterator[bytes]:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(export_header(announcement))
    for count, record in enumerate(export_records(announcement), start=1):
        writer.writerow([neutralise_cell(cell) for cell in record])
        if count % public.EXPORT_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(announcement: Announcement) -> bytes:
    """The rows as a workbook: text cells neutralised and typed as text, the rank a number."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("pengumuman")
    sheet.append(export_header(announcement))
    rank_index = len(EXPORT_HEAD) + len(announcement.columns or []) + 1
    for record in export_records(announcement):
        values: list[object] = []
        for index, text in enumerate(record):
            if not text:
                values.append(None)
            elif index == rank_index:
                values.append(int(text))
            else:
                cell = WriteOnlyCell(sheet)
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", neutralise_cell(text))
                cell.data_type = "s"
                values.append(cell)
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


PRINTED_NAME_WIDTH = 30
PRINTED_LINE_WIDTH = 118
"""Characters of the PDF's monospaced 7-point lines across an A4 page."""


def printed_lines(headers: list[str], rows: list[AnnouncementRow]) -> tuple[str, str]:
    """One formation's table as monospaced text: its header line and its rows, each column as
    wide as its widest cell, the name cut at PRINTED_NAME_WIDTH, a note that does not fit
    on the line on its own line below."""
    heads = [
        str(_("Participant number")),
        str(_("Name")),
        *headers,
        str(_("Total")),
        str(_("Rank")),
        str(_("Code")),
    ]
    cells = []
    for row in rows:
        name = row.name if len(row.name) <= PRINTED_NAME_WIDTH else row.name[:29] + "…"
        rank = "" if row.rank is None else str(row.rank)
        cells.append([row.number, name, *aligned(row, len(headers)), row.total, rank, row.code])
    widths = [max([len(head), *(len(line[i]) for line in cells)]) for i, head in enumerate(heads)]

    def joined(values: list[str]) -> str:
        parts = [values[0].ljust(widths[0]), values[1].ljust(widths[1])]
        parts += [
            value.rjust(width) for value, width in zip(values[2:-1], widths[2:-1], strict=True)
        ]
        return "  ".join([*parts, values[-1].ljust(widths[-1])])

    lines = []
    for row, values in zip(rows, cells, strict=True):
        text = joined(values)
        if row.note and len(text) + 2 + len(row.note) <= PRINTED_LINE_WIDTH:
            text = f"{text}  {row.note}"
        elif row.note:
            text = f"{text}\n    {row.note}"
        lines.append(text.rstrip())
    return joined(heads).rstrip(), "\n".join(lines)


def pdf_bytes(announcement: Announcement, *, page_url: str) -> bytes:
    """The printable announcement: letterhead, header, body, every formation's rows, the
    signatory and a QR code to the public page. Rows are printed as monospaced lines, not
    as table cells: WeasyPrint lays out a line of text about fifteen times faster than a row
    of cells, which makes a 10,000-row announcement take seconds instead of a minute."""
    url = page_url
    labels = {part.code: part.label for part in public.formation_parts(announcement)}
    headers = figure_headers(announcement)
    groups: list[tuple[public.FormationPart, str, str]] = []
    rows = public.rows_in_order(announcement=announcement)
    for formation_code, printed in itertools.groupby(rows, key=lambda row: row.formation_code):
        chunk = list(printed)
        part = public.FormationPart(formation_code, labels.get(formation_code, ""), 0, len(chunk))
        groups.append((part, *printed_lines(headers, chunk)))
    html = render_to_string(
        "announcements/pdf.html",
        {
            "announcement": announcement,
            "selection": announcement.selection,
            "agency": announcement.selection.agency,
            "groups": groups,
            "code_counts": code_counts(announcement.counts or {}),
            "qr": qr_svg(url),
            "public_url": url,
            "printed_at": timezone.localtime(),
            "LANGUAGE_CODE": get_language(),
        },
    )
    return pdf_from_html(html, str(settings.BASE_DIR))


def stored_name(announcement: Announcement, kind: str, extension: str, *parts: str) -> str:
    """Where the file of this announcement, kind, language and correction is kept."""
    variant = "\x1f".join([get_language() or "", str(announcement.corrected_by_id), *parts])  # type: ignore[attr-defined]
    digest = hashlib.sha256(variant.encode()).hexdigest()[:24]
    return f"pengumuman/{announcement.pk}/{kind}-{digest}.{extension}"


def making_key(name: str) -> str:
    return f"announcement-making:{name}"


def store_once(name: str, make: Callable[[], bytes]) -> None:
    """Make and keep the file `name` unless it is kept already; releases `making_key`."""
    try:
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(make()))
    finally:
        cache.delete(making_key(name))
