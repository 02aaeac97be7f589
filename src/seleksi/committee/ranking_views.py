"""The committee's ranking pages (pemeringkatan): the runs of a selection, starting a run, one
run's rows, its confirmation and its CSV export.

Staff of the selection's agency may read; only the committee starts and confirms runs. Anyone
else gets a 404, as on the verification pages."""

import csv
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from seleksi.agencies.permissions import Capability, user_can
from seleksi.rules.cells import neutralise_row
from seleksi.rules.formations import ProcurementType
from seleksi.scoring import selectors
from seleksi.scoring.confirmation import RankingConfirmationRefused, ranking_run_confirm
from seleksi.scoring.engine import RankingInputError
from seleksi.scoring.models import RankingRun
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.scoring.services import ScoreImportOutcome, scores_import
from seleksi.scoring.tasks import background_states, ranking_request, stage_score_count
from seleksi.selections.models import Formation, Selection
from seleksi.selections.tables import CSV_CONTENT_TYPE

from .desks import selection_for
from .forms import ScoreUploadForm, score_columns, score_stages

RUNS_PER_PAGE = 50
POOLS_SHOWN = 20
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
    """The runs of a selection; the committee uploads score files and starts runs here. A POST
    with `action=upload` imports a score file, any other POST starts a run."""
    selection = selection_for(request, code, Capability.VIEW_AGENCY_DATA)
    can_decide = user_can(request.user, Capability.DECIDE_RESULTS, selection.agency_id)
    stages = selectors.rankable_stages(selection)
    form = RunStartForm(stages=stages)
    upload_form = ScoreUploadForm(stages=score_stages(selection))
    upload_errors: list[str] = []
    errors: list[str] = []
    status = 200
    if request.method == "POST" and request.POST.get("action") == "upload":
        if not can_decide:
            messages.error(request, _("Only the committee of this agency may upload scores."))
            return redirect("committee:runs", code=selection.code)
        upload_form, upload_errors = _score_upload(request, selection)
        if upload_form.is_valid() and not upload_errors:
            return redirect("committee:runs", code=selection.code)
        status = 400
    elif request.method == "POST":
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
            "upload_form": upload_form,
            "upload_errors": upload_errors,
            "upload_errors_heading": ngettext(
                "%(count)d error; no scores were saved",
                "%(count)d errors; no scores were saved",
                len(upload_errors),
            )
            % {"count": len(upload_errors)},
            "score_columns": score_columns(score_stages(selection)),
            "pools_without_quota": _pools_without_quota(request, selection),
            "ranks_mitra": Formation.objects.filter(
                selection=selection, procurement_type=ProcurementType.MITRA
            ).exists(),
            "background": background_states(selection),
            "can_decide": can_decide,
        },
        status=status,
    )


def _score_upload(request: HttpRequest, selection: Selection) -> tuple[ScoreUploadForm, list[str]]:
    """Import the uploaded score file with the service of `seleksi import-scores`: the form,
    and the file's problems as the command words them (none when it was stored)."""
    form = ScoreUploadForm(request.POST, request.FILES, stages=score_stages(selection))
    if not form.is_valid():
        return form, []
    upload = form.cleaned_data["file"]
    imported = scores_import(
        selection=selection,
        stage=form.cleaned_data["stage"],
        source_name=upload.name,
        content=upload.read(),
        actor=request.user,
    )
    if not imported.ok:
        return form, [f"{upload.name}: {message}" for message in imported.errors]
    messages.success(request, _upload_summary(upload.name, imported))
    return form, []


def _upload_summary(name: str, outcome: ScoreImportOutcome) -> str:
    """What an accepted score file did, said as the command says it."""
    if not outcome.audited:
        return ngettext(
            "%(name)s: its %(rows)d row matches the stored scores; nothing was changed.",
            "%(name)s: its %(rows)d rows match the stored scores; nothing was changed.",
            outcome.rows,
        ) % {"name": name, "rows": outcome.rows}
    return ngettext(
        "%(name)s: %(rows)d row read; %(created)d scores added, %(updated)d changed, "
        "%(unchanged)d unchanged. The import is recorded in the audit trail.",
        "%(name)s: %(rows)d rows read; %(created)d scores added, %(updated)d changed, "
        "%(unchanged)d unchanged. The import is recorded in the audit trail.",
        outcome.rows,
    ) % {
        "name": name,
        "rows": outcome.rows,
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
    }


