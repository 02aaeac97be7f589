"""The sign-in challenge shared by the applicant's pages and the console's sign-in form."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from seleksi.core.client import client_address

from . import throttle


class ChallengeMixin(forms.Form):
    """The token a form from a busy address must carry (see `throttle.Friction`), and the
    answer to its sum when it asks one."""

    challenge = forms.CharField(required=False, widget=forms.HiddenInput)
    challenge_answer = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    challenge_question: tuple[int, int] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.posted_challenge = (
            str(self.data.get("challenge", "")),
            str(self.data.get("challenge_answer", "")),
        )

    def show_challenge(self, challenge: throttle.Challenge) -> None:
        """The form carries this challenge when rendered, whatever was posted."""
        if self.is_bound:
            data = dict(self.data.items())
            data["challenge"] = challenge.token
            data["challenge_answer"] = ""
            self.data = data
        self.initial["challenge"] = challenge.token
        self.challenge_question = challenge.question
        self.fields["challenge_answer"].label = challenge.label or _("Your answer")


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
