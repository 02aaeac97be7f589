"""The Magetan mitra recruitment from the home page to a confirmed ranking, by clicking only.

A new person registers e-mail first, activates the account from the e-mail, completes the
profile, adds the NIK when the openings ask for it, applies with the three documents the
announcement asks for and submits; the demo mitra applicant applies too. The verifier checks
both, the committee publishes the administrative result, the administrator gives the pool its
quota, the committee uploads the competence test's scores, ranks the pool and confirms the run.

After the home page no address is typed: every page is reached by a link or a button, but for
the activation link, which a person opens from their mailbox. Set in Python beforehand is only
what time gives: the demo, and registration open today. The criteria table of the openings is
also checked to fit a phone's screen."""

import io
import re
from datetime import timedelta
from pathlib import Path

from django.core import mail
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.applications.models import Application
from seleksi.scoring.models import RankingRun
from seleksi.selections.demo import DEMO_PASSWORD, demo_load
from seleksi.selections.models import Formation, Stage
from tests.applications.test_files import diploma_scan_pdf, ktp_scan, pas_foto
from tests.e2e.steps import sign_in, sign_out

MAGETAN = "bps-magetan-mitra-2024"
TITLE = "Rekrutmen Calon Mitra Statistik BPS Kabupaten Magetan Tahun 2024"
POOL = "MGT24-MITRA"
MITRA = "pelamar.mitra@demo.seleksi.invalid"
NEW = "uji.satu@contoh.invalid"
NEW_PASSWORD = "Sawah-Magetan-2024"
# An identity of the demo population registry that no demo account uses.
SATU = {
    "full_name": "Pelamar Uji Satu",
    "birth_date": "1993-11-02",
    "sex": "L",
    "nik": "3520050211930004",
    "kk": "3520050510160002",
}
STAFF = {"width": 1280, "height": 800}


def open_registration() -> None:
    """What time gives: Magetan's registration open today, as `seleksi
    demo-open-registration` does it."""
    today = timezone.localdate()
    Stage.objects.filter(selection__code=MAGETAN, kind=Stage.Kind.REGISTRATION).update(
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=29)
    )


