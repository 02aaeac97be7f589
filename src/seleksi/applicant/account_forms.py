"""The forms of the applicant's account pages: registration, sign-in, recovery, profile."""

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from seleksi.accounts.forms import ChallengeMixin
from seleksi.accounts.models import SECURITY_QUESTIONS, Education, Profile, User
from seleksi.accounts.models import Sex as SexChoices
from seleksi.core.forms import DecimalTextField
from seleksi.outbox.services import email_queue
from seleksi.reference.forms import EducationLevelChoiceField, RegencyChoiceField
from seleksi.rules.nik import NikProblem, Sex, compare_nik, normalise_number, parse_kk, parse_nik
from seleksi.rules.phone import PhoneProblem, parse_phone

NIK_MESSAGES = {
    NikProblem.WRONG_LENGTH: _("A NIK has exactly 16 digits; check the number on your e-KTP."),
    NikProblem.NOT_DIGITS: _("A NIK has digits only; remove letters and other characters."),
    NikProblem.UNKNOWN_PROVINCE: _(
        "The first two digits of this NIK are not an Indonesian province code."
    ),
    NikProblem.ZERO_REGION: _("The regency or district digits (3 to 6) of this NIK cannot be 00."),
    NikProblem.IMPOSSIBLE_DATE: _(
        "Digits 7 to 12 of this NIK are not a possible date of birth (DDMMYY; women add 40 "
        "to the day)."
    ),
    NikProblem.ZERO_SERIAL: _("The last four digits of a NIK cannot be 0000."),
    NikProblem.FUTURE_BIRTH_DATE: _("The date of birth in this NIK lies in the future."),
    NikProblem.BIRTH_DATE_MISMATCH: _(
        "The date of birth in this NIK (digits 7 to 12) differs from the date of birth you "
        "entered. Check both against your e-KTP."
    ),
    NikProblem.SEX_MISMATCH: _(
        "This NIK belongs to a person of the other sex (women's NIKs add 40 to the day of "
        "birth). Check the NIK and the sex you chose."
    ),
}
KK_MESSAGES = {
    NikProblem.WRONG_LENGTH: _("A family card (KK) number has exactly 16 digits."),
    NikProblem.NOT_DIGITS: _("A family card (KK) number has digits only."),
    NikProblem.UNKNOWN_PROVINCE: _(
        "The first two digits of this KK number are not an Indonesian province code."
    ),
    NikProblem.ZERO_REGION: _("The region digits of this KK number cannot be 00."),
    NikProblem.ZERO_SERIAL: _("The last four digits of a KK number cannot be 0000."),
}
PHONE_MESSAGES = {
    PhoneProblem.NOT_DIGITS: _(
        "Write the number with digits; spaces, dashes and brackets may stay, e.g. 0812-3456-7890."
    ),
    PhoneProblem.NOT_INDONESIAN: _(
        "Write an Indonesian number beginning with 0 or +62, e.g. 0812 3456 7890."
    ),
    PhoneProblem.WRONG_LENGTH: _(
        "An Indonesian phone number has 9 to 13 digits with its leading 0; check for a missing "
        "or extra digit."
    ),
}
IPK_EXPLAINED = _(
    "Write the IPK as on your transcript: a number from 0 to 4 with at most two decimals, "
    "e.g. 3.41."
)
NIK_TAKEN = _(
    "This NIK is already registered. If it is yours, sign in, or recover your account with "
    "“Forgot password”. If you never registered, contact the helpdesk."
)


