import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from seleksi.accounts.crypto import decrypt_text, encrypt_text, lookup_hash, reset_key_cache, rotate
from seleksi.accounts.models import Education, Profile, User
from seleksi.accounts.services import account_anonymise, email_change_confirm
from seleksi.audit.models import AuditEvent
from seleksi.reference.models import Regency
from tests.accounts.helpers import (
    DUA,
    PASSWORD,
    SATU,
    CommitClient,
    link_in_last_mail,
    make_applicant,
    registration_form,
    signed_in,
)
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db

EDUCATION = {
    "level": "S1",
    "institution": "Universitas Gajah Putih",
    "study_programme": "Teknik Informatika",
    "accreditation": "B",
    "graduated_on": "2019-08-30",
    "ipk": "3.25",
    "is_exact_science": "on",
}
PROFILE = {
    "place_of_birth": "Takengon",
    "address": "Jalan Lebe Kader No. 1",
    "domicile_regency": "1104",
    "str_number": "",
    "survey_experience": "",
}


def test_signed_in_pages_send_strangers_to_sign_in(client: Client) -> None:
    for url in ("/akun/profil/", "/akun/profil/ubah/", "/akun/data-saya.json", "/akun/hapus-akun/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")


def test_a_profile_becomes_complete_step_by_step() -> None:
    owner = signed_in(make_applicant())
    page = owner.get("/akun/profil/")
    assert len(page.context["missing"]) == 2  # place/address/regency, education
    assert owner.post("/akun/profil/ubah/", PROFILE).status_code == 302
    assert owner.post("/akun/profil/pendidikan/tambah/", EDUCATION).status_code == 302
    complete = owner.get("/akun/profil/")
    assert complete.context["missing"] == []
    assert 'id="profile-complete"' in complete.content.decode()
    profile = Profile.objects.get()
    assert profile.domicile_regency == Regency.objects.get(code="1104")
    assert str(Education.objects.get().ipk) == "3.25"
    assert AuditEvent.objects.filter(action="profile.updated").exists()


def test_profile_input_is_checked_with_reasons() -> None:
    owner = signed_in(make_applicant())
    bad = owner.post(
        "/akun/profil/ubah/",
        {**PROFILE, "disability_type": "physical", "str_number": "123", "domicile_regency": "9999"},
    )
    errors = bad.context["form"].errors
    assert {"disability_degree", "str_valid_until", "domicile_regency"} <= set(errors)
    wrong = owner.post(
        "/akun/profil/pendidikan/tambah/",
        {**EDUCATION, "ipk": "4.50", "graduated_on": "2999-01-01"},
    )
    assert {"ipk", "graduated_on"} <= set(wrong.context["form"].errors)
    assert not Education.objects.exists()


def test_nobody_edits_or_removes_another_persons_education() -> None:
    first = make_applicant()
    other = make_applicant(DUA)
    owner = signed_in(first)
    owner.post("/akun/profil/pendidikan/tambah/", EDUCATION)
    education = Education.objects.get()
    intruder = signed_in(other)
    assert intruder.get(f"/akun/profil/pendidikan/{education.pk}/").status_code == 404
    assert intruder.post(f"/akun/profil/pendidikan/{education.pk}/", EDUCATION).status_code == 404
    assert intruder.post(f"/akun/profil/pendidikan/{education.pk}/hapus/").status_code == 404
    assert Education.objects.filter(user=first).count() == 1


def test_the_owner_sees_the_full_nik_and_others_see_it_masked() -> None:
    user = make_applicant()
    page = signed_in(user).get("/akun/profil/").content.decode()
    assert SATU["nik"] in page
    root = User.objects.create_superuser("root", password=PASSWORD)
    listing = signed_in(root).get("/kelola/accounts/user/").content.decode()
    assert SATU["nik"] not in listing and "3520************" in listing


