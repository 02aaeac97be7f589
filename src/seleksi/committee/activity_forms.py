"""Forms of the committee's activity pages: assigning a mitra, the quantities of a proposal,
the earnings of an assignment per month and the rating of an enumerator. The pool's services
check everything again; these say what to fix next to the field, in the reader's language."""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from seleksi.pool.models import Activity, ActivityRole, Assignment, PoolMember
from seleksi.rules.honorarium import YearMonth

REASON_MAX = 2000
COMMENT_MAX = 2000
MONTH_FIELD = re.compile(r"^bulan-(\d{4})-(\d{2})$")
RUPIAH = re.compile(r"^(?:rp\.?)?(\d+|\d{1,3}(?:\.\d{3})+)$")


def role_label(role: ActivityRole, regencies: dict[str, str]) -> str:
    name = regencies.get(role.regency, "")
    area = f"{name} ({role.regency})" if name else role.regency
    return f"{role.get_role_display()} · {area}"


def member_label(member: PoolMember) -> str:
    masked = member.user.nik_masked
    return f"{member.user.display_name} · {masked}" if masked else member.user.display_name


class RoleChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def __init__(self, *args: Any, regencies: dict[str, str], **kwargs: Any) -> None:
        self.regencies = regencies
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return role_label(obj, self.regencies)


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Mitra"),
        queryset=PoolMember.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a mitra from the search results."),
            "invalid_choice": _("That mitra is not in this office's pool; search again."),
        },
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        help_text=_("Documents, person-months, or 1 for a lump sum."),
        error_messages={
            "required": _("Give the quantity: documents, person-months, or 1 for a lump sum."),
            "invalid": _("The quantity must be a whole number of at least 1."),
            "min_value": _("The quantity must be a whole number of at least 1."),
        },
    )
    confirm_over_cap = forms.BooleanField(
        label=_("I confirm going over the honorarium cap"), required=False
    )
    reason = forms.CharField(
        label=_("Reason for going over the cap"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("Shorten the reason to at most %(limit_value)d characters.")
        },
    )

    def __init__(
        self,
        *args: Any,
        activity: Activity,
        roles: Sequence[ActivityRole],
        regencies: dict[str, str],
        found: Iterable[PoolMember],
        pool_agencies: Sequence[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        member.queryset = PoolMember.objects.filter(  # type: ignore[attr-defined]
            agency_id__in=pool_agencies, year=activity.starts_on.year
        ).select_related("user")
        member.widget.choices = [(found.pk, member_label(found)) for found in found]
        self.fields["role"] = RoleChoice(
            label=_("Role and area"),
            queryset=ActivityRole.objects.filter(pk__in=[role.pk for role in roles]),
            regencies=regencies,
            error_messages={
                "required": _("Choose the role and area."),
                "invalid_choice": _("Choose one of this activity's roles."),
            },
        )
        self.order_fields(["member", "role", "quantity", "confirm_over_cap", "reason"])


class QuantitiesForm(forms.Form):
    """The quantity per mitra of each role, for a proposal; a field `jumlah-<role id>`, required
    unless the role is in `optional` (a role filled since the proposal was shown)."""

    def __init__(
        self,
        *args: Any,
        roles: Sequence[tuple[ActivityRole, int | None]],
        regencies: dict[str, str],
        optional: Iterable[int] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        optional = set(optional)
        for role, default in roles:
            self.fields[f"jumlah-{role.pk}"] = forms.IntegerField(
                label=role_label(role, regencies),
                required=role.pk not in optional,
                min_value=1,
                initial=default,
                help_text=role.get_unit_display(),
                error_messages={
                    "required": _("Give the quantity each mitra of this role is paid for."),
                    "invalid": _("The quantity must be a whole number of at least 1."),
                    "min_value": _("The quantity must be a whole number of at least 1."),
                },
            )

    def quantities(self) -> dict[int, int]:
        return {
            int(name.removeprefix("jumlah-")): int(value)
            for name, value in self.cleaned_data.items()
            if value is not None
        }


def month_field(month: YearMonth) -> str:
    return f"bulan-{month[0]}-{month[1]:02d}"


def parse_rupiah(text: str) -> int | None:
    """Whole rupiah typed as 1500000, 1.500.000 or Rp 1.500.000; None when it is not one."""
    cleaned = text.replace(" ", "").replace("\u00a0", "").lower()
    found = RUPIAH.match(cleaned)
    if found is None:
        return None
    return int(found.group(1).replace(".", ""))


class EarningsForm(forms.Form):
    """One field per month of the activity, `bulan-YYYY-MM`; blank leaves the month as it is.
    A month field sent for a month the activity does not have is kept too, for the service to
    refuse it by name."""

    def __init__(self, *args: Any, months: Sequence[YearMonth], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        named = list(months)
        for name in sorted(self.data):
            found = MONTH_FIELD.match(name)
            if found is not None:
                month = (int(found.group(1)), int(found.group(2)))
                if month not in named:
                    named.append(month)
        for month in named:
            self.fields[month_field(month)] = forms.CharField(
                label=f"{month[0]}-{month[1]:02d}",
                required=False,
                max_length=32,
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, value in list(cleaned.items()):
            text = (value or "").strip()
            if not text:
                continue
            if text.startswith("-"):
                self.add_error(
                    name, _("The amount must be a whole number of rupiah, zero or more.")
                )
            elif parse_rupiah(text) is None:
                self.add_error(
                    name,
                    _("Give a whole number of rupiah, for example 1500000 or 1.500.000."),
                )
        return cleaned

    def amounts(self) -> dict[YearMonth, int]:
        """The months given, with their amounts (after `is_valid`)."""
        found = {}
        for name, value in self.cleaned_data.items():
            match = MONTH_FIELD.match(name)
            amount = parse_rupiah((value or "").strip())
            if match is not None and amount is not None:
                found[(int(match.group(1)), int(match.group(2)))] = amount
        return found


def _mark(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        widget=forms.NumberInput(attrs={"min": 1, "max": 10, "step": 1}),
        error_messages={
            "required": _("Give a mark from 1 to 10."),
            "invalid": _("The mark must be a whole number from 1 to 10."),
        },
    )


class RatingForm(forms.Form):
    attitude = _mark(_("Attitude"))
    quality = _mark(_("Quality"))
    timeliness = _mark(_("Timeliness"))
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("Shorten the comment to at most %(limit_value)d characters.")
        },
    )
    supervisor = forms.ModelChoiceField(
        label=_("Rated by the supervisor (PML)"),
        queryset=Assignment.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose a supervisor of this activity's area.")},
    )

    def __init__(self, *args: Any, supervisors: Sequence[Assignment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["supervisor"]
        field.queryset = Assignment.objects.filter(  # type: ignore[attr-defined]
            pk__in=[held.pk for held in supervisors]
        ).select_related("member__user")
        field.label_from_instance = lambda held: held.member.user.display_name  # type: ignore[attr-defined]
        if not supervisors:
            del self.fields["supervisor"]
