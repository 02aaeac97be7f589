"""Forms of the mitra pool's pages: searching the pool, filling it from a ranking run, carrying
members over into another year, loading a cap table and defining an activity with its roles.

Decisions worth knowing:
- The search form is read from the address (GET) under Indonesian keys (`kabupaten`,
  `pendidikan`, ...), as the other committee lists are, so a search can be bookmarked and a
  page link keeps it.
- The forms check the shape of what is typed, in the services' words where both check the
  same (a name, a number needed of at least 1, a rate of zero or more); what the rules allow
  (a confirmed run, an earlier year, a valid cap table, an activity's roles) is judged by
  `seleksi.pool.services`, and its refusals are put next to the field they concern.
- A cap table file is read here (at most CAP_TABLE_MAX_BYTES, UTF-8 JSON) because the service
  takes the parsed data; every problem of the table itself comes from the service.
"""

import json
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from seleksi.pool.models import PayUnit, Role
from seleksi.pool.selectors import DEVICE_FIELDS
from seleksi.reference.models import EducationLevel, Regency
from seleksi.rules.ratings import HIGHEST, LOWEST
from seleksi.scoring.models import RankingRun

CAP_TABLE_MAX_BYTES = 64 * 1024
"""A year's table is about 1 KB; anything much larger is not a cap table."""

MOST_NEEDED = 100_000
MOST_RATE = 1_000_000_000_000
"""Bounds far beyond any activity, only to keep a mistyped figure out of the database's
integer columns."""

FIRST_YEAR = 2000
LAST_YEAR = 2100
"""The years a pool or a cap table may be of: wide, only to catch a mistyped year."""

