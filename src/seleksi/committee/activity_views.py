"""The committee's pages of one survey activity of the mitra pool: its roles and assignments
with the form to assign a mitra by hand, the system's proposal for its open places, and one
assignment with its earnings per month and the enumerator's rating.

Decisions worth knowing:
- Only people holding DECIDE_RESULTS in the activity's agency (the committee, who run the
  pool) or in the office above it (the province office) open these pages; anyone else gets
  a 404, whatever the id.
- Assigning over the honorarium cap is two sendings of one form: the first shows the warning
  with the figures of every month the assignment pays into; the second, with the box ticked
  and a reason, assigns. Everything typed stays in the form in between.
- A mitra is found by a part of the name (a short list), never from a list of the whole pool.
- After every write the page redirects (the form cannot be sent twice by reloading); a form
  sent twice anyway meets the service's "already in this activity" refusal, which the page
  words as such and links to the assignment that was saved.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from seleksi.pool import activity_selectors as selectors
from seleksi.pool import proposing, services
from seleksi.pool.models import Activity, ActivityRole, Assignment, PerformanceRating, Role
from seleksi.pool.selectors import regency_names
from seleksi.pool.services import ASPECT_NAMES, PoolRefused
from seleksi.rules.honorarium import CapCheck

from .activity_forms import (
    AssignForm,
    EarningsForm,
    QuantitiesForm,
    RatingForm,
    member_label,
    month_field,
    role_label,
)

MEMBER_CODES = ("other_agency", "outside_area", "already_in_activity")
OVER_CAP_SHOWN = 10


def _pool_url(activity: Activity) -> str:
    return reverse("committee:pool", kwargs={"agency_code": activity.agency.code})


def _activity(request: HttpRequest, pk: int) -> Activity:
    found = selectors.activity_for(user=request.user, pk=pk)
    if found is None:
        raise Http404("no such activity")
    return found


def figure_rows(rows: Iterable[Mapping[str, int]]) -> list[dict[str, Any]]:
    """Cap figures (as `services.figures` stores them) with the month as a date, for pages."""
    return [{**row, "month_date": date(row["year"], row["month"], 1)} for row in rows]


def check_rows(check: CapCheck) -> list[dict[str, Any]]:
    return figure_rows(services.figures(check))


def _context(activity: Activity, **extra: Any) -> dict[str, Any]:
    return {
        "activity": activity,
        "pool_url": _pool_url(activity),
        "months": [date(year, month, 1) for year, month in activity.months()],
        **extra,
    }


def _search(
    request: HttpRequest, activity: Activity, roles: list[ActivityRole]
) -> tuple[ActivityRole | None, str, list[Any]]:
    chosen = next((r for r in roles if str(r.pk) == request.GET.get("peran", "")), None)
    name = request.GET.get("cari", "")[:100]
    if "cari" not in request.GET and chosen is None:
        return chosen, name, []
    regencies = [chosen.regency] if chosen else sorted({role.regency for role in roles})
    found = selectors.member_search(activity=activity, regencies=regencies, name=name)
    return chosen, name, found


@login_required
@require_http_methods(["GET", "POST"])
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    roles = selectors.activity_roles(activity)
    for role in roles:
        role.open_places = max(0, role.needed - role.filled)  # type: ignore[attr-defined]
    regencies = regency_names(activity.regencies)
    chosen, name, found = _search(request, activity, roles)
    posted = request.POST.get("member", "") if request.method == "POST" else ""
    if posted.isdigit() and all(str(member.pk) != posted for member in found):
        member = selectors.pool_member(activity=activity, pk=int(posted))
        if member is not None:
            found = [member, *found]
    initial: dict[str, Any] = {}
    if chosen is not None:
        initial = {
            "role": chosen.pk,
            "quantity": proposing.default_quantity(chosen, len(activity.months())),
        }
    form = AssignForm(
        request.POST or None,
        activity=activity,
        roles=roles,
        regencies=regencies,
        found=found,
        pool_agencies=selectors.pool_agency_ids(activity),
        initial=initial,
    )
    check: CapCheck | None = None
    over_cap_message = ""
    twice: Assignment | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            role = next(r for r in roles if r.pk == data["role"].pk)
            try:
                assignment = services.assignment_add(
                    activity_role=role,
                    member=data["member"],
                    actor=request.user,
                    quantity=data["quantity"],
                    confirm_over_cap=data["confirm_over_cap"],
                    reason=data["reason"],
                )
            except PoolRefused as refusal:
                if refusal.code == "over_cap":
                    check, over_cap_message = refusal.check, refusal.message
                    if data["confirm_over_cap"] and not data["reason"].strip():
                        form.add_error("reason", _("Give the reason for going over the cap."))
                    if data["reason"].strip() and not data["confirm_over_cap"]:
                        form.add_error(
                            "confirm_over_cap", _("Tick the box to confirm going over the cap.")
                        )
                elif refusal.code in MEMBER_CODES:
                    form.add_error("member", refusal.message)
                    if refusal.code == "already_in_activity":
                        twice = (
                            Assignment.objects.filter(
                                activity=activity, member__user_id=data["member"].user_id
                            )
                            .select_related("activity_role")
                            .first()
                        )
                elif refusal.code == "role_full":
                    form.add_error("role", refusal.message)
                elif refusal.code == "quantity":
                    form.add_error("quantity", refusal.message)
                else:
                    form.add_error(None, refusal.message)
            else:
                if assignment.over_cap_reason:
                    text = _("%(name)s is assigned as %(role)s, over the cap; the reason is kept.")
                else:
                    text = _("%(name)s is assigned as %(role)s.")
                messages.success(
                    request,
                    text
                    % {
                        "name": assignment.member.user.display_name,
                        "role": role_label(role, regencies),
                    },
                )
                return redirect("committee:pool_activity", pk=activity.pk)
        status = 400
    assignments = selectors.activity_assignments(activity)
    for held in assignments:
        held.role_label = role_label(held.activity_role, regencies)  # type: ignore[attr-defined]
        held.month_dates = [date(int(y), int(m), 1) for y, m in held.months]  # type: ignore[attr-defined]
    return render(
        request,
        "pool/activity.html",
        _context(
            activity,
            roles=[(role, role_label(role, regencies)) for role in roles],
            open_places=sum(role.open_places for role in roles),  # type: ignore[attr-defined]
            assignments=assignments,
            ended=activity.agency.today() > activity.ends_on,
            form=form,
            chosen=chosen,
            search_name=name,
            searched="cari" in request.GET or chosen is not None,
            found=found,
            check_rows=check_rows(check) if check is not None else None,
            over_cap_message=over_cap_message,
            twice=twice,
            query=request.GET.urlencode(),
        ),
        status=status,
    )


def _choices(values: Iterable[str]) -> list[tuple[int, int]]:
    found = []
    for value in values:
        role, _sep, member = value.partition("-")
        if role.isdigit() and member.isdigit():
            found.append((int(role), int(member)))
    return found


@login_required
@require_http_methods(["GET", "POST"])
def activity_proposals(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    roles = selectors.activity_roles(activity)
    regencies = regency_names(activity.regencies)
    months = len(activity.months())
    open_roles = [
        (role, proposing.default_quantity(role, months))
        for role in roles
        if role.needed > role.filled  # type: ignore[attr-defined]
    ]
    if request.method == "POST":
        form = QuantitiesForm(
            request.POST,
            roles=[(role, proposing.default_quantity(role, months)) for role in roles],
            regencies=regencies,
            optional=[role.pk for role in roles if role.needed <= role.filled],  # type: ignore[attr-defined]
        )
        if not form.is_valid():
            messages.error(request, _("Give the quantity of every role, then accept again."))
            return redirect("committee:pool_proposals", pk=activity.pk)
        try:
            outcome = proposing.proposal_accept(
                activity=activity,
                actor=request.user,
                choices=_choices(request.POST.getlist("pilih")),
                quantities=form.quantities(),
            )
        except PoolRefused as refusal:
            messages.error(request, refusal.message)
            return redirect("committee:pool_proposals", pk=activity.pk)
        if outcome.assigned:
            messages.success(
                request,
                _("%(count)d mitra assigned from the proposal.") % {"count": len(outcome.assigned)},
            )
        for member, role, why in outcome.refused:
            messages.warning(
                request,
                _("%(name)s (%(role)s) is not assigned: %(reason)s")
                % {
                    "name": member.user.display_name,
                    "role": role_label(role, regencies),
                    "reason": why.message,
                },
            )
        if not outcome.assigned and not outcome.refused:
            messages.warning(request, _("No mitra was ticked; nobody is assigned."))
        return redirect("committee:pool_activity", pk=activity.pk)
    given = any(name.startswith("jumlah-") for name in request.GET)
    form = QuantitiesForm(
        request.GET if given else None,
        roles=open_roles,
        regencies=regencies,
        initial={f"jumlah-{role.pk}": default for role, default in open_roles},
    )
    proposal = None
    problem = ""
    quantities: dict[int, int] | None = None
    if given and form.is_valid():
        quantities = form.quantities()
    elif not given and all(default is not None for _role, default in open_roles):
        quantities = {role.pk: default for role, default in open_roles if default is not None}
    try:
        proposing.proposal_cap_tables(activity)
    except PoolRefused as refusal:
        problem, quantities = refusal.message, None
    if quantities is not None and open_roles:
        try:
            proposal = proposing.activity_proposal(activity=activity, quantities=quantities)
        except PoolRefused as refusal:
            problem = refusal.message
    places = []
    if proposal is not None:
        for place in proposal.places:
            places.append(
                {
                    "place": place,
                    "label": role_label(place.role, regencies),
                    "over_cap": [
                        {"mitra": over, "rows": check_rows(over.check)}
                        for over in place.over_cap[:OVER_CAP_SHOWN]
                    ],
                    "more_over_cap": max(0, len(place.over_cap) - OVER_CAP_SHOWN),
                }
            )
    return render(
        request,
        "pool/activity_proposals.html",
        _context(
            activity,
            form=form,
            proposal=proposal,
            places=places,
            problem=problem,
            open_roles=open_roles,
            quantities=quantities or {},
        ),
        status=400 if given and not form.is_valid() else 200,
    )


def _aspect_field(refusal: PoolRefused) -> str | None:
    shown = (refusal.params or {}).get("aspect") if isinstance(refusal.params, dict) else None
    for key, name in ASPECT_NAMES.items():
        if str(name) == shown:
            return key
    return None


@login_required
@require_http_methods(["GET", "POST"])
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_for(user=request.user, pk=pk)
    if assignment is None:
        raise Http404("no such assignment")
    activity = assignment.activity
    regencies = regency_names([assignment.activity_role.regency])
    months = list(activity.months())
    action = request.POST.get("action", "") if request.method == "POST" else ""
    earnings_form = EarningsForm(request.POST if action == "earnings" else None, months=months)
    supervisors = selectors.supervisors(assignment)
    rating_form = RatingForm(request.POST if action == "rating" else None, supervisors=supervisors)
    status = 200
    if action == "earnings":
        if earnings_form.is_valid():
            try:
                recorded = services.earnings_record(
                    assignment=assignment, actor=request.user, amounts=earnings_form.amounts()
                )
            except PoolRefused as refusal:
                earnings_form.add_error(None, refusal.message)
            else:
                messages.success(
                    request,
                    _("Earnings recorded for %(count)d months.") % {"count": len(recorded)}
                    if recorded
                    else _("Nothing changed: no new amount was given."),
                )
                return redirect("committee:pool_assignment", pk=assignment.pk)
        status = 400
    elif action == "rating":
        if rating_form.is_valid():
            data = rating_form.cleaned_data
            try:
                services.rating_record(
                    assignment=assignment,
                    actor=request.user,
                    attitude=data["attitude"],
                    quality=data["quality"],
                    timeliness=data["timeliness"],
                    comment=data["comment"],
                    supervisor=data.get("supervisor"),
                )
            except PoolRefused as refusal:
                if refusal.code == "not_supervisor" and "supervisor" in rating_form.fields:
                    rating_form.add_error("supervisor", refusal.message)
                else:
                    rating_form.add_error(_aspect_field(refusal), refusal.message)
            else:
                messages.success(request, _("The rating is recorded."))
                return redirect("committee:pool_assignment", pk=assignment.pk)
        status = 400
    elif request.method == "POST":
        raise Http404("no such action")
    rating = (
        PerformanceRating.objects.filter(assignment=assignment)
        .select_related("supervisor__member__user", "rated_by")
        .first()
    )
    month_rows = [
        {
            "row": row,
            "month_date": date(row.month[0], row.month[1], 1),
            "field": earnings_form[month_field(row.month)],
        }
        for row in selectors.assignment_months(assignment)
    ]
    extra_fields = [
        earnings_form[name]
        for name in earnings_form.fields
        if name not in {month_field(month) for month in months}
    ]
    return render(
        request,
        "pool/assignment.html",
        _context(
            activity,
            assignment=assignment,
            member_label=member_label(assignment.member),
            role_label=role_label(assignment.activity_role, regencies),
            month_rows=month_rows,
            extra_fields=extra_fields,
            earnings_form=earnings_form,
            figure_rows=figure_rows(assignment.cap_figures),
            is_enumerator=assignment.activity_role.role == Role.PPL,
            rateable=activity.agency.today() >= activity.ends_on,
            rating=rating,
            rating_form=rating_form,
        ),
        status=status,
    )
