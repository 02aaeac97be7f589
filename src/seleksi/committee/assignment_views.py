"""The committee's seat assignment (penempatan peserta) of a test stage and the participants'
accommodations.

Decisions worth knowing:

- Who is admitted to a stage is composed here, because the test stage cannot read the
  ranking: the first test (SKD, the PPPK and mitra competence tests) admits every application
  with a final MS result; the SKB and the interview admit those the latest confirmed SKD run
  passed through the cut (`scoring.selectors.passed_skd_application_ids`).
- The page shows the plan; "Tetapkan penempatan" asks once more with the plan's fingerprint
  and only the second post writes. A plan that changed in between is refused by the service
  and the page shows the new one.
- Only those who manage the tests (committee, administrator) open these pages; everyone
  else, staff of the agency included, gets a 404.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from seleksi.agencies.permissions import Capability
from seleksi.applications.models import Application
from seleksi.core.privacy import masked_name
from seleksi.exams.assignment import (
    AssignmentPreview,
    Unplaced,
    assignment_confirm,
    assignment_preview,
)
from seleksi.exams.models import STAGES, Accommodation, BookingWindow
from seleksi.exams.selectors import final_ms_ids
from seleksi.exams.services import ExamsRefused, accommodation_record
from seleksi.rules.exams import STAGE_VALUES, TestStage
from seleksi.scoring.selectors import confirmed_skd_run, passed_skd_application_ids
from seleksi.selections.models import Selection

from .desks import selection_for

PLACEMENTS_SHOWN = 50
UNPLACED_SHOWN = 200
ACCOMMODATIONS_PER_PAGE = 100

AFTER_SKD: frozenset[str] = frozenset({TestStage.SKB.value, TestStage.INTERVIEW.value})
"""Stages that admit only those the confirmed SKD ranking passed through."""


def admitted_ids(selection: Selection, stage: str) -> QuerySet[Any]:
    """The applications admitted to `stage`, as a queryset of ids."""
    if stage in AFTER_SKD:
        return passed_skd_application_ids(selection)
    return final_ms_ids(selection)


def _confirmation_text(preview: AssignmentPreview) -> str:
    placed = len(preview.placements)
    sessions = sum(1 for load in preview.sessions if load.placed)
    text = ngettext(
        "%(placed)d participant will be seated in %(sessions)d session(s) and told by e-mail; "
        "the seats cannot be given back, only moved one by one with a reason.",
        "%(placed)d participants will be seated in %(sessions)d session(s) and told by e-mail; "
        "the seats cannot be given back, only moved one by one with a reason.",
        placed,
    ) % {"placed": placed, "sessions": sessions}
    if preview.unplaced:
        text += " " + ngettext(
            "%(count)d participant stays without a seat.",
            "%(count)d participants stay without a seat.",
            len(preview.unplaced),
        ) % {"count": len(preview.unplaced)}
    return text


@login_required
@require_http_methods(["GET", "POST"])
def exam_assign(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    if stage not in STAGE_VALUES:
        raise Http404("no such stage")
    admitted = admitted_ids(selection, stage)
    confirm_text = ""
    if request.method == "POST":
        fingerprint = request.POST.get("fingerprint", "")
        if request.POST.get("confirmed") == "1":
            try:
                done = assignment_confirm(
                    selection=selection,
                    stage=stage,
                    application_ids=admitted,
                    fingerprint=fingerprint,
                    actor=request.user,
                    site_url=f"{request.scheme}://{request.get_host()}",
                )
            except ExamsRefused as refusal:
                messages.error(request, refusal.message)
            else:
                count = len(done.placements)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d participant has been seated and told by e-mail.",
                        "%(count)d participants have been seated and told by e-mail.",
                        count,
                    )
                    % {"count": count},
                )
            return redirect("committee:exam_assign", code=selection.code, stage=stage)
    preview = assignment_preview(
        selection=selection, stage=stage, application_ids=admitted, actor=request.user
    )
    if request.method == "POST":
        if request.POST.get("fingerprint", "") != preview.fingerprint:
            messages.error(request, ExamsRefused("plan_changed").message)
        elif not preview.placements:
            messages.error(
                request,
                ExamsRefused(
                    "no_seat_for_anyone" if preview.waiting else "nothing_to_assign"
                ).message,
            )
        else:
            confirm_text = _confirmation_text(preview)
    window = BookingWindow.objects.filter(selection=selection, stage=stage).first()
    return render(
        request,
        "exams/assign/preview.html",
        {
            "selection": selection,
            "stage": stage,
            "stage_label": dict(STAGES)[stage],
            "preview": preview,
            "placements": [
                (placement, masked_name(placement.participant.full_name))
                for placement in preview.placements[:PLACEMENTS_SHOWN]
            ],
            "unplaced": [
                (entry, masked_name(entry.participant.full_name))
                for entry in preview.unplaced[:UNPLACED_SHOWN]
            ],
            "unplaced_location": Unplaced.LOCATION,
            "placements_shown": PLACEMENTS_SHOWN,
            "after_skd": stage in AFTER_SKD,
            "skd_run": confirmed_skd_run(selection) if stage in AFTER_SKD else None,
            "window": window,
            "window_open": window is not None and window.is_open(timezone.now()),
            "confirm_text": confirm_text,
            "stages": STAGES,
        },
    )


class AccommodationForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Participant number"), max_length=32)
    note = forms.CharField(
        label=gettext_lazy("What is needed"),
        help_text=gettext_lazy("For example: a ground-floor room, a wheelchair, large print."),
        max_length=255,
    )
    extra_minutes = forms.IntegerField(
        label=gettext_lazy("Extra minutes"), min_value=0, max_value=240, initial=0
    )

    def __init__(self, *args: Any, selection: Selection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.selection = selection

    def clean_number(self) -> Application:
        number = self.cleaned_data["number"].strip().upper()
        application = (
            Application.objects.filter(selection=self.selection, number=number)
            .select_related("selection")
            .first()
        )
        if application is None:
            raise forms.ValidationError(
                _("No participant of this selection has the number %(number)s."),
                params={"number": number},
            )
        return application


@login_required
@require_http_methods(["GET", "POST"])
def exam_accommodations(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    form = AccommodationForm(selection=selection)
    status = 200
    if request.method == "POST":
        form = AccommodationForm(request.POST, selection=selection)
        if form.is_valid():
            application = form.cleaned_data["number"]
            try:
                accommodation_record(
                    application=application,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    extra_minutes=form.cleaned_data["extra_minutes"],
                )
            except ExamsRefused as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(
                    request,
                    _("The accommodation of participant %(number)s has been recorded.")
                    % {"number": application.number},
                )
                return redirect("committee:exam_accommodations", code=selection.code)
        status = 400
    recorded = (
        Accommodation.objects.filter(application__selection=selection)
        .select_related("application__applicant")
        .order_by("application__number")
    )
    page = Paginator(recorded, ACCOMMODATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "exams/assign/accommodations.html",
        {
            "selection": selection,
            "form": form,
            "page": page,
            "rows": [
                (accommodation, masked_name(accommodation.application.applicant.full_name))
                for accommodation in page.object_list
            ],
            "stages": STAGES,
        },
        status=status,
    )
