from collections import Counter
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from seleksi.accounts.models import SECURITY_QUESTIONS, SecurityAnswer, User
from seleksi.accounts.services import security_questions_for
from seleksi.audit.models import AuditEvent
from tests.accounts.helpers import (
    DUA,
    PASSWORD,
    SATU,
    CommitClient,
    CountingHasher,
    challenge_solved,
    link_in_last_mail,
    make_applicant,
    seconds_later,
    signed_in,
)

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Teh-Pucuk-Takengon-7"


def answer(client: Client, identifier: str, first: str, second: str) -> object:
    client.post("/akun/pemulihan/", {"identifier": identifier})
    return client.post("/akun/pemulihan/jawaban/", {"answer_1": first, "answer_2": second})


def test_both_security_answers_let_a_person_set_a_new_password(client: Client) -> None:
    make_applicant()
    page = client.post("/akun/pemulihan/", {"identifier": SATU["nik"]}, follow=True)
    labels = [page.context["form"].fields[f].label for f in ("answer_1", "answer_2")]
    assert "ibu" in str(labels[0]).lower() or "mother" in str(labels[0]).lower()
    response = client.post(
        "/akun/pemulihan/jawaban/", {"answer_1": "  siti   RAHMAH ", "answer_2": "pak ahmad."}
    )
    assert response["Location"] == "/akun/pemulihan/sandi-baru/"
    done = client.post(
        "/akun/pemulihan/sandi-baru/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert User.objects.get().check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_reset", reason="answers").exists()
    assert client.get("/akun/pemulihan/sandi-baru/").status_code == 302  # used up


def test_one_wrong_answer_is_refused_and_repeated_guessing_locks(client: Client) -> None:
    make_applicant()
    wrong = answer(client, "satu@contoh.invalid", "Siti Rahmah", "Pak Salah")
    assert wrong.status_code == 400  # type: ignore[attr-defined]
    assert client.get("/akun/pemulihan/sandi-baru/").status_code == 302
    statuses = [
        answer(client, "satu@contoh.invalid", "x", "y").status_code  # type: ignore[attr-defined]
        for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    right = answer(client, "satu@contoh.invalid", "Siti Rahmah", "Pak Ahmad")
    assert right.status_code == 429  # type: ignore[attr-defined]
    assert User.objects.get().check_password(PASSWORD)


def test_an_unknown_account_gets_questions_and_the_same_refusal(client: Client) -> None:
    make_applicant()
    known = CommitClient()
    known_page = known.post("/akun/pemulihan/", {"identifier": SATU["nik"]}, follow=True)
    unknown_page = client.post("/akun/pemulihan/", {"identifier": DUA["nik"]}, follow=True)
    assert len(unknown_page.context["form"].fields) == len(known_page.context["form"].fields)
    again = CommitClient().post("/akun/pemulihan/", {"identifier": DUA["nik"]}, follow=True)
    assert [f.label for f in again.context["form"]] == [
        f.label for f in unknown_page.context["form"]
    ]  # stable, so repeating the question reveals nothing
    refused = client.post("/akun/pemulihan/jawaban/", {"answer_1": "a", "answer_2": "b"})
    wrong = known.post("/akun/pemulihan/jawaban/", {"answer_1": "a", "answer_2": "b"})
    assert refused.status_code == wrong.status_code == 400
    assert refused.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()


def test_the_new_password_page_needs_correct_answers_first(client: Client) -> None:
    make_applicant()
    assert client.get("/akun/pemulihan/sandi-baru/").status_code == 302
    assert client.get("/akun/pemulihan/jawaban/").status_code == 302


def test_password_recovery_by_email_works_once_and_reveals_nothing(client: Client) -> None:
    make_applicant()
    unknown = client.post("/akun/lupa-sandi/", {"email": "siapa@contoh.invalid"})
    known = client.post("/akun/lupa-sandi/", {"email": "satu@contoh.invalid"})
    assert unknown["Location"] == known["Location"] == "/akun/lupa-sandi/terkirim/"
    assert len(mail.outbox) == 1
    link = link_in_last_mail("/akun/lupa-sandi/")
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert User.objects.get().check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="account.password_reset").exists()
    reused = CommitClient().get(link, follow=True)
    assert not reused.context["validlink"]


def test_lost_security_answers_are_reset_by_an_email_link_once(client: Client) -> None:
    make_applicant()
    client.post("/akun/lupa-jawaban/", {"email": "satu@contoh.invalid"})
    link = link_in_last_mail("/akun/lupa-jawaban/")
    form = {
        "question_1": "childhood_friend",
        "answer_1": "Rudi",
        "question_2": "favourite_food",
        "answer_2": "Masam jing",
    }
    assert client.post(link, form).status_code == 302
    user = User.objects.get()
    assert [a.question for a in user.security_answers.all()] == [
        "childhood_friend",
        "favourite_food",
    ]
    reused = client.get(link)
    assert reused.status_code == 400 and reused.context["problem"] == "used"
    client.post("/akun/lupa-jawaban/", {"email": "tidak-ada@contoh.invalid"})
    assert len(mail.outbox) == 1


