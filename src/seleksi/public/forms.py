"""The openings filter of the public formation list, also used on the applicant's list."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from seleksi.rules.score_files import PARTICIPANT_NUMBER
from seleksi.selections.models import FORMATION_TYPES, POSITION_CATEGORIES, PROCUREMENT_TYPES
from seleksi.selections.selectors import FilterOptions, FormationFilter


def _choices(values: list[str], labels: dict[str, Any] | None = None) -> list[tuple[str, Any]]:
    labels = labels or {}
    return [("", _("All"))] + [(value, labels.get(value, value)) for value in values]


class FormationFilterForm(forms.Form):
    """The openings filter. Options come from the selection's own openings, so a person can
    only pick values that exist."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    jenis_pengadaan = forms.ChoiceField(label=_("Procurement type"), required=False)
    jenis_formasi = forms.ChoiceField(label=_("Formation type"), required=False)
    kategori_jabatan = forms.ChoiceField(label=_("Position category"), required=False)
    jabatan = forms.ChoiceField(label=_("Position"), required=False)
    kualifikasi = forms.ChoiceField(label=_("Education qualification"), required=False)
    unit = forms.ChoiceField(label=_("Placement unit"), required=False)

    def __init__(self, *args: Any, options: FilterOptions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["jenis_pengadaan"].choices = _choices(  # type: ignore[attr-defined]
            options.procurement_types, dict(PROCUREMENT_TYPES)
        )
        fields["jenis_formasi"].choices = _choices(  # type: ignore[attr-defined]
            options.formation_types, dict(FORMATION_TYPES)
        )
        fields["kategori_jabatan"].choices = _choices(  # type: ignore[attr-defined]
            options.position_categories, dict(POSITION_CATEGORIES)
        )
        fields["jabatan"].choices = _choices(options.positions)  # type: ignore[attr-defined]
        fields["kualifikasi"].choices = _choices(  # type: ignore[attr-defined]
            options.qualifications
        )
        fields["unit"].choices = _choices(options.placement_units)  # type: ignore[attr-defined]

    def active_count(self) -> int:
        """How many filters narrow the list: shown on the folded filter's summary."""
        if not self.is_valid():
            return 0
        return sum(1 for value in self.cleaned_data.values() if value)

    def to_filter(self) -> FormationFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return FormationFilter(
            procurement_type=data.get("jenis_pengadaan", ""),
            formation_type=data.get("jenis_formasi", ""),
            position_category=data.get("kategori_jabatan", ""),
            position=data.get("jabatan", ""),
            qualification=data.get("kualifikasi", ""),
            placement_unit=data.get("unit", ""),
            search=data.get("q", ""),
        )


class ParticipantSearchForm(forms.Form):
    """The search by registration number on the public result pages. A number has the format
    of a participant number (`seleksi.rules.score_files.PARTICIPANT_NUMBER`); anything else is
    refused before it reaches the database, with a message that does not repeat it."""

    nomor = forms.CharField(
        label=_("Registration number"),
        max_length=32,
        error_messages={
            "required": _("Type a registration number."),
            "max_length": _("A registration number has at most %(limit_value)d characters."),
        },
    )

    def clean_nomor(self) -> str:
        number = str(self.cleaned_data["nomor"]).strip()
        if not PARTICIPANT_NUMBER.fullmatch(number):
            raise forms.ValidationError(
                _(
                    "A registration number has only letters, digits and . _ / -, "
                    "and begins with a letter or a digit."
                ),
                code="bad_number",
            )
        return number