class BrowserDateInput(forms.DateInput):
    """A date picker. The browser reads and sends its value as yyyy-mm-dd only, so the value
    is written that way in every language; a localised "01-05-1990" would show an empty
    field that fails on submit."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PhoneField(forms.CharField):
    """A telephone number as people write it, kept in national form (see `rules.phone`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text: str = super().clean(value)
        if not text:
            return text
        check = parse_phone(text)
        if check.problem is not None:
            raise forms.ValidationError(PHONE_MESSAGES[check.problem], code=check.problem.value)
        return check.number or ""


def nik_errors(nik_text: str, birth_date: date | None, sex: str | None) -> list[str]:
    """Every problem the number itself reveals, in the applicant's language. Whether it is
    registered is not among them: that is only told after the population registry agrees,
    within the limits of `throttle.identity_try`."""
    check = parse_nik(nik_text, today=timezone.localdate())
    if not check.ok or check.nik is None:
        return [str(NIK_MESSAGES.get(p, p)) for p in check.problems]
    problems = compare_nik(check.nik, birth_date=birth_date, sex=Sex(sex) if sex else None)
    return [str(NIK_MESSAGES[p]) for p in problems]


class QuestionsMixin(forms.Form):
    question_1 = forms.ChoiceField(label=_("Security question 1"), choices=SECURITY_QUESTIONS)
    answer_1 = forms.CharField(label=_("Answer 1"), min_length=3, max_length=100)
    question_2 = forms.ChoiceField(
        label=_("Security question 2"),
        choices=SECURITY_QUESTIONS,
        initial=SECURITY_QUESTIONS[1][0],
    )
    answer_2 = forms.CharField(label=_("Answer 2"), min_length=3, max_length=100)

    def clean_question_2(self) -> str:
        second = str(self.cleaned_data["question_2"])
        if second == self.cleaned_data.get("question_1"):
            raise forms.ValidationError(_("Choose two different questions."))
        return second

    def questions(self) -> tuple[tuple[str, str], tuple[str, str]]:
        data = self.cleaned_data
        return ((data["question_1"], data["answer_1"]), (data["question_2"], data["answer_2"]))


class RegistrationForm(ChallengeMixin, QuestionsMixin):
    """Registration (pendaftaran akun). NIK and KK may wait for mitra-only applicants."""

    full_name = forms.CharField(
        label=_("Full name as on your e-KTP"), max_length=255, help_text=_("Without titles.")
    )
    birth_date = forms.DateField(label=_("Date of birth"), widget=BrowserDateInput())
    sex = forms.ChoiceField(label=_("Sex"), choices=SexChoices.choices, widget=forms.RadioSelect)
    nik = forms.CharField(
        label=_("NIK (16 digits, on your e-KTP)"),
        required=False,
        max_length=32,
        help_text=_("Required, unless you register only as a statistics field partner."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kk = forms.CharField(
        label=_("Family card (KK) number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    mitra_only = forms.BooleanField(
        label=_("I register only as a statistics field partner (mitra) and will add my NIK later"),
        required=False,
    )
    email = forms.EmailField(
        label=_("E-mail address"), help_text=_("The activation link is sent here.")
    )
    phone = PhoneField(
        label=_("Mobile phone"),
        help_text=_("e.g. 0812 3456 7890; spaces and dashes are fine."),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    consent = forms.BooleanField(
        label=_(
            "I declare that the data I enter is true, and I agree that it is processed for "
            "this platform's selections."
        )
    )

    field_order = [
        "full_name",
        "birth_date",
        "sex",
        "mitra_only",
        "nik",
        "kk",
        "email",
        "phone",
        "password1",
        "password2",
        "question_1",
        "answer_1",
        "question_2",
        "answer_2",
        "consent",
    ]

    def clean_birth_date(self) -> date:
        born: date = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born.year < today.year - 100:
            raise forms.ValidationError(_("Check the year of birth."))
        return born

    def clean_nik(self) -> str:
        return normalise_number(self.cleaned_data.get("nik", ""))

    def clean_kk(self) -> str:
        return normalise_number(self.cleaned_data.get("kk", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        nik, kk = data.get("nik", ""), data.get("kk", "")
        if not data.get("mitra_only") or nik or kk:
            if not nik:
                self.add_error("nik", _("Enter your NIK, or tick the mitra-only option."))
            else:
                for message in nik_errors(nik, data.get("birth_date"), data.get("sex")):
                    self.add_error("nik", message)
            if not kk:
                self.add_error("kk", _("Enter the number on your family card (KK)."))
            else:
                for problem in parse_kk(kk):
                    self.add_error("kk", KK_MESSAGES.get(problem, str(problem)))
        password = data.get("password1")
        if password and password != data.get("password2"):
            self.add_error("password2", _("The two passwords differ; type the same one twice."))
        elif password:
            probe = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class LoginForm(ChallengeMixin):
    identifier = forms.CharField(
        label=_("NIK or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))


class RecoveryStartForm(forms.Form):
    identifier = forms.CharField(label=_("NIK or e-mail address"), max_length=254)


class RecoveryAnswersForm(ChallengeMixin):
    answer_1 = forms.CharField(label=_("Answer 1"), max_length=100)
    answer_2 = forms.CharField(label=_("Answer 2"), max_length=100)


class NewPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password1")
        if password and password != data.get("password2"):
            self.add_error("password2", _("The two passwords differ; type the same one twice."))
        elif password:
            try:
                password_validation.validate_password(password, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class SecurityQuestionsForm(QuestionsMixin):
    pass


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label=_("New e-mail address"))
    password = forms.CharField(
        label=_("Your current password"), strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password

    def clean_new_email(self) -> str:
        email = str(self.cleaned_data["new_email"]).strip()
        if email.lower() == self.user.email.lower():
            raise forms.ValidationError(_("This is already your e-mail address."))
        return email


class IdentityForm(ChallengeMixin):
    """A mitra account adds its NIK and KK before applying to a civil-servant selection."""

    full_name = forms.CharField(label=_("Full name as on your e-KTP"), max_length=255)
    birth_date = forms.DateField(label=_("Date of birth"), widget=BrowserDateInput())
    sex = forms.ChoiceField(label=_("Sex"), choices=SexChoices.choices, widget=forms.RadioSelect)
    nik = forms.CharField(label=_("NIK (16 digits, on your e-KTP)"), max_length=32)
    kk = forms.CharField(label=_("Family card (KK) number"), max_length=32)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        nik = normalise_number(data.get("nik", ""))
        kk = normalise_number(data.get("kk", ""))
        data["nik"], data["kk"] = nik, kk
        if nik:
            for message in nik_errors(nik, data.get("birth_date"), data.get("sex")):
                self.add_error("nik", message)
        for problem in parse_kk(kk) if kk else ():
            self.add_error("kk", KK_MESSAGES.get(problem, str(problem)))
        return data


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    domicile_regency = RegencyChoiceField(label=_("Regency or city of domicile"), required=False)

    class Meta:
        model = Profile
        fields = (
            "place_of_birth",
            "address",
            "domicile_regency",
            "disability_type",
            "disability_degree",
            "is_civil_servant",
            "government_ties",
            "str_number",
            "str_valid_until",
            "str_lifetime",
            "teaching_certificate_number",
            "survey_experience",
            "has_smartphone",
            "has_computer",
            "has_tablet",
            "has_motorcycle",
        )
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "government_ties": forms.Textarea(attrs={"rows": 2}),
            "survey_experience": forms.Textarea(attrs={"rows": 3}),
            "str_valid_until": BrowserDateInput(),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("disability_type") and not data.get("disability_degree"):
            self.add_error("disability_degree", _("Choose the degree of the disability."))
        if data.get("disability_degree") and not data.get("disability_type"):
            self.add_error("disability_type", _("Choose the kind of disability."))
        if data.get("str_number") and not (data.get("str_valid_until") or data.get("str_lifetime")):
            self.add_error(
                "str_valid_until", _("Enter the STR's expiry date, or tick “valid for life”.")
            )
        return data


class EducationForm(forms.ModelForm):  # type: ignore[type-arg]
    level = EducationLevelChoiceField(label=_("Level"))
    ipk = DecimalTextField(
        label=capfirst(Education._meta.get_field("ipk").verbose_name),
        required=False,
        max_digits=3,
        decimal_places=2,
        min_value=0,
        max_value=4,
        help_text=_("e.g. 3.41; leave empty for a school."),
        error_messages={
            code: IPK_EXPLAINED
            for code in (
                "invalid",
                "min_value",
                "max_value",
                "max_digits",
                "max_decimal_places",
                "max_whole_digits",
            )
        },
    )

    class Meta:
        model = Education
        fields = (
            "level",
            "institution",
            "study_programme",
            "accreditation",
            "graduated_on",
            "ipk",
            "is_exact_science",
        )
        widgets = {"graduated_on": BrowserDateInput()}

    def clean_graduated_on(self) -> date:
        graduated: date = self.cleaned_data["graduated_on"]
        if graduated > timezone.localdate():
            raise forms.ValidationError(_("The graduation date cannot be in the future."))
        return graduated


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form (no enumeration: it answers the same for unknown addresses), with
    the e-mail stored in the outbox and sent by the task worker after the request commits."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_queue(to=to_email, subject=subject, body=body)
