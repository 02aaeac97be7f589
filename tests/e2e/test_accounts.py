"""An applicant on a phone: registers, activates from the e-mail, signs in, completes the
profile; and meets the errors people meet most: NIK problems, a taken NIK (answered like a new
registration, its owner told by e-mail), a lockout, and a forgotten password recovered with
the security questions."""

import re
from typing import Any

from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from tests.accounts.helpers import DUA, PASSWORD, SATU, make_applicant
from tests.e2e import steps
from tests.e2e.steps import sign_in_at as sign_in

NEW_PASSWORD = "Teh-Pucuk-Takengon-7"


def fill_registration(page: Page, person: dict[str, str], email: str) -> None:
    steps.fill_registration(page, person, email, PASSWORD)


def test_register_activate_sign_in_and_complete_the_profile(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    base = live_server.url
    page.goto(base + "/")
    page.get_by_role("link", name="Daftar").click()
    fill_registration(page, SATU, "satu@contoh.invalid")
    page.get_by_role("button", name="Buat akun").click()
    expect(page).to_have_url(re.compile(r"/akun/daftar/selesai/$"))

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/akun/aktivasi/\S+", mail.outbox[0].body)
    assert link is not None
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Akun Anda sudah aktif")

    sign_in(page, base, "3520 0502 1193 0004", PASSWORD)
    expect(page).to_have_url(re.compile(r"/dasbor/$"))
    assert SATU["nik"] not in page.url
    expect(page.locator("#profile-missing")).to_be_visible()
    page.get_by_role("banner").get_by_role("link", name="Akun saya").click()
    expect(page.locator("#profile-missing")).to_be_visible()

    page.get_by_role("link", name=re.compile("Ubah profil")).click()
    page.locator("[name=place_of_birth]").fill("Magetan")
    page.locator("[name=address]").fill("Jalan Pahlawan No. 2")
    page.locator("#id_domicile_regency_search").fill("magetan")
    expect(page.locator("#id_domicile_regency option[value='3520']")).to_have_count(1)
    page.locator("#id_domicile_regency").select_option("3520")
    page.locator("main form").get_by_role("button", name="Simpan").click()

    page.get_by_role("link", name="Tambah data pendidikan").click()
    page.locator("[name=level]").select_option("S1")
    page.locator("[name=institution]").fill("Universitas Negeri Surabaya")
    page.locator("[name=study_programme]").fill("Statistika")
    page.locator("[name=accreditation]").select_option("A")
    page.locator("[name=graduated_on]").fill("2016-09-01")
    page.locator("[name=ipk]").fill("3.30")
    page.locator("main form").get_by_role("button", name="Simpan").click()

    expect(page.locator("#profile-complete")).to_be_visible()
    expect(page.locator("main")).to_contain_text(SATU["nik"])  # the owner sees it in full


def test_nik_errors_appear_as_it_is_typed_and_a_taken_nik_makes_no_second_account(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    make_applicant(DUA, email="dua@contoh.invalid")
    page.goto(live_server.url + "/akun/daftar/")
    fill_registration(page, {**SATU, "sex": "P"}, "satu@contoh.invalid")
    page.locator("[name=nik]").dispatch_event("change")
    expect(page.locator("#errors-nik")).to_contain_text("jenis kelamin yang berbeda")

    page.locator("[name=sex][value=L]").check()
    expect(page.locator("#errors-nik")).to_be_empty()

    fill_registration(page, DUA, "lain@contoh.invalid")
    page.locator("[name=password1]").fill(PASSWORD)
    page.get_by_role("button", name="Buat akun").click()
    expect(page).to_have_url(re.compile(r"/akun/daftar/selesai/$"))  # as for a new account
    assert User.objects.count() == 1
    assert [message.to for message in mail.outbox] == [["dua@contoh.invalid"]]


def test_a_registry_mismatch_explains_what_to_do(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    page.goto(live_server.url + "/akun/daftar/")
    fill_registration(page, {**SATU, "full_name": "Nama Berbeda"}, "satu@contoh.invalid")
    page.get_by_role("button", name="Buat akun").click()
    alert = page.locator("main .alert-error")
    expect(alert).to_contain_text("tidak sesuai dengan data kependudukan (Dukcapil)")
    expect(alert).to_contain_text("Dinas Dukcapil")
    assert not User.objects.exists()


def test_repeated_wrong_passwords_lock_then_security_answers_recover(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    make_applicant()
    base = live_server.url
    for _ in range(5):
        sign_in(page, base, "satu@contoh.invalid", "bukan-sandinya")
    expect(page.locator("main .alert-error")).to_contain_text("15 menit")

    page.goto(base + "/akun/masuk/")
    page.get_by_role("link", name=re.compile("pertanyaan pengaman")).first.click()
    page.locator("[name=identifier]").fill(SATU["nik"])
    page.get_by_role("button", name="Lanjut").click()
    page.locator("[name=answer_1]").fill("SITI RAHMAH")
    page.locator("[name=answer_2]").fill("pak ahmad")
    page.get_by_role("button", name="Periksa jawaban").click()
    page.locator("[name=password1]").fill(NEW_PASSWORD)
    page.locator("[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Simpan kata sandi baru").click()
    expect(page).to_have_url(re.compile(r"/akun/masuk/$"))

    sign_in(page, base, SATU["nik"], NEW_PASSWORD)  # the new password ended the lock
    expect(page).to_have_url(re.compile(r"/dasbor/$"))


def test_behind_a_busy_address_a_person_answers_the_sum_and_signs_in(
    live_server: LiveServer, page: Page, transactional_db: None, settings: Any
) -> None:
    settings.SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    make_applicant()
    base = live_server.url
    for n in range(3):
        sign_in(page, base, f"orang{n}@contoh.invalid", "bukan-sandinya")
    page.goto(base + "/akun/masuk/")
    question = page.locator("label[for=id_challenge_answer]")
    expect(question).to_be_visible()
    first, second = (int(n) for n in re.findall(r"\d+", question.inner_text())[:2])
    page.locator("[name=identifier]").fill("satu@contoh.invalid")
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("[name=challenge_answer]").fill(str(first + second))
    page.locator("main").get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/dasbor/$"))
