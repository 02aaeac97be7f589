import logging
from datetime import date
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from seleksi.accounts.models import SecurityAnswer, Throttle, User
from seleksi.accounts.registry import FixturePopulationRegistry, RegistryAnswer, RegistryOutcome
from seleksi.accounts.services import (
    AlreadyRegistered,
    Registration,
    applicant_register,
    registration_submit,
)
from seleksi.audit.models import AuditEvent
from tests.accounts.helpers import (
    DUA,
    SATU,
    CommitClient,
    challenge_solved,
    make_applicant,
    registration_form,
    seconds_later,
)
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db


def test_a_person_registers_with_nik_and_gets_an_activation_link(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.post("/akun/daftar/", registration_form())
    assert response.status_code == 302 and response["Location"] == "/akun/daftar/selesai/"
    user = User.objects.get(email="satu@contoh.invalid")
    assert user.nik == SATU["nik"] and user.kk == SATU["kk"]
    assert user.registry_status == "match" and not user.is_activated
    assert user.check_password("Kopi-Gayo-2021!")
    assert SecurityAnswer.objects.filter(user=user).count() == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["satu@contoh.invalid"]
    assert "/akun/aktivasi/" in message.body
    assert SATU["nik"] not in message.body and SATU["nik"] not in message.subject
    assert SATU["nik"] not in caplog.text
    assert AuditEvent.objects.filter(action="account.registered", subject_id=str(user.pk)).exists()
    event = AuditEvent.objects.get(action="account.registered")
    assert SATU["nik"] not in str(event.details) + event.subject_label


def test_the_nik_is_encrypted_at_rest_and_found_by_keyed_hash() -> None:
    user = make_applicant()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user WHERE id = %s", [user.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert SATU["nik"] not in row and SATU["kk"] not in row
    assert user.nik_masked == "3520************"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nik": "35200502119300"}, "tepat 16 digit"),
        ({"nik": "3520O50211930004"}, "hanya berisi angka"),
        ({"nik": "9920050211930004"}, "bukan kode provinsi"),
        ({"nik": "3520053211930004"}, "bukan tanggal lahir yang mungkin"),
        ({"sex": "P"}, "jenis kelamin"),
        ({"birth_date": "1993-11-03"}, "berbeda dengan tanggal lahir"),
    ],
)
def test_nik_problems_are_shown_next_to_the_field_and_nothing_is_saved(
    client: Client, changes: dict[str, str], message: str
) -> None:
    response = client.post("/akun/daftar/", registration_form(**changes))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get("nik", []))
    assert message in errors, errors
    assert not User.objects.filter(email="satu@contoh.invalid").exists()
    html = response.content.decode()
    assert 'value="Pelamar Uji Satu"' in html  # what was typed is kept
    assert "Kopi-Gayo-2021!" not in html  # but never the password


