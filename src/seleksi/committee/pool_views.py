"""The statistics office's mitra pool pages (kumpulan mitra): the pool of a year with its
search, filling it from a confirmed mitra ranking run and carrying members over into another
year; the honorarium cap tables (batas honorarium) and their upload; the survey activities
(kegiatan) and the form that defines one with its roles.

Decisions worth knowing:
- Staff of the agency or of the office above it who read its data (verifiers, the committee,
  the administrator) may open every list; only the committee (DECIDE_RESULTS, as in
  `seleksi.pool.services`) sees and sends the forms that change something, and the form of a
  new activity. Anyone else gets a 404, as on the other committee pages; the agency in the
  address is never trusted further.
- Carrying over takes every member of the earlier year: the office keeps its pool whole and
  assigns by the search; a member already in the later year is skipped by the service.
- The list of a pool of 20,000 is cut into pages of POOL_PER_PAGE from the matching ids; the
  figures of a page's members (rating, earnings) are read for the page at once.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from seleksi.agencies.models import Agency
from seleksi.agencies.permissions import Capability
from seleksi.pool import selectors, services
from seleksi.pool.documents import recap_years
from seleksi.pool.models import CapTable
from seleksi.pool.services import PoolRefused, problem_message, user_holds_in_pool
from seleksi.rules.honorarium import (
    POLICY_PACKAGE,
    HonorariumDataError,
    cap_table_codes,
)
from seleksi.rules.honorarium import Role as CapRole
from seleksi.rules.policy_files import read_policy

from .pool_forms import (
    FIRST_YEAR,
    LAST_YEAR,
    ActivityForm,
    ActivityRoleFormSet,
    CapTableForm,
    CarryOverForm,
    PoolFillForm,
    PoolSearchForm,
)

READ = Capability.VIEW_AGENCY_DATA
WRITE = Capability.DECIDE_RESULTS
POOL_PER_PAGE = 50
MORE_ROLE_ROWS = 4


def agency_for(request: HttpRequest, agency_code: str, capability: Capability) -> Agency:
    """The agency `agency_code` for someone who holds `capability` in it; anyone else gets a
    404, as if it did not exist."""
    agency = get_object_or_404(Agency, code=agency_code)
    if not user_holds_in_pool(request.user, agency, capability):
        raise Http404("no such agency")
    return agency


def activity_url(pk: int) -> str:
    """The committee's page of one activity."""
    return reverse("committee:pool_activity", kwargs={"pk": pk})


def _year(value: str | None, default: int) -> int:
    try:
        year = int(value or "")
    except ValueError:
        return default
    return year if FIRST_YEAR <= year <= LAST_YEAR else default


