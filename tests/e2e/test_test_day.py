"""The test stage through the pages: a demo applicant with a final MS books an SKD seat,
downloads the exam card (its text read back), site staff check them in by typing the number,
the session ends and the committee closes it, and another booked demo applicant who did not
come is TH on their own page and in the next SKD ranking run.

The demo's Aceh Tengah committee assigns its SKD seats; this test lets the applicants choose
(the window's mode, as a committee would set it) and gives the two demo applicants a final MS
application in its setup. The session's end is reached by moving its start into the past."""

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from seleksi.applications.models import Application
from seleksi.exams.demo import demo_test_stage
from seleksi.exams.models import Booking, BookingWindow, TestSession
from seleksi.exams.services import booking_make
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.scoring.models import RankingRow
from seleksi.selections.demo import DEMO_PASSWORD, demo_load
from seleksi.selections.models import Formation
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.steps import sign_in_at

CODE = "aceh-tengah-casn-2021"
SESSION = "skd-1-pagi"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


def final_ms(email: str, number: str) -> Application:
    user = User.objects.get(email=email)
    formation = Formation.objects.filter(selection__code=CODE, procurement_type="CPNS").first()
    assert formation is not None
    return Application.objects.create(
        applicant=user,
        selection=formation.selection,
        formation=formation,
        number=number,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        admin_stage=AdminStage.FINAL,
        admin_result=Mark.MS,
        published_result=Mark.MS,
        published_at=timezone.now(),
    )


def in_english(page: Page, base: str) -> None:
    """The page in front of the person, again in English (the header's language switch)."""
    page.wait_for_url(lambda url: "/akun/masuk/" not in url)  # the sign-in has landed
    page.wait_for_load_state()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.reload()


def signed_in(browser: Browser, base: str, identifier: str) -> Page:
    context = browser.new_context(locale="id-ID", viewport=PHONE_VIEWPORT, accept_downloads=True)
    page = context.new_page()
    sign_in_at(page, base, identifier, DEMO_PASSWORD)
    in_english(page, base)
    return page


def test_a_booked_applicant_sits_the_skd_and_another_who_did_not_come_is_th(
    live_server: LiveServer, page: Page, browser: Browser, transactional_db: None, tmp_path: Path
) -> None:
    demo_load()
    demo_test_stage()
    BookingWindow.objects.filter(selection__code=CODE, stage="skd").update(mode="self")
    sitting = final_ms("pelamar.teknis@demo.seleksi.invalid", "AT21-SKD-0001")
    absent = final_ms("pelamar.guru@demo.seleksi.invalid", "AT21-SKD-0002")
    session = TestSession.objects.get(selection__code=CODE, code=SESSION)
    booking_make(application=absent, session_id=session.pk, actor=absent.applicant)
    base = live_server.url

    # The applicant chooses the session, confirms, and downloads the card.
    sign_in_at(page, base, "pelamar.teknis@demo.seleksi.invalid", DEMO_PASSWORD)
    in_english(page, base)
    page.goto(base + f"/lamaran/{sitting.number}/")
    page.locator("#booking-link-skd").click()
    expect(page.locator("#sessions")).to_contain_text(SESSION)
    page.locator("#sessions li", has_text=SESSION).locator("input[type=radio]").check()
    page.get_by_role("button", name="Continue").click()
    panel = page.locator("#booking-confirmation")
    expect(panel).to_contain_text("A booking is final")
    expect(panel).to_contain_text(SESSION)
    page.locator("#confirm-booking").click()
    expect(page.locator("#booking-facts")).to_contain_text(SESSION)
    expect(page.locator("input[name=session]")).to_have_count(0)
    with page.expect_download() as download:
        page.locator("#exam-card-link").click()
    text = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(Path(download.value.path()).read_bytes())).pages
    )
    assert sitting.number in text
    assert SESSION in text
    assert "Takengon" in text

    # Site staff check the applicant in by typing the number.
    staff = signed_in(browser, base, "petugas.acehtengah")
    staff.locator(f"#desk-{CODE}").get_by_role("link", name="Check-in (hadir)").click()
    staff.locator("#checkin-sessions").get_by_role("link", name=SESSION).click()
    box = staff.get_by_label("Participant number or card code")
    box.fill(sitting.number)
    box.press("Enter")
    result = staff.locator("#checkin-result")
    expect(result).to_contain_text(sitting.number)
    result.get_by_role("button", name="Check in (Hadir)").click()
    expect(staff.locator("#checkin-count")).to_have_text("1 of 2 present")

    # The session is over; the committee closes it from its test desk.
    TestSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    committee = signed_in(browser, base, "panitia.acehtengah")
    committee.locator(f"#desk-{CODE}").get_by_role("link", name="Test desk").click()
    committee.get_by_role("link", name=SESSION).click()
    committee.locator("#close-form button[type=submit]").click()
    expect(committee.locator("#confirm-close")).to_contain_text("1")
    committee.locator("#confirm-close-form button[type=submit]").click()
    expect(committee.locator("#close")).to_contain_text("The session is closed")
    assert Booking.objects.get(application=absent).attendance == "TH"
    assert Booking.objects.get(application=sitting).attendance == "H"

    # The absent applicant reads TH on their own page.
    guru = signed_in(browser, base, "pelamar.guru@demo.seleksi.invalid")
    guru.goto(base + f"/lamaran/{absent.number}/")
    expect(guru.locator("#test-seats #attendance")).to_contain_text("Absent (TH)")
    expect(guru.locator("#timeline")).to_contain_text("Absent from the test (TH)")

    # The committee uploads the SKD score of the one who sat, ranks, and reads TH.
    scores = tmp_path / "skd.csv"
    scores.write_text(
        f"nomor_peserta,kehadiran,twk,tiu,tkp\n{sitting.number},H,100,120,200\n", encoding="utf-8"
    )
    committee.goto(base + f"/panitia/{CODE}/peringkat/")
    committee.locator("#upload-scores select[name=scores-stage]").select_option("skd")
    committee.locator("#upload-scores input[name=scores-file]").set_input_files(str(scores))
    committee.locator("#upload-scores button[type=submit]").click()
    committee.locator("#start-run select").first.select_option("skd")
    committee.locator("#start-run button[type=submit]").click()
    expect(committee).to_have_url(re.compile(r"/panitia/peringkat/\d+/"))
    expect(committee.locator("#ranking-rows")).to_contain_text(absent.number)
    row = RankingRow.objects.get(application=absent)
    assert row.outcome == "TH"
    assert RankingRow.objects.get(application=sitting, run=row.run).outcome != "TH"