DEVICE_LABELS = {
    "smartphone": _("smartphone"),
    "computer": _("computer or laptop"),
    "tablet": _("tablet"),
    "motorcycle": _("motor vehicle"),
}

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _year_field(label: Any, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class BrowserDateInput(forms.DateInput):
    """A date picker; the browser reads and sends yyyy-mm-dd in every language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# Searching the pool ------------------------------------------------------------------------


class PoolSearchForm(forms.Form):
    """The filters of `seleksi.pool.selectors.pool_members`."""

    KEYS = {
        "regency": "kabupaten",
        "address": "alamat",
        "education": "pendidikan",
        "experience": "pengalaman",
        "devices": "perangkat",
        "min_rating": "nilai",
        "available": "tersedia",
        "role": "peran",
    }

    regency = forms.ChoiceField(label=_("Regency of domicile"), required=False)
    address = forms.CharField(
        label=_("Village or district of domicile"),
        required=False,
        max_length=100,
        help_text=_("A part of the address, e.g. the name of the desa or kecamatan."),
    )
    education = forms.ChoiceField(label=_("Education, at least"), required=False)
    experience = forms.CharField(
        label=_("Survey experience contains"), required=False, max_length=100
    )
    devices = forms.MultipleChoiceField(
        label=_("Owns"),
        required=False,
        choices=[(name, DEVICE_LABELS[name]) for name in DEVICE_FIELDS],
        widget=forms.CheckboxSelectMultiple,
    )
    min_rating = forms.DecimalField(
        label=_("Last year's rating at least"),
        required=False,
        min_value=Decimal(LOWEST),
        max_value=Decimal(HIGHEST),
        max_digits=5,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001"}),
    )
    available = forms.CharField(
        label=_("Still under the honorarium cap in"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-07"}),
        help_text=_("A month, as year-month (2026-07)."),
    )
    role = forms.ChoiceField(label=_("as"), required=False, choices=Role.choices, initial=Role.PPL)

    def __init__(self, *args: Any, regencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regency"].choices = [  # type: ignore[attr-defined]
            ("", _("All regencies")),
            *regencies,
        ]
        self.fields["education"].choices = [  # type: ignore[attr-defined]
            ("", _("Any")),
            *EducationLevel.objects.order_by("order").values_list("code", "name"),
        ]

    def add_prefix(self, field_name: str) -> str:
        return self.KEYS.get(field_name, field_name)

    def clean_available(self) -> tuple[int, int] | None:
        value = self.cleaned_data["available"].strip()
        if not value:
            return None
        found = MONTH.match(value)
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise forms.ValidationError(
                _("Give the month as year-month, for example 2026-07."), code="month"
            )
        year = int(found.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Give the month as year-month, for example 2026-07."), code="month"
            )
        return (year, int(found.group(2)))

    def filters(self) -> dict[str, Any]:
        """What `pool_members` reads, of the fields that are valid (an invalid one is shown
        with its error and left out)."""
        data = getattr(self, "cleaned_data", {})
        filters: dict[str, Any] = {}
        for name in (
            "regency",
            "address",
            "education",
            "experience",
            "devices",
            "min_rating",
            "available",
        ):
            value = data.get(name)
            if value not in (None, "", []):
                filters[name] = value
        if "available" in filters:
            filters["role"] = data.get("role") or Role.PPL
        return filters


# Filling and carrying over -------------------------------------------------------------------


class RunChoiceField(forms.ModelChoiceField[RankingRun]):
    def label_from_instance(self, obj: RankingRun) -> str:
        confirmed = obj.confirmed_at.date().isoformat() if obj.confirmed_at else ""
        return str(
            _("%(selection)s · run #%(number)s, confirmed %(date)s")
            % {"selection": obj.selection.title, "number": obj.pk, "date": confirmed}
        )


class PoolFillForm(forms.Form):
    run = RunChoiceField(
        label=_("Confirmed mitra ranking run"),
        queryset=RankingRun.objects.none(),
        empty_label=None,
    )
    year = _year_field(_("Pool year"), required=False)

    prefix = "fill"

    def __init__(self, *args: Any, runs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["run"].queryset = runs  # type: ignore[attr-defined]
        self.fields["year"].help_text = _(
            "Leave empty for the year the run was confirmed in; name next year for a "
            "recruitment that closes in December."
        )


class CarryOverForm(forms.Form):
    from_year = forms.TypedChoiceField(label=_("Members of"), coerce=int)
    to_year = _year_field(_("Into the pool of"))

    prefix = "carry"

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_year"].choices = [  # type: ignore[attr-defined]
            (year, str(year)) for year in years
        ]


# Cap tables ----------------------------------------------------------------------------------


class CapTableForm(forms.Form):
    file = forms.FileField(
        label=_("Cap table (.json)"),
        allow_empty_file=True,
        help_text=_(
            "A JSON file in UTF-8 as in the example below: the code, version, year and source "
            "of the table, and for each role the cap of every month 1 to 12 in whole rupiah."
        ),
        error_messages={"required": _("Choose the cap table file to upload.")},
    )

    prefix = "caps"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".json,application/json"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > CAP_TABLE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d KB; a cap table is far smaller."),
                code="too_large",
                params={"limit": CAP_TABLE_MAX_BYTES // 1024},
            )
        raw = upload.read(CAP_TABLE_MAX_BYTES + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text; save it as UTF-8 and upload it again."),
                code="encoding",
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("The file is not valid JSON (line %(line)d, column %(column)d: %(problem)s)."),
                code="json",
                params={"line": error.lineno, "column": error.colno, "problem": error.msg},
            ) from None
        except RecursionError:  # brackets nested thousands deep: no table looks like that
            raise forms.ValidationError(
                _("The file is not a cap table: its JSON is nested far too deep."), code="json"
            ) from None


# Activities ----------------------------------------------------------------------------------

REGENCY_CODE = re.compile(r"^\d{4}$")


class ActivityForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the activity"),
        max_length=255,
        error_messages={"required": _("Give the activity a name.")},
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        widget=BrowserDateInput(),
        error_messages={
            "required": _("Give the first day of the activity."),
            "invalid": _("Give the date as year-month-day, for example 2026-12-03."),
        },
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        widget=BrowserDateInput(),
        error_messages={
            "required": _("Give the last day of the activity."),
            "invalid": _("Give the date as year-month-day, for example 2026-12-03."),
        },
    )
    regencies = forms.MultipleChoiceField(
        label=_("Regencies covered"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_regencies = forms.CharField(
        label=_("Other regencies, by code"),
        required=False,
        max_length=200,
        help_text=_(
            "Four-digit Kemendagri codes separated by commas, e.g. 3520, 3521; for a regency "
            "not in the list above."
        ),
    )

    prefix = "activity"

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regencies"].choices = [  # type: ignore[attr-defined]
            (code, f"{name} ({code})") for code, name in areas
        ]

    def clean_other_regencies(self) -> list[str]:
        codes = [
            code.strip() for code in re.split(r"[,;\s]+", self.cleaned_data["other_regencies"])
        ]
        codes = [code for code in codes if code]
        wrong = [code for code in codes if not REGENCY_CODE.match(code)]
        known = set(Regency.objects.filter(code__in=codes).values_list("code", flat=True))
        wrong += [code for code in codes if REGENCY_CODE.match(code) and code not in known]
        if wrong:
            raise forms.ValidationError(
                _("Not a regency code: %(codes)s. A code has four digits, e.g. 3520."),
                code="regency",
                params={"codes": ", ".join(wrong)},
            )
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "regencies" in data and "other_regencies" in data:
            areas = list(dict.fromkeys([*data["regencies"], *data["other_regencies"]]))
            if not areas:
                self.add_error("regencies", _("Choose at least one regency."))
            data["areas"] = areas
        return data


class ActivityRoleForm(forms.Form):
    """One row of the roles: which role, in which regency, how many, paid how."""

    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=True)
    regency = forms.CharField(
        label=_("Regency (code)"),
        max_length=4,
        widget=forms.TextInput(attrs={"list": "regency-codes", "size": 6, "inputmode": "numeric"}),
    )
    needed = forms.IntegerField(
        label=_("Number needed"),
        min_value=1,
        max_value=MOST_NEEDED,
        error_messages={"min_value": _("The number needed must be at least 1.")},
    )
    unit = forms.ChoiceField(label=_("Pay unit"), choices=[("", "—"), *PayUnit.choices])
    rate = forms.IntegerField(
        label=_("Rate (rupiah)"),
        min_value=0,
        max_value=MOST_RATE,
        error_messages={"min_value": _("The rate must be a whole number of rupiah, zero or more.")},
        widget=forms.NumberInput(attrs={"min": 0, "step": 1}),
    )

    def clean_regency(self) -> str:
        code: str = self.cleaned_data["regency"].strip()
        if not REGENCY_CODE.match(code):
            raise forms.ValidationError(
                _("Not a regency code: %(codes)s. A code has four digits, e.g. 3520."),
                code="regency",
                params={"codes": code},
            )
        return code


ActivityRoleFormSet = forms.formset_factory(ActivityRoleForm, extra=4, max_num=200)
