"""The committee's messages page (`/panitia/<code>/pesan/`): the selection's notices with
their delivery state, and the broadcast to the applicants of a formation or stage.

Decisions worth knowing:
- The page needs DECIDE_RESULTS (the committee): a message to every applicant speaks for the
  committee, as a publication does. Verifiers and administrators get 404, as strangers do.
- The broadcast is two steps: the preview shows the recipient count and the first
  recipient's copy and carries a one-time key; the send uses that key as the notices' event,
  so a second click or a resubmitted form sends nothing more.
- The list shows the notice's subject, never a body: an account e-mail is not a notice and is
  never listed here.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from seleksi.agencies.permissions import Capability
from seleksi.core.client import site_url
from seleksi.notices import selectors
from seleksi.notices.services import (
    BODY_MAX,
    SUBJECT_MAX,
    NoticeRefused,
    broadcast_preview,
    broadcast_send,
)
from seleksi.selections.models import Selection

from .desks import selection_for
from .notice_audiences import STAGES, addressees, audience

PER_PAGE = 50
STATES = {
    "queued": gettext_lazy("Queued"),
    "sent": gettext_lazy("Sent"),
    "failed": gettext_lazy("Failed"),
    "inbox": gettext_lazy("Inbox only (no e-mail address)"),
}


class BroadcastForm(forms.Form):
    formation = forms.ChoiceField(label=gettext_lazy("Formation"), required=False)
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=SUBJECT_MAX,
        error_messages={"required": gettext_lazy("Write the subject of the message.")},
    )
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Placeholders: $name, $number, $formation, $selection, $url (the applicant's "
            "application page)."
        ),
        error_messages={"required": gettext_lazy("Write the message.")},
    )
    key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, selection: Selection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        formations = selection.formations.order_by("code").values_list(
            "code", "position", "placement_unit"
        )
        formation_choices = [("", _("Every formation"))] + [
            (code, f"{code} · {position}, {unit}") for code, position, unit in formations
        ]
        stage_choices = [("", _("Every submitted application"))] + [
            (key, str(label)) for key, label in STAGES.items()
        ]
        self.fields["formation"].choices = formation_choices  # type: ignore[attr-defined]
        self.fields["stage"].choices = stage_choices  # type: ignore[attr-defined]

    def filters(self) -> dict[str, str]:
        return {
            "formation": self.cleaned_data["formation"],
            "stage": self.cleaned_data["stage"],
        }


@never_cache
@login_required
def notices(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.DECIDE_RESULTS)
    form = BroadcastForm(request.POST or None, selection=selection)
    if request.method == "POST" and form.is_valid():
        filters = form.filters()
        applications = audience(selection, **filters)
        try:
            if request.POST.get("action") == "send":
                count = broadcast_send(
                    selection=selection,
                    actor=request.user,
                    key=form.cleaned_data["key"],
                    addressees=addressees(applications),
                    filters=filters,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    site_url=site_url(request),
                )
                messages.success(
                    request,
                    _("The message was sent to %(count)d applicants.") % {"count": count},
                )
                return redirect("committee:notices", code=selection.code)
            preview = broadcast_preview(
                selection=selection,
                actor=request.user,
                count=applications.count(),
                sample=next(addressees(applications[:1]), None),
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                site_url=site_url(request),
            )
        except NoticeRefused as error:
            if error.code == "already_sent":
                messages.info(request, error.message)
                return redirect("committee:notices", code=selection.code)
            form.add_error(None, error.message)
        else:
            confirm = BroadcastForm(
                initial={**form.cleaned_data, "key": preview.key}, selection=selection
            )
            return render(
                request,
                "notices/broadcast_preview.html",
                {
                    "selection": selection,
                    "preview": preview,
                    "form": confirm,
                    "stage_label": STAGES.get(filters["stage"], ""),
                    "formation": filters["formation"],
                },
            )
    state = request.GET.get("keadaan", "")
    state = state if state in STATES else ""
    page = Paginator(selectors.selection_notices(selection, state=state), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notices/committee_notices.html",
        {
            "selection": selection,
            "form": form,
            "page": page,
            "state": state,
            "states": STATES,
            "counts": selectors.delivery_counts(selection),
            "query": f"keadaan={state}" if state else "",
        },
        status=400 if request.method == "POST" else 200,
    )