# The pool ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pool(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = agency_for(request, agency_code, READ)
    can_decide = user_holds_in_pool(request.user, agency, WRITE)
    year = _year(request.GET.get("tahun"), agency.today().year)
    sizes = selectors.pool_year_sizes(agency)
    runs = selectors.mitra_runs(agency)
    fill_form = PoolFillForm(runs=runs)
    carry_form = CarryOverForm(years=list(sizes), initial={"to_year": agency.today().year})
    status = 200
    if request.method == "POST":
        if not can_decide:
            raise Http404("no such agency")
        if request.POST.get("action") == "carry":
            carry_form = CarryOverForm(request.POST, years=list(sizes))
            done = _carry_over(request, agency, carry_form)
        else:
            fill_form = PoolFillForm(request.POST, runs=runs)
            done = _fill(request, agency, fill_form)
        if done is not None:
            return redirect(f"{reverse('committee:pool', args=[agency.code])}?tahun={done}")
        status = 400

    search = PoolSearchForm(request.GET, regencies=selectors.pool_regencies(agency, year))
    search.is_valid()
    filters = search.filters()
    ids = selectors.pool_member_ids(agency=agency, year=year, filters=filters)
    page = Paginator(ids, POOL_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    available = filters.get("available")
    return render(
        request,
        "pool/members.html",
        {
            "agency": agency,
            "year": year,
            "sizes": sizes,
            "search": search,
            "searching": bool(filters),
            "matching": len(ids),
            "page": page,
            "rows": selectors.pool_rows(agency=agency, year=year, member_ids=list(page)),
            "query": query.urlencode(),
            "no_cap_table": available is not None
            and not any(table.year == available[0] for table in selectors.cap_tables(agency)),
            "available_year": available[0] if available is not None else None,
            "can_decide": can_decide,
            "fill_form": fill_form,
            "has_runs": runs.exists(),
            "carry_form": carry_form,
            "recap_years": recap_years(agency=agency) if can_decide else [],
        },
        status=status,
    )


def _fill(request: HttpRequest, agency: Agency, form: PoolFillForm) -> int | None:
    """Fills the pool; the year filled, or None with the refusal on the form."""
    if not form.is_valid():
        return None
    run = form.cleaned_data["run"]
    year = form.cleaned_data["year"]
    try:
        added = services.pool_fill(run=run, actor=request.user, year=year)
    except PoolRefused as refusal:
        form.add_error("run", refusal.message)
        return None
    filled = year if year is not None else services.fill_year(run)
    messages.success(
        request,
        ngettext(
            "%(count)d mitra added to the pool of %(year)s.",
            "%(count)d mitra added to the pool of %(year)s.",
            added,
        )
        % {"count": added, "year": filled},
    )
    return int(filled)


def _carry_over(request: HttpRequest, agency: Agency, form: CarryOverForm) -> int | None:
    """Carries a year's members over; the year carried into, or None with the refusal."""
    if not form.is_valid():
        return None
    into = form.cleaned_data["to_year"]
    try:
        added = services.pool_carry_over(
            agency=agency,
            members=selectors.pool_of_year(agency, form.cleaned_data["from_year"]),
            year=into,
            actor=request.user,
        )
    except PoolRefused as refusal:
        form.add_error("to_year" if refusal.code == "carry_not_earlier" else None, refusal.message)
        return None
    messages.success(
        request,
        ngettext(
            "%(count)d mitra carried over into the pool of %(year)s.",
            "%(count)d mitra carried over into the pool of %(year)s.",
            added,
        )
        % {"count": added, "year": into},
    )
    return int(into)


# Cap tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapTableView:
    stored: CapTable
    source: str
    note: str
    roles: list[str]
    months: list[tuple[str, list[int]]]
    """each month's name with the cap of every role, in the order of `roles`"""


def _cap_table_view(stored: CapTable) -> CapTableView:
    table = stored.table()
    order = list(CapRole)
    caps = sorted(table.caps, key=lambda pair: order.index(pair[0]))  # PPL before PML
    return CapTableView(
        stored=stored,
        source=table.source,
        note=table.note,
        roles=[role.upper() for role, _months in caps],
        months=[
            (str(MONTHS[month]), [months[month - 1] for _role, months in caps])
            for month in range(1, 13)
        ],
    )


def _sample_cap_table() -> tuple[str, str]:
    """The newest shipped cap table, as its code and its JSON text."""
    code = cap_table_codes()[-1]
    data = read_policy(POLICY_PACKAGE, code, "honorarium cap")
    return code, json.dumps(data, ensure_ascii=False, indent=2)


@login_required
@require_http_methods(["GET", "POST"])
def pool_caps(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = agency_for(request, agency_code, READ)
    can_decide = user_holds_in_pool(request.user, agency, WRITE)
    form = CapTableForm()
    status = 200
    if request.method == "POST":
        if not can_decide:
            raise Http404("no such agency")
        form = CapTableForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                stored = services.cap_table_load(
                    agency=agency, data=form.cleaned_data["file"], actor=request.user
                )
            except PoolRefused as refusal:
                _cap_refusal_to_form(form, refusal)
            else:
                messages.success(
                    request,
                    _("The cap table %(code)s of %(year)s is loaded.")
                    % {"code": stored.code, "year": stored.year},
                )
                return redirect("committee:pool_caps", agency_code=agency.code)
        status = 400
    sample_code, sample = _sample_cap_table()
    return render(
        request,
        "pool/caps.html",
        {
            "agency": agency,
            "tables": [_cap_table_view(stored) for stored in selectors.cap_tables(agency)],
            "can_decide": can_decide,
            "form": form,
            "sample_code": sample_code,
            "sample": sample,
        },
        status=status,
    )


def _cap_refusal_to_form(form: CapTableForm, refusal: PoolRefused) -> None:
    """Each problem of an invalid table on its own line, else the refusal."""
    cause = refusal.__cause__
    if refusal.code == "cap_table_invalid" and isinstance(cause, HonorariumDataError):
        form.add_error(None, _("The cap table cannot be loaded; nothing was stored:"))
        for problem in cause.problems:
            form.add_error("file", problem_message(problem))
    else:
        form.add_error("file", refusal.message)


@login_required
@require_GET
def pool_caps_sample(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency_for(request, agency_code, READ)
    code, sample = _sample_cap_table()
    response = HttpResponse(sample, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{code}.json"'
    return response


# Activities ----------------------------------------------------------------------------------


@login_required
@require_GET
def pool_activities(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = agency_for(request, agency_code, READ)
    lines = selectors.activities_of(agency)
    return render(
        request,
        "pool/activities.html",
        {
            "agency": agency,
            "lines": [(line, activity_url(line.activity.pk)) for line in lines],
            "can_decide": user_holds_in_pool(request.user, agency, WRITE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pool_activity_new(request: HttpRequest, agency_code: str) -> HttpResponse:
    agency = agency_for(request, agency_code, WRITE)
    areas = selectors.activity_areas(agency)
    if request.method != "POST":
        form = ActivityForm(
            areas=areas.regencies, initial={"regencies": [areas.home] if areas.home else []}
        )
        roles = ActivityRoleFormSet(prefix="roles")
        return _activity_page(request, agency, areas.regencies, form, roles, [], 200)
    form = ActivityForm(request.POST, areas=areas.regencies)
    if "more" in request.POST:
        data = request.POST.copy()
        try:
            total = int(data.get("roles-TOTAL_FORMS", "0"))
        except ValueError:
            total = 0
        most = ActivityRoleFormSet.max_num - MORE_ROLE_ROWS
        data["roles-TOTAL_FORMS"] = str(max(0, min(total, most)) + MORE_ROLE_ROWS)
        roles = ActivityRoleFormSet(data, prefix="roles")
        return _activity_page(request, agency, areas.regencies, form, roles, [], 200, check=False)
    roles = ActivityRoleFormSet(request.POST, prefix="roles")
    role_errors: list[str] = []
    if form.is_valid() and roles.is_valid():
        rows = [row for row in roles.forms if row.cleaned_data]
        try:
            activity = services.activity_create(
                agency=agency,
                actor=request.user,
                name=form.cleaned_data["name"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                regencies=form.cleaned_data["areas"],
                roles=[
                    (
                        row.cleaned_data["role"],
                        row.cleaned_data["regency"],
                        row.cleaned_data["needed"],
                        row.cleaned_data["unit"],
                        row.cleaned_data["rate"],
                    )
                    for row in rows
                ],
            )
        except PoolRefused as refusal:
            role_errors = _activity_refusal(form, rows, refusal)
        else:
            messages.success(
                request, _("The activity “%(name)s” is saved.") % {"name": activity.name}
            )
            return redirect(activity_url(activity.pk))
    return _activity_page(request, agency, areas.regencies, form, roles, role_errors, 400)


def _activity_refusal(form: ActivityForm, rows: list[Any], refusal: PoolRefused) -> list[str]:
    """Puts the service's refusal next to the field it concerns; the errors of the roles as
    a whole are returned."""
    fields = {"activity_no_name": "name", "activity_period": "ends_on"}
    if refusal.code in fields:
        form.add_error(fields[refusal.code], refusal.message)
        return []
    if refusal.code == "role_twice":
        seen = set()
        for row in rows:
            key = (row.cleaned_data["role"], row.cleaned_data["regency"])
            if key in seen:
                row.add_error("role", refusal.message)
                return []
            seen.add(key)
    if refusal.code == "role_outside_area":
        areas = form.cleaned_data.get("areas", [])
        for row in rows:
            if row.cleaned_data["regency"] not in areas:
                row.add_error("regency", refusal.message)
                return []
    return [refusal.message]


def _activity_page(
    request: HttpRequest,
    agency: Agency,
    areas: list[tuple[str, str]],
    form: ActivityForm,
    roles: Any,
    role_errors: list[str],
    status: int,
    *,
    check: bool = True,
) -> HttpResponse:
    """The form of a new activity; without `check` (more rows asked) what was typed is shown
    again without judging it yet."""
    return render(
        request,
        "pool/activity_new.html",
        {
            "agency": agency,
            "form": form,
            "roles": roles,
            "role_errors": role_errors,
            "areas": areas,
            "quiet": not check,
        },
        status=status,
    )
