"""The committee's exam-card pages: printing every card of a stage as one ZIP on the task
worker, its progress, and the download.

Only staff who manage the tests of the selection's agency (committee, administrator) see
these pages; anyone else gets a 404, as on the other committee pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.storage import keep_private
from seleksi.exams.models import STAGES, Booking, CardBatch
from seleksi.exams.services import ExamsRefused, card_batch_request
from seleksi.selections.models import Selection

from .desks import selection_for

BATCHES_SHOWN = 5
STAGE_LABELS = dict(STAGES)


def _managed_stage(request: HttpRequest, code: str, stage: str) -> Selection:
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    if stage not in STAGE_LABELS:
        raise Http404("no such test stage")
    return selection


def _batches_context(selection: Selection, stage: str) -> dict[str, object]:
    batches = list(
        CardBatch.objects.filter(selection=selection, stage=stage).select_related("requested_by")[
            :BATCHES_SHOWN
        ]
    )
    return {
        "selection": selection,
        "stage": stage,
        "stage_label": STAGE_LABELS[stage],
        "batches": batches,
        "working": any(
            batch.status in (CardBatch.Status.QUEUED, CardBatch.Status.RUNNING) for batch in batches
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def exam_cards(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    """The stage's card batches; a POST asks for a new one."""
    selection = _managed_stage(request, code, stage)
    if request.method == "POST":
        try:
            batch = card_batch_request(selection=selection, stage=stage, actor=request.user)
        except ExamsRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _cards_requested_message(batch.total))
        return redirect("committee:exam_cards", code=selection.code, stage=stage)
    context = _batches_context(selection, stage)
    context["booked"] = Booking.objects.filter(selection=selection, stage=stage).count()
    return render(request, "exams/cards.html", context)


def _cards_requested_message(total: int) -> str:
    return ngettext(
        "%(count)d exam card is being made on the task worker; its progress shows below.",
        "%(count)d exam cards are being made on the task worker; their progress shows below.",
        total,
    ) % {"count": total}


@login_required
@require_GET
@never_cache
def exam_cards_progress(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    """The list of batches alone, which the page polls while one is being made."""
    selection = _managed_stage(request, code, stage)
    return render(request, "exams/_card_batches.html", _batches_context(selection, stage))


@login_required
@require_GET
def exam_cards_zip(request: HttpRequest, pk: int) -> FileResponse:
    batch = get_object_or_404(CardBatch.objects.select_related("selection"), pk=pk)
    if (
        not user_can(request.user, Capability.MANAGE_TESTS, batch.selection.agency_id)
        or batch.status != CardBatch.Status.DONE
        or not batch.archive
    ):
        raise Http404("no such card batch")
    response = FileResponse(batch.archive.open("rb"), content_type="application/zip")
    filename = f"kartu-ujian-{batch.selection.code}-{batch.stage}-{batch.pk}.zip"
    return keep_private(response, disposition=f'attachment; filename="{filename}"')
