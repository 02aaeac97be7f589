from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .reasons import PPPK_GROUPS, STATEMENTS


class ApplyForm(forms.Form):
    """The statements (surat pernyataan) and, for PPPK teachers, the eligibility group."""

    def __init__(
        self, *args: Any, statements: tuple[str, ...], pppk_groups: tuple[str, ...], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.statement_codes = statements
        for code in statements:
            self.fields[f"statement_{code}"] = forms.BooleanField(
                label=STATEMENTS.get(code, code), required=True
            )
        if pppk_groups:
            self.fields["pppk_guru_group"] = forms.ChoiceField(
                label=_("I may apply for PPPK teacher openings as"),
                choices=[(code, PPPK_GROUPS.get(code, code)) for code in pppk_groups],
                widget=forms.RadioSelect,
            )

    def statements(self) -> list[str]:
        return [code for code in self.statement_codes if self.cleaned_data.get(f"statement_{code}")]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I have checked everything above. I understand that after submitting nothing can "
            "be changed."
        )
    )
