"""The committee's ranking pages (pemeringkatan): the runs of a selection, starting a run, one
run's rows, its confirmation and its CSV export.

Staff of the selection's agency may read; only the committee starts and confirms runs. Anyone
else gets a 404, as on the verification pages."""

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from seleksi.agencies.permissions import Capability, user_can
from seleksi.rules.cells import neutralise_row
from seleksi.scoring import selectors
from seleksi.scoring.confirmation import RankingConfirmationRefused, ranking_run_confirm
from seleksi.scoring.engine import RankingInputError
from seleksi.scoring.models import RankingRun
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.scoring.tasks import background_states, ranking_request, stage_score_count
from seleksi.selections.models import Selection
from seleksi.selections.tables import CSV_CONTENT_TYPE

RUNS_PER_PAGE = 50
ROWS_PER_PAGE = 100


class RunStartForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Stage"))

    def __init__(self, *args: Any, stages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = stages  # type: ignore[attr-defined]


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Confirmation note"),
        help_text=gettext_lazy(
            "What the committee checked, for example the ties at the quota and the "
            "optimalisasi placements."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": gettext_lazy(
                "Write a note on what the committee checked before confirming."
            )
        },
    )


def _staff_selection(request: HttpRequest, code: str) -> Selection:
    selection = get_object_or_404(Selection.objects.select_related("agency"), code=code)
    if not user_can(request.user, Capability.VIEW_AGENCY_DATA, selection.agency_id):
        raise Http404("no such selection")
    return selection


def _staff_run(request: HttpRequest, pk: int) -> RankingRun:
    run = get_object_or_404(
        RankingRun.objects.select_related("selection", "created_by", "confirmed_by"), pk=pk
    )
    if not user_can(request.user, Capability.VIEW_AGENCY_DATA, run.selection.agency_id):
        raise Http404("no such ranking run")
    return run


@login_required
@require_http_methods(["GET", "POST"])
def runs(request: HttpRequest, code: str) -> HttpResponse:
    selection = _staff_selection(request, code)
    can_decide = user_can(request.user, Capability.DECIDE_RESULTS, selection.agency_id)
    stages = selectors.rankable_stages(selection)
    form = RunStartForm(stages=stages)
    errors: list[str] = []
    if request.method == "POST":
        if not can_decide:
            messages.error(request, _("Only the committee of this agency may start a ranking."))
            return redirect("committee:runs", code=selection.code)
        form = RunStartForm(request.POST, stages=stages)
        if form.is_valid() and (
            stage_score_count(selection, form.cleaned_data["stage"])
            >= settings.SELEKSI_RANKING_BACKGROUND_FROM
        ):
            ranking_request(
                selection=selection, stage=form.cleaned_data["stage"], actor=request.user
            )
            messages.info(
                request,
                _(
                    "This stage has many scores: the ranking runs on the task worker. The new "
                    "run appears in this list when it is done; reload the page."
                ),
            )
            return redirect("committee:runs", code=selection.code)
        if form.is_valid():
            try:
                outcome = ranking_run(
                    selection=selection, stage=form.cleaned_data["stage"], actor=request.user
                )
            except RankingInputError as error:
                errors = list(error.texts)
            else:
                run = outcome.run
                messages.success(
                    request,
                    ngettext(
                        "Run #%(run)d stored with %(rows)d row.",
                        "Run #%(run)d stored with %(rows)d rows.",
                        run.row_count,
                    )
                    % {"run": run.pk, "rows": run.row_count},
                )
                if outcome.identical_to is not None:
                    messages.info(
                        request,
                        _("It is identical to run #%(run)d: the same inputs and policy.")
                        % {"run": outcome.identical_to},
                    )
                return redirect("committee:run", pk=run.pk)
    page = Paginator(selectors.runs_for(selection), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "scoring/runs.html",
        {
            "selection": selection,
            "page": page,
            "form": form,
            "errors": errors,
            "background": background_states(selection),
            "can_decide": can_decide,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _staff_run(request, pk)
    selection = run.selection
    can_decide = user_can(request.user, Capability.DECIDE_RESULTS, selection.agency_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not can_decide:
            messages.error(request, _("Only the committee of this agency may confirm a ranking."))
            return redirect("committee:run", pk=run.pk)
        form = ConfirmForm(request.POST)
        if form.is_valid():
            try:
                ranking_run_confirm(run=run, actor=request.user, note=form.cleaned_data["note"])
            except RankingConfirmationRefused as refusal:
                if refusal.code != "note_required":
                    messages.error(request, refusal.message)
                    return redirect("committee:run", pk=run.pk)
                form.add_error("note", refusal.message)
            else:
                messages.success(request, _("The ranking run has been confirmed."))
                return redirect("committee:run", pk=run.pk)
    formation = request.GET.get("formasi", "").strip()
    paginator = Paginator(selectors.run_rows(run, formation=formation), ROWS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    summary = selectors.run_summary(run)
    context = {
        "run": run,
        "selection": selection,
        "summary": summary,
        "page": page,
        "rows": selectors.display_rows(list(page.object_list)),
        "formation": formation,
        "formations": selectors.run_formation_codes(run),
        "query": urlencode({"formasi": formation}) if formation else "",
        "notes": selectors.run_notes(run),
        "can_decide": can_decide,
        "confirmable": run.confirmed_at is None and summary.superseded_by is None,
        "form": form,
    }
    template = (
        "scoring/_run_rows.html"
        if getattr(request, "htmx", False) and not request.htmx.boosted  # type: ignore[attr-defined]
        else "scoring/run.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def run_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = _staff_run(request, pk)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(selectors.csv_header(run))
    writer.writerows(map(neutralise_row, selectors.csv_rows(run)))
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    filename = f"peringkat-{run.selection.code}-{run.stage}-{run.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
