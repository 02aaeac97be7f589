"""The pages anyone may open: the published selections, their openings and files, the
published administrative results and replacements, the check of a printed card, and the
regency lookup of the forms."""

import re
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from seleksi.accounts.models import User
from seleksi.agencies.models import Agency
from seleksi.announcements import public as announcements_public
from seleksi.applicant import cards
from seleksi.applications.models import Application
from seleksi.core.privacy import masked_name
from seleksi.core.replicas import reads_from_replica
from seleksi.exams import cards as exam_cards
from seleksi.exams import selectors as exams_selectors
from seleksi.reference import selectors as reference_selectors
from seleksi.scoring import selectors as scoring_selectors
from seleksi.selections import selectors
from seleksi.selections.models import Formation, Requirement, Selection
from seleksi.selections.tables import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, write_csv, write_xlsx
from seleksi.verification import selectors as verification_selectors

from .forms import FormationFilterForm, ParticipantSearchForm
from .page_cache import public_page

MAX_QUERY_LENGTH = 100
FIELD_NAME = re.compile(r"[A-Za-z][\w-]{0,99}")
OPTIONS_LIMIT = 20
PUBLIC_RESULT_FORMATIONS_PER_PAGE = 20
PUBLIC_NUMBERS_PER_PAGE = 100
PUBLIC_REPLACEMENTS_PER_PAGE = 50
HOME_ANNOUNCEMENTS = 3
FILTER_PARAMETERS = (*FormationFilterForm.base_fields, "page")
"""What the openings list reads from its address; anything else is left out of its key."""
SEARCH_PARAMETERS = ("nomor", "formasi", "page")


def _published_or_404(code: str) -> Selection:
    selection = selectors.selection_published_get(code=code)
    if selection is None:
        raise Http404("selection not found")
    return selection


@require_GET
@public_page(edge=True)
@reads_from_replica
def home(request: HttpRequest) -> HttpResponse:
    selections = [(selection, selection.status()) for selection in selectors.selections_published()]
    ids = [selection.pk for selection, _status in selections]
    return render(
        request,
        "selections/home.html",
        {
            "selections": selections,
            "today": timezone.localdate(),
            "with_results": verification_selectors.selections_with_public_results(
                selection_ids=ids
            ),
            "with_replacements": scoring_selectors.selections_with_replacements(selection_ids=ids),
            "announcements": announcements_public.announcements_latest(
                selection_ids=ids, per_selection=HOME_ANNOUNCEMENTS
            ),
        },
    )


@require_GET
@public_page(edge=True)
@reads_from_replica
def selection_detail(request: HttpRequest, code: str) -> HttpResponse:
    selection = _published_or_404(code)
    requirements = list(selection.requirements.all())
    groups = [
        (label, [r for r in requirements if r.category == category])
        for category, label in Requirement.Category.choices
    ]
    allocation = selectors.allocation_summary(selection=selection)
    return render(
        request,
        "selections/detail.html",
        {
            "selection": selection,
            "status": selection.status(),
            "requirement_groups": [(label, items) for label, items in groups if items],
            "allocation": allocation,
            "allocation_quota": sum(line.quota for line in allocation),
            "allocation_formations": sum(line.formations for line in allocation),
            "results_published": verification_selectors.public_results_published(selection),
            "booking_windows": exams_selectors.windows(selection),
            "replacements_published": bool(
                scoring_selectors.selections_with_replacements(selection_ids=[selection.pk])
            ),
            "announcements": announcements_public.announcements_published(
                selection_id=selection.pk
            ),
        },
    )


def _filtered(
    request: HttpRequest, selection: Selection
) -> tuple[FormationFilterForm, QuerySet[Formation]]:
    options = selectors.formation_filter_options(selection=selection)
    form = FormationFilterForm(request.GET or None, options=options)
    queryset = selectors.formations_filtered(selection=selection, filters=form.to_filter())
    return form, queryset


