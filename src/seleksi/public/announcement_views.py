"""The public pages of result announcements: a selection's list, one announcement with its
table, its PDF and its CSV and XLSX downloads.

Decisions worth knowing:
- A published announcement never changes, so the rendered table (filter, search answer, rows
  and page links) is kept in Django's cache per announcement, language, formation, page and
  searched number, for `SELEKSI_ANNOUNCEMENT_CACHE_SECONDS` (0 turns it off). Only checked
  input makes a key: a bad number or formation is answered with its error and not kept. The
  page around the table (header, correction notices, the person's header bar and the form
  tokens of base.html) is rendered on every request from the one query that finds the
  announcement, so a correction published later shows at once, and no one's header is
  cached for another.
- Browsers and shared caches may keep the page for a few minutes (`public, max-age`); a
  signed-in person's page names them in the header, so theirs is `private`.
- The cache key is made from the parameters as typed (bounded in length), before the
  formation is checked against the announcement's `formations`, so a cached page reads
  neither its formations nor its rows: two small queries (the announcement, its correction).
  What the miss finds invalid is shown with its error and not kept, so junk keys never fill
  the cache.
- The links of the table carry only the checked parameters, never what else was in the
  address, so a cached table holds nothing one visitor typed for the next.
- A number search shows the number's row and opens the table at the page of its formation
  that holds it.
- The PDF and the XLSX of an announcement are made once and kept in the private storage
  (per language; the PDF also per site address, which its QR code names, and per correction,
  which it mentions); while one is being made, another request for it is asked to come back
  in a minute instead of making it again. The CSV is streamed as it is read.
- The PDF prints each formation's rows as monospaced lines, not as table cells: WeasyPrint
  lays out a line about fifteen times faster than a row of cells (10,000 rows in about 8 s
  on one core, 100,000 in well over a minute, too long for a request, hence made once and
  kept, with the others asked to come back meanwhile).
- Every cell of the downloads goes through `rules.cells.neutralise_cell`; XLSX text cells are
  typed as text, so a name beginning with "=" opens as text, not as a formula.
"""

import csv
import hashlib
import io
import itertools
from collections.abc import Iterator
from html import escape as html_escape
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from seleksi.announcements import public
from seleksi.announcements.models import Announcement, AnnouncementRow
from seleksi.applications.printing import pdf_from_html, qr_svg
from seleksi.core.templatetags.results import RESULT_CODES
from seleksi.rules.cells import neutralise_cell
from seleksi.selections import selectors
from seleksi.selections.tables import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

from .forms import ParticipantSearchForm

BROWSER_MAX_AGE = 300
"""Seconds a browser or proxy may keep a page: a correction published later shows after this."""
MAKING_SECONDS = 900
"""How long a request making a PDF or XLSX holds the others off."""
RETRY_SECONDS = 60

UNKNOWN_FORMATION = _("Choose a formation from the list; the whole table is shown.")
ALL_FORMATIONS = _("All formations")

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


def _announcement_or_404(code: str, pk: int) -> Announcement:
    announcement = public.announcement_published_get(code=code, pk=pk)
    if announcement is None:
        raise Http404("no published announcement")
    return announcement


def _cache_seconds() -> int:
    return max(0, int(getattr(settings, "SELEKSI_ANNOUNCEMENT_CACHE_SECONDS", 0)))


def _shareable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    seconds = _cache_seconds()
    if seconds:
        scope = "private" if request.user.is_authenticated else "public"
        response["Cache-Control"] = f"{scope}, max-age={min(seconds, BROWSER_MAX_AGE)}"
    return response


@require_GET
def announcement_list(request: HttpRequest, code: str) -> HttpResponse:
    selection = selectors.selection_published_get(code=code)
    if selection is None:
        raise Http404("selection not found")
    return render(
        request,
        "announcements/list.html",
        {
            "selection": selection,
            "announcements": public.announcements_published(selection_id=selection.pk),
        },
    )


def _page_number(value: str | None) -> int:
    if value is None or not value.isdigit() or len(value) > 9:
        return 1
    return max(1, int(value))


def _code_counts(counts: dict[str, int]) -> list[tuple[str, int, str]]:
    """(code, rows, meaning) in the order of the legend; unknown codes after, by name."""
    listed = [
        (code, counts[code], str(meaning))
        for code, meaning in RESULT_CODES.items()
        if code in counts
    ]
    others = sorted(code for code in counts if code not in RESULT_CODES)
    return listed + [(code, counts[code], "") for code in others]