def test_a_person_downloads_all_their_data() -> None:
    owner = signed_in(make_applicant())
    owner.post("/akun/profil/pendidikan/tambah/", EDUCATION)
    response = owner.get("/akun/data-saya.json")
    assert response["Content-Disposition"].startswith("attachment")
    assert {"no-store", "private"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    data = json.loads(response.content)
    assert data["account"]["nik"] == SATU["nik"] and data["account"]["kk"] == SATU["kk"]
    assert data["education"][0]["institution"] == "Universitas Gajah Putih"
    assert "account.registered" in [event["action"] for event in data["history"]]
    page = owner.get("/akun/data-saya/").content.decode()
    assert "Universitas Gajah Putih" in page and SATU["kk"] in page


def test_an_account_that_never_applied_can_be_deleted_with_the_password() -> None:
    user = make_applicant()
    owner = signed_in(user)
    kept = owner.post("/akun/hapus-akun/", {"password": "salah"})
    assert kept.status_code == 200 and User.objects.filter(pk=user.pk).exists()
    gone = owner.post("/akun/hapus-akun/", {"password": PASSWORD})
    assert gone.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert AuditEvent.objects.filter(action="account.deleted", subject_id=str(user.pk)).exists()
    assert make_applicant(email="lagi@contoh.invalid").nik == SATU["nik"]  # the NIK is free again


def test_staff_cannot_delete_themselves_here() -> None:
    staff = make_staff("admin", make_agency(), role="admin")
    response = signed_in(staff).post("/akun/hapus-akun/", {"password": "x"})
    assert response.context["blocked"] and User.objects.filter(pk=staff.pk).exists()


def test_anonymising_keeps_the_row_but_nothing_that_identifies() -> None:
    user = make_applicant()
    account_anonymise(user=user)
    user.refresh_from_db()
    assert (user.full_name, user.email, user.phone, user.nik_cipher, user.nik_hash) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert user.birth_date is None and not user.is_active and not user.has_usable_password()
    assert not Profile.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="account.anonymised").exists()


def test_a_mitra_account_adds_its_nik_later_with_the_same_checks() -> None:
    user = User.objects.create_user("mitra", email="mitra@contoh.invalid", password=PASSWORD)
    owner = signed_in(user)
    form = {
        "full_name": DUA["full_name"],
        "birth_date": DUA["birth_date"],
        "sex": "L",
        "nik": DUA["nik"],
        "kk": DUA["kk"],
    }
    wrong_sex = owner.post("/akun/profil/identitas/", form)
    assert "nik" in wrong_sex.context["form"].errors
    assert owner.post("/akun/profil/identitas/", {**form, "sex": "P"}).status_code == 302
    user.refresh_from_db()
    assert user.nik == DUA["nik"] and user.registry_status == "match"


def test_keys_encrypt_rotate_and_hash(settings) -> None:  # type: ignore[no-untyped-def]
    token = encrypt_text(SATU["nik"])
    assert SATU["nik"] not in token and decrypt_text(token) == SATU["nik"]
    assert lookup_hash(SATU["nik"]) == lookup_hash(SATU["nik"]) != lookup_hash(DUA["nik"])
    old_hash = lookup_hash(SATU["nik"])
    settings.SELEKSI_FIELD_KEYS = [
        "tPnv3mvU3pw1DQ8yDk2yM0mKz2e6Yp4w8bL1qX0s9Ac=",
        "Y2hhbmdlLW1lLXRvLWEtcmVhbC1rZXktMzItYnl0ZXM=",
    ]
    settings.SELEKSI_LOOKUP_KEY = "k" * 40
    reset_key_cache()
    try:
        with pytest.raises(ValueError, match="cannot be decrypted"):
            decrypt_text(token)  # made with the derived key, which is no longer configured
        newer = encrypt_text(SATU["nik"])
        settings.SELEKSI_FIELD_KEYS = [
            "ZnJlc2gta2V5LWZvci1yb3RhdGlvbi10ZXN0LTMyYnk=",
            *settings.SELEKSI_FIELD_KEYS,
        ]
        reset_key_cache()
        assert decrypt_text(newer) == SATU["nik"]  # older keys still decrypt
        assert decrypt_text(rotate(newer)) == SATU["nik"]
        assert lookup_hash(SATU["nik"]) != old_hash  # the lookup key matters
    finally:
        reset_key_cache()


def test_accounts_past_their_retention_are_anonymised_by_the_daily_command() -> None:
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    old = make_applicant()
    recent = make_applicant(DUA, email="dua@contoh.invalid")
    staff = make_staff("admin.lama", make_agency(), role="admin")
    long_ago = timezone.now() - timedelta(days=365 * 6)
    User.objects.filter(pk__in=[old.pk, staff.pk]).update(date_joined=long_ago, last_login=None)
    out = StringIO()
    call_command("anonymise_expired", "--dry-run", stdout=out)
    assert "would anonymise 1 account" in out.getvalue()
    assert User.objects.get(pk=old.pk).anonymised_at is None
    call_command("anonymise_expired", stdout=StringIO())
    assert User.objects.get(pk=old.pk).anonymised_at is not None
    assert User.objects.get(pk=recent.pk).anonymised_at is None
    assert User.objects.get(pk=staff.pk).anonymised_at is None


