"""The whole Aceh Tengah journey by clicking, from the home page to the replacement.

A new person registers, activates, completes the profile and applies for a Statistisi opening
on a phone; a demo applicant applies for a nurse opening on another phone; on a desktop the
verifier checks both (one MS, one TMS), the committee publishes, answers the objection,
publishes the result after objections, uploads the SKD and SKB score files, ranks, confirms,
records a withdrawal and confirms the replacement, which both the public page and the new
person's application show.

After each browser opens the home page nobody types an address: every page is reached by
clicking. Python only does what time or the outside world does: it loads the demo (with its
40 scored participants), opens the registration window today as `seleksi
demo-open-registration` does, reads the activation link from the e-mail, and moves the
publication four days back so that the objection period is over.

The new person's scores are chosen against the demo's fixed scores for formation
AT21-CPNS-T-0053 (quota 2, so 6 go to SKB): their SKD subtests equal those of the demo's
sixth, so both stay within the cut and nobody's SKB score is left outside it; their SKB
puts their final score (75.409) between the demo's second (75.644) and third (75.251), first
in line when a passed participant withdraws.
"""

import io
import re
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.applications.models import Application
from seleksi.scoring.demo import demo_scores_load
from seleksi.selections.demo import demo_load
from tests.applications.test_files import diploma_scan_pdf, ktp_scan, letter_pdf, pas_foto
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.steps import fill_registration, sign_in, sign_out

ACEH = "aceh-tengah-casn-2021"
TITLE = re.compile("Aceh Tengah")
STATISTISI = "AT21-CPNS-T-0053"
# Pelamar Uji Tiga in src/seleksi/accounts/data/registry_fixture.json: 26 years old at
# registration, under the CPNS limit of 35.
PERSON = {
    "full_name": "Pelamar Uji Tiga",
    "birth_date": "2000-02-29",
    "sex": "L",
    "nik": "1104052902000007",
    "kk": "1104051803210008",
}
EMAIL = "uji.tiga@contoh.invalid"
PASSWORD = "Kopi-Gayo-Takengon-21"
NURSE = "pelamar.kesehatan@demo.seleksi.invalid"
DESKTOP = {"width": 1280, "height": 800}
DOCUMENTS = {
    "ktp": ("ktp.jpg", ktp_scan),
    "pas-foto": ("foto.jpg", pas_foto),
    "surat-lamaran": ("lamaran.pdf", letter_pdf),
    "ijazah": ("ijazah.pdf", diploma_scan_pdf),
    "transkrip": ("transkrip.pdf", letter_pdf),
    "dokumen-pendukung": ("pendukung.pdf", letter_pdf),
}


def _context_page(
    browser: Browser, request: pytest.FixtureRequest, name: str, viewport: dict[str, int]
) -> Iterator[Page]:
    """Another person's browser; its screen is kept when the test fails, like `page`'s."""
    context = browser.new_context(locale="id-ID", viewport=viewport, accept_downloads=True)
    page = context.new_page()
    try:
        yield page
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            path = Path(tempfile.mkdtemp(prefix="seleksi-e2e-")) / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            print(f"Screenshot of {name} when the test failed: {path}")
    finally:
        context.close()


@pytest.fixture
def second_phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _context_page(browser, request, "second-phone", PHONE_VIEWPORT)


