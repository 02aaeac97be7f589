"""The public pages of result announcements: a selection's list, one announcement with its
table, its PDF and its CSV and XLSX downloads.

Decisions worth knowing:
- A published announcement never changes, so the rendered table (filter, search answer, rows
  and page links) is kept in Django's cache per announcement, language, formation, page and
  searched number, for `SELEKSI_ANNOUNCEMENT_CACHE_SECONDS` (0 turns it off). Only checked
  input makes a key: a bad number or formation is answered with its error and not kept. The
  page around the table (header, correction notices, the person's header bar and the form
  tokens of base.html) is rendered on every request from the announcement as read then, so
  a correction published later shows at once, and no one's header is cached for another.
- For a visitor who is not signed in, the whole page is also kept (`page_cache`) until a
  service publishes something new; the table cache still serves signed-in visitors.
- Browsers and shared caches may keep the page for a few minutes (`public, max-age`); a
  signed-in person's page names them in the header, so theirs is `private, no-cache`.
- The cache key is made from the parameters as typed (bounded in length), before the
  formation is checked against the announcement's `formations`, so a cached page reads
  neither its formations nor its rows: two small queries (the announcement, its correction).
  What the miss finds invalid is shown with its error and not kept, so junk keys never fill
  the cache.
- The links of the table carry only the checked parameters, never what else was in the
  address, so a cached table holds nothing one visitor typed for the next.
- A number search shows the number's row and opens the table at the page of its formation
  that holds it.
- The PDF and the XLSX are made once and kept (see `announcement_files`): by the request
  that first asks for one of up to MADE_IN_REQUEST_ROWS rows, by the task worker beyond (a
  100,000-row PDF takes about 40 s). While one is being made, a request for it is answered
  503 with Retry-After and a page that asks to come back in a minute, instead of making it
  again. The CSV is streamed as it is read.
"""

import hashlib
from html import escape as html_escape
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
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
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from seleksi.announcements import public
from seleksi.announcements.models import Announcement, AnnouncementRow
from seleksi.core.replicas import reads_from_replica
from seleksi.selections import selectors
from seleksi.selections.tables import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

from . import announcement_files
from .forms import ParticipantSearchForm
from .page_cache import public_page
from .tasks import announcement_file_make

BROWSER_MAX_AGE = 300
"""Seconds a browser or proxy may keep a page: a correction published later shows after this."""
MADE_IN_REQUEST_ROWS = 20_000
"""Rows up to which a PDF or XLSX is made inside the request that first asks for it (about
15 s for the PDF); a larger one is made by the task worker."""
RETRY_SECONDS = 60

UNKNOWN_FORMATION = _("Choose a formation from the list; the whole table is shown.")
ALL_FORMATIONS = _("All formations")


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
@public_page(edge=True)
@reads_from_replica
def announcement_list(request: HttpRequest, code: str) -> HttpResponse:
    selection = selectors.selection_published_get(code=code)
    if selection is None:
        raise Http404("selection not found")
    return render(
        request,
        "announcements/public_list.html",
        {
            "selection": selection,
            "announcements": public.announcements_published(selection_id=selection.pk),
        },
    )


def _page_number(value: str | None) -> int:
    if value is None or not value.isdigit() or len(value) > 9:
        return 1
    return max(1, int(value))


FORMATION_CODE_LENGTH = 64


@require_GET
@public_page(parameters=("nomor", "formasi", "page"), edge=True)
@reads_from_replica
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
        "announcements/public_detail.html",
        {
            "selection": announcement.selection,
            "announcement": announcement,
            "code_counts": announcement_files.code_counts(announcement.counts or {}),
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
    headers = announcement_files.figure_headers(announcement)
    lines: list[tuple[public.FormationPart | None, AnnouncementRow]] = []
    previous = None
    for row in rows_page.rows:
        heading = None
        if formation is None and row.formation_code != previous:
            label = labels.get(row.formation_code, "")
            heading = public.FormationPart(row.formation_code, label, 0, 0)
            previous = row.formation_code
        figures = announcement_files.aligned(row, len(headers))
        row.figure_cells = list(zip(headers, figures, strict=True))  # type: ignore[attr-defined]
        lines.append((heading, row))
    html = render_to_string(
        "announcements/_public_table.html",
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


def _file_name(announcement: Announcement, extension: str) -> str:
    return f"pengumuman-{slugify(announcement.selection.code)}-{announcement.pk}.{extension}"


def _kept_file(
    request: HttpRequest, announcement: Announcement, kind: str, *variant: str
) -> FileResponse | HttpResponse:
    """The kept XLSX or PDF, made now when missing (in the request up to
    MADE_IN_REQUEST_ROWS rows, by the task worker beyond); while it is being made, a page
    asking to come back in a minute."""
    name = announcement_files.stored_name(announcement, kind, kind, *variant)
    if not default_storage.exists(name):
        if not cache.add(announcement_files.making_key(name), 1, announcement_files.MAKING_SECONDS):
            return _being_made(request, announcement)
        page_url = _page_url(request, announcement)
        if announcement.row_count > MADE_IN_REQUEST_ROWS:
            language = get_language() or settings.LANGUAGE_CODE
            transaction.on_commit(
                lambda: announcement_file_make.enqueue(
                    announcement_id=announcement.pk,
                    kind=kind,
                    stored_name=name,
                    language=language,
                    page_url=page_url,
                )
            )
            return _being_made(request, announcement)
        if kind == "pdf":
            announcement_files.store_once(
                name, lambda: announcement_files.pdf_bytes(announcement, page_url=page_url)
            )
        else:
            announcement_files.store_once(name, lambda: announcement_files.xlsx_bytes(announcement))
    response = FileResponse(default_storage.open(name, "rb"))
    response["Content-Type"] = XLSX_CONTENT_TYPE if kind == "xlsx" else "application/pdf"
    response["Content-Disposition"] = f'attachment; filename="{_file_name(announcement, kind)}"'
    response["Cache-Control"] = f"public, max-age={BROWSER_MAX_AGE}"
    return response


def _page_url(request: HttpRequest, announcement: Announcement) -> str:
    return request.build_absolute_uri(
        reverse("public:announcement", args=[announcement.selection.code, announcement.pk])
    )


def _being_made(request: HttpRequest, announcement: Announcement) -> HttpResponse:
    response = render(
        request,
        "announcements/being_made.html",
        {"announcement": announcement, "selection": announcement.selection},
        status=503,
    )
    response["Retry-After"] = str(RETRY_SECONDS)
    return response


@require_GET
def announcement_download(
    request: HttpRequest, code: str, pk: int, file_format: str
) -> HttpResponse | StreamingHttpResponse:
    if file_format not in {"csv", "xlsx"}:
        raise Http404("unknown format")
    announcement = _announcement_or_404(code, pk)
    if file_format == "xlsx":
        return _kept_file(request, announcement, "xlsx")
    streamed = StreamingHttpResponse(
        announcement_files.csv_chunks(announcement), content_type=CSV_CONTENT_TYPE
    )
    streamed["Content-Disposition"] = f'attachment; filename="{_file_name(announcement, "csv")}"'
    streamed["Cache-Control"] = f"public, max-age={BROWSER_MAX_AGE}"
    return streamed


@require_GET
def announcement_pdf(request: HttpRequest, code: str, pk: int) -> HttpResponse | FileResponse:
    announcement = _announcement_or_404(code, pk)
    return _kept_file(request, announcement, "pdf", _page_url(request, announcement))
