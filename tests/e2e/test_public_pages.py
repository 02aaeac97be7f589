"""A member of the public on a phone: reads the selections, filters openings, downloads."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.selections.demo import demo_load
from seleksi.selections.tables import read_table


@pytest.fixture
def demo(transactional_db: None) -> None:
    demo_load()


def test_the_public_reads_filters_and_downloads_openings(
    live_server: LiveServer, page: Page, demo: None, tmp_path: Path
) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seleksi yang diumumkan")
    aceh = page.get_by_role("listitem").filter(has_text="Kabupaten Aceh Tengah Tahun 2021")
    expect(aceh).to_contain_text("800/144/BKPSDM-AT/2021")
    expect(aceh).to_contain_text("1.048")
    expect(page.get_by_role("listitem").filter(has_text="Magetan")).to_contain_text("Selesai")

    aceh.get_by_role("link", name="Lihat formasi").click()
    expect(page.locator("#totals")).to_contain_text("1.048")

    page.locator("#filter-panel summary").click()  # folded on a phone
    page.get_by_label("Jenis formasi").select_option("disabilitas")
    expect(page.locator("#totals")).to_contain_text("6 baris dengan 6 formasi")
    assert "jenis_formasi=disabilitas" in page.url  # htmx pushed the filter into the address
    expect(page.locator("table.formations tbody tr")).to_have_count(6)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh CSV").click()
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    header, rows = read_table(target.name, target.read_bytes())
    assert header[0] == "kode_formasi"
    assert len(rows) == 6 and {row[2] for row in rows} == {"disabilitas"}


def test_filtering_and_paging_work_without_javascript(
    live_server: LiveServer, browser: Browser, demo: None
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="id-ID")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/seleksi/aceh-tengah-casn-2021/formasi/")
        page.locator("#filter-panel summary").click()  # without a script it starts folded
        page.get_by_label("Jenis pengadaan").select_option("PPPK")
        page.get_by_role("button", name="Saring").click()
        expect(page.locator("#totals")).to_contain_text("749 formasi")
        page.get_by_role("link", name="Berikutnya").click()
        expect(page.locator("table.formations caption")).to_contain_text("Halaman 2")
        expect(page.locator("#totals")).to_contain_text("749 formasi")
    finally:
        context.close()


def test_a_visitor_switches_to_english_and_back(
    live_server: LiveServer, page: Page, demo: None, settings: Any
) -> None:
    """On pages kept for visitors who are not signed in, which carry no form token."""
    settings.SELEKSI_PUBLIC_CACHE_SECONDS = 300
    page.goto(live_server.url + "/seleksi/bps-magetan-mitra-2024/")
    page.reload()  # the second answer is the kept page
    expect(page.get_by_role("heading", name="Jadwal")).to_be_visible()
    assert page.locator("input[name=csrfmiddlewaretoken]").count() == 0
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Schedule")).to_be_visible()
    expect(page.get_by_text("Berumur 18 s.d. 50 tahun pada saat registrasi.")).to_be_visible()
    page.get_by_role("button", name="Indonesia").click()
    expect(page.get_by_role("heading", name="Jadwal")).to_be_visible()
    cookies = {cookie["name"] for cookie in page.context.cookies()}
    assert cookies == {"django_language"}  # no session, no form token