@pytest.fixture
def desk(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _context_page(browser, request, "desk", DESKTOP)


# Steps -----------------------------------------------------------------------------------


def register_and_activate(page: Page) -> None:
    page.locator(".account-nav").get_by_role("link", name="Daftar").click()
    fill_registration(page, PERSON, EMAIL, PASSWORD, phone="0852 6012 3456")
    page.get_by_role("button", name="Buat akun").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa email Anda")

    activation = [message for message in mail.outbox if message.to == [EMAIL]]
    assert len(activation) == 1
    link = re.search(r"https?://\S+/akun/aktivasi/\S+", activation[0].body)
    assert link is not None
    # The person opens the link in their mail: the one address not reached by clicking.
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Akun Anda sudah aktif")
    page.locator("main").get_by_role("link", name="Masuk").click()
    page.locator("[name=identifier]").fill(PERSON["nik"])
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Masuk").click()
    expect(page.locator("#profile-missing")).to_be_visible()


def complete_profile(page: Page) -> None:
    """From the dashboard the sign-in lands on, through the header's account link."""
    page.get_by_role("banner").get_by_role("link", name="Akun saya").click()
    page.get_by_role("link", name=re.compile("Ubah profil")).click()
    page.locator("[name=place_of_birth]").fill("Takengon")
    page.locator("[name=address]").fill("Jalan Lebe Kader No. 7, Takengon")
    page.locator("#id_domicile_regency_search").fill("aceh tengah")
    expect(page.locator("#id_domicile_regency option[value='1104']")).to_have_count(1)
    page.locator("#id_domicile_regency").select_option("1104")
    page.locator("main form").get_by_role("button", name="Simpan").click()

    page.get_by_role("link", name="Tambah data pendidikan").click()
    page.locator("[name=level]").select_option("S1")
    page.locator("[name=institution]").fill("Universitas Syiah Kuala")
    page.locator("[name=study_programme]").fill("Statistika")
    page.locator("[name=accreditation]").select_option("A")
    page.locator("[name=graduated_on]").fill("2022-08-30")
    page.locator("[name=ipk]").fill("3,41")  # typed as people write it here
    page.locator("main form").get_by_role("button", name="Simpan").click()
    expect(page.locator("#profile-complete")).to_be_visible()
    expect(page.locator("main")).to_contain_text("3,41")
    fits_the_phone(page)


def fits_the_phone(page: Page) -> None:
    """Nothing on the page makes it scroll sideways on the phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width == PHONE_VIEWPORT["width"], f"{page.url} is {width}px wide"


def open_selection(page: Page) -> None:
    page.locator(".brand").click()
    page.locator(".card", has_text=TITLE).get_by_role("link", name="Baca pengumuman").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aceh Tengah")


def apply_and_submit(
    page: Page, tmp_path: Path, *, position: str, email: str, formation: str = ""
) -> str:
    """From the announcement: choose the opening, start, upload every document, submit;
    returns the registration number the page shows."""
    page.locator("main").get_by_role("link", name="Lamar", exact=True).click()
    page.locator("#filter-panel > summary").click()  # folded on a phone
    page.get_by_label("Jabatan", exact=True).select_option(position)
    page.get_by_label("Jenis formasi", exact=True).select_option("umum")
    page.get_by_role("button", name="Saring").click()
    opening = page.locator(f"#formasi-{formation}" if formation else "li.eligible").first
    expect(opening).to_contain_text("Anda memenuhi syarat")
    opening.get_by_role("link", name="Lamar formasi ini").click()
    for box in page.locator("input[type=checkbox][name^=statement_]").all():
        box.check()
    page.get_by_role("button", name="Mulai lamaran").click()
    expect(page.locator("#application-status")).to_contain_text("Draf")

    for slot, (name, content) in DOCUMENTS.items():
        path = tmp_path / f"{email}-{name}"
        path.write_bytes(content())
        box = page.locator(f"#slot-{slot}")
        box.locator("input[type=file]").set_input_files(str(path))
        box.get_by_role("button", name="Unggah").click()
        expect(page.locator(f"#slot-{slot}")).to_contain_text(path.name)
    page.locator("[name=confirm]").check()
    page.get_by_role("button", name="Akhiri pendaftaran").click()
    expect(page.locator("#application-status")).to_contain_text("Pendaftaran diakhiri")
    number = page.locator("#application-number").inner_text().strip()
    fits_the_phone(page)
    assert any(message.to == [email] and number in message.body for message in mail.outbox), (
        "the confirmation of the submitted application is e-mailed"
    )
    return number


def open_own_application(page: Page, number: str) -> None:
    page.locator(".account-nav").get_by_role("link", name="Akun saya").click()
    page.locator("main").get_by_role("link", name=number).click()
    expect(page.locator("#application-number")).to_have_text(number)


def check_with_the_keys(page: Page, tms: dict[str, tuple[str, str]] | None = None) -> None:
    """Mark every requirement as the page's hint says: m (MS) or t (TMS, then the reason and a
    note) and j to the next. Verifiers work this way, and keys reach the page however busy
    its PDF previews keep the browser, where a click can land in a preview's frame."""
    tms = tms or {}
    items = page.locator("#checklist .check-item")
    expect(items.first).to_be_focused()  # the page starts on the first requirement
    for item in items.all():
        code = (item.get_attribute("id") or "").removeprefix("item-")
        if code in tms:
            reason, note = tms[code]
            page.keyboard.press("t")
            item.locator("select").select_option(reason)
            item.locator("input[type=text]").fill(note)
            page.keyboard.press("Escape")  # back to the requirement
        else:
            page.keyboard.press("m")
        expect(item.locator(f"input[value={'TMS' if code in tms else 'MS'}]")).to_be_checked()
        page.keyboard.press("j")


