"""An IPK typed on a phone with the Indonesian decimal comma arrives as 3.41, not 341."""

import re
from decimal import Decimal

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import Education
from tests.accounts.helpers import PASSWORD, make_applicant
from tests.e2e.test_accounts import sign_in


def test_an_ipk_typed_with_a_comma_is_saved_as_3_41_and_shown_with_a_comma(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    make_applicant()
    sign_in(page, live_server.url, "satu@contoh.invalid", PASSWORD)
    page.goto(live_server.url + "/akun/profil/pendidikan/tambah/")
    page.locator("[name=level]").select_option("S1")
    page.locator("[name=institution]").fill("Universitas Negeri Surabaya")
    page.locator("[name=accreditation]").select_option("A")
    page.locator("[name=graduated_on]").fill("2016-09-01")
    ipk = page.locator("[name=ipk]")
    ipk.press_sequentially("3,41")
    expect(ipk).to_have_value("3,41")
    page.locator("main form").get_by_role("button", name="Simpan").click()

    expect(page).to_have_url(re.compile(r"/akun/profil/$"))
    expect(page.locator("main")).to_contain_text("3,41")
    assert Education.objects.get().ipk == Decimal("3.41")
