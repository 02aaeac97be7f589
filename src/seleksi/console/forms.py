"""The console's own forms: its sign-in, the selection and opening editors, the allocation
upload. Each validates with the rules its stage uses elsewhere (the sign-in with
`accounts.throttle`, an edited opening with the allocation import's parser)."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from seleksi.accounts import throttle
from seleksi.accounts.forms import ChallengeMixin
from seleksi.core.client import client_address
from seleksi.rules.eligibility import policy_codes
from seleksi.rules.formations import EXPORT_COLUMNS, parse_formation_table
from seleksi.rules.ranking import Stage as RankingStage
from seleksi.rules.ranking import load_ranking_policy, ranking_policy_codes
from seleksi.selections.messages import describe_issue
from seleksi.selections.models import Formation, Selection


class ThrottledAdminLoginForm(ChallengeMixin, AdminAuthenticationForm):
    """The staff console's sign-in, with the same locks and address friction as the
    applicants' sign-in (a staff member's username and e-mail lock together)."""

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.show_challenge(throttle.login_challenge(self._address()))

    def _address(self) -> str:
        return client_address(self.request) if self.request is not None else ""

    def clean(self) -> dict[str, Any]:
        token, answer = self.posted_challenge
        address = self._address()
        guess = throttle.sign_in_start(
            identifier=str(self.data.get("username", "")),
            address=address,
            token=token,
            answer=answer,
        )
        if guess.refusal is not None:
            self.show_challenge(guess.refusal.keep or throttle.login_challenge(address))
            code = "locked" if guess.refusal.status == 429 else "challenge"
            raise forms.ValidationError(guess.refusal.message, code=code)
        try:
            data = super().clean()
        except forms.ValidationError:
            locked = throttle.guess_failed(guess)
            self.show_challenge(throttle.login_challenge(address))
            if locked:
                raise forms.ValidationError(locked, code="locked") from None
            raise
        throttle.guess_succeeded(guess)
        return data


SELECTION_FIELDS = (
    "agency",
    "code",
    "kind",
    "title",
    "number",
    "is_published",
    "eligibility_policy",
    "cpns_ranking_policy",
    "pppk_ranking_policy",
    "mitra_ranking_policy",
    "require_second_check",
    "objection_days",
)
ANNOUNCEMENT_FIELDS = (
    "announced_on",
    "announced_at_place",
    "signed_by",
    "summary",
    "legal_basis",
    "exam_location",
)


class SelectionForm(forms.ModelForm):  # type: ignore[type-arg]
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit trail. Required when changing an existing selection."),
    )

    class Meta:
        model = Selection
        fields = SELECTION_FIELDS + ANNOUNCEMENT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["eligibility_policy"] = forms.ChoiceField(
            label=_("Eligibility policy"),
            required=False,
            choices=[("", _("Default for the kind"))] + [(c, c) for c in policy_codes()],
        )
        for name, label, stage in (
            ("cpns_ranking_policy", _("CPNS ranking policy"), RankingStage.SKD),
            ("pppk_ranking_policy", _("PPPK ranking policy"), RankingStage.PPPK),
            ("mitra_ranking_policy", _("Mitra ranking policy"), RankingStage.MITRA),
        ):
            codes = [c for c in ranking_policy_codes() if stage in load_ranking_policy(c).stages]
            self.fields[name] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", _("Default"))] + [(c, c) for c in codes],
            )

    def clean_change_reason(self) -> str:
        reason = str(self.cleaned_data.get("change_reason", "")).strip()
        if self.instance.pk and not reason:
            raise forms.ValidationError(
                _("Say why you are changing this selection; the reason is kept in the audit trail.")
            )
        return reason


class FormationForm(forms.ModelForm):  # type: ignore[type-arg]
    """Validates an edited opening with the same rules as the allocation import."""

    COLUMN_FIELDS = {
        "jenis_pengadaan": "procurement_type",
        "jenis_formasi": "formation_type",
        "jabatan": "position",
        "kualifikasi_pendidikan": "qualifications_text",
        "unit_penempatan": "placement_unit",
        "kuota": "quota",
        "kategori_jabatan": "position_category",
        "ambang_teknis": "teknis_pass_mark",
    }

    class Meta:
        model = Formation
        fields = (
            "procurement_type",
            "formation_type",
            "position_category",
            "position",
            "qualifications_text",
            "placement_unit",
            "quota",
            "teknis_pass_mark",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {column: data.get(field) for column, field in self.COLUMN_FIELDS.items()}
        row = [self.instance.code] + [
            "" if values[column] is None else str(values[column]) for column in EXPORT_COLUMNS[1:]
        ]
        parsed = parse_formation_table(EXPORT_COLUMNS, [row])
        for issue in parsed.issues:
            field = self.COLUMN_FIELDS.get(issue.column or "")
            self.add_error(field if field in self.fields else None, describe_issue(issue))
        self.parsed_row = parsed.rows[0] if parsed.ok else None
        return data


class FormationImportForm(forms.Form):
    file = forms.FileField(
        label=_("Allocation file (.csv or .xlsx)"),
        help_text=_(
            "Columns: kode_formasi, jenis_pengadaan, jenis_formasi, jabatan, "
            "kualifikasi_pendidikan (several separated by ;), unit_penempatan, kuota, and "
            "optionally kategori_jabatan. The import replaces the current allocation; "
            "nothing is saved if any row is wrong."
        ),
    )
