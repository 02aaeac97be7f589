"""The domicile picker on a phone: a search box and a select that look like the other fields,
typing narrows the list and says how many matched, and the choice is saved; without
JavaScript the select alone does the job."""

import re

from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import Profile
from tests.accounts.helpers import PASSWORD, make_applicant
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.test_accounts import sign_in


def box(page: Page, selector: str) -> dict[str, float]:
    return page.locator(selector).evaluate(
        """element => {
            const style = getComputedStyle(element), rect = element.getBoundingClientRect();
            return {font: parseFloat(style.fontSize), border: parseFloat(style.borderTopWidth),
                    width: rect.width, height: rect.height, right: rect.right};
        }"""
    )


def test_type_magetan_pick_it_save_and_the_profile_shows_it(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    make_applicant()
    sign_in(page, live_server.url, "satu@contoh.invalid", PASSWORD)
    page.goto(live_server.url + "/akun/profil/ubah/")

    search, select = "#id_domicile_regency_search", "#id_domicile_regency"
    other = box(page, "#id_place_of_birth")
    for selector in (search, select):
        measured = box(page, selector)
        assert measured["font"] >= 16  # smaller boxes make phones zoom in
        assert measured["width"] == other["width"] and measured["border"] == other["border"]
        assert measured["right"] <= PHONE_VIEWPORT["width"]
    assert box(page, select)["height"] < 60  # a one-line select, not a tall list box
    assert page.locator(select).get_attribute("size") is None

    page.locator(search).press_sequentially("Magetan", delay=30)
    status = page.locator("#id_domicile_regency_status")
    expect(status).to_have_text("Satu yang cocok: Kabupaten Magetan, sudah dipilih.")
    expect(status).to_have_attribute("role", "status")
    expect(page.locator(select)).to_have_value("3520")
    page.locator(search).press("Enter")  # searches; does not send the form half-filled
    expect(page).to_have_url(re.compile(r"/akun/profil/ubah/$"))

    page.locator(search).fill("atlantis")
    expect(status).to_contain_text("Tidak ada kabupaten/kota yang cocok dengan “atlantis”")
    expect(page.locator(select)).to_have_value("3520")  # the choice survives a failed search
    page.locator(select).select_option("3520")
    page.locator("main form").get_by_role("button", name="Simpan").click()

    expect(page).to_have_url(re.compile(r"/akun/profil/$"))
    expect(page.locator("main")).to_contain_text("Kabupaten Magetan")
    assert Profile.objects.get().domicile_regency_id == "3520"


def test_without_javascript_the_select_alone_chooses_the_regency(
    live_server: LiveServer, browser: Browser, transactional_db: None
) -> None:
    make_applicant()
    context = browser.new_context(
        locale="id-ID", viewport=PHONE_VIEWPORT, java_script_enabled=False
    )
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "satu@contoh.invalid", PASSWORD)
        page.goto(live_server.url + "/akun/profil/ubah/")
        expect(page.locator("#id_domicile_regency_search")).to_be_hidden()
        page.locator("#id_domicile_regency").select_option("3520")
        page.locator("main form").get_by_role("button", name="Simpan").click()
        expect(page.locator("main")).to_contain_text("Kabupaten Magetan")
    finally:
        context.close()
