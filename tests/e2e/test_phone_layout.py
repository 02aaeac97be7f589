"""Pages an applicant opens on a phone fit its width: nothing makes the whole page scroll
sideways, so no button ends up off the screen."""

import re

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.selections.demo import DEMO_PASSWORD, demo_load
from tests.e2e.conftest import PHONE_VIEWPORT


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_the_profile_with_its_education_table_fits_a_phone(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    demo_load()
    page.goto(live_server.url + "/akun/masuk/")
    page.locator("[name=identifier]").fill("pelamar.kesehatan@demo.seleksi.invalid")
    page.locator("[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/dasbor/$"))  # applicants land on their dashboard
    page.get_by_role("banner").get_by_role("link", name="Akun saya").click()
    expect(page).to_have_url(re.compile(r"/akun/profil/$"))
    table = page.locator(".table-scroll table")
    expect(table).to_contain_text("Keperawatan")
    assert table.evaluate("t => t.scrollWidth") > PHONE_VIEWPORT["width"]  # it scrolls inside
    assert page_width(page) == PHONE_VIEWPORT["width"]
