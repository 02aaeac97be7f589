"""The review page's keys do what its hint says: a verifier presses m (or t) then j on every
requirement, and every requirement gets its own mark: none is skipped."""

import re

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.applications.models import Application
from seleksi.verification.models import ReviewItem
from tests.e2e.steps import demo_with_registration_open
from tests.e2e.test_verification import ACEH, sign_in, submitted


def open_for_checking(page: Page, base: str, application: Application) -> None:
    sign_in(page, base, "verifikator.acehtengah")
    page.goto(base + f"/panitia/lamaran/{application.number}/periksa/")
    page.locator("#take").click()
    expect(page.locator("#checklist")).to_be_visible()


def test_following_the_keyboard_hint_marks_every_requirement(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    demo_with_registration_open(ACEH)
    application = submitted("pelamar.teknis@demo.seleksi.invalid", "Pranata Komputer Ahli Pertama")
    base = live_server.url
    open_for_checking(page, base, application)
    hint = page.locator("#keyboard-help")
    expect(hint).to_contain_text("m menandai MS")
    expect(hint).to_contain_text("tanpa berpindah")
    codes = [
        (item.get_attribute("id") or "").removeprefix("item-")
        for item in page.locator("#checklist .check-item").all()
    ]
    assert len(codes) > 3
    tms_code = codes[2]
    for code in codes:
        expect(page.locator(f"#item-{code}")).to_be_focused()
        if code == tms_code:
            page.keyboard.press("t")
            expect(page.locator(f"#reason_{code}")).to_be_focused()
            page.keyboard.press("ArrowDown")  # the first reason of the list
            page.keyboard.press("Escape")  # back to the requirement
            expect(page.locator(f"#item-{code}")).to_be_focused()
        else:
            page.keyboard.press("m")
            expect(page.locator(f"#item-{code}")).to_be_focused()  # m stays on it
        page.keyboard.press("j")
    for code in codes:
        expected = "TMS" if code == tms_code else "MS"
        expect(page.locator(f"input[name=mark_{code}][value={expected}]")).to_be_checked()
    page.keyboard.press("k")
    expect(page.locator(f"#item-{codes[-2]}")).to_be_focused()
    page.locator("#save").click()
    expect(page).to_have_url(re.compile(rf"/panitia/{ACEH}/verifikasi/$"))
    marks = dict(
        ReviewItem.objects.filter(review__application=application).values_list("item", "mark")
    )
    assert marks == {code: ("TMS" if code == tms_code else "MS") for code in codes}
    tms = ReviewItem.objects.get(review__application=application, mark="TMS")
    assert tms.reason is not None


def test_a_refused_checklist_shows_the_error_beside_the_reason_and_keeps_the_marks(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    demo_with_registration_open(ACEH)
    application = submitted("pelamar.teknis@demo.seleksi.invalid", "Pranata Komputer Ahli Pertama")
    base = live_server.url
    open_for_checking(page, base, application)
    for radio in page.locator("#checklist input[type=radio][value=MS]").all():
        radio.check()
    page.locator("input[name=mark_ijazah][value=TMS]").check()
    page.locator("#save").click()
    reason = page.locator("#reason_ijazah")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-reason_ijazah")).to_be_visible()
    expect(page.locator("input[name=mark_ijazah][value=TMS]")).to_be_checked()
    expect(page.locator("input[name=mark_ktp][value=MS]")).to_be_checked()
    expect(page.locator("#item-ijazah")).to_be_focused()  # the keys start at the problem
    assert Application.objects.get(pk=application.pk).admin_result == ""
