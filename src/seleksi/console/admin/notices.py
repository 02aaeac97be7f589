"""The texts of the notices, edited by superusers, with the message as an applicant reads it.

Decisions worth knowing:
- A stored template replaces the shipped text of its code and language; deleting it brings
  the shipped text back. A new template starts from the shipped text (the add form is filled
  in from `?code=...&language=...`, the list's links to each template).
- The preview fills the placeholders with sample values, so a misspelt `$placeholder` shows
  up as written, as it would in the e-mail.
"""

import string
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from seleksi.notices.models import NoticeTemplate
from seleksi.notices.services import TEMPLATES, Text, render, template_default

from ..mixins import AuditedAdminMixin
from ..scoping import SuperuserOnlyAdmin

SAMPLE = {
    "name": _("Applicant's name"),
    "selection": _("Selection title"),
    "number": "A-2026-000123",
    "formation": _("Position, placement unit (code)"),
    "url": "https://seleksi.example/lamaran/A-2026-000123/",
    "stage": _("Basic competence test (SKD)"),
    "session": "sesi-1",
    "starts_at": "Senin, 5 Oktober 2026, 08:00",
    "zone": "WIB",
    "site": _("Test site, address"),
    "room": _("Room 1"),
    "previous": "sesi-2",
    "reason": _("The reason the committee wrote"),
    "submitted": "5 Oktober 2026 pukul 08.00 WIB",
    "schedule": "",
    "outcome": _("accepted"),
    "answer": _("The committee's answer"),
    "minutes": "15",
    "ends_at": "5 Oktober 2026, 10:15 (WIB)",
    "code": "APS",
}


def placeholders(code: str) -> list[str]:
    """The placeholders the shipped text of `code` uses."""
    text = template_default(code, "id")
    return sorted(set(string.Template(text.subject + text.body).get_identifiers()))


class NoticeTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    code = forms.ChoiceField(label=_("template"), choices=())

    class Meta:
        model = NoticeTemplate
        fields = ("code", "language", "subject", "body")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [  # type: ignore[attr-defined]
            (code, f"{code} · {label}") for code, label in TEMPLATES.items()
        ]

    def clean_subject(self) -> str:
        return " ".join(str(self.cleaned_data["subject"]).split())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("subject", "body"):
            if name in data and not string.Template(data[name]).is_valid():
                self.add_error(
                    name,
                    _(
                        "A $ must be followed by a placeholder name such as $number; "
                        "write $$ for a dollar sign."
                    ),
                )
        return data


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(AuditedAdminMixin, SuperuserOnlyAdmin):
    form = NoticeTemplateForm
    list_display = ("code", "language", "subject", "updated_at", "updated_by")
    list_filter = ("code", "language")
    readonly_fields = ("placeholders_used", "preview")
    change_list_template = "admin/notices/noticetemplate/change_list.html"

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        shipped = [(code, str(label)) for code, label in TEMPLATES.items()]
        return super().changelist_view(request, {**(extra_context or {}), "shipped": shipped})

    fields = ("code", "language", "subject", "body", "placeholders_used", "preview")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = dict(super().get_changeform_initial_data(request))
        code, language = request.GET.get("code", ""), request.GET.get("language", "id")
        if code in TEMPLATES and language in {"id", "en"}:
            shipped = template_default(code, language)
            initial.update(subject=shipped.subject, body=shipped.body)
        return initial

    def save_model(
        self, request: HttpRequest, obj: NoticeTemplate, form: Any, change: bool
    ) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    @admin.display(description=_("placeholders"))
    def placeholders_used(self, obj: NoticeTemplate | None) -> str:
        if obj is None or not obj.code:
            return "–"
        return " ".join(f"${name}" for name in placeholders(obj.code))

    @admin.display(description=_("preview"))
    def preview(self, obj: NoticeTemplate | None) -> str:
        if obj is None or not obj.pk:
            return str(_("Save to see the message as an applicant reads it."))
        shown = render(Text(obj.subject, obj.body), SAMPLE, obj.language)
        return format_html(
            '<div id="notice-preview"><strong>{}</strong>'
            '<pre style="white-space: pre-wrap">{}</pre></div>',
            shown.subject,
            shown.body,
        )
