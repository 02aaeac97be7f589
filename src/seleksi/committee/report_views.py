"""The agency's report on one selection (laporan, `/panitia/<code>/laporan/`) and its workbook
(`/panitia/<code>/laporan.xlsx`): applicants per formation and stage, pass rates, objections,
absences and registrations per day, as tables with simple charts.

Decisions worth knowing:

- Who may read it: anyone of the agency who may read its applications one by one
  (`Capability.VIEW_AGENCY_DATA`: committee, verifier, agency administrator) may read their
  counts. Site staff (check-in only), applicants and other agencies' staff get a 404, as on
  every committee page.
- The figures are read once (`reports.agency_report`) in a fixed number of queries; the page
  shows the per-formation table 50 formations at a time, with the totals of all of them on
  every page, and the workbook holds every formation.
- Charts are server-made SVG (`charts.bar_chart`) next to the tables that hold the same
  figures; the pass-rate chart is drawn on a 0–100 % scale, a rate with no base reads "–".
"""

from collections.abc import Iterator
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from seleksi.agencies.permissions import Capability
from seleksi.selections.models import PROCUREMENT_TYPES
from seleksi.selections.tables import XLSX_CONTENT_TYPE, Sheet, write_xlsx_sheets

from .charts import Bar, bar_chart
from .desks import selection_for
from .reports import (
    FormationLine,
    Rate,
    Report,
    agency_report,
    funnel,
    stage_absences,
    submitted_label,
)

FORMATIONS_PER_PAGE = 50
NO_RATE = "–"


class FormationFilter(forms.Form):
    """Which formations the per-formation table shows; the totals always count all of them."""

    formasi = forms.CharField(
        label=gettext_lazy("Formation code or position"),
        required=False,
        max_length=100,
        error_messages={
            "max_length": gettext_lazy(
                "Type at most %(limit_value)d characters of a code or position."
            )
        },
    )
    jenis = forms.ChoiceField(
        label=gettext_lazy("Procurement type"),
        required=False,
        choices=[("", gettext_lazy("All types")), *PROCUREMENT_TYPES],
        error_messages={"invalid_choice": gettext_lazy("Choose a procurement type from the list.")},
    )
    pelamar = forms.BooleanField(
        label=gettext_lazy("Only formations with applications"), required=False
    )

    def chosen(self, lines: list[FormationLine]) -> list[FormationLine]:
        """The lines the filter keeps; all of them while the filter is not valid."""
        if not self.is_valid():
            return lines
        text = self.cleaned_data["formasi"].strip().casefold()
        kind = self.cleaned_data["jenis"]
        with_applications = self.cleaned_data["pelamar"]
        return [
            line
            for line in lines
            if (not text or text in line.code.casefold() or text in line.position.casefold())
            and (not kind or line.procurement_type == kind)
            and (not with_applications or line.counts["drafts"] or line.counts["submitted"])
        ]


def rate_text(rate: Rate) -> str:
    """ "12,5 %" in the reader's language, "–" when the rate has no base."""
    percent = rate.percent
    if percent is None:
        return NO_RATE
    return f"{number_format(percent, decimal_pos=1)} %"


def column_groups(report: Report) -> list[tuple[str, int]]:
    """The header's upper row: each group of columns with the number of columns it spans."""
    groups: list[tuple[str, int]] = []
    for column in report.columns:
        if groups and groups[-1][0] == column.group:
            groups[-1] = (column.group, groups[-1][1] + 1)
        else:
            groups.append((column.group, 1))
    return groups


