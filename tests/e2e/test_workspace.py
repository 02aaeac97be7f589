"""Staff find their work by clicking: a verifier signs in on the portal, lands on the
workspace and reaches the applications assigned to them; an administrator reaches a
formation's quota in the console from the staff menu."""

import re

from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from seleksi.applications import services as applications
from seleksi.applications.models import Application
from seleksi.selections.demo import demo_load
from seleksi.selections.models import Formation
from tests.e2e.steps import demo_with_registration_open
from tests.e2e.steps import sign_in_at as sign_in

ACEH = "aceh-tengah-casn-2021"
STATEMENTS = ["not_asn", "no_conviction", "not_in_party", "willing_10_years"]


def submitted(email: str, position: str) -> Application:
    formation = Formation.objects.filter(
        selection__code=ACEH, position=position, formation_type="umum"
    ).order_by("code")[0]
    application = applications.application_start(
        user=User.objects.get(email=email), formation=formation, statements=STATEMENTS
    )
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    return Application.objects.get(pk=application.pk)


def test_a_verifier_signs_in_and_reaches_their_applications_from_the_workspace(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    demo_with_registration_open(ACEH)
    mine = submitted("pelamar.teknis@demo.seleksi.invalid", "Pranata Komputer Ahli Pertama")
    other = submitted("pelamar.kesehatan@demo.seleksi.invalid", "Perawat Terampil")
    Application.objects.filter(pk=mine.pk).update(
        assigned_to=User.objects.get(username="verifikator.acehtengah")
    )

    sign_in(page, live_server.url, "verifikator.acehtengah")
    expect(page).to_have_url(re.compile(r"/panitia/$"))
    desk = page.locator(f"#desk-{ACEH}")
    expect(desk).to_contain_text("2 lamaran menunggu verifikasi")
    expect(page.locator("#desk-bps-magetan-mitra-2024")).to_have_count(0)
    desk.get_by_role("link", name="ditugaskan kepada Anda: 1").click()
    expect(page).to_have_url(re.compile(rf"/panitia/{ACEH}/verifikasi/\?"))
    queue = page.locator("#queue")
    expect(queue).to_contain_text(mine.number)
    expect(queue).not_to_contain_text(other.number)

    page.locator("#staff-menu summary").click()
    menu = page.locator("#staff-menu nav")
    expect(menu.get_by_role("link", name="Pemeringkatan")).to_have_count(0)
    menu.get_by_role("link", name="Beranda kerja").click()
    expect(page).to_have_url(re.compile(r"/panitia/$"))
    page.get_by_role("link", name="Akun saya").click()
    expect(page).to_have_url(re.compile(r"/panitia/$"))


def test_an_administrator_reaches_a_formation_quota_from_the_staff_menu(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    demo_load()
    sign_in(page, live_server.url, "admin.magetan")
    expect(page).to_have_url(re.compile(r"/panitia/$"))
    page.locator("#staff-menu summary").click()
    page.locator("#staff-menu nav").get_by_role("link", name="Formasi dan kuota").click()
    page.get_by_role("link", name="MGT24-MITRA").click()
    quota = page.get_by_label("Kuota")
    expect(quota).to_be_visible()
    quota.fill("25")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Formation.objects.get(code="MGT24-MITRA").quota == 25

    page.get_by_role("link", name="Ruang kerja panitia").click()
    expect(page).to_have_url(re.compile(r"/panitia/$"))
