"""The sign-in challenge shared by the applicant's pages and the console's sign-in form."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

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
