"""Form fields for values people type, shared by the pages of every audience.

Decisions worth knowing:

- A decimal a person types is a text box with the decimal keypad (`inputmode="decimal"`),
  never `<input type="number">`: Chromium reads the number with the phone's locale and drops
  what it takes for a grouping separator, so "3,41" typed on an English phone (or "3.41" on
  an Indonesian one) reaches the server as "341".
- A comma and a point both mark the decimals, in either interface language: Indonesians
  write "3,41", transcripts and English keyboards "3.41". A value with both, or with two
  separators, is refused rather than guessed: these fields hold small measured values (an
  IPK, a score), never thousands.
- The value is shown back with the separator of the interface language (`localize`).
"""

from decimal import Decimal, DecimalException
from typing import Any

from django import forms

DECIMAL_MARKS = (",", ".")


class DecimalTextField(forms.DecimalField):
    """A decimal typed as text, with a comma or a point before the decimals."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # as Django's
        if value in self.empty_values:
            return None
        text = "".join(str(value).split())
        if sum(text.count(mark) for mark in DECIMAL_MARKS) > 1:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        # Not Django's sanitize_separators: it takes the interface language's grouping
        # separator ("." in Indonesian) for thousands.
        try:
            return Decimal(text.replace(",", "."))
        except DecimalException:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def run_validators(self, value: Any) -> None:
        """As Django's, but a message given for several problems is said once."""
        try:
            super().run_validators(value)
        except forms.ValidationError as error:
            unique = {str(message): message for message in error.messages}
            raise forms.ValidationError(list(unique.values())) from None

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs: dict[str, Any] = super().widget_attrs(widget)
        attrs.pop("step", None)  # a number box's attribute; meaningless on a text box
        return attrs