FORMATION_CODE_LENGTH = 64


@require_GET
def announcement_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    announcement = _announcement_or_404(code, pk)
    search = ParticipantSearchForm(request.GET) if "nomor" in request.GET else None
    number = search.cleaned_data["nomor"] if search is not None and search.is_valid() else ""
    formation_code = request.GET.get("formasi", "")
    page = _page_number(request.GET.get("page"))
    seconds = _cache_seconds()
    key = None
    if seconds and (search is None or number) and len(formation_code) <= FORMATION_CODE_LENGTH:
        parameters = "\x1f".join(
            [str(announcement.pk), get_language() or "", formation_code, str(page), number]
        )
        key = "announcement-table:" + hashlib.sha256(parameters.encode()).hexdigest()
    table = cache.get(key) if key else None
    if table is None:
        table, checked = _table_html(announcement, search, number, page, request.GET)
        if key and checked:
            cache.set(key, table, seconds)
    response = render(
        request,
        "announcements/detail.html",
        {
            "selection": announcement.selection,
            "announcement": announcement,
            "code_counts": _code_counts(announcement.counts or {}),
            "table": mark_safe(table),  # noqa: S308 - rendered by our template, escaped there
        },
    )
    return _shareable(request, response)


def _table_html(
    announcement: Announcement,
    search: ParticipantSearchForm | None,
    number: str,
    page: int,
    query: Any,
) -> tuple[str, bool]:
    """The table part of the page and whether its input was all valid (only then is it kept:
    the key is made before the formation is checked, so that a cached page never reads the
    announcement's formations)."""
    parts = public.formation_parts(announcement)
    wanted = str(query.get("formasi", ""))
    formation = next((part for part in parts if part.code == wanted), None) if wanted else None
    formation_error = UNKNOWN_FORMATION if wanted and formation is None else None
    checked = formation_error is None and (search is None or bool(number))
    found: AnnouncementRow | None = None
    if number:
        found = public.row_find(announcement=announcement, number=number)
        if found is not None:
            formation, page = public.formation_of_row(parts, found)
    rows_page = public.rows_page(announcement=announcement, formation=formation, number=page)
    labels = {part.code: part.label for part in parts}
    headers = figure_headers(announcement)
    lines: list[tuple[public.FormationPart | None, AnnouncementRow]] = []
    previous = None
    for row in rows_page.rows:
        heading = None
        if formation is None and row.formation_code != previous:
            label = labels.get(row.formation_code, "")
            heading = public.FormationPart(row.formation_code, label, 0, 0)
            previous = row.formation_code
        row.figure_cells = list(zip(headers, _aligned(row, len(headers)), strict=True))  # type: ignore[attr-defined]
        lines.append((heading, row))
    html = render_to_string(
        "announcements/_table.html",
        {
            "announcement": announcement,
            "selection": announcement.selection,
            "formation_total": len(parts),
            "formation_error": formation_error,
            "options": _formation_options(parts, formation),
            "formation": formation,
            "search": search or ParticipantSearchForm(),
            "searched": bool(number),
            "found": found,
            "page": rows_page,
            "lines": lines,
            "headers": headers,
            "column_count": 6 + len(headers),
            "query": urlencode({"formasi": formation.code}) if formation else "",
        },
    )
    return html, checked


def _formation_options(
    parts: list[public.FormationPart], formation: public.FormationPart | None
) -> str:
    """The <option>s of the formation select, made here: a template loop over a thousand
    formations costs more than the rest of the page."""
    chosen = formation.code if formation else None
    options = [f'<option value="">{html_escape(str(ALL_FORMATIONS))}</option>']
    for part in parts:
        label = f"{part.code} · {part.label}" if part.label else part.code
        selected = " selected" if part.code == chosen else ""
        options.append(
            f'<option value="{html_escape(part.code)}"{selected}>{html_escape(label)}</option>'
        )
    return mark_safe("".join(options))  # noqa: S308 - every value and label escaped here


def _aligned(row: AnnouncementRow, width: int) -> list[str]:
    """The row's figures, one per column: missing ones empty, extra ones dropped."""
    return [str(figure) for figure in (list(row.figures or []) + [""] * width)[:width]]


# --- downloads ---------------------------------------------------------------------------

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
            *_aligned(row, width),
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


def _file_name(announcement: Announcement, extension: str) -> str:
    return f"pengumuman-{slugify(announcement.selection.code)}-{announcement.pk}.{extension}"