@dataclass(frozen=True)
class PoolWithoutQuota:
    code: str
    position: str
    change_url: str
    """the console page where an administrator sets the quota; empty for other staff"""


def _pools_without_quota(request: HttpRequest, selection: Selection) -> dict[str, Any]:
    """The mitra pools that cannot be ranked yet because their formation has no quota, with
    the console pages where the selection's administrators set it."""
    pools = list(
        Formation.objects.filter(
            selection=selection, procurement_type=ProcurementType.MITRA, quota__isnull=True
        )
        .order_by("code")
        .values_list("pk", "code", "position")[:POOLS_SHOWN]
    )
    if not pools:
        return {}
    admin = user_can(request.user, Capability.MANAGE_SELECTIONS, selection.agency_id)
    return {
        "pools": [
            PoolWithoutQuota(
                code,
                position,
                reverse("admin:selections_formation_change", args=[pk]) if admin else "",
            )
            for pk, code, position in pools
        ],
        "list_url": (
            reverse("admin:selections_formation_changelist")
            + "?"
            + urlencode(
                {
                    "selection__id__exact": selection.pk,
                    "procurement_type__exact": ProcurementType.MITRA.value,
                }
            )
            if admin
            else ""
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _staff_run(request, pk)
    selection = run.selection
    can_decide = user_can(request.user, Capability.DECIDE_RESULTS, selection.agency_id)
    form = ConfirmForm()
    confirm_text = ""
    if request.method == "POST":
        if not can_decide:
            messages.error(request, _("Only the committee of this agency may confirm a ranking."))
            return redirect("committee:run", pk=run.pk)
        form = ConfirmForm(request.POST)
        confirmable = run.confirmed_at is None and selectors.run_summary(run).superseded_by is None
        if form.is_valid() and confirmable and request.POST.get("confirmed") != "1":
            confirm_text = _confirmation_text(run)
        elif form.is_valid():
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
        "confirm_text": confirm_text,
    }
    template = (
        "scoring/_run_rows.html"
        if getattr(request, "htmx", False) and not request.htmx.boosted  # type: ignore[attr-defined]
        else "scoring/run.html"
    )
    return render(request, template, context)


def _confirmation_text(run: RankingRun) -> str:
    """What confirming `run` does, with its figures, for the confirmation panel."""
    counts = {code: int(count) for code, count in run.counts.items()}
    rows = run.row_count
    values: dict[str, Any] = {"run": run.pk, "rows": rows}
    if run.stage == RankingRun.Stage.SKD:
        values["passed"] = counts.get("P/L", 0)
        text = ngettext(
            "Run #%(run)d becomes the committee's SKD result: %(passed)d of %(rows)d "
            "participant goes on to the SKB (P/L) and %(others)d do not.",
            "Run #%(run)d becomes the committee's SKD result: %(passed)d of %(rows)d "
            "participants go on to the SKB (P/L) and %(others)d do not.",
            rows,
        )
    else:
        values["passed"] = counts.get("L", 0) + counts.get("L-2", 0)
        text = ngettext(
            "Run #%(run)d becomes the committee's final ranking: %(passed)d of %(rows)d "
            "participant passes (L or L-2) and %(others)d do not. Withdrawals and "
            "replacements are then recorded on this run.",
            "Run #%(run)d becomes the committee's final ranking: %(passed)d of %(rows)d "
            "participants pass (L or L-2) and %(others)d do not. Withdrawals and "
            "replacements are then recorded on this run.",
            rows,
        )
    values["others"] = rows - values["passed"]
    parts = [text % values]
    tied = run.rows.filter(tied_at_cut=True).count()
    if tied:
        parts.append(
            ngettext(
                "%(count)d participant is tied at the quota; their code becomes final too.",
                "%(count)d participants are tied at the quota; their codes become final too.",
                tied,
            )
            % {"count": tied}
        )
    parts.append(
        _(
            "The confirmation and your note are recorded under your name and cannot be "
            "undone; a later run of this stage would need its own confirmation."
        )
    )
    return " ".join(parts)


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
