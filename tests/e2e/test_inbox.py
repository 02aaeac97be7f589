"""An applicant on a phone sees the unread count in the header, opens the inbox and the
message; the page fits the screen and the count goes once the message is read."""

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from seleksi.notices.services import notify
from seleksi.selections.demo import demo_load
from seleksi.selections.models import Selection
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.steps import sign_in

EMAIL = "pelamar.kesehatan@demo.seleksi.invalid"


def test_the_inbox_on_a_phone(live_server: LiveServer, page: Page, transactional_db: None) -> None:
    demo_load()
    notify(
        user=User.objects.get(email=EMAIL),
        event="uji:kotak-masuk",
        template="administrative_result",
        context={"number": "AT-2021-000001"},
        url="/akun/profil/",
        selection=Selection.objects.get(code="aceh-tengah-casn-2021"),
    )
    page.goto(live_server.url + "/")
    sign_in(page, EMAIL)
    inbox = page.locator("#inbox-link")
    expect(inbox.locator(".badge")).to_have_text("1")
    inbox.click()
    page.get_by_role("link", name="Hasil seleksi administrasi telah diumumkan").click()
    expect(page.locator("main")).to_contain_text("AT-2021-000001")
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE_VIEWPORT["width"]
    page.locator("main").get_by_role("link").last.click()
    expect(page).to_have_url(live_server.url + "/akun/profil/")
    expect(page.locator("#inbox-link .badge")).to_have_count(0)
