from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from . import selectors
from .forms import FormationFilterForm
from .models import Formation, Requirement, Selection
from .tables import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, write_csv, write_xlsx


def _published_or_404(code: str) -> Selection:
    selection = selectors.selection_published_get(code=code)
    if selection is None:
        raise Http404("selection not found")
    return selection


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    selections = [(selection, selection.status()) for selection in selectors.selections_published()]
    return render(
        request,
        "selections/home.html",
        {"selections": selections, "today": timezone.localdate()},
    )


@require_GET
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
    }
    template = (
        "selections/_formation_results.html"
        if getattr(request, "htmx", False) and not request.htmx.boosted  # type: ignore[attr-defined]
        else "selections/formations.html"
    )
    return render(request, template, context)


@require_GET
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