def diploma_photo() -> bytes:
    """An ijazah photographed with a phone: Magetan asks for a JPEG, not a PDF."""
    image = Image.new("RGB", (1240, 1754), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 1180, 1694), outline=(120, 90, 30), width=12)
    draw.text((480, 300), "IJAZAH\nSEKOLAH MENENGAH ATAS", fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def upload(page: Page, slot: str, path: Path, *, refused: str = "") -> None:
    """Choose the file in the slot and send it; wait for the page that answers."""
    box = page.locator(f"#slot-{slot}")
    box.locator("input[type=file]").set_input_files(str(path))
    box.get_by_role("button", name="Unggah").click()
    if refused:
        # The answer stands in the slot itself, far below the top of the page on a phone.
        expect(box.locator(".alert-error")).to_contain_text(refused)
        expect(box).to_contain_text("Belum diunggah")
    else:
        expect(page.locator(f"#slot-{slot}")).to_contain_text(path.name)


def register_and_apply(page: Page, tmp_path: Path) -> str:
    """A new person: registration without a NIK, activation, profile, NIK, application."""
    page.get_by_role("banner").get_by_role("link", name="Daftar").click()
    page.locator("[name=full_name]").fill(SATU["full_name"])
    page.locator("[name=birth_date]").fill(SATU["birth_date"])
    page.locator(f"[name=sex][value={SATU['sex']}]").check()
    page.locator("[name=mitra_only]").check()
    page.locator("[name=email]").fill(NEW)
    page.locator("[name=phone]").fill("0857 3300 1122")
    page.locator("[name=password1]").fill(NEW_PASSWORD)
    page.locator("[name=password2]").fill(NEW_PASSWORD)
    page.locator("[name=question_1]").select_option("mother")
    page.locator("[name=answer_1]").fill("Sri Wahyuni")
    page.locator("[name=question_2]").select_option("first_teacher")
    page.locator("[name=answer_2]").fill("Bu Sulastri")
    page.locator("[name=consent]").check()
    page.get_by_role("button", name="Buat akun").click()
    expect(page).to_have_url(re.compile(r"/akun/daftar/selesai/$"))

    # The person opens the activation link from their mailbox: the one address not clicked
    # on the portal itself.
    assert [message.to for message in mail.outbox] == [[NEW]]
    link = re.search(r"https?://\S+/akun/aktivasi/\S+", mail.outbox[0].body)
    assert link is not None
    page.goto(link.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Akun Anda sudah aktif")
    page.locator("main").get_by_role("link", name="Masuk").click()
    page.locator("[name=identifier]").fill(NEW)
    page.locator("[name=password]").fill(NEW_PASSWORD)
    page.locator("main").get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/dasbor/$"))
    page.get_by_role("banner").get_by_role("link", name="Akun saya").click()

    page.get_by_role("link", name=re.compile("Ubah profil")).click()
    page.locator("[name=place_of_birth]").fill("Magetan")
    page.locator("[name=address]").fill("Jalan Diponegoro No. 7, Maospati")
    page.locator("#id_domicile_regency_search").fill("magetan")
    expect(page.locator("#id_domicile_regency option[value='3520']")).to_have_count(1)
    page.locator("#id_domicile_regency").select_option("3520")
    page.locator("[name=survey_experience]").fill("Pencacah Sensus Pertanian 2023")
    page.locator("[name=has_smartphone]").check()
    page.locator("[name=has_motorcycle]").check()
    page.locator("main form").get_by_role("button", name="Simpan").click()
    page.get_by_role("link", name="Tambah data pendidikan").click()
    page.locator("[name=level]").select_option(label="SMA/SMK/sederajat")
    page.locator("[name=institution]").fill("SMA Negeri 1 Magetan")
    page.locator("[name=study_programme]").fill("IPS")
    page.locator("[name=accreditation]").select_option("A")
    page.locator("[name=graduated_on]").fill("2011-06-15")
    page.locator("main form").get_by_role("button", name="Simpan").click()
    missing = page.locator("#profile-missing li")  # all but the NIK, added when applying
    expect(missing).to_have_count(1)
    expect(missing).to_contain_text("NIK")

    page.get_by_role("banner").get_by_role("link", name="Seleksi", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    page.locator("main").get_by_role("link", name="Lamar", exact=True).click()
    fixes = page.locator("#start-fixes")
    expect(fixes).to_contain_text("NIK")
    fixes.get_by_role("link").click()
    expect(page.locator("input[name=birth_date]")).to_have_value(SATU["birth_date"])
    expect(page.locator("input[name=full_name]")).to_have_value(SATU["full_name"])
    page.locator("[name=nik]").fill(SATU["nik"])
    page.locator("[name=kk]").fill(SATU["kk"])
    page.locator("main").get_by_role("button", name="Simpan").click()
    expect(page).to_have_url(re.compile(rf"/seleksi/{MAGETAN}/melamar/$"))
    expect(page.locator("#start-fixes")).to_have_count(0)

    pool = page.locator(f"#formasi-{POOL}")
    pool.locator("details.preferences summary").click()
    expect(pool.locator("tr[data-preference]")).to_have_count(6)
    pool.get_by_role("link", name="Lamar formasi ini").click()
    page.locator("input[name=statement_not_asn]").check()
    page.get_by_role("button", name="Mulai lamaran").click()
    expect(page.locator("#application-status")).to_contain_text("Draf")
    preferences = page.locator("#preferences")
    expect(preferences.locator("tr[data-preference=domicile]")).to_contain_text("Kabupaten Magetan")

    files = {"ktp.jpg": ktp_scan(), "foto.jpg": pas_foto(), "ijazah.pdf": diploma_scan_pdf()}
    files["ijazah.jpg"] = diploma_photo()
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    upload(page, "ktp", tmp_path / "ktp.jpg")
    upload(page, "foto", tmp_path / "foto.jpg")
    # The scanned PDF most people have is refused: Magetan asks for a photo of the ijazah.
    upload(page, "ijazah", tmp_path / "ijazah.pdf", refused="berformat PDF, bukan JPEG")
    upload(page, "ijazah", tmp_path / "ijazah.jpg")

    page.locator("[name=confirm]").check()
    page.get_by_role("button", name="Akhiri pendaftaran").click()
    expect(page.locator("#application-status")).to_contain_text("Pendaftaran diakhiri")
    number = page.locator("#application-number").inner_text()
    sign_out(page)
    return number


def demo_mitra_applies(page: Page, tmp_path: Path) -> str:
    """The demo mitra applicant already has a NIK and a complete profile."""
    sign_in(page, MITRA, DEMO_PASSWORD)
    page.get_by_role("banner").get_by_role("link", name="Seleksi", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    page.locator("main").get_by_role("link", name="Lamar", exact=True).click()
    expect(page.locator("#start-fixes")).to_have_count(0)
    page.locator(f"#formasi-{POOL}").get_by_role("link", name="Lamar formasi ini").click()
    page.locator("input[name=statement_not_asn]").check()
    page.get_by_role("button", name="Mulai lamaran").click()
    expect(page.locator("#application-status")).to_contain_text("Draf")
    upload(page, "ktp", tmp_path / "ktp.jpg")
    upload(page, "foto", tmp_path / "foto.jpg")
    upload(page, "ijazah", tmp_path / "ijazah.jpg")
    page.locator("[name=confirm]").check()
    page.get_by_role("button", name="Akhiri pendaftaran").click()
    expect(page.locator("#application-status")).to_contain_text("Pendaftaran diakhiri")
    number = page.locator("#application-number").inner_text()
    sign_out(page)
    return number


def without_previews(route: Route) -> None:
    if route.request.resource_type == "image":
        route.abort()
    else:
        route.continue_()


def check(staff: Page, number: str) -> None:
    """From the queue: open the application, take it, open its KTP, mark every item MS, save."""
    staff.locator("#queue").get_by_role("link", name=number).click()
    staff.locator("#take").click()
    expect(staff.locator("#checklist")).to_be_visible()
    with staff.context.expect_page() as opened:
        staff.locator("#item-ktp").get_by_role("link", name="Buka di tab baru").click()
    document = opened.value
    document.wait_for_load_state()
    assert document.evaluate("document.contentType") == "image/jpeg"
    document.close()
    identity = staff.locator("#identity")
    expect(identity.locator("#survey-experience")).to_contain_text("Pencacah Sensus Pertanian")
    expect(identity).not_to_contain_text("STR")  # asked of health workers, not of a mitra
    reasons = staff.locator("#reason_ktp")
    expect(reasons).to_contain_text("KTP tidak terbaca atau tidak sesuai dengan data pendaftar")
    expect(reasons).not_to_contain_text("STR")
    for radio in staff.locator("#checklist input[type=radio][value=MS]").all():
        radio.check()
    staff.locator("#save").click()
    expect(staff.locator(".messages")).to_contain_text(f"Hasil verifikasi {number} telah disimpan")


def verify_both(staff: Page, first: str, second: str) -> None:
    sign_in(staff, "verifikator.magetan", DEMO_PASSWORD)
    expect(staff).to_have_url(re.compile(r"/panitia/$"))
    desk = staff.locator(f"#desk-{MAGETAN}")
    expect(desk).to_contain_text("2 lamaran menunggu verifikasi")
    desk.get_by_role("link", name="belum ditugaskan: 2").click()
    check(staff, first)
    check(staff, second)
    expect(staff.locator("#to-check")).to_contain_text(re.compile(r"diumumkan: 0\."))
    sign_out(staff)


def publish(staff: Page) -> None:
    sign_in(staff, "panitia.magetan", DEMO_PASSWORD)
    staff.locator(f"#desk-{MAGETAN}").get_by_role("link", name="Antrean verifikasi").click()
    staff.locator("button[name=action][value=publish]").click()
    expect(staff.locator("#publish-confirm")).to_contain_text("2 lamaran akan diumumkan: 2 MS")
    staff.locator("#confirm-publish").click()  # nothing is published before this second step
    expect(staff.locator(".messages")).to_contain_text("2 MS, 0 TMS")
    sign_out(staff)


def set_quota(staff: Page) -> None:
    """The administrator follows the ranking page's link into the console."""
    sign_in(staff, "admin.magetan", DEMO_PASSWORD)
    staff.locator(f"#desk-{MAGETAN}").get_by_role("link", name="Pemeringkatan").click()
    expect(staff.locator("#no-quota")).to_contain_text(POOL)
    staff.locator("#no-quota a.quota-link").click()
    staff.get_by_label("Kuota").fill("1")
    staff.locator("input[name=_save]").click()
    expect(staff.locator(".messagelist")).to_be_visible()
    staff.get_by_role("link", name="Ruang kerja panitia").click()
    sign_out(staff)


def upload_scores(staff: Page, path: Path) -> None:
    form = staff.locator("#upload-scores")
    form.locator("select[name=scores-stage]").select_option(label="Tes kompetensi mitra")
    form.locator("input[name=scores-file]").set_input_files(str(path))
    form.get_by_role("button", name="Unggah nilai").click()


def rank_and_confirm(staff: Page, first: str, second: str, tmp_path: Path) -> None:
    # The competence test's results as the outside CAT exports them: the first file has a
    # decimal comma and a number nobody holds, the second is right (the demo mitra has a
    # rating of earlier survey work).
    bad, good = tmp_path / "nilai-salah.csv", tmp_path / "nilai.csv"
    bad.write_text(
        f'nomor_peserta,kehadiran,nilai_tes\n{first},H,"81,5"\nMGT-0000,H,70\n{second},H,75\n',
        encoding="utf-8",
    )
    good.write_text(
        f"nomor_peserta,kehadiran,nilai_tes,nilai_kinerja\n{first},H,81.5,\n{second},H,75.25,8\n",
        encoding="utf-8",
    )
    sign_in(staff, "panitia.magetan", DEMO_PASSWORD)
    staff.locator(f"#desk-{MAGETAN}").get_by_role("link", name="Pemeringkatan").click()
    expect(staff.locator("#no-quota")).to_have_count(0)
    upload_scores(staff, bad)
    errors = staff.locator("#upload-errors")
    expect(errors).to_contain_text("2 kesalahan; tidak ada nilai yang disimpan")
    expect(errors).to_contain_text("baris 2, kolom nilai_tes: “81,5” bukan bilangan")
    expect(errors).to_contain_text("baris 3, kolom nomor_peserta: “MGT-0000” tidak terdaftar")
    upload_scores(staff, good)
    expect(staff.locator(".messages")).to_contain_text("2 baris dibaca; 2 nilai ditambahkan")

    staff.locator("#start-run select[name=stage]").select_option(label="Pemeringkatan mitra")
    staff.get_by_role("button", name="Jalankan pemeringkatan").click()
    expect(staff).to_have_url(re.compile(r"/panitia/peringkat/\d+/$"))
    rows = staff.locator("#ranking-rows tbody tr:not(.group)")
    expect(rows).to_have_count(2)
    # 75,25 + 50 criteria points + 16 for a rating of 8 beats 81,5 + 50.
    expect(rows.nth(0)).to_contain_text(second)
    expect(rows.nth(0).locator("td")).to_contain_text(
        [second, "", POOL, "75,250", "66,000", "141,250", "1", "L"]
    )
    expect(rows.nth(1).locator("td")).to_contain_text(
        [first, "", POOL, "81,500", "50,000", "131,500", "2", "TL"]
    )
    expect(staff.locator("#added-points")).to_be_visible()  # the rating is among the points
    legend = staff.locator("#result-codes")
    expect(legend).to_contain_text("lulus")
    expect(legend).to_contain_text("peringkat di luar kuota")

    staff.locator("#confirm-form textarea[name=note]").fill(
        "Nilai tes kompetensi dan poin kriteria diperiksa panitia."
    )
    staff.get_by_role("button", name="Konfirmasi pemeringkatan ini").click()
    expect(staff.locator("#confirm-ranking")).to_contain_text("tidak dapat dibatalkan")
    staff.locator("#confirm-ranking-form button[type=submit]").click()  # the second step
    expect(staff.locator("#confirmation")).to_contain_text("Dikonfirmasi oleh")


def test_a_mitra_recruitment_from_registration_to_a_confirmed_ranking(
    live_server: LiveServer, page: Page, browser: Browser, transactional_db: None, tmp_path: Path
) -> None:
    demo_load()
    open_registration()

    page.goto(live_server.url + "/")
    first = register_and_apply(page, tmp_path)
    second = demo_mitra_applies(page, tmp_path)

    staff_context = browser.new_context(locale="id-ID", viewport=STAFF)
    # The test server shares one SQLite connection between its threads, and the review page's
    # previews would load side by side; the verifier opens each document in its own tab.
    staff_context.route(re.compile(r"/dokumen/\d+/$"), without_previews)
    try:
        staff = staff_context.new_page()
        staff.goto(live_server.url + "/")
        verify_both(staff, first, second)
        publish(staff)

        sign_in(page, NEW, NEW_PASSWORD)
        page.get_by_role("link", name=first).click()
        expect(page.locator("#administrative-result")).to_contain_text("Anda memenuhi syarat")
        sign_out(page)

        set_quota(staff)
        rank_and_confirm(staff, first, second, tmp_path)
    finally:
        staff_context.close()

    assert Formation.objects.get(selection__code=MAGETAN, code=POOL).quota == 1
    run = RankingRun.objects.get(selection__code=MAGETAN)
    assert run.confirmed_at is not None and run.confirmed_by.username == "panitia.magetan"
    assert set(
        Application.objects.filter(selection__code=MAGETAN).values_list("number", flat=True)
    ) == {first, second}


def test_the_preferred_criteria_fit_a_phone_screen_without_scrolling_sideways(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    demo_load()
    open_registration()
    page.goto(live_server.url + "/")
    sign_in(page, MITRA, DEMO_PASSWORD)
    page.get_by_role("banner").get_by_role("link", name="Seleksi", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    page.locator("main").get_by_role("link", name="Lamar", exact=True).click()
    pool = page.locator(f"#formasi-{POOL}")
    pool.locator("details.preferences summary").click()
    table = pool.locator(".table-scroll")
    expect(table).to_contain_text("SMA/SMK/sederajat")  # one long word in a narrow column
    assert table.evaluate("box => box.scrollWidth <= box.clientWidth")
