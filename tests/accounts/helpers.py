"""People from the registry fixture, and a few steps most account tests take."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from unittest import mock

from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.accounts.services import Registration, account_activate, applicant_register

PASSWORD = "Kopi-Gayo-2021!"
# Records of src/seleksi/accounts/data/registry_fixture.json
SATU = {
    "nik": "3520050211930004",
    "kk": "3520050510160002",
    "full_name": "Pelamar Uji Satu",
    "birth_date": "1993-11-02",
    "sex": "L",
}
DUA = {
    "nik": "1104046107970006",
    "kk": "1104042502200007",
    "full_name": "Pelamar Uji Dua",
    "birth_date": "1997-07-21",
    "sex": "P",
}


def registration_form(person: dict[str, str] = SATU, **overrides: Any) -> dict[str, Any]:
    form = {
        "full_name": person["full_name"],
        "birth_date": person["birth_date"],
        "sex": person["sex"],
        "nik": person["nik"],
        "kk": person["kk"],
        "email": f"{person['full_name'].split()[-1].lower()}@contoh.invalid",
        "phone": "0812 3456 7890",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "question_1": "mother",
        "answer_1": "Siti Rahmah",
        "question_2": "first_teacher",
        "answer_2": "Pak Ahmad",
        "consent": "on",
    }
    form.update(overrides)
    return form


def make_applicant(person: dict[str, str] = SATU, *, activated: bool = True, **extra: Any) -> User:
    user = applicant_register(
        registration=Registration(
            email=extra.get("email", f"{person['full_name'].split()[-1].lower()}@contoh.invalid"),
            password=PASSWORD,
            full_name=person["full_name"],
            phone="0812 3456 7890",
            birth_date=date.fromisoformat(person["birth_date"]),
            sex=person["sex"],
            nik=person["nik"],
            kk=person["kk"],
            questions=(("mother", "Siti Rahmah"), ("first_teacher", "Pak Ahmad")),
            registry_checked=True,
        ),
        site_url="http://testserver",
        send_activation=False,
    )
    if activated:
        account_activate(user=user)
    return user


def link_in_last_mail(path_fragment: str) -> str:
    body = mail.outbox[-1].body
    match = re.search(r"https?://testserver(" + re.escape(path_fragment) + r"\S*)", body)
    assert match, body
    return match.group(1)


class CommitClient(Client):
    """A test client whose requests run their on-commit work (e-mails) before returning, as
    a committed request would; the test's own transaction still rolls everything back."""

    def request(self, **request: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


def signed_in(user: User) -> Client:
    client = CommitClient()
    client.force_login(user)
    return client


def challenge_solved(response: Any) -> dict[str, str]:
    """What a person types into the form's challenge: its token, and the sum when asked."""
    form = response.context["form"]
    question = form.challenge_question
    return {
        "challenge": str(form["challenge"].value()),
        "challenge_answer": str(sum(question)) if question else "",
    }


@contextmanager
def seconds_later(seconds: float) -> Iterator[None]:
    """The clock moved on, as it does while a person types."""
    later = timezone.now() + timedelta(seconds=seconds)
    with mock.patch("django.utils.timezone.now", return_value=later):
        yield


class CountingHasher(MD5PasswordHasher):
    """The fast test hasher, counting how often a password is checked against a hash."""

    calls = 0

    def verify(self, password: str, encoded: str) -> bool:
        CountingHasher.calls += 1
        return super().verify(password, encoded)
