import logging
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.audit.models import AuditEvent
from tests.accounts.helpers import (
    PASSWORD,
    SATU,
    CommitClient,
    link_in_last_mail,
    make_applicant,
    registration_form,
)

pytestmark = pytest.mark.django_db


def register(client: Client) -> str:
    client.post("/akun/daftar/", registration_form())
    return link_in_last_mail("/akun/aktivasi/")


def test_the_activation_link_works_once(client: Client) -> None:
    link = register(client)
    assert client.get(link).status_code == 200
    user = User.objects.get(email="satu@contoh.invalid")
    assert user.is_activated
    assert AuditEvent.objects.filter(action="account.activated").count() == 1
    reused = client.get(link)
    assert reused.status_code == 400
    assert reused.context["problem"] == "used"
    assert AuditEvent.objects.filter(action="account.activated").count() == 1


def test_an_expired_activation_link_is_refused_and_can_be_resent(client: Client) -> None:
    link = register(client)
    later = time.time() + 49 * 3600
    with mock.patch("django.core.signing.time.time", return_value=later):
        expired = client.get(link)
    assert expired.status_code == 400 and expired.context["problem"] == "expired"
    assert not User.objects.get().is_activated
    client.post("/akun/aktivasi/kirim-ulang/", {"email": "SATU@contoh.invalid"})
    assert len(mail.outbox) == 2
    assert client.get(link_in_last_mail("/akun/aktivasi/")).status_code == 200
    assert User.objects.get().is_activated


def test_a_tampered_link_is_invalid(client: Client) -> None:
    link = register(client)
    response = client.get(link[:-3] + "abc/")
    assert response.status_code == 400 and response.context["problem"] == "invalid"


def test_resending_says_the_same_whoever_asks() -> None:
    make_applicant(activated=True)
    answers = [
        CommitClient().post("/akun/aktivasi/kirim-ulang/", {"email": email}, follow=True)
        for email in ("siapa@contoh.invalid", "satu@contoh.invalid")
    ]
    shown = [[str(m) for m in answer.context["messages"]] for answer in answers]
    assert shown[0] == shown[1] and len(shown[0]) == 1
    assert mail.outbox == []


@pytest.mark.parametrize("identifier", [SATU["nik"], "3520 0502 1193 0004", "SATU@Contoh.invalid"])
def test_an_applicant_signs_in_with_nik_or_email(client: Client, identifier: str) -> None:
    make_applicant()
    response = client.post("/akun/masuk/", {"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/dasbor/"
    assert SATU["nik"] not in response["Location"]


def test_wrong_password_and_unknown_account_get_the_same_answer(client: Client) -> None:
    make_applicant()
    wrong = client.post("/akun/masuk/", {"identifier": SATU["nik"], "password": "salah"})
    unknown = client.post("/akun/masuk/", {"identifier": "1104046107970006", "password": "salah"})
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_repeated_failures_lock_the_account_for_a_while(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    user = make_applicant()
    for _ in range(4):
        assert (
            client.post(
                "/akun/masuk/", {"identifier": SATU["nik"], "password": "salah"}
            ).status_code
            == 400
        )
    fifth = client.post("/akun/masuk/", {"identifier": SATU["nik"], "password": "salah"})
    assert fifth.status_code == 429
    assert "15 menit" in fifth.content.decode()
    right = client.post("/akun/masuk/", {"identifier": SATU["nik"], "password": PASSWORD})
    assert right.status_code == 429  # even the right password waits
    by_email = CommitClient().post(
        "/akun/masuk/", {"identifier": "satu@contoh.invalid", "password": PASSWORD}
    )
    assert by_email.status_code == 429  # the lock is on the account, however it is named
    event = AuditEvent.objects.get(action="account.sign_in_locked")
    assert event.subject_id == str(user.pk)
    assert "locked" in caplog.text and SATU["nik"] not in caplog.text
    later = timezone.now() + timedelta(minutes=16)
    with mock.patch("django.utils.timezone.now", return_value=later):
        unlocked = client.post("/akun/masuk/", {"identifier": SATU["nik"], "password": PASSWORD})
    assert unlocked.status_code == 302


def test_unknown_identifiers_lock_exactly_like_real_ones(client: Client) -> None:
    statuses = [
        client.post(
            "/akun/masuk/", {"identifier": "orang@contoh.invalid", "password": "x"}
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]


def test_an_account_not_yet_activated_signs_in_but_is_told_to_activate(client: Client) -> None:
    make_applicant(activated=False)
    client.post("/akun/masuk/", {"identifier": SATU["nik"], "password": PASSWORD})
    profile = client.get("/akun/profil/")
    assert profile.status_code == 200
    assert "/akun/aktivasi/kirim-ulang/" in profile.content.decode()


def test_sign_out_needs_a_post(client: Client) -> None:
    user = make_applicant()
    client.force_login(user)
    assert client.get("/akun/keluar/").status_code == 405
    assert client.post("/akun/keluar/").status_code == 302
    assert client.get("/akun/profil/").status_code == 302


def test_the_staff_console_sign_in_locks_too(client: Client) -> None:
    User.objects.create_user("admin.uji", password=PASSWORD, is_staff=True)
    statuses = [
        client.post("/kelola/login/", {"username": "admin.uji", "password": "salah"}).status_code
        for _ in range(5)
    ]
    assert statuses == [200] * 5
    locked = client.post("/kelola/login/", {"username": "admin.uji", "password": PASSWORD})
    assert locked.status_code == 200 and "_auth_user_id" not in client.session
    assert [e.code for e in locked.context["form"].non_field_errors().as_data()] == ["locked"]


@pytest.mark.parametrize(
    "target", ["/\\evil.example/", "//evil.example/", "https://evil.example/", "javascript:x"]
)
def test_sign_in_never_follows_a_next_address_to_another_site(client: Client, target: str) -> None:
    make_applicant()
    response = client.post(
        f"/akun/masuk/?next={target}", {"identifier": SATU["nik"], "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/dasbor/"


def test_sign_in_follows_a_next_address_of_this_site(client: Client) -> None:
    make_applicant()
    response = client.post(
        "/akun/masuk/?next=/akun/data-saya/", {"identifier": SATU["nik"], "password": PASSWORD}
    )
    assert response["Location"] == "/akun/data-saya/"
