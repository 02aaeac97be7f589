import pytest
from django.core import mail
from django.test import Client

from seleksi.accounts.models import User
from seleksi.audit.models import AuditEvent
from tests.accounts.helpers import (
    DUA,
    PASSWORD,
    SATU,
    CommitClient,
    link_in_last_mail,
    make_applicant,
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
