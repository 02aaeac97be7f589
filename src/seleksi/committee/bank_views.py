"""The committee's question bank (bank soal) of a selection, `/panitia/<code>/ujian/bank-soal/`:
upload a bank table for a test blueprint, see how many questions each component, topic and
difficulty holds, and whether every draw rule of the blueprint can be filled.

Only the agency's committee and administrators (MANAGE_TESTS) open it; everyone else gets a
404. The page shows counts, never a question's text."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from seleksi.agencies.permissions import Capability
from seleksi.rules.cat import blueprint_codes, load_blueprint
from seleksi.rules.question_files import bank_columns
from seleksi.selections.tables import MAX_FILE_BYTES, MEGABYTE, TableFileError
from seleksi.sittings import selectors
from seleksi.sittings.services import SittingsRefused, questions_import

from .desks import selection_for


class BankUploadForm(forms.Form):
    blueprint = forms.ChoiceField(label=gettext_lazy("Test blueprint"))
    file = forms.FileField(
        label=gettext_lazy("Question bank (.csv or .xlsx)"),
        help_text=gettext_lazy("One question per row. Nothing is saved if any row is wrong."),
        error_messages={"required": gettext_lazy("Choose the file to upload.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["blueprint"].choices = [  # type: ignore[attr-defined]
            (code, code) for code in blueprint_codes()
        ]
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is larger than %(limit)d MB."),
                code="too_large",
                params={"limit": MAX_FILE_BYTES // MEGABYTE},
            )
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def question_bank(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.MANAGE_TESTS)
    form = BankUploadForm()
    problems: tuple[str, ...] = ()
    status = 200
    if request.method == "POST":
        form = BankUploadForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = questions_import(
                    selection=selection,
                    actor=request.user,
                    blueprint_code=form.cleaned_data["blueprint"],
                    filename=upload.name,
                    content=upload.read(),
                )
            except (TableFileError, SittingsRefused) as error:
                form.add_error("file", error.message)
            else:
                if outcome.ok:
                    messages.success(
                        request,
                        _("%(count)d questions were added to the bank.") % {"count": outcome.saved},
                    )
                    return redirect(reverse("committee:question_bank", args=[selection.code]))
                problems = outcome.problems
    banks = []
    for blueprint_code in blueprint_codes():
        blueprint = load_blueprint(blueprint_code)
        counts = selectors.bank_counts(selection=selection, blueprint=blueprint_code)
        banks.append(
            {
                "blueprint": blueprint,
                "columns": ", ".join(bank_columns(blueprint)),
                "counts": counts,
                "total": sum(row["questions"] for row in counts),
                "check": selectors.draw_check(selection=selection, blueprint=blueprint)
                if counts
                else None,
            }
        )
    return render(
        request,
        "sittings/question_bank.html",
        {"selection": selection, "form": form, "problems": problems, "banks": banks},
        status=status,
    )