def upload_scores(page: Page, path: Path, test: str, content: str) -> None:
    path.write_text(content, encoding="utf-8")
    form = page.locator("#upload-scores")
    form.get_by_label("Tes").select_option(test)
    form.get_by_label("Berkas nilai (.csv)").set_input_files(str(path))
    form.get_by_role("button", name="Unggah nilai").click()
    rows = content.count("\n") - 1
    expect(page.locator(".messages")).to_contain_text(
        f"{rows} baris dibaca; {rows} nilai ditambahkan"
    )


def rank_and_confirm(page: Page, stage: str, note: str) -> None:
    page.locator("#start-run").get_by_label("Tahapan").select_option(stage)
    page.get_by_role("button", name="Jalankan pemeringkatan").click()
    page.get_by_label("Catatan konfirmasi").fill(note)
    page.get_by_role("button", name="Konfirmasi pemeringkatan ini").click()
    expect(page.locator("#confirm-ranking")).to_contain_text("tidak dapat dibatalkan")
    page.get_by_role("button", name="Ya, konfirmasi pemeringkatan ini").click()
    expect(page.locator("#confirmation")).to_contain_text("Dikonfirmasi oleh")


def ranking_row(page: Page, number: str) -> Locator:
    return page.locator("#ranking-rows tbody tr", has_text=number)


def outcome(page: Page, number: str) -> Locator:
    """The code of a participant's row in a ranking run: P/L, L, TL, …"""
    return ranking_row(page, number).locator("td strong")


# The journey -----------------------------------------------------------------------------