def test_the_nik_is_checked_as_it_is_typed(client: Client) -> None:
    fragment = client.post(
        "/akun/daftar/periksa-nik/",
        {"nik": "3520 0502 1193 0004", "birth_date": "1993-11-02", "sex": "P"},
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200
    assert "jenis kelamin" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    clean = client.post(
        "/akun/daftar/periksa-nik/", {"nik": SATU["nik"], "birth_date": "1993-11-02", "sex": "L"}
    )
    assert "errorlist" not in clean.content.decode()


def test_a_registered_nik_gets_the_usual_answer_and_its_owner_an_email(client: Client) -> None:
    owner = make_applicant(SATU, email="pemilik@contoh.invalid")
    response = client.post("/akun/daftar/", registration_form(email="lain@contoh.invalid"))
    assert response.status_code == 302 and response["Location"] == "/akun/daftar/selesai/"
    assert User.objects.count() == 1
    assert [message.to for message in mail.outbox] == [["pemilik@contoh.invalid"]]
    assert SATU["nik"] not in mail.outbox[0].body
    event = AuditEvent.objects.get(action="account.registration_repeated")
    assert event.subject_id == str(owner.pk) and event.details == {"matched": "nik"}


def test_the_as_you_type_check_never_says_a_nik_is_registered(client: Client) -> None:
    fresh = client.post("/akun/daftar/periksa-nik/", {"nik": SATU["nik"]}).content
    make_applicant()
    taken = client.post("/akun/daftar/periksa-nik/", {"nik": SATU["nik"]}).content
    assert taken == fresh and b"errorlist" not in taken


def sweep(client: Client, tries: int = 100) -> list[tuple[int, str, list[str]]]:
    """What an attacker sees for 100 NIKs that differ in the two serial digits a mask used to
    hide, sending everything else right (even the family card number)."""
    seen = []
    for digits in range(tries):
        nik = SATU["nik"][:12] + f"{digits:02d}" + SATU["nik"][14:]
        response = client.post(
            "/akun/daftar/", registration_form(nik=nik, email=f"penyerang{digits}@contoh.invalid")
        )
        form = response.context.get("form") if response.context else None
        errors = [str(error) for field in form.errors.values() for error in field] if form else []
        seen.append((response.status_code, response.get("Location", ""), errors))
    return seen


def test_a_hundred_registrations_sweeping_the_hidden_digits_learn_nothing(settings) -> None:  # type: ignore[no-untyped-def]
    owner = make_applicant(SATU, email="pemilik@contoh.invalid")
    moment = timezone.now()  # the refusals name a time; both sweeps run at the same one
    with mock.patch("django.utils.timezone.now", return_value=moment):
        registered = sweep(CommitClient(REMOTE_ADDR="203.0.113.9"))
        owner.delete()
        Throttle.objects.all().delete()
        unregistered = sweep(CommitClient(REMOTE_ADDR="203.0.113.9"))
    assert registered == unregistered  # whether the NIK has an account changes no answer
    answered = [status for status, _location, _errors in registered if status != 429]
    assert len(answered) <= settings.SELEKSI_IDENTITY_TRIES
    elsewhere = sweep(CommitClient(REMOTE_ADDR="198.51.100.4"), tries=5)
    assert {status for status, _location, _errors in elsewhere} == {429}  # per person too


def test_every_path_that_could_tell_a_nik_is_registered_shares_one_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SELEKSI_IDENTITY_TRIES = 3
    for n in range(3):
        CommitClient(REMOTE_ADDR=f"203.0.113.{n}").post(
            "/akun/daftar/", registration_form(kk=f"35200505101600{n + 10}")
        )
    mitra = User.objects.create_user("mitra", email="mitra@contoh.invalid", password="x")
    owner = CommitClient(REMOTE_ADDR="198.51.100.4")
    owner.force_login(mitra)
    identity = {k: SATU[k] for k in ("full_name", "birth_date", "sex", "nik", "kk")}
    refused = owner.post("/akun/profil/identitas/", identity)
    assert refused.status_code == 429
    mitra.refresh_from_db()
    assert mitra.nik_cipher == ""


def test_the_same_registration_sent_twice_is_answered_the_same_and_makes_one_account(
    client: Client,
) -> None:
    first = client.post("/akun/daftar/", registration_form())
    second = CommitClient().post("/akun/daftar/", registration_form())
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == "/akun/daftar/selesai/"
    assert User.objects.count() == 1
    assert [message.to for message in mail.outbox] == [["satu@contoh.invalid"]] * 2


def test_a_registration_losing_the_race_to_the_unique_constraints_is_no_error(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    make_applicant(SATU)
    again = Registration(
        email="lain@contoh.invalid",
        password="Kopi-Gayo-2021!",
        full_name=SATU["full_name"],
        phone="0812 3456 7890",
        birth_date=date.fromisoformat(SATU["birth_date"]),
        sex=SATU["sex"],
        nik=SATU["nik"],
        kk=SATU["kk"],
        questions=(("mother", "a b c"), ("first_teacher", "d e f")),
        registry_checked=True,
    )
    with pytest.raises(AlreadyRegistered):
        applicant_register(registration=again, site_url="http://testserver")
    assert User.objects.count() == 1  # the database is still usable after the violation
    with django_capture_on_commit_callbacks(execute=True):
        assert registration_submit(registration=again, site_url="http://testserver") is None
    assert mail.outbox[-1].to == ["satu@contoh.invalid"]


def test_a_busy_address_asks_a_sum_but_still_registers(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SELEKSI_IDENTITY_TRIES_PER_ADDRESS = 2
    busy = CommitClient(REMOTE_ADDR="203.0.113.9")
    for kk in ("3520050510160010", "3520050510160011"):
        busy.post("/akun/daftar/", registration_form(DUA, kk=kk))
    page = busy.get("/akun/daftar/")
    assert page.context["form"].challenge_question
    unsolved = busy.post("/akun/daftar/", registration_form())
    assert unsolved.status_code == 400 and not User.objects.exists()
    assert unsolved.context["form"]["full_name"].value() == SATU["full_name"]  # nothing lost
    with seconds_later(60):
        solved = busy.post("/akun/daftar/", {**registration_form(), **challenge_solved(unsolved)})
    assert solved.status_code == 302 and User.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {
                "nik": "1104052902000007",
                "kk": "1104051803210008",
                "full_name": "Orang Lain",
                "birth_date": "2000-02-29",
            },
            "tidak sesuai dengan data kependudukan",
        ),
        ({"kk": "3520050510160099"}, "tidak sesuai dengan data kependudukan"),
        # An unknown NIK gets the same answer, or the answer would tell which NIK exists.
        ({"nik": "3520050211930012"}, "tidak sesuai dengan data kependudukan"),
    ],
)
def test_a_registry_mismatch_gives_the_national_portal_advice(
    client: Client, changes: dict[str, str], expected: str
) -> None:
    response = client.post("/akun/daftar/", registration_form(**changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert expected in html and "Dukcapil" in html
    assert not User.objects.exists()


def test_an_email_already_registered_gets_a_notice_not_a_second_account(client: Client) -> None:
    make_applicant(DUA, email="satu@contoh.invalid")
    response = client.post("/akun/daftar/", registration_form())
    assert response.status_code == 302 and response["Location"] == "/akun/daftar/selesai/"
    assert User.objects.count() == 1
    assert mail.outbox[-1].to == ["satu@contoh.invalid"]
    assert "Tidak ada akun baru" in mail.outbox[-1].body


def test_a_mitra_may_register_with_email_first(client: Client) -> None:
    form = registration_form(nik="", kk="", mitra_only="on")
    assert client.post("/akun/daftar/", form).status_code == 302
    user = User.objects.get()
    assert user.nik_cipher == "" and user.nik_hash == ""
    assert user.registry_status == "unchecked"
    refused = CommitClient().post(
        "/akun/daftar/", registration_form(nik="", kk="", email="x@contoh.invalid")
    )
    assert "nik" in refused.context["form"].errors


def test_weak_or_mismatched_passwords_and_repeated_questions_are_refused(client: Client) -> None:
    response = client.post(
        "/akun/daftar/",
        registration_form(password1="12345678", password2="12345678", question_2="mother"),
    )
    errors = response.context["form"].errors
    assert "password1" in errors and "question_2" in errors
    other = client.post("/akun/daftar/", registration_form(password2="Lain-Sandi-99"))
    assert "password2" in other.context["form"].errors
    assert not User.objects.exists()


class UnreachableRegistry:
    def verify(self, **kwargs: object) -> RegistryAnswer:
        return RegistryAnswer(RegistryOutcome.UNAVAILABLE)


def test_another_registry_adapter_is_plugged_in_by_setting(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SELEKSI_POPULATION_REGISTRY = f"{__name__}.UnreachableRegistry"
    response = client.post("/akun/daftar/", registration_form())
    assert response.status_code == 400
    assert "tidak dapat dihubungi" in response.content.decode()
    assert not User.objects.exists()


def test_the_fixture_registry_answers_like_the_real_one() -> None:
    registry = FixturePopulationRegistry()
    born = date(1993, 11, 2)
    match = registry.verify(
        nik=SATU["nik"], kk=SATU["kk"], full_name="pelamar  uji SATU", birth_date=born
    )
    assert match.outcome == RegistryOutcome.MATCH
    wrong = registry.verify(nik=SATU["nik"], kk=DUA["kk"], full_name="X", birth_date=born)
    assert wrong.outcome == RegistryOutcome.MISMATCH and wrong.mismatched == ("kk", "full_name")
    unknown = registry.verify(nik=DUA["nik"][:-1] + "9", kk="", full_name="", birth_date=born)
    assert unknown.outcome == RegistryOutcome.NOT_FOUND


def test_identity_numbers_are_hidden_from_error_reports(client: Client) -> None:
    from django.views.debug import SafeExceptionReporterFilter

    response = client.post("/akun/daftar/", registration_form(sex="P"))
    request = response.wsgi_request
    cleaned = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleaned["nik"] != SATU["nik"] and cleaned["kk"] != SATU["kk"]
    assert cleaned["password1"] != registration_form()["password1"]
    assert cleaned["full_name"] == SATU["full_name"]  # only the secrets are hidden
    login = client.post("/akun/masuk/", {"identifier": SATU["nik"], "password": "x"})
    hidden = SafeExceptionReporterFilter().get_post_parameters(login.wsgi_request)
    assert hidden["password"] != "x" and hidden["identifier"] != SATU["nik"]


def test_the_as_you_type_nik_check_is_rate_limited_per_address(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SELEKSI_NIK_CHECKS_PER_ADDRESS = 3
    statuses = [
        client.post("/akun/daftar/periksa-nik/", {"nik": SATU["nik"]}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    other = CommitClient(REMOTE_ADDR="10.9.8.7").post("/akun/daftar/periksa-nik/", {"nik": "1"})
    assert other.status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_identical_registrations_at_once_make_one_account_and_no_error() -> None:
    registration = Registration(
        email="satu@contoh.invalid",
        password="Kopi-Gayo-2021!",
        full_name=SATU["full_name"],
        phone="0812 3456 7890",
        birth_date=date.fromisoformat(SATU["birth_date"]),
        sex=SATU["sex"],
        nik=SATU["nik"],
        kk=SATU["kk"],
        questions=(("mother", "Siti Rahmah"), ("first_teacher", "Pak Ahmad")),
        registry_checked=True,
    )
    outcomes = at_once(
        lambda: registration_submit(registration=registration, site_url="http://testserver"),
        lambda: registration_submit(registration=registration, site_url="http://testserver"),
    )
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert sorted(isinstance(outcome, User) for outcome in outcomes) == [False, True]
    assert User.objects.count() == 1


def test_a_mitra_is_offered_the_email_first_choice_before_the_nik_fields(client: Client) -> None:
    html = client.get("/akun/daftar/").content.decode()
    assert 'name="mitra_only"' in html
    assert html.index('name="mitra_only"') < html.index('name="nik"') < html.index('name="kk"')
