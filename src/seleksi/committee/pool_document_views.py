"""The printed documents of the mitra pool: the work contract (SPK) and the hand-over record
(BAST) of an assignment as PDF, and the honorarium recap of a year as a workbook for finance.

Decisions worth knowing:

- Who may print: the committee of the activity's agency or of the office above it
  (`pool.services.user_manages_pool`, the people who run the pool); anyone else signed in
  gets a 404 for an assignment or agency they may not see, as on every committee page, so an
  id never tells whether it exists.
- The SPK and BAST are official letters: they are written in the portal's language (Bahasa
  Indonesia) whoever prints them, like an announcement. `work_document_response` renders
  them for any caller that has already found the assignment the reader may see, so the
  mitra's own copy (the applicant pages, with `pool.documents.own_assignment`) is the same
  document.
- Every file here holds personal data: never cached, and named without any (the activity
  and assignment ids; the agency code and year). The recap's sheets are labelled in the
  reader's language; its text cells are neutralised, so a name typed as a formula stays text.
- The recap is written in the request. A pool of 20,000 with 50,000 assignments reads in
  about a second but fills over a million cells, which openpyxl writes in some ten seconds
  (bench/honorarium_recap.py); a bigger office would want it on the task worker, as the
  exam cards are.
"""

from collections.abc import Iterator, Sequence
from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from seleksi.agencies.models import Agency
from seleksi.applications.printing import pdf_from_html
from seleksi.applications.storage import keep_private
from seleksi.pool.documents import (
    CONTRACT,
    HANDOVER,
    HonorariumRecap,
    assignment_for_documents,
    honorarium_recap,
    work_document,
)
from seleksi.pool.models import Assignment
from seleksi.pool.services import user_manages_pool
from seleksi.rules.honorarium import MONTHS
from seleksi.selections.tables import XLSX_CONTENT_TYPE, Sheet, write_xlsx_sheets

TEMPLATES = {CONTRACT: "pool/pdf/spk.html", HANDOVER: "pool/pdf/bast.html"}
FIRST_RECAP_YEAR = 2000
LAST_RECAP_YEAR = 2100


def work_document_pdf(assignment: Assignment, kind: str) -> bytes:
    """The SPK (`kind` CONTRACT) or BAST (HANDOVER) of the assignment, in the portal's
    language. The caller has checked that the reader may see it."""
    with (
        translation.override(settings.LANGUAGE_CODE),
        timezone.override(assignment.activity.agency.time_zone),
    ):
        document = work_document(assignment)
        html = render_to_string(
            TEMPLATES[kind],
            {"document": document, "printed_at": timezone.localtime()},
        )
    return pdf_from_html(html, str(settings.BASE_DIR))


def work_document_response(assignment: Assignment, kind: str) -> HttpResponse:
    """The PDF as a private download."""
    filename = f"{kind.lower()}-{assignment.activity_id}-{assignment.pk}.pdf"
    return keep_private(
        HttpResponse(work_document_pdf(assignment, kind), content_type="application/pdf"),
        disposition=f'attachment; filename="{filename}"',
    )


def _managed_assignment(request: HttpRequest, pk: int) -> Assignment:
    assignment = assignment_for_documents(pk)
    if assignment is None or not user_manages_pool(request.user, assignment.activity.agency):
        raise Http404("no such assignment")
    return assignment


@login_required
@require_GET
def contract_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return work_document_response(_managed_assignment(request, pk), CONTRACT)


@login_required
@require_GET
def handover_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return work_document_response(_managed_assignment(request, pk), HANDOVER)


# The recap -----------------------------------------------------------------------------------


def _month_names() -> list[str]:
    return [date_format(date(2000, month, 1), "F") for month in MONTHS]


def _role_names(roles: Sequence[str]) -> str:
    return ", ".join(role.upper() for role in roles)


def recap_sheets(recap: HonorariumRecap) -> list[Sheet]:
    """The workbook's sheets: "Recap", one row per mitra with what each month pays them (an
    empty cell for a month without pay), the total and the months over the cap; "Caps", the
    cap table of the year, when there is one; then one sheet per month with pay, a row per
    assignment paying into it, its amount and whether the office recorded it (else it is the
    contract's estimate). The detail rows leave out what the recap row of the mitra already
    says (their regency): openpyxl writes some 150,000 cells a second, and a pool of 20,000
    fills over a million."""
    months = _month_names()

    def summary() -> Iterator[Sequence[object]]:
        for number, mitra in enumerate(recap.mitra, start=1):
            yield [
                number,
                mitra.mitra_id,
                mitra.name,
                mitra.regency,
                _role_names(mitra.roles),
                *(amount or None for amount in mitra.months),
                mitra.total,
                ", ".join(months[month - 1] for month in mitra.over_months),
            ]

    sheets: list[Sheet] = [
        (
            _("Recap"),
            [
                _("No."),
                _("Mitra id"),
                _("Name"),
                _("Regency"),
                _("Roles"),
                *months,
                _("Total"),
                _("Months over the cap"),
            ],
            summary(),
        )
    ]
    if recap.caps:
        sheets.append(
            (
                _("Caps"),
                [_("Role"), *months],
                [[role.upper(), *amounts] for role, amounts in recap.caps],
            )
        )
    by_month: dict[int, list[Sequence[object]]] = {}
    for line in recap.lines:
        by_month.setdefault(line.month, []).append(
            [
                line.mitra_id,
                line.name,
                line.activity,
                line.role.upper(),
                line.quantity,
                line.amount,
                line.recorded,
                line.over_cap_reason,
            ]
        )
    header = [
        _("Mitra id"),
        _("Name"),
        _("Activity"),
        _("Role"),
        _("Quantity"),
        _("Amount (rupiah)"),
        _("Recorded by the office"),
        _("Reason for going over the cap"),
    ]
    for month in sorted(by_month):
        sheets.append((f"{month:02d} {months[month - 1]}", header, by_month[month]))
    return sheets


@login_required
@require_GET
def recap_xlsx(request: HttpRequest, agency_code: str, year: int) -> HttpResponse:
    """The agency's honorarium recap of `year` for finance."""
    agency = get_object_or_404(Agency, code=agency_code)
    if not user_manages_pool(request.user, agency):
        raise Http404("no such agency")
    if not FIRST_RECAP_YEAR <= year <= LAST_RECAP_YEAR:
        raise Http404("no such year")
    recap = honorarium_recap(agency=agency, year=year)
    return keep_private(
        HttpResponse(write_xlsx_sheets(recap_sheets(recap)), content_type=XLSX_CONTENT_TYPE),
        disposition=f'attachment; filename="rekap-honor-{agency.code}-{year}.xlsx"',
    )