def _made_once(name: str, make: Any) -> FileResponse | None:
    """The stored file `name`, made with `make()` when missing; None while another request
    is making it."""
    if not default_storage.exists(name):
        holder = f"announcement-making:{name}"
        if not cache.add(holder, 1, MAKING_SECONDS):
            return None
        try:
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(make()))
        finally:
            cache.delete(holder)
    return FileResponse(default_storage.open(name, "rb"))


def _being_made(request: HttpRequest, announcement: Announcement) -> HttpResponse:
    response = render(
        request,
        "announcements/being_made.html",
        {"announcement": announcement, "selection": announcement.selection},
        status=503,
    )
    response["Retry-After"] = str(RETRY_SECONDS)
    return response


def _stored_name(announcement: Announcement, kind: str, extension: str, *parts: str) -> str:
    variant = "\x1f".join([get_language() or "", str(announcement.corrected_by_id), *parts])  # type: ignore[attr-defined]
    digest = hashlib.sha256(variant.encode()).hexdigest()[:24]
    return f"pengumuman/{announcement.pk}/{kind}-{digest}.{extension}"


def _attachment(response: FileResponse, name: str, content_type: str) -> FileResponse:
    response["Content-Type"] = content_type
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = f"public, max-age={BROWSER_MAX_AGE}"
    return response


@require_GET
def announcement_download(
    request: HttpRequest, code: str, pk: int, file_format: str
) -> HttpResponse | StreamingHttpResponse:
    if file_format not in {"csv", "xlsx"}:
        raise Http404("unknown format")
    announcement = _announcement_or_404(code, pk)
    if file_format == "csv":
        streamed = StreamingHttpResponse(csv_chunks(announcement), content_type=CSV_CONTENT_TYPE)
        streamed["Content-Disposition"] = (
            f'attachment; filename="{_file_name(announcement, "csv")}"'
        )
        streamed["Cache-Control"] = f"public, max-age={BROWSER_MAX_AGE}"
        return streamed
    made = _made_once(_stored_name(announcement, "tabel", "xlsx"), lambda: xlsx_bytes(announcement))
    if made is None:
        return _being_made(request, announcement)
    return _attachment(made, _file_name(announcement, "xlsx"), XLSX_CONTENT_TYPE)


PRINTED_NAME_WIDTH = 30
PRINTED_LINE_WIDTH = 118
"""Characters of the PDF's monospaced 7-point lines across an A4 page."""


def _printed_lines(headers: list[str], rows: list[AnnouncementRow]) -> tuple[str, str]:
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
        cells.append([row.number, name, *_aligned(row, len(headers)), row.total, rank, row.code])
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


def announcement_pdf_bytes(request: HttpRequest, announcement: Announcement) -> bytes:
    """The printable announcement: letterhead, header, body, every formation's rows, the
    signatory and a QR code to the public page. Rows are printed as monospaced lines, not
    as table cells: WeasyPrint lays out a line of text about fifteen times faster than a row
    of cells, which makes a 10,000-row announcement take seconds instead of a minute."""
    url = request.build_absolute_uri(
        reverse("public:announcement", args=[announcement.selection.code, announcement.pk])
    )
    labels = {part.code: part.label for part in public.formation_parts(announcement)}
    headers = figure_headers(announcement)
    groups: list[tuple[public.FormationPart, str, str]] = []
    rows = public.rows_in_order(announcement=announcement)
    for formation_code, printed in itertools.groupby(rows, key=lambda row: row.formation_code):
        chunk = list(printed)
        part = public.FormationPart(formation_code, labels.get(formation_code, ""), 0, len(chunk))
        groups.append((part, *_printed_lines(headers, chunk)))
    html = render_to_string(
        "announcements/pdf.html",
        {
            "announcement": announcement,
            "selection": announcement.selection,
            "agency": announcement.selection.agency,
            "groups": groups,
            "code_counts": _code_counts(announcement.counts or {}),
            "qr": qr_svg(url),
            "public_url": url,
            "printed_at": timezone.localtime(),
        },
        request=request,
    )
    return pdf_from_html(html, str(settings.BASE_DIR))


@require_GET
def announcement_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse | FileResponse:
    announcement = _announcement_or_404(code, pk)
    made = _made_once(
        _stored_name(announcement, "cetak", "pdf", request.get_host()),
        lambda: announcement_pdf_bytes(request, announcement),
    )
    if made is None:
        return _being_made(request, announcement)
    return _attachment(made, _file_name(announcement, "pdf"), "application/pdf")
