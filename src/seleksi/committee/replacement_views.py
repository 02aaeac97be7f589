"""Withdrawals and replacements (penggantian) of a confirmed ranking: the committee's page to
record, confirm and cancel them (the public announcement is in `seleksi.public`).

Staff of the selection's agency may read the page; only the committee acts."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from seleksi.agencies.permissions import Capability, user_can
from seleksi.core.privacy import masked_name
from seleksi.scoring.models import RankingRun, Withdrawal
from seleksi.scoring.replacements import (
    PASSING_STAGES,
    ReplacementRefused,
    latest_confirmed_run,
    run_standings,
    withdrawal_cancel,
    withdrawal_confirm,
    withdrawal_record,
)
from seleksi.selections.models import Formation


class WithdrawalForm(forms.Form):
    participant = forms.CharField(label=gettext_lazy("Participant number"), max_length=32)
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=Withdrawal.Reason.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        help_text=gettext_lazy("What happened, and the letter or minutes it rests on."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": gettext_lazy("Write why the committee decides so.")},
    )


def _run(request: HttpRequest, pk: int) -> RankingRun:
    run = get_object_or_404(RankingRun.objects.select_related("selection", "confirmed_by"), pk=pk)
    if not user_can(request.user, Capability.VIEW_AGENCY_DATA, run.selection.agency_id):
        raise Http404("no such ranking run")
    return run


@login_required
@require_http_methods(["GET", "POST"])
def replacements(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    can_decide = user_can(request.user, Capability.DECIDE_RESULTS, run.selection.agency_id)
    record_form = WithdrawalForm()
    decision_form = DecisionForm()
    if request.method == "POST":
        if not can_decide:
            raise Http404("no such ranking run")
        action = request.POST.get("action", "")
        try:
            if action == "record":
                record_form = WithdrawalForm(request.POST)
                if record_form.is_valid():
                    withdrawal_record(
                        run=run,
                        participant=record_form.cleaned_data["participant"],
                        reason=record_form.cleaned_data["reason"],
                        note=record_form.cleaned_data["note"],
                        actor=request.user,
                    )
                    messages.success(
                        request, _("The withdrawal is recorded; check the proposal and confirm it.")
                    )
                    return redirect("committee:replacements", pk=run.pk)
            elif action in {"confirm", "cancel"}:
                withdrawal = get_object_or_404(
                    Withdrawal, pk=request.POST.get("withdrawal") or 0, run=run
                )
                decision_form = DecisionForm(request.POST)
                if (
                    decision_form.is_valid()
                    and withdrawal.is_pending
                    and request.POST.get("confirmed") != "1"
                ):
                    context = _context(run, can_decide, record_form, decision_form)
                    context["confirm_text"] = _decision_text(withdrawal, action)
                    context["confirm_button"] = (
                        _("Yes, confirm and announce")
                        if action == "confirm"
                        else _("Yes, cancel the proposal")
                    )
                    return render(request, "scoring/replacements.html", context)
                if decision_form.is_valid():
                    note = decision_form.cleaned_data["note"]
                    if action == "confirm":
                        withdrawal_confirm(
                            withdrawal=withdrawal,
                            actor=request.user,
                            note=note,
                            site_url=f"{request.scheme}://{request.get_host()}",
                        )
                        messages.success(request, _("The replacement is confirmed and announced."))
                    else:
                        withdrawal_cancel(withdrawal=withdrawal, actor=request.user, note=note)
                        messages.success(request, _("The proposal is cancelled."))
                    return redirect("committee:replacements", pk=run.pk)
            else:
                messages.error(request, _("Unknown action."))
        except ReplacementRefused as refusal:
            messages.error(request, refusal.message)
    return render(
        request,
        "scoring/replacements.html",
        _context(run, can_decide, record_form, decision_form),
        status=400 if request.method == "POST" else 200,
    )


def _decision_text(withdrawal: Withdrawal, action: str) -> str:
    """What confirming or cancelling the proposal does, for the confirmation panel."""
    values = {
        "number": withdrawal.application.number,
        "reason": withdrawal.reason,
        "seat": withdrawal.seat_code,
        "replacement": withdrawal.replacement.number if withdrawal.replacement else "",
        "code": withdrawal.replacement_code,
    }
    if action == "cancel":
        return (
            _(
                "The proposal for %(number)s is cancelled: %(number)s keeps their code, nothing "
                "is announced and no applicant sees a change. The proposal stays in the list as "
                "cancelled, with your note; the withdrawal can be recorded again if needed."
            )
            % values
        )
    if withdrawal.replacement is not None:
        text = _(
            "%(number)s leaves the seat in formation %(seat)s with code %(reason)s, and "
            "%(replacement)s takes it with code %(code)s."
        )
    elif withdrawal.seat_code:
        text = _(
            "%(number)s leaves the seat in formation %(seat)s with code %(reason)s; nobody is "
            "left to take it, so the seat stays empty."
        )
    else:
        text = _("%(number)s is recorded with code %(reason)s; they held no seat.")
    return " ".join(
        [
            text % values,
            _(
                "It is announced on the public page at once and shown on the applications "
                "concerned. This cannot be undone."
            ),
        ]
    )


def _context(
    run: RankingRun, can_decide: bool, record_form: WithdrawalForm, decision_form: DecisionForm
) -> dict[str, Any]:
    withdrawals = list(
        run.withdrawals.select_related(
            "application__applicant",
            "replacement__applicant",
            "recorded_by",
            "confirmed_by",
            "cancelled_by",
        ).order_by("sequence")
    )
    entries = [
        {
            "withdrawal": w,
            "name": masked_name(w.application.applicant.full_name),
            "replacement_name": masked_name(w.replacement.applicant.full_name)
            if w.replacement
            else "",
        }
        for w in withdrawals
    ]
    pending = next((w for w in withdrawals if w.is_pending), None)
    open_run = (
        run.stage in PASSING_STAGES and run.confirmed_at is not None and latest_confirmed_run(run)
    )
    standings = run_standings(run)
    seats: dict[str, int] = {}
    for row in run.rows.filter(outcome__in=["L", "L-2"]).values_list(
        "application_id", "formation_code", "placed_formation_code"
    ):
        application_id, code, placed = row
        if application_id in standings:
            continue
        seat = placed or code
        seats[seat] = seats.get(seat, 0) + 1
    for standing in standings.values():
        if standing.code in {"L", "L-2"}:
            seats[standing.seat] = seats.get(standing.seat, 0) + 1
    quotas = dict(
        Formation.objects.filter(selection=run.selection, code__in=seats).values_list(
            "code", "quota"
        )
    )
    return {
        "run": run,
        "selection": run.selection,
        "entries": entries,
        "pending": pending,
        "open_run": open_run,
        "can_decide": can_decide,
        "record_form": record_form,
        "decision_form": decision_form,
        "seats": [(code, count, quotas.get(code)) for code, count in sorted(seats.items())],
    }