def test_rotating_keys_re_encrypts_every_identity_number(settings) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    old_key = "tPnv3mvU3pw1DQ8yDk2yM0mKz2e6Yp4w8bL1qX0s9Ac="
    new_key = "ZnJlc2gta2V5LWZvci1yb3RhdGlvbi10ZXN0LTMyYnk="
    settings.SELEKSI_FIELD_KEYS = [old_key]
    reset_key_cache()
    try:
        user = make_applicant()
        settings.SELEKSI_FIELD_KEYS = [new_key, old_key]
        reset_key_cache()
        out = StringIO()
        call_command("rotate_identity_keys", stdout=out)
        assert "1 account" in out.getvalue()
        settings.SELEKSI_FIELD_KEYS = [new_key]
        reset_key_cache()
        user.refresh_from_db()
        assert user.nik == SATU["nik"] and user.kk == SATU["kk"]  # readable without the old key
    finally:
        reset_key_cache()


def never_stored(response: Any) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize(
    "url", ["/akun/profil/", "/akun/data-saya/", "/akun/data-saya.json", "/akun/profil/identitas/"]
)
def test_pages_that_may_show_the_full_nik_are_never_stored(url: str) -> None:
    owner = signed_in(make_applicant())
    response = owner.get(url, follow=True)
    assert response.status_code == 200 and never_stored(response)


def test_forms_sent_back_with_a_nik_are_never_stored() -> None:
    mitra = signed_in(User.objects.create_user("mitra", email="m@contoh.invalid", password="x"))
    identity = {**{k: DUA[k] for k in ("full_name", "birth_date", "nik", "kk")}, "sex": "L"}
    refused = mitra.post("/akun/profil/identitas/", identity)
    assert refused.status_code == 400 and DUA["nik"] in refused.content.decode()
    assert never_stored(refused)
    registration = CommitClient().post("/akun/daftar/", registration_form(sex="P"))
    assert registration.status_code == 400 and never_stored(registration)


def test_a_nik_another_account_holds_is_refused_on_adding_and_its_owner_told(
    django_capture_on_commit_callbacks: Any,
) -> None:
    holder = make_applicant(DUA, email="pemilik@contoh.invalid")
    mitra = User.objects.create_user("mitra", email="mitra@contoh.invalid", password=PASSWORD)
    identity = {k: DUA[k] for k in ("full_name", "birth_date", "sex", "nik", "kk")}
    with django_capture_on_commit_callbacks(execute=True):
        refused = signed_in(mitra).post("/akun/profil/identitas/", identity)
    assert refused.status_code == 400 and "nik" in refused.context["form"].errors
    mitra.refresh_from_db()
    assert mitra.nik_cipher == "" and mitra.nik_hash == ""
    assert [message.to for message in mail.outbox] == [["pemilik@contoh.invalid"]]
    assert AuditEvent.objects.filter(
        action="account.registration_repeated", subject_id=str(holder.pk)
    ).exists()


def test_an_email_change_confirmed_twice_changes_once() -> None:
    owner = signed_in(make_applicant())
    owner.post("/akun/profil/email/", {"new_email": "baru@contoh.invalid", "password": PASSWORD})
    link = link_in_last_mail("/akun/profil/email/")
    first, second = owner.get(link), signed_in(User.objects.get()).get(link)
    assert first.status_code == 302 and second.status_code == 400
    assert second.context["problem"] == "used"
    assert AuditEvent.objects.filter(action="account.email_changed").count() == 1


def test_an_email_change_to_an_address_taken_meanwhile_is_refused_without_error() -> None:
    user = make_applicant()
    owner = signed_in(user)
    owner.post("/akun/profil/email/", {"new_email": "baru@contoh.invalid", "password": PASSWORD})
    link = link_in_last_mail("/akun/profil/email/")
    make_applicant(DUA, email="BARU@contoh.invalid")  # registered after the link was sent
    response = owner.get(link)
    assert response.status_code == 400 and response.context["problem"] == "used"
    assert User.objects.get(pk=user.pk).email == "satu@contoh.invalid"
    assert not email_change_confirm(
        user=user, new_email="baru@contoh.invalid", old_email="satu@contoh.invalid"
    )  # the unique constraint, not a check before it, refuses: a race ends the same way
    assert User.objects.filter(email__iexact="baru@contoh.invalid").count() == 1


def test_the_profile_shows_the_survey_experience_and_devices_a_mitra_declared() -> None:
    owner = signed_in(make_applicant())
    declared = {
        **PROFILE,
        "survey_experience": "Pencacah Sensus Pertanian 2023, BPS Magetan",
        "has_smartphone": "on",
        "has_motorcycle": "on",
    }
    assert owner.post("/akun/profil/ubah/", declared).status_code == 302
    html = owner.get("/akun/profil/").content.decode()
    experience = html.split('id="survey-experience">')[1].split("</dd>")[0]
    devices = html.split('id="devices">')[1].split("</dd>")[0]
    assert "Sensus Pertanian 2023" in experience
    assert devices == "ponsel pintar, kendaraan bermotor"
