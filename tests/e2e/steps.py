"""Steps the browser tests share: the demo with a registration open, filling the
registration form, signing in and out as a person does."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from seleksi.selections.demo import DEMO_PASSWORD, demo_load
from seleksi.selections.models import Stage


def demo_with_registration_open(code: str) -> None:
    """Both demo selections, `code`'s registration window running from yesterday (the
    announcements are from the past): what `seleksi demo-open-registration` does by hand."""
    demo_load()
    today = timezone.localdate()
    Stage.objects.filter(selection__code=code, kind="registration").update(
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=10)
    )


def fill_registration(
    page: Page, person: dict[str, str], email: str, password: str, phone: str = "0812 3456 7890"
) -> None:
    """The registration form with a person of the registry fixture; not sent."""
    page.locator("[name=full_name]").fill(person["full_name"])
    page.locator("[name=birth_date]").fill(person["birth_date"])
    page.locator(f"[name=sex][value={person['sex']}]").check()
    page.locator("[name=nik]").fill(person["nik"])
    page.locator("[name=kk]").fill(person["kk"])
    page.locator("[name=email]").fill(email)
    page.locator("[name=phone]").fill(phone)
    page.locator("[name=password1]").fill(password)
    page.locator("[name=password2]").fill(password)
    page.locator("[name=question_1]").select_option("mother")
    page.locator("[name=answer_1]").fill("Siti Rahmah")
    page.locator("[name=question_2]").select_option("first_teacher")
    page.locator("[name=answer_2]").fill("Pak Ahmad")
    page.locator("[name=consent]").check()


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
