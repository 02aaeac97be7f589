"""The committee's page that writes the office's yearly ratings (nilai kinerja) into a mitra
selection's scores, before the mitra ranking runs (`pool.ratings_transfer`).

Only the committee of the selection's agency (DECIDE_RESULTS) sees the page; anyone else gets
a 404, as on the other committee pages. The page shows, per year, how many applicants of the
selection the office has rated, and suggests the newest; a refusal is shown next to the form
with the year as typed.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from seleksi.agencies.permissions import Capability
from seleksi.pool.ratings_transfer import RatingsTransfer, rated_years, ratings_transfer
from seleksi.pool.services import PoolRefused

from .desks import selection_for

NUMBERS_SHOWN = 30


class RatingsTransferForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("Year of the ratings"),
        min_value=1900,
        max_value=9999,
        help_text=gettext_lazy(
            "The year of the office's mitra pool whose ratings count, usually the year before "
            "the one this selection recruits for."
        ),
        error_messages={
            "required": gettext_lazy("Give the year of the ratings."),
            "invalid": gettext_lazy("Give the year of the ratings as a whole number."),
        },
    )


def _outcome_messages(request: HttpRequest, outcome: RatingsTransfer) -> None:
    messages.success(
        request,
        _(
            "Ratings of %(year)s: %(updated)s scores updated, %(unchanged)s already up to date, "
            "%(without)s scores without a rating that year kept as they were."
        )
        % {
            "year": outcome.year,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "without": outcome.without_rating,
        },
    )
    if outcome.without_score:
        shown = ", ".join(outcome.without_score[:NUMBERS_SHOWN])
        more = len(outcome.without_score) - NUMBERS_SHOWN
        messages.warning(
            request,
            ngettext(
                "%(count)d rated applicant has no mitra score yet (%(numbers)s): import the "
                "scores, then transfer again.",
                "%(count)d rated applicants have no mitra score yet (%(numbers)s): import the "
                "scores, then transfer again.",
                len(outcome.without_score),
            )
            % {
                "count": len(outcome.without_score),
                "numbers": shown + (" …" if more > 0 else ""),
            },
        )
    if outcome.outdated_runs:
        messages.warning(
            request,
            _(
                "The mitra ranking runs made before use the old ratings; start a new run "
                "before confirming."
            ),
        )


@login_required
@require_http_methods(["GET", "POST"])
def ratings_transfer_page(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.DECIDE_RESULTS)
    years = rated_years(selection)
    suggested = years[0][0] if years else selection.agency.today().year - 1
    form = RatingsTransferForm(initial={"year": suggested})
    status = 200
    if request.method == "POST":
        form = RatingsTransferForm(request.POST)
        if form.is_valid():
            try:
                outcome = ratings_transfer(
                    selection=selection, year=form.cleaned_data["year"], actor=request.user
                )
            except PoolRefused as refused:
                form.add_error("year" if refused.code == "year" else None, refused.message)
            else:
                _outcome_messages(request, outcome)
                return redirect("committee:pool_ratings_transfer", code=selection.code)
        status = 400
    context: dict[str, Any] = {"selection": selection, "form": form, "years": years}
    return render(request, "pool/ratings_transfer.html", context, status=status)
