"""A demo applicant applies in the browser: qualifies for one opening, is refused another
with the reason, uploads every document, submits and downloads the resume; another person
cannot open the documents."""

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.applications.models import Application, Document
from tests.applications.test_files import diploma_scan_pdf, ktp_scan, letter_pdf, pas_foto
from tests.e2e.steps import demo_with_registration_open, sign_in_at

ACEH = "aceh-tengah-casn-2021"
PHONE_HEIGHT = 740


def sign_in(page: Page, base: str, email: str) -> None:
    sign_in_at(page, base, email)
    expect(page).to_have_url(re.compile(r"/dasbor/$"))


def test_a_demo_applicant_applies_uploads_submits_and_prints(
    live_server: LiveServer, page: Page, browser: Browser, transactional_db: None, tmp_path: Path
) -> None:
    demo_with_registration_open(ACEH)
    base = live_server.url
    sign_in(page, base, "pelamar.teknis@demo.seleksi.invalid")

    page.goto(base + f"/seleksi/{ACEH}/")
    page.get_by_role("link", name="Lamar", exact=True).click()
    # On a phone the filter is folded, so the first opening shows on the first screen.
    expect(page.locator("#filter-panel")).not_to_have_attribute("open", "")
    first_opening = page.locator(".eligibility-list > li").first.bounding_box()
    assert first_opening is not None and first_opening["y"] < PHONE_HEIGHT
    page.locator("#filter-panel > summary").click()
    page.get_by_label("Jabatan", exact=True).select_option("Perawat Terampil")
    page.get_by_role("button", name="Saring").click()
    refused = page.locator("li.not-eligible").first
    expect(refused).to_contain_text("tidak termasuk kualifikasi")
    expect(page.get_by_role("link", name="Lamar formasi ini")).to_have_count(0)

    expect(page.locator("#filter-panel > summary")).to_have_text("Saring (1 aktif)")
    page.locator("#filter-panel > summary").click()
    page.get_by_label("Jabatan", exact=True).select_option("Pranata Komputer Ahli Pertama")
    page.get_by_label("Jenis formasi", exact=True).select_option("umum")
    page.get_by_role("button", name="Saring").click()
    page.locator("li.eligible").first.get_by_role("link", name="Lamar formasi ini").click()
    for box in page.locator("input[type=checkbox][name^=statement_]").all():
        box.check()
    page.get_by_role("button", name="Mulai lamaran").click()
    expect(page.locator("#application-status")).to_contain_text("Draf")

    files = {
        "ktp": ("ktp.jpg", ktp_scan()),
        "pas-foto": ("foto.jpg", pas_foto()),
        "surat-lamaran": ("lamaran.pdf", letter_pdf()),
        "ijazah": ("ijazah.pdf", diploma_scan_pdf()),
        "transkrip": ("transkrip.pdf", letter_pdf()),
        "dokumen-pendukung": ("pendukung.pdf", letter_pdf()),
    }
    for slot, (name, content) in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        slot_box = page.locator(f"#slot-{slot}")
        slot_box.locator("input[type=file]").set_input_files(str(path))
        slot_box.get_by_role("button", name="Unggah").click()
        expect(page.locator(f"#slot-{slot}")).to_contain_text(name)

    page.locator("[name=confirm]").check()
    page.get_by_role("button", name="Akhiri pendaftaran").click()
    expect(page.locator("#application-status")).to_contain_text("Pendaftaran diakhiri")

    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh resume pendaftaran (PDF)").click()
    pdf = tmp_path / "resume.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    application = Application.objects.get()
    document = Document.objects.filter(application=application).first()
    assert application.status == "submitted" and document is not None
    other = browser.new_context(locale="id-ID")
    intruder = other.new_page()
    try:
        sign_in(intruder, base, "pelamar.guru@demo.seleksi.invalid")
        response = intruder.goto(base + f"/dokumen/{document.pk}/")
        assert response is not None and response.status in {403, 404}
        response = intruder.goto(base + f"/lamaran/{application.number}/")
        assert response is not None and response.status in {403, 404}
    finally:
        other.close()