def report_charts(report: Report) -> dict[str, SafeString]:
    applicants = funnel(report)
    pass_rates = report.pass_rates[-1]
    rates = [
        (_("Administrative MS of submitted"), pass_rates.administrative),
        (_("SKD passed (P/L, P) of present"), pass_rates.skd),
        (_("Final passed (L, L-2) of ranked"), pass_rates.final),
    ]
    objections = report.objections[-1]
    return {
        "applicants": bar_chart(
            chart_id="chart-applicants",
            title=_("Applicants by stage, all formations"),
            description=_(
                "One bar per stage with its number of applicants; the table below gives the "
                "same figures per formation."
            ),
            bars=[Bar(label, value, str(value)) for label, value in applicants],
        ),
        "pass_rates": bar_chart(
            chart_id="chart-pass-rates",
            title=_("Pass rates, all formations"),
            description=_(
                "Percentages on a scale of 0 to 100; a dash where nothing was counted below "
                "the line."
            ),
            bars=[Bar(label, rate.percent, rate_text(rate)) for label, rate in rates],
            maximum=Decimal(100),
        ),
        "objections": bar_chart(
            chart_id="chart-objections",
            title=_("Objections"),
            description=_("Objections filed, accepted, rejected, pending and overdue."),
            bars=[
                Bar(_("Filed"), objections.filed, str(objections.filed)),
                Bar(_("Accepted"), objections.accepted, str(objections.accepted)),
                Bar(_("Rejected"), objections.rejected, str(objections.rejected)),
                Bar(_("Pending"), objections.pending, str(objections.pending)),
                Bar(_("Overdue"), objections.overdue, str(objections.overdue)),
            ],
        ),
        "absences": bar_chart(
            chart_id="chart-absences",
            title=_("Absent (TH) per test stage"),
            description=_("The number of participants recorded absent at each test stage."),
            bars=[
                Bar(label, absent, str(absent))
                for label, _present, absent in stage_absences(report)
            ],
        ),
        "submissions": bar_chart(
            chart_id="chart-submissions",
            title=_("Applications submitted per day"),
            description=_(
                "One bar per day, in the agency's time zone, from the first to the last submission."
            ),
            bars=[
                Bar(date_format(day, "j M Y"), count, str(count))
                for day, count in report.submissions
            ],
        ),
    }


@login_required
@require_GET
def reports(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.VIEW_AGENCY_DATA)
    report = agency_report(selection)
    form = FormationFilter(request.GET)
    shown = form.chosen(report.lines)
    page = Paginator(shown, FORMATIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/report.html",
        {
            "selection": selection,
            "report": report,
            "form": form,
            "shown": len(shown),
            "page": page,
            "query": query.urlencode(),
            "rows": [(line, line.cells(report.columns)) for line in page.object_list],
            "groups": column_groups(report),
            "rates": [
                (
                    rates.label,
                    [
                        (rate, rate_text(rate))
                        for rate in (rates.administrative, rates.skd, rates.final)
                    ],
                )
                for rates in report.pass_rates
            ],
            "charts": report_charts(report),
        },
    )


def _sheets(report: Report) -> Iterator[Sheet]:
    columns = report.columns
    yield (
        _("Applicants per formation"),
        [
            _("Formation code"),
            _("Position"),
            _("Procurement type"),
            _("Quota"),
            *[f"{column.group}: {column.label}" for column in columns],
        ],
        [
            *(
                [line.code, line.position, line.procurement_type, line.quota, *line.cells(columns)]
                for line in report.lines
            ),
            [_("Total"), None, None, None, *report.total_cells],
        ],
    )

    def rate_cells(rate: Rate) -> list[object]:
        percent = rate.percent
        return [rate.numerator, rate.denominator, NO_RATE if percent is None else percent]

    yield (
        _("Pass rates"),
        [
            _("Procurement type"),
            _("Administrative MS"),
            submitted_label(),
            _("Administrative MS (%)"),
            _("SKD passed (P/L, P)"),
            _("SKD present"),
            _("SKD passed (%)"),
            _("Final passed (L, L-2)"),
            _("Final ranked"),
            _("Final passed (%)"),
        ],
        [
            [
                rates.label,
                *rate_cells(rates.administrative),
                *rate_cells(rates.skd),
                *rate_cells(rates.final),
            ]
            for rates in report.pass_rates
        ],
    )
    yield (
        _("Objections"),
        [
            _("Procurement type"),
            _("Filed"),
            _("Accepted"),
            _("Rejected"),
            _("Pending"),
            _("Overdue"),
        ],
        [
            [row.label, row.filed, row.accepted, row.rejected, row.pending, row.overdue]
            for row in report.objections
        ],
    )
    yield (
        _("Absences"),
        [
            _("Test stage"),
            _("Session"),
            _("Test site"),
            _("Starts at (agency time)"),
            _("Booked"),
            _("Present (H)"),
            _("Absent (TH)"),
            _("Not recorded"),
        ],
        [
            [
                row.stage_label,
                row.session,
                row.site,
                row.starts_local or None,
                row.booked,
                row.present,
                row.absent,
                row.not_recorded,
            ]
            for row in report.absences
        ],
    )
    yield (
        _("Submissions per day"),
        [_("Date"), _("Applications submitted")],
        [[day, count] for day, count in report.submissions],
    )


@login_required
@require_GET
def reports_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.VIEW_AGENCY_DATA)
    report = agency_report(selection)
    response = HttpResponse(write_xlsx_sheets(_sheets(report)), content_type=XLSX_CONTENT_TYPE)
    filename = f"laporan-{selection.code}-{report.today.isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
