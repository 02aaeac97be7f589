"""Steps the browser tests share: signing in and out as a person does."""

from playwright.sync_api import Page, expect

from seleksi.selections.demo import DEMO_PASSWORD


def sign_in_at(page: Page, base: str, identifier: str, password: str = DEMO_PASSWORD) -> None:
    """Open the sign-in page by its address and send the form; where it leads is the test's
    to check (a wrong password stays there)."""
    page.goto(base + "/akun/masuk/")
    page.locator("[name=identifier]").fill(identifier)
    page.locator("[name=password]").fill(password)
    page.locator("main").get_by_role("button", name="Masuk").click()


def sign_in(page: Page, identifier: str, password: str = DEMO_PASSWORD) -> None:
    """From any page, through the header's "Masuk" link: a journey types no address."""
    page.get_by_role("banner").get_by_role("link", name="Masuk", exact=True).click()
    page.locator("[name=identifier]").fill(identifier)
    page.locator("[name=password]").fill(password)
    page.locator("main").get_by_role("button", name="Masuk").click()
    expect(page.locator(".account-nav")).to_contain_text("Keluar")


def sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Keluar").click()
    expect(page.locator(".account-nav")).to_contain_text("Masuk")
