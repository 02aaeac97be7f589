"""Forms of the committee's announcement pages. The services check everything again; these
say what to fix next to the field, in the reader's language."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from seleksi.announcements.services import BODY_MAX, EDITABLE, NUMBER_MAX, TEXT_MAX


def _date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Date of the announcement"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the announcement's date."),
            "invalid": _("Give the date as year-month-day, for example 2026-12-03."),
        },
    )


class DraftForm(forms.Form):
    number = forms.CharField(
        label=_("Announcement number"),
        max_length=NUMBER_MAX,
        help_text=_("As on the signed letter, for example 800/123/PANSEL/2026."),
        error_messages={
            "required": _("Give the announcement's number, as on the signed letter."),
            "max_length": _("Shorten the number to at most %(limit_value)d characters."),
        },
    )
    dated_on = _date_field()
    signatory_name = forms.CharField(
        label=_("Signed by (name)"),
        max_length=TEXT_MAX,
        error_messages={"required": _("Give the name of the official who signs.")},
    )
    signatory_title = forms.CharField(
        label=_("Signed by (position)"),
        max_length=TEXT_MAX,
        help_text=_("For example Ketua Panitia Seleksi."),
        error_messages={"required": _("Give the position of the official who signs.")},
    )
    signatory_nip = forms.CharField(
        label=_("Signatory NIP"),
        required=False,
        max_length=32,
        help_text=_("18 digits; leave empty if the signatory has none."),
    )
    correction_reason = forms.CharField(
        label=_("What this corrects and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args: Any, correction: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if correction:
            field = self.fields["correction_reason"]
            field.required = True
            field.error_messages["required"] = _("Say what the correction changes and why.")
        else:
            del self.fields["correction_reason"]


class EditForm(DraftForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=TEXT_MAX,
        error_messages={"required": _("Give the announcement a title.")},
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": _("Write the announcement's text.")},
    )

    field_order = list(EDITABLE)


class PublishForm(forms.Form):
    confirm_number = forms.CharField(
        label=_("Type the announcement's number to publish it"),
        max_length=NUMBER_MAX,
        error_messages={
            "required": _("Type the announcement's number, as shown above, to publish it.")
        },
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class TemplateForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        error_messages={"required": _("Write the text of the template.")},
    )
