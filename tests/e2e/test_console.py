"""An agency administrator imports the formation allocation in the console."""

from pathlib import Path

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.selections.demo import DEMO_PASSWORD, demo_load
from seleksi.selections.models import Formation, Selection
from seleksi.selections.selectors import formation_export_rows
from seleksi.selections.tables import write_csv


def test_an_agency_admin_fixes_a_bad_allocation_file_and_imports_it(
    live_server: LiveServer, page: Page, transactional_db: None, tmp_path: Path
) -> None:
    demo_load()
    selection = Selection.objects.get(code="bps-magetan-mitra-2024")
    rows = [list(row) for row in formation_export_rows(selection.formations.all())]
    rows.append(["MGT24-PML", "MITRA", "umum", "Pengawas lapangan", "SMA", "BPS", "x", ""])
    bad = tmp_path / "formasi.csv"
    bad.write_bytes(write_csv([tuple(r) for r in rows]))

    page.goto(live_server.url + "/kelola/")
    page.get_by_label("Nama pengguna").fill("admin.magetan")
    page.get_by_label("Sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("link", name="Seleksi", exact=True).first.click()
    page.get_by_role("link", name="Rekrutmen Calon Mitra Statistik").click()
    page.get_by_role("link", name="Impor formasi").click()

    page.get_by_label("Berkas alokasi").set_input_files(str(bad))
    page.get_by_role("button", name="Impor").click()
    errors = page.locator("#import-issues")
    expect(errors).to_contain_text("kuota")
    expect(errors).to_contain_text("“x” bukan bilangan bulat")
    assert Formation.objects.filter(selection=selection).count() == 1

    rows[-1][6] = "12"
    good = tmp_path / "formasi-benar.csv"
    good.write_bytes(write_csv([tuple(r) for r in rows]))
    page.get_by_label("Berkas alokasi").set_input_files(str(good))
    page.get_by_role("button", name="Impor").click()
    expect(page.locator(".messagelist")).to_contain_text("1 ditambahkan")
    assert Formation.objects.get(code="MGT24-PML").quota == 12
