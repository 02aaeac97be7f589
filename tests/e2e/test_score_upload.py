"""The Magetan committee ranks its mitra pool from the pages alone: it uploads a score file on
the ranking page, reads the errors of a bad file, uploads a good one, is told the pool has no
quota; the administrator follows the page's link to the console and sets it; the committee
ranks and sees the scores with a decimal comma and the codes explained.

The demo loads the Magetan recruitment without applications, so the test adds four submitted
ones (the participants of the score file) in its setup; the quota is set by clicking, as the
administrator would."""

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.applications.models import Application
from seleksi.selections.demo import demo_load
from seleksi.selections.models import Formation
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.steps import sign_in_at as sign_in
from tests.scoring.conftest import make_application

CODE = "bps-magetan-mitra-2024"
POOL = "MGT24-MITRA"
PREFERENCES = {
    "MGT24-0001": ["education_min", "domicile", "age_band", "devices", "vehicle", "experience"],
    "MGT24-0002": ["education_min", "domicile"],
    "MGT24-0003": ["education_min"],
    "MGT24-0004": [],
}
BAD = """nomor_peserta,kehadiran,nilai_tes
MGT24-0001,H,"87,5"
MGT24-0002,H,80
MGT24-9999,H,75
"""
GOOD = """nomor_peserta,kehadiran,nilai_tes
MGT24-0001,H,87.5
MGT24-0002,H,80
MGT24-0003,H,62.25
MGT24-0004,TH,
"""


def upload(page: Page, path: Path) -> None:
    page.locator("#upload-scores select[name=scores-stage]").select_option("mitra")
    page.locator("#upload-scores input[name=scores-file]").set_input_files(str(path))
    page.locator("#upload-scores button[type=submit]").click()


def test_the_magetan_committee_uploads_scores_and_ranks_its_pool(
    live_server: LiveServer,
    page: Page,
    browser: Browser,
    transactional_db: None,
    tmp_path: Path,
) -> None:
    demo_load()
    formation = Formation.objects.get(selection__code=CODE, code=POOL)
    assert formation.quota is None
    for number, met in PREFERENCES.items():
        application = make_application(formation.selection, POOL, number)
        Application.objects.filter(pk=application.pk).update(
            eligibility={"eligible": True, "preferences_met": met}
        )
    bad, good = tmp_path / "nilai-salah.csv", tmp_path / "nilai.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    base = live_server.url
    runs = base + f"/panitia/{CODE}/peringkat/"

    sign_in(page, base, "panitia.magetan")
    page.goto(runs)
    expect(page.locator("#no-quota")).to_contain_text(POOL)
    expect(page.locator("#no-quota a.quota-link")).to_have_count(0)

    upload(page, bad)
    errors = page.locator("#upload-errors")
    expect(errors).to_contain_text("2 kesalahan; tidak ada nilai yang disimpan")
    expect(errors).to_contain_text("baris 2, kolom nilai_tes: “87,5” bukan bilangan")
    expect(errors).to_contain_text("“MGT24-9999” tidak terdaftar di seleksi")

    upload(page, good)
    expect(page.locator(".messages")).to_contain_text("4 baris dibaca; 4 nilai ditambahkan")

    page.locator("#start-run select[name=stage]").select_option("mitra")
    page.locator("#start-run button[type=submit]").click()
    expect(page.locator("#run-errors")).to_contain_text(f"Formasi {POOL} tidak punya kuota")

    admin = browser.new_context(locale="id-ID", viewport=PHONE_VIEWPORT).new_page()
    try:
        sign_in(admin, base, "admin.magetan")
        admin.goto(runs)
        admin.locator("#no-quota a.quota-link").click()
        admin.locator("#id_quota").fill("2")
        admin.locator("[name=_save]").click()
        expect(admin.locator(".messagelist")).to_be_visible()
    finally:
        admin.context.close()
    formation.refresh_from_db()
    assert formation.quota == 2

    page.goto(runs)
    expect(page.locator("#no-quota")).to_have_count(0)
    page.locator("#start-run select[name=stage]").select_option("mitra")
    page.locator("#start-run button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/panitia/peringkat/\d+/$"))
    rows = page.locator("#ranking-rows")
    expect(rows).to_contain_text("87,500")
    expect(rows).to_contain_text("62,250")
    expect(page.locator("#result-codes")).to_contain_text("lulus")
    expect(page.locator("#result-codes")).to_contain_text("tidak hadir")