def test_changing_the_email_needs_the_password_and_a_confirmation(client: Client) -> None:
    user = make_applicant()
    owner = signed_in(user)
    refused = owner.post(
        "/akun/profil/email/", {"new_email": "baru@contoh.invalid", "password": "salah"}
    )
    assert refused.status_code == 200 and "password" in refused.context["form"].errors
    owner.post("/akun/profil/email/", {"new_email": "baru@contoh.invalid", "password": PASSWORD})
    assert mail.outbox[-1].to == ["baru@contoh.invalid"]
    link = link_in_last_mail("/akun/profil/email/")
    assert User.objects.get().email == "satu@contoh.invalid"  # not before confirmation
    owner.get(link)
    assert User.objects.get().email == "baru@contoh.invalid"
    assert mail.outbox[-1].to == ["satu@contoh.invalid"]  # the old address is told
    assert owner.get(link).status_code == 400  # used
    assert AuditEvent.objects.filter(action="account.email_changed").count() == 1


def test_an_email_change_to_a_taken_address_sends_nothing(client: Client) -> None:
    make_applicant(DUA, email="dipakai@contoh.invalid")
    owner = signed_in(make_applicant())
    owner.post("/akun/profil/email/", {"new_email": "DIPAKAI@contoh.invalid", "password": PASSWORD})
    assert mail.outbox == []


def test_recovery_answers_lock_the_account_under_every_spelling(client: Client) -> None:
    make_applicant()
    spellings = ["3520 0502 1193 0004", "SATU@contoh.invalid", "3520-0502-1193-0004"]
    statuses = [
        answer(CommitClient(), spellings[n % 3], "x", "y").status_code  # type: ignore[attr-defined]
        for n in range(21)
    ]
    assert statuses == [400] * 4 + [429] * 17
    right = answer(client, SATU["nik"], "Siti Rahmah", "Pak Ahmad")
    assert right.status_code == 429  # type: ignore[attr-defined]
    assert User.objects.get().check_password(PASSWORD)


def test_the_session_holds_no_identity_number_during_recovery(client: Client) -> None:
    make_applicant()
    client.post("/akun/pemulihan/", {"identifier": "3520 0502 1193 0004"})
    stored = str(dict(client.session.items()))
    assert SATU["nik"] not in stored and "3520 0502" not in stored


def add_accounts_with_questions(pairs: dict[tuple[str, str], int]) -> None:
    for (first, second), count in pairs.items():
        for n in range(count):
            user = User.objects.create_user(f"{first}-{second}-{n}", password=PASSWORD)
            for position, question in enumerate((first, second), start=1):
                SecurityAnswer.objects.create(
                    user=user, position=position, question=question, answer_hash="x"
                )


def test_decoy_questions_follow_the_pairs_accounts_chose() -> None:
    chosen = {("mother", "primary_school"): 7, ("childhood_friend", "favourite_food"): 3}
    add_accounts_with_questions(chosen)
    shown = Counter(
        tuple(code for code, _label in security_questions_for(None, f"unknown:{n}"))
        for n in range(600)
    )
    assert set(shown) == set(chosen)  # no pair that no real account has
    share = shown[("mother", "primary_school")] / 600
    assert abs(share - 0.7) < 0.07  # 0.7 +- 4 standard deviations of 600 draws
    page = CommitClient().post("/akun/pemulihan/", {"identifier": DUA["nik"]}, follow=True)
    labels = [str(page.context["form"].fields[f].label) for f in ("answer_1", "answer_2")]
    pairs_shown = {tuple(str(dict(SECURITY_QUESTIONS)[code]) for code in pair) for pair in chosen}
    assert tuple(labels) in pairs_shown


def test_unknown_and_known_accounts_cost_the_same_hashing(client: Client, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["tests.accounts.helpers.CountingHasher"]
    make_applicant()
    spent = []
    for identifier in (SATU["nik"], DUA["nik"], "siapa@contoh.invalid"):
        page = CommitClient()
        page.post("/akun/pemulihan/", {"identifier": identifier})
        page.get("/akun/pemulihan/jawaban/")
        before = CountingHasher.calls
        refused = page.post("/akun/pemulihan/jawaban/", {"answer_1": "a", "answer_2": "b"})
        assert refused.status_code == 400
        spent.append(CountingHasher.calls - before)
    assert spent[0] == spent[1] == spent[2] == 2


def test_recovery_from_a_busy_address_asks_the_sum_but_still_works(settings: Any) -> None:
    settings.SELEKSI_LOGIN_SLOW_AFTER_PER_ADDRESS = 2
    settings.SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    make_applicant()
    guesser = CommitClient(REMOTE_ADDR="203.0.113.9")
    for name in ("a@contoh.invalid", "b@contoh.invalid"):
        answer(guesser, name, "x", "y")
    person = CommitClient(REMOTE_ADDR="203.0.113.9")
    page = person.post("/akun/pemulihan/", {"identifier": SATU["nik"]}, follow=True)
    unsolved = person.post(
        "/akun/pemulihan/jawaban/", {"answer_1": "Siti Rahmah", "answer_2": "Pak Ahmad"}
    )
    assert unsolved.status_code == 400
    with seconds_later(30):
        solved = person.post(
            "/akun/pemulihan/jawaban/",
            {"answer_1": "Siti Rahmah", "answer_2": "Pak Ahmad", **challenge_solved(page)},
        )
    assert solved["Location"] == "/akun/pemulihan/sandi-baru/"
