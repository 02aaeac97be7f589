"""A mitra who registered by e-mail walks to an application by clicking: the openings page
says the NIK is missing and links to its form, whose pre-filled birth date the browser's date
picker reads; saving returns to the openings, and the application explains its preference
points criterion by criterion."""

import re

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from seleksi.applications.models import Application
from tests.e2e.steps import demo_with_registration_open
from tests.e2e.test_applications import sign_in

MAGETAN = "bps-magetan-mitra-2024"
MITRA = "pelamar.mitra@demo.seleksi.invalid"


def test_a_mitra_without_nik_adds_it_from_the_openings_and_applies(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    demo_with_registration_open(MAGETAN)
    user = User.objects.get(email=MITRA)
    nik, kk, born = user.nik, user.kk, user.birth_date
    User.objects.filter(pk=user.pk).update(nik_cipher="", nik_hash="", kk_cipher="", kk_hash="")
    base = live_server.url
    sign_in(page, base, MITRA)

    page.goto(base + f"/seleksi/{MAGETAN}/melamar/")
    fixes = page.locator("#start-fixes")
    expect(fixes).to_contain_text("Tambahkan NIK dan nomor Kartu Keluarga (KK)")
    expect(page.get_by_role("link", name="Lamar formasi ini")).to_have_count(0)
    fixes.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/akun/profil/identitas/\?next="))

    birth_date = page.locator("input[name=birth_date]")
    expect(birth_date).to_have_value(born.isoformat())  # the picker reads what was filled in
    page.locator("[name=nik]").fill(nik)
    page.locator("[name=kk]").fill(kk)
    page.locator("main").get_by_role("button", name="Simpan").click()
    expect(page).to_have_url(re.compile(rf"/seleksi/{MAGETAN}/melamar/$"))
    expect(page.locator("#start-fixes")).to_have_count(0)

    pool = page.locator("li.eligible").first
    expect(pool.locator("tr[data-preference]")).to_have_count(6)
    pool.get_by_role("link", name="Lamar formasi ini").click()
    page.locator("input[name=statement_not_asn]").check()
    page.get_by_role("button", name="Mulai lamaran").click()
    expect(page.locator("#application-status")).to_contain_text("Draf")
    preferences = page.locator("#preferences")
    expect(preferences.locator("tr[data-preference]")).to_have_count(6)
    expect(preferences.locator("tr[data-preference=domicile]")).to_contain_text("Kabupaten Magetan")
    expect(preferences.locator(".preference-total")).to_have_text("50")
    for slot in ("ktp", "foto", "ijazah"):
        expect(page.locator(f"#slot-{slot}")).to_have_count(1)
    assert Application.objects.filter(applicant__email=MITRA).count() == 1
