"""Locks keyed on the account, addresses that slow a guesser down without locking anyone out,
the client address behind a trusted proxy, and counters that stay one row per key."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory

from seleksi.accounts.models import Throttle, User
from seleksi.audit.models import AuditEvent
from seleksi.core.client import address_group, client_address
from tests.accounts.helpers import (
    PASSWORD,
    SATU,
    CommitClient,
    challenge_solved,
    make_applicant,
    seconds_later,
)

pytestmark = pytest.mark.django_db

SPELLINGS = [
    SATU["nik"],
    "3520 0502 1193 0004",
    "3520.0502.1193.0004",
    "3520-0502-1193-0004",
    "  SATU@Contoh.INVALID ",
]


def sign_in(client: Client, identifier: str, password: str, **extra: str) -> Any:
    return client.post("/akun/masuk/", {"identifier": identifier, "password": password, **extra})


def test_a_lock_survives_every_spelling_of_an_identifier(client: Client) -> None:
    user = make_applicant()
    statuses = [
        sign_in(client, SPELLINGS[n % len(SPELLINGS)], f"tebakan-{n}").status_code
        for n in range(21)
    ]
    assert statuses == [400] * 4 + [429] * 17
    for spelling in SPELLINGS:
        assert sign_in(CommitClient(), spelling, PASSWORD).status_code == 429
    assert (
        AuditEvent.objects.filter(action="account.sign_in_locked", subject_id=str(user.pk)).count()
        == 1
    )


def test_the_console_locks_a_staff_member_under_username_and_email(client: Client) -> None:
    User.objects.create_user(
        "admin.uji", email="admin.uji@contoh.invalid", password=PASSWORD, is_staff=True
    )
    form_page = client.get("/kelola/login/").content.decode()
    assert 'name="username"' in form_page and 'name="challenge"' in form_page
    names = ["admin.uji", "admin.uji@contoh.invalid", "ADMIN.UJI@contoh.invalid"]
    for n in range(5):
        client.post("/kelola/login/", {"username": names[n % 3], "password": "salah"})
    locked = client.post("/kelola/login/", {"username": "admin.uji", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert [e.code for e in locked.context["form"].non_field_errors().as_data()] == ["locked"]
    applicant_page = sign_in(CommitClient(), "admin.uji@contoh.invalid", PASSWORD)
    assert applicant_page.status_code == 429  # one account, one lock, whichever door


def test_an_unknown_identifier_locks_under_its_spellings_but_not_the_others(
    client: Client,
) -> None:
    make_applicant()
    for _ in range(5):
        sign_in(client, "orang@contoh.invalid", "x")
    assert sign_in(client, "ORANG@contoh.invalid", "x").status_code == 429
    # Were every unknown identifier locked together, "locked" would tell them from accounts.
    assert sign_in(client, "lain@contoh.invalid", "x").status_code == 400
    assert sign_in(client, SATU["nik"], "x").status_code == 400


def fail_from(address: str, times: int, **headers: str) -> None:
    """A guesser who pays what the address owes: waits, and answers every sum."""
    guesser = CommitClient(REMOTE_ADDR=address, **headers)
    for n in range(times):
        page = guesser.get("/akun/masuk/")
        with seconds_later(30):
            failed = sign_in(guesser, f"orang{n}@contoh.invalid", "x", **challenge_solved(page))
        assert failed.status_code == 400
        assert "tidak cocok" in failed.content.decode() or "do not match" in failed.content.decode()


def test_thirty_failures_from_one_address_do_not_refuse_another_accounts_password(
    settings: Any,
) -> None:
    make_applicant()
    fail_from("203.0.113.9", 31)
    neighbour = CommitClient(REMOTE_ADDR="203.0.113.9")
    page = neighbour.get("/akun/masuk/")
    assert page.status_code == 200 and page.context["form"].challenge_question
    with seconds_later(settings.SELEKSI_LOGIN_MAX_WAIT_SECONDS):
        signed_in = sign_in(neighbour, SATU["nik"], PASSWORD, **challenge_solved(page))
    assert signed_in.status_code == 302 and signed_in["Location"] == "/dasbor/"
    elsewhere = sign_in(CommitClient(REMOTE_ADDR="198.51.100.4"), SATU["nik"], "x")
    assert elsewhere.status_code == 400 and not elsewhere.context["form"].challenge_question


def test_a_form_from_a_busy_address_is_sent_again_after_a_short_wait(settings: Any) -> None:
    settings.SELEKSI_LOGIN_SLOW_AFTER_PER_ADDRESS = 3
    settings.SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS = 100
    make_applicant()
    fail_from("203.0.113.9", 3)
    neighbour = CommitClient(REMOTE_ADDR="203.0.113.9")
    page = neighbour.get("/akun/masuk/")
    assert page.context["form"].challenge_question is None  # no sum yet, only a wait
    too_soon = sign_in(neighbour, SATU["nik"], PASSWORD, **challenge_solved(page))
    assert too_soon.status_code == 400 and "_auth_user_id" not in neighbour.session
    assert challenge_solved(too_soon) == challenge_solved(page)  # the wait counts from the start
    with seconds_later(1):
        in_time = sign_in(neighbour, SATU["nik"], PASSWORD, **challenge_solved(too_soon))
    assert in_time.status_code == 302


def test_a_passed_challenge_is_spent_and_a_wrong_sum_refused(settings: Any) -> None:
    settings.SELEKSI_LOGIN_SLOW_AFTER_PER_ADDRESS = 2
    settings.SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS = 2
    make_applicant()
    fail_from("203.0.113.9", 2)
    neighbour = CommitClient(REMOTE_ADDR="203.0.113.9")
    page = neighbour.get("/akun/masuk/")
    solved = challenge_solved(page)
    wrong = {**solved, "challenge_answer": str(int(solved["challenge_answer"]) + 1)}
    with seconds_later(60):
        refused = sign_in(neighbour, SATU["nik"], PASSWORD, **wrong)
        replayed = sign_in(neighbour, SATU["nik"], PASSWORD, **solved)
        missing = sign_in(neighbour, SATU["nik"], PASSWORD)
    assert refused.status_code == replayed.status_code == missing.status_code == 400
    assert "_auth_user_id" not in neighbour.session
    assert challenge_solved(refused)["challenge"] != solved["challenge"]  # a new sum
    assert User.objects.get().last_login is None


def test_the_address_comes_from_the_proxy_header_only_behind_a_trusted_proxy(
    settings: Any,
) -> None:
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert client_address(spoofed) == "198.51.100.4"
    settings.SELEKSI_TRUSTED_PROXIES = ["127.0.0.1", "10.8.0.0/16"]
    chain = "6.6.6.6, 203.0.113.9, 10.8.3.4"  # written by: the client, the edge, the balancer
    behind = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=chain)
    assert client_address(behind) == "203.0.113.9"
    no_header = factory.get("/", REMOTE_ADDR="127.0.0.1")
    assert client_address(no_header) == "127.0.0.1"
    assert client_address(factory.get("/", REMOTE_ADDR="not an address")) == ""
    assert address_group("2001:db8:1:2:aaaa::1") == address_group("2001:db8:1:2:bbbb::9")
    assert address_group("2001:db8:1:3::1") != address_group("2001:db8:1:2::1")
    assert address_group("203.0.113.9") != address_group("203.0.113.10")


def test_behind_a_trusted_proxy_one_guesser_does_not_slow_the_other_visitors(
    settings: Any,
) -> None:
    settings.SELEKSI_TRUSTED_PROXIES = ["127.0.0.1"]
    make_applicant()
    fail_from("127.0.0.1", 31, HTTP_X_FORWARDED_FOR="203.0.113.9")
    guesser = CommitClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert guesser.get("/akun/masuk/").context["form"].challenge_question
    visitor = CommitClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert visitor.get("/akun/masuk/").context["form"].challenge_question is None
    assert sign_in(visitor, SATU["nik"], PASSWORD).status_code == 302


def test_counters_are_one_row_per_key_and_pruned_by_the_daily_command(client: Client) -> None:
    make_applicant()
    for n in range(40):
        sign_in(client, SPELLINGS[n % len(SPELLINGS)], "x")
    assert Throttle.objects.count() == 2  # the account and the address
    out = StringIO()
    call_command("prune_attempts", stdout=out)
    assert Throttle.objects.count() == 2 and "removed 0" in out.getvalue()
    with seconds_later(16 * 60):
        call_command("prune_attempts", stdout=out)
    assert Throttle.objects.count() == 0 and "removed 2" in out.getvalue()


def test_a_new_password_ends_the_lock(client: Client) -> None:
    make_applicant()
    for _ in range(5):
        sign_in(client, SATU["nik"], "x")
    assert sign_in(client, SATU["nik"], PASSWORD).status_code == 429
    recovering = CommitClient()
    recovering.post("/akun/pemulihan/", {"identifier": "satu@contoh.invalid"})
    recovering.post(
        "/akun/pemulihan/jawaban/", {"answer_1": "Siti Rahmah", "answer_2": "Pak Ahmad"}
    )
    new = "Teh-Pucuk-Takengon-7"
    recovering.post("/akun/pemulihan/sandi-baru/", {"password1": new, "password2": new})
    assert sign_in(client, SATU["nik"], new).status_code == 302


def test_the_deploy_check_warns_when_the_proxy_is_not_named(settings: Any) -> None:
    from seleksi.accounts.checks import proxies_named

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SELEKSI_TRUSTED_PROXIES = []
    assert [message.id for message in proxies_named(None)] == ["seleksi.accounts.W001"]
    settings.SELEKSI_TRUSTED_PROXIES = ["127.0.0.1"]
    assert proxies_named(None) == []
