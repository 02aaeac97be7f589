"""The applicant's dashboard on a 360-pixel phone: the demo mitra applicant signs in, lands on
their dashboard, sees where their application stands (a published result with its figures,
their test seat and what to print), and opens the application by clicking; neither page
scrolls sideways."""

import re

from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from seleksi.announcements.models import Announcement, AnnouncementRow, Kind
from seleksi.applications.models import Application
from seleksi.exams.demo import demo_test_stage
from seleksi.rules.ranking import load_ranking_policy
from seleksi.scoring.models import RankingRun
from seleksi.selections.demo import demo_load
from seleksi.sittings.demo import PARTICIPANT, demo_cat
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.steps import sign_in_at
from tests.e2e.test_test_day import in_english

NOTHING_WIDER = """() => {
    const width = window.innerWidth;
    const wide = [...document.querySelectorAll("main *")].filter(element => {
        if (element.closest(".table-scroll")) return false;
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > width + 1;
    });
    return wide.map(element => element.outerHTML.slice(0, 120));
}"""


def fits_the_phone(page: Page) -> None:
    assert page.evaluate("innerWidth") == PHONE_VIEWPORT["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    assert page.evaluate(NOTHING_WIDER) == []


def announce_result(application: Application) -> Announcement:
    """A published mitra result naming the demo applicant, as the committee would publish."""
    committee = User.objects.get(username="panitia.magetan")
    policy = load_ranking_policy("mitra-bps-2024")
    run = RankingRun.objects.create(
        selection=application.selection,
        stage=RankingRun.Stage.MITRA,
        policy_code=policy.code,
        policy_version=policy.version,
        fingerprint="1" * 64,
        created_at=timezone.now(),
        row_count=1,
        confirmed_at=timezone.now(),
        confirmed_by=committee,
    )
    announcement = Announcement.objects.create(
        selection=application.selection,
        kind=Kind.MITRA,
        number="B-123/35200/KP.600/2024",
        dated_on=application.selection.agency.today(),
        title="Pengumuman Hasil Seleksi Mitra Statistik Kabupaten Magetan Tahun 2024",
        body="Hasil seleksi mitra statistik.",
        signatory_name="Kepala BPS Kabupaten Magetan",
        signatory_title="Kepala",
        run=run,
        columns=["test_score", "preference_points"],
        row_count=1,
        created_by=committee,
        published_at=timezone.now(),
        published_by=committee,
    )
    AnnouncementRow.objects.create(
        announcement=announcement,
        order=1,
        application=application,
        formation_code=application.formation.code,
        number=application.number,
        name="P*** M***",
        figures=["78.000", "35"],
        total="113.000",
        rank=4,
        code="L",
    )
    return announcement


def test_an_applicant_reaches_the_dashboard_and_an_application_on_a_phone(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    demo_load()
    demo_test_stage()
    demo_cat()  # the demo mitra applicant: final MS, booked and checked in
    email, code, _staff = PARTICIPANT
    application = Application.objects.get(applicant__email=email, selection__code=code)
    announce_result(application)
    base = live_server.url

    sign_in_at(page, base, email)
    expect(page).to_have_url(re.compile(r"/dasbor/$"))
    in_english(page, base)
    expect(page.get_by_role("heading", level=1)).to_have_text("My dashboard")
    card = page.locator(f"#application-{application.number}")
    expect(card).to_contain_text("Mitra selection result: L")
    expect(card).to_contain_text("Test score: 78.000")
    expect(card).to_contain_text("Rank: 4")
    expect(card.get_by_role("link", name="the public announcement")).to_be_visible()
    expect(card.get_by_role("link", name=re.compile("Exam card"))).to_be_visible()
    expect(card.get_by_role("link", name="Application resume (PDF)")).to_be_visible()
    fits_the_phone(page)

    # The header's link leads back here from any page.
    page.get_by_role("banner").get_by_role("link", name="My account").click()
    expect(page).to_have_url(re.compile(r"/akun/profil/$"))
    page.get_by_role("banner").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/dasbor/$"))

    card.get_by_role("link", name=application.number, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/lamaran/{application.number}/$"))
    expect(page.locator("#application-number")).to_have_text(application.number)
    fits_the_phone(page)