def test_the_aceh_tengah_journey_from_registration_to_replacement(
    live_server: LiveServer,
    page: Page,
    second_phone: Page,
    desk: Page,
    transactional_db: None,
    tmp_path: Path,
) -> None:
    demo_load()
    scores = demo_scores_load()
    assert scores.participants == 40, scores.skipped
    call_command("demo_open_registration", stdout=io.StringIO())
    home = live_server.url + "/"

    # 1. A new person registers and applies on a phone.
    page.goto(home)
    register_and_activate(page)
    complete_profile(page)
    open_selection(page)
    mine = apply_and_submit(
        page,
        tmp_path,
        position="Statistisi Ahli Pertama",
        formation=STATISTISI,
        email=EMAIL,
    )

    # 2. A demo applicant applies for a nurse opening on another phone.
    second_phone.goto(home)
    sign_in(second_phone, NURSE)
    open_selection(second_phone)
    nurse = apply_and_submit(
        second_phone,
        tmp_path,
        position="Perawat Terampil",
        email=NURSE,
    )
    assert Application.objects.filter(number__in=[mine, nurse], status="submitted").count() == 2

    # 3. The verifier checks both on a desktop: the new person MS, the nurse TMS.
    desk.goto(home)
    sign_in(desk, "verifikator.acehtengah")
    expect(desk).to_have_url(re.compile(r"/panitia/$"))
    workspace = desk.locator(f"#desk-{ACEH}")
    expect(workspace).to_contain_text("2 lamaran menunggu verifikasi")
    workspace.get_by_role("link", name="belum ditugaskan: 2").click()
    desk.locator("#queue").get_by_role("link", name=mine).click()
    desk.get_by_role("button", name="Ambil untuk diperiksa").click()
    check_with_the_keys(desk)
    desk.keyboard.press("s")  # save and take the next application
    expect(desk.get_by_role("heading", level=1)).to_contain_text(nurse)
    check_with_the_keys(
        desk, tms={"ijazah": ("str-tidak-berlaku", "STR berakhir sebelum pendaftaran")}
    )
    desk.get_by_role("button", name="Simpan", exact=True).press("Enter")
    expect(desk.locator(".messages")).to_contain_text(f"Hasil verifikasi {nurse} telah disimpan")
    expect(desk.locator("#to-check")).to_contain_text("diumumkan: 0.")
    sign_out(desk)

    # 4. The committee publishes; the new person finds their number on the public page.
    sign_in(desk, "panitia.acehtengah")
    desk.locator(f"#desk-{ACEH}").get_by_role("link", name="Antrean verifikasi").click()
    desk.get_by_role("button", name="Umumkan hasil seleksi administrasi").click()
    expect(desk.locator("#publish-summary")).to_contain_text("41 MS, 1 TMS")
    desk.get_by_role("button", name="Ya, umumkan").click()
    expect(desk.locator(".messages")).to_contain_text("41 MS, 1 TMS")

    open_selection(page)
    page.locator("#link-results").click()
    page.get_by_role("textbox", name="Nomor pendaftaran").fill(mine)
    page.get_by_role("button", name="Cari").click()
    expect(page.locator("#search-answer")).to_contain_text(f"Nomor {mine} tercantum")
    page.get_by_role("textbox", name="Nomor pendaftaran").fill(nurse)
    page.get_by_role("button", name="Cari").click()
    expect(page.locator("#search-answer")).to_contain_text("tidak tercantum")
    fits_the_phone(page)

    # 5. The nurse objects with evidence; the committee accepts; after the objection period
    # the committee publishes the result after objections and the nurse reads MS.
    open_own_application(second_phone, nurse)
    result = second_phone.locator("#administrative-result")
    expect(result).to_contain_text("STR tidak berlaku")
    evidence = tmp_path / "str-baru.pdf"
    evidence.write_bytes(letter_pdf())
    second_phone.get_by_label("Mengapa hasil ini tidak tepat?").fill(
        "STR saya masih berlaku sampai 31 Desember 2027; salinan STR terbaru terlampir."
    )
    second_phone.locator("#objection-evidence").set_input_files(str(evidence))
    second_phone.get_by_role("button", name="Ajukan sanggahan").click()
    expect(result).to_contain_text("menunggu jawaban panitia")

    desk.locator(".brand").click()  # back to the portal, then to the workspace
    desk.locator(".account-nav").get_by_role("link", name="Akun saya").click()
    desk.locator(f"#desk-{ACEH} .desk-objections").get_by_role("link", name=nurse).click()
    evidence_link = desk.locator("#evidence").get_by_role("link", name="str-baru.pdf")
    with (
        desk.expect_popup() as tab,
        desk.context.expect_event(
            "response", lambda response: "/panitia/sanggah/bukti/" in response.url
        ) as opened,
    ):
        evidence_link.click()  # the committee reads the evidence before answering
    assert opened.value.status == 200
    assert opened.value.headers["content-type"] == "application/pdf"
    tab.value.close()
    desk.get_by_label("Terima: lamaran menjadi MS").check()
    desk.get_by_label("Jawaban yang akan dibaca pelamar").fill(
        "STR yang diunggah berlaku; kesalahan pemeriksaan panitia."
    )
    desk.get_by_role("button", name="Simpan jawaban").click()
    expect(desk.locator(".messages")).to_contain_text("Jawaban telah disimpan")

    open_own_application(second_phone, nurse)
    expect(second_phone.locator("#objection-outcome")).to_contain_text("Sanggahan Anda diterima")

    # Four days later the objection period is over (moved in the database, not waited for).
    Application.objects.filter(selection__code=ACEH).update(
        published_at=timezone.now() - timedelta(days=4)
    )
    desk.locator("#staff-menu summary").click()
    desk.locator("#staff-menu nav").get_by_role("link", name="Antrean verifikasi").click()
    desk.get_by_role("button", name="Umumkan hasil setelah masa sanggah").click()
    desk.get_by_role("button", name="Ya, umumkan").click()
    expect(desk.locator(".messages .alert-success")).to_be_visible()

    open_own_application(second_phone, nurse)
    fits_the_phone(second_phone)
    expect(second_phone.locator("#administrative-result")).to_contain_text("MS")
    expect(second_phone.locator("#administrative-result")).not_to_contain_text("TMS")

    # 6. Ranking: the committee uploads the SKD file, ranks and confirms, uploads the SKB
    # file, ranks the final stage and confirms, records a withdrawal and confirms the
    # replacement the engine proposes: the new person.
    desk.locator("#staff-menu summary").click()
    desk.locator("#staff-menu nav").get_by_role("link", name="Beranda kerja").click()
    desk.locator(f"#desk-{ACEH} .desk-links").get_by_role("link", name="Pemeringkatan").click()
    upload_scores(
        desk,
        tmp_path / "nilai-skd.csv",
        "skd",
        f"nomor_peserta,kehadiran,twk,tiu,tkp\n{mine},H,120,100,194\n{nurse},H,100,100,180\n",
    )
    rank_and_confirm(desk, "skd", "Ambang batas dan nilai seri telah diperiksa panitia.")
    expect(outcome(desk, mine)).to_have_text("P/L")

    desk.get_by_role("navigation", name="Jejak navigasi").get_by_role(
        "link", name="Pemeringkatan"
    ).click()
    upload_scores(
        desk,
        tmp_path / "nilai-skb.csv",
        "skb",
        f"nomor_peserta,kehadiran,skb\n{mine},H,75.5\n{nurse},H,80\n",
    )
    rank_and_confirm(desk, "akhir", "Nilai akhir dan penempatan optimalisasi telah diperiksa.")
    expect(ranking_row(desk, mine)).to_contain_text("75,409")
    expect(outcome(desk, mine)).to_have_text("TL")  # third for a quota of two
    expect(outcome(desk, nurse)).to_have_text("L")
    desk.get_by_label("Formasi").select_option(STATISTISI)
    desk.get_by_role("button", name="Saring").click()
    first = desk.locator("#ranking-rows tbody tr:not(.group)").first
    expect(first.locator("td strong")).to_have_text("L")
    leaving = first.locator("td").first.inner_text().strip()
    assert leaving != mine

    desk.get_by_role("link", name="Pengunduran diri dan penggantian").click()
    desk.get_by_label("Nomor peserta").fill(leaving)
    desk.get_by_label("Alasan").select_option("APS")
    desk.get_by_label("Catatan").fill("Surat pengunduran diri peserta tertanggal 1 Desember")
    desk.get_by_role("button", name="Catat dan usulkan pengganti").click()
    proposal = desk.locator("#withdrawal-1")
    expect(proposal).to_contain_text(mine)
    expect(proposal).to_contain_text("Menunggu konfirmasi")
    desk.locator("#decide-form").get_by_label("Catatan").fill("Sesuai berita acara panitia")
    desk.get_by_role("button", name="Konfirmasi dan umumkan").click()
    expect(desk.locator("#confirm-decision")).to_contain_text(leaving)
    desk.get_by_role("button", name="Ya, konfirmasi dan umumkan").click()
    expect(proposal).to_contain_text("Dikonfirmasi oleh")

    # The public announcement and the new person's application show the replacement.
    open_selection(page)
    page.get_by_role("link", name="Pengumuman penggantian").click()
    replacement = page.locator("#replacements tbody tr")
    expect(replacement).to_have_count(1)
    expect(replacement).to_contain_text(leaving)
    expect(replacement).to_contain_text(mine)
    fits_the_phone(page)
    open_own_application(page, mine)
    expect(page.locator("#final-result-changes")).to_contain_text(
        f"Anda lulus sebagai pengganti di formasi {STATISTISI}"
    )
    fits_the_phone(page)