@require_GET
@public_page(parameters=FILTER_PARAMETERS, partial=True)
@reads_from_replica
def formation_list(request: HttpRequest, code: str) -> HttpResponse:
    selection = _published_or_404(code)
    form, queryset = _filtered(request, selection)
    totals = selectors.formation_totals(queryset)
    overall = selectors.formation_totals(selection.formations.all())
    paginator = Paginator(queryset, settings.SELEKSI_FORMATIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "selection": selection,
        "form": form,
        "page": page,
        "totals": totals,
        "overall": overall,
        "query": query.urlencode(),
        "download_query": urlencode([(k, v) for k, v in query.items() if v]),
        "active_filters": form.active_count(),
    }
    partial = getattr(request, "htmx", False) and not request.htmx.boosted  # type: ignore[attr-defined]
    context["partial"] = partial
    template = "selections/_formation_results.html" if partial else "selections/formations.html"
    return render(request, template, context)


@require_GET
@reads_from_replica
def formation_download(request: HttpRequest, code: str, file_format: str) -> HttpResponse:
    selection = _published_or_404(code)
    if file_format not in {"csv", "xlsx"}:
        raise Http404("unknown format")
    _form, queryset = _filtered(request, selection)
    rows = selectors.formation_export_rows(queryset)
    if file_format == "csv":
        content, content_type = write_csv(rows), CSV_CONTENT_TYPE
    else:
        content, content_type = write_xlsx(rows), XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    filename = f"formasi-{slugify(selection.code)}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _number_search(request: HttpRequest) -> ParticipantSearchForm | None:
    """The registration-number search of a public result page, when one was asked for."""
    if "nomor" not in request.GET:
        return None
    form = ParticipantSearchForm(request.GET)
    form.is_valid()
    return form


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
@public_page(parameters=SEARCH_PARAMETERS)
@reads_from_replica
def public_results(request: HttpRequest, code: str) -> HttpResponse:
    """MS registration numbers and MS/TMS counts per formation, a page of formations at a
    time with their first numbers; one formation's numbers are paged on their own."""
    selection = get_object_or_404(Selection, code=code, is_published=True)
    search = _number_search(request)
    match = None
    if search is not None and search.is_valid():
        match = verification_selectors.public_result_lookup(
            selection=selection, number=search.cleaned_data["nomor"]
        )
    all_rows = list(verification_selectors.public_result_counts(selection))
    context: dict[str, Any] = {
        "selection": selection,
        "search": search or ParticipantSearchForm(),
        "searched": search is not None and search.is_valid(),
        "match": match,
        "published": bool(all_rows),
        "totals": {
            "formations": len(all_rows),
            "ms": sum(row["ms"] for row in all_rows),
            "tms": sum(row["tms"] for row in all_rows),
        },
        "query": _query_without_page(request),
        "rows": [],
    }
    formation_code = request.GET.get("formasi", "")
    if formation_code:
        row = next((r for r in all_rows if r["formation__code"] == formation_code), None)
        if row is None:
            raise Http404("no published result for this formation")
        numbers = verification_selectors.public_ms_numbers(
            selection=selection, formation_id=row["formation_id"]
        )
        context["formation"] = row
        context["page"] = Paginator(numbers, PUBLIC_NUMBERS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    else:
        page = Paginator(all_rows, PUBLIC_RESULT_FORMATIONS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        first_numbers = verification_selectors.public_ms_numbers_first(
            selection=selection,
            formation_ids=[row["formation_id"] for row in page.object_list],
            limit=PUBLIC_NUMBERS_PER_PAGE,
        )
        for row in page.object_list:
            row["numbers"] = first_numbers[row["formation_id"]]
            row["more"] = row["ms"] > len(row["numbers"])
        context["page"] = page
        context["rows"] = list(page.object_list)
    return render(request, "verification/public_results.html", context)


@require_GET
@public_page(parameters=SEARCH_PARAMETERS)
@reads_from_replica
def public_replacements(request: HttpRequest, code: str) -> HttpResponse:
    """Confirmed replacements by participant number only, as the administrative results."""
    selection = get_object_or_404(Selection, code=code, is_published=True)
    search = _number_search(request)
    matches = []
    if search is not None and search.is_valid():
        matches = scoring_selectors.public_replacement_lookup(
            selection=selection, number=search.cleaned_data["nomor"]
        )
    page = Paginator(scoring_selectors.public_replacements(selection), PUBLIC_REPLACEMENTS_PER_PAGE)
    current = page.get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/public_replacements.html",
        {
            "selection": selection,
            "search": search or ParticipantSearchForm(),
            "searched": search is not None and search.is_valid(),
            "matches": matches,
            "page": current,
            "withdrawals": list(current.object_list),
            "query": _query_without_page(request),
        },
    )


def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Whether a printed resume, account card or exam card is genuine: its QR code opens this
    page."""
    check = exam_cards.card_check(token) if token.startswith("k") else None
    if check is not None:
        return _verify_exam_card(request, check)
    application = (
        Application.objects.select_related("selection", "formation", "applicant")
        .filter(verification_token=token)
        .first()
    )
    user = application.applicant if application else None
    if user is None:
        user_pk = cards.account_card_user_pk(token)
        user = User.objects.filter(pk=user_pk, is_active=True).first() if user_pk else None
    status = 200 if user is not None else 404
    return render(
        request,
        "applications/verify.html",
        {
            "genuine": user is not None,
            "application": application,
            "name": masked_name(user.full_name) if user else "",
        },
        status=status,
    )


def _verify_exam_card(request: HttpRequest, check: exam_cards.CardCheck) -> HttpResponse:
    """An exam card shows the booking as it is now: after a committee move the same QR code
    names the new session, and the page says when the move was."""
    booking = check.booking
    agency = booking.selection.agency
    zone = ZoneInfo(agency.time_zone)
    session = booking.session
    return render(
        request,
        "applications/verify.html",
        {
            "genuine": True,
            "booking": booking,
            "name": masked_name(booking.application.applicant.full_name),
            "starts_at": timezone.localtime(session.starts_at, zone),
            "ends_at": timezone.localtime(session.ends_at, zone),
            "zone": Agency.TimeZone(agency.time_zone).name,
            "moved_at": timezone.localtime(check.moved_at, zone) if check.moved_at else None,
        },
    )


@require_GET
@cache_control(public=True, max_age=3600)
def regency_options(request: HttpRequest) -> HttpResponse:
    """The <option> elements matching `q`, for the search box above a regency select, and
    the line that tells how many matched (swapped into `<target>_status` out of band, where
    a screen reader announces it).

    The select's current choice comes along (`field` names the parameter that holds it) and
    stays chosen, so searching never clears a saved regency unnoticed; a single match is
    chosen at once. An empty query answers 204 No Content, which htmx does not swap in, so
    clearing the box leaves the select as it is instead of emptying it.
    """
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    if not query:
        return HttpResponse(status=204)
    regencies = reference_selectors.regency_search(query=query, limit=OPTIONS_LIMIT)
    field = request.GET.get("field", "")
    current_code = request.GET.get(field, "") if FIELD_NAME.fullmatch(field) else ""
    current = next((r for r in regencies if r.code == current_code), None)
    if len(regencies) == 1:
        current = regencies[0]
    elif current is None and current_code:
        current = reference_selectors.regency_get(code=current_code)
    target = request.headers.get("HX-Target", "")
    return render(
        request,
        "reference/_regency_options.html",
        {
            "regencies": regencies,
            "query": query,
            "current": current,
            "kept": current is not None and current not in regencies,
            "more": len(regencies) == OPTIONS_LIMIT,
            "status_id": f"{target}_status" if FIELD_NAME.fullmatch(target) else "",
        },
    )
