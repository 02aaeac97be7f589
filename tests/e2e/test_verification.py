"""Administrative selection in the browser: a verifier checks two applications (one MS, one
TMS with a reason), the committee publishes, the TMS applicant objects with evidence, the
committee accepts, and the applicant sees MS and the whole history."""

import re
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from seleksi.applications import services as applications
from seleksi.applications.models import Application
from seleksi.selections.models import Formation
from tests.applications.test_files import letter_pdf
from tests.e2e.steps import demo_with_registration_open, sign_in_at

ACEH = "aceh-tengah-casn-2021"
STATEMENTS = ["not_asn", "no_conviction", "not_in_party", "willing_10_years"]


def submitted(email: str, position: str) -> Application:
    user = User.objects.get(email=email)
    formation = Formation.objects.filter(
        selection__code=ACEH, position=position, formation_type="umum"
    ).order_by("code")[0]
    application = applications.application_start(
        user=user, formation=formation, statements=STATEMENTS
    )
    Application.objects.filter(pk=application.pk).update(
        status=Application.Status.SUBMITTED, submitted_at=timezone.now()
    )
    return Application.objects.get(pk=application.pk)


def sign_in(page: Page, base: str, identifier: str) -> None:
    page.context.clear_cookies()
    sign_in_at(page, base, identifier)
    expect(page).to_have_url(re.compile(r"/dasbor/$|/panitia/$"))  # staff: the workspace


def mark_all(page: Page, mark: str) -> None:
    for radio in page.locator(f"#checklist input[type=radio][value={mark}]").all():
        radio.check()


def test_verify_publish_object_accept_and_see_the_history(
    live_server: LiveServer, page: Page, transactional_db: None, tmp_path: Path
) -> None:
    demo_with_registration_open(ACEH)
    first = submitted("pelamar.teknis@demo.seleksi.invalid", "Pranata Komputer Ahli Pertama")
    second = submitted("pelamar.kesehatan@demo.seleksi.invalid", "Perawat Terampil")
    base = live_server.url

    sign_in(page, base, "verifikator.acehtengah")
    page.goto(base + f"/panitia/{ACEH}/verifikasi/")
    page.locator("#queue").get_by_role("link", name=first.number).click()
    expect(page.locator("#checklist")).to_have_count(0)  # opening the page takes nothing
    page.locator("#take").click()
    expect(page.locator("#checklist")).to_be_visible()
    mark_all(page, "MS")
    page.locator("#save-next").click()
    expect(page).to_have_url(re.compile(rf"/panitia/lamaran/{second.number}/periksa/$"))
    mark_all(page, "MS")  # "save and next" took the next application to check
    page.locator("input[name=mark_ijazah][value=TMS]").check()
    page.locator("select[name=reason_ijazah]").select_option("str-tidak-berlaku")
    page.locator("input[name=note_ijazah]").fill("STR berakhir sebelum pendaftaran")
    page.locator("#checklist button[type=submit]:not(#save-next)").click()
    assert Application.objects.get(pk=second.pk).admin_result == "TMS"

    sign_in(page, base, "panitia.acehtengah")
    page.goto(base + f"/panitia/{ACEH}/verifikasi/")
    page.locator("button[name=action][value=publish]").click()
    expect(page.locator("#publish-confirm")).to_contain_text("2 lamaran akan diumumkan")
    page.locator("#confirm-publish").click()  # publishing asks first
    expect(page.locator(".messages")).to_contain_text("1 MS, 1 TMS")
    public = page.goto(base + f"/seleksi/{ACEH}/hasil-administrasi/")
    assert public is not None and public.status == 200
    expect(page.locator("#results")).to_contain_text(first.number)
    expect(page.locator("#results")).not_to_contain_text(second.number)

    sign_in(page, base, "pelamar.kesehatan@demo.seleksi.invalid")
    page.goto(base + f"/lamaran/{second.number}/")
    expect(page.locator("#administrative-result")).to_contain_text("STR tidak berlaku")
    evidence = tmp_path / "str-baru.pdf"
    evidence.write_bytes(letter_pdf())
    page.locator("#objection-reason").fill(
        "STR saya masih berlaku sampai 31 Desember 2026; lihat salinan STR terlampir."
    )
    page.locator("#objection-evidence").set_input_files(str(evidence))
    page.locator("#objection-form button[type=submit]").click()
    expect(page.locator("#administrative-result")).not_to_contain_text("STR saya masih")
    assert Application.objects.get(pk=second.pk).admin_stage == "objected"

    sign_in(page, base, "panitia.acehtengah")
    page.goto(base + f"/panitia/{ACEH}/verifikasi/")
    page.locator("#objections").get_by_role("link", name=second.number).click()
    page.locator("input[name=decision][value=accept]").check()
    page.locator("#answer").fill("STR yang diunggah berlaku; kesalahan pemeriksaan panitia.")
    page.locator("main form button[type=submit]").click()
    page.locator("button[name=action][value=publish_after_objections]").click()
    page.locator("#confirm-publish").click()  # the objection period is still running: refused
    expect(page.locator(".messages .alert-error")).to_be_visible()
    # Four days later the period is over (moved in the database instead of waiting).
    Application.objects.filter(selection__code=ACEH).update(
        published_at=timezone.now() - timedelta(days=4)
    )
    page.locator("button[name=action][value=publish_after_objections]").click()
    page.locator("#confirm-publish").click()
    expect(page.locator(".messages .alert-success")).to_be_visible()

    sign_in(page, base, "pelamar.kesehatan@demo.seleksi.invalid")
    page.goto(base + f"/lamaran/{second.number}/")
    expect(page.locator("#administrative-result")).to_contain_text("MS")
    expect(page.locator("#administrative-result")).to_contain_text("kesalahan pemeriksaan")
    history = page.locator("#timeline li")
    expect(history).to_have_count(6)  # started, verified, published, objected, accepted, final
    expect(page.locator("#timeline")).not_to_contain_text("verifikator.acehtengah")
    expect(page.locator("#timeline")).to_contain_text("verifikator")  # the role, not the name
    expect(page.locator("#timeline")).to_contain_text("panitia")
