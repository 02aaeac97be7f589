"""The public pages on a 360-pixel phone with the demo data: the openings list shows on the first
screen under a folded filter, the administrative result and the replacements are reached from
the selection page, searched by number, and nothing is cut off."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from seleksi.applications.models import Application
from seleksi.scoring.demo import demo_scores_load
from seleksi.scoring.models import RankingRun
from seleksi.scoring.replacements import withdrawal_confirm, withdrawal_record
from seleksi.selections.demo import demo_load
from seleksi.selections.models import Selection
from seleksi.verification.services import result_publish

ACEH = "aceh-tengah-casn-2021"
MAGETAN = "bps-magetan-mitra-2024"
PHONE_WIDTH = 360

# Elements of the page that stick out of the screen without a box of their own to scroll in:
# what a reader cannot see. `html, body { overflow-x: hidden }` would hide them silently.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const scrollsInABox = (element) => {
    for (let a = element.parentElement; a && a !== document.body; a = a.parentElement) {
      const overflow = getComputedStyle(a).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') return true;
    }
    return false;
  };
  return [...document.querySelectorAll('header *, main *, footer *')]
    .filter((element) => {
      const box = element.getBoundingClientRect();
      const outside = box.right > width + 0.5 || box.left < -0.5;
      return box.width > 0 && outside && !scrollsInABox(element);
    })
    .map((element) => element.tagName + ' ' + (element.textContent || '').trim().slice(0, 40));
}"""


@pytest.fixture
def demo(transactional_db: None) -> dict[str, str]:
    """Both demo selections, the demo participants' published result (all MS), one of them
    made TMS, and a confirmed replacement in the confirmed final ranking."""
    demo_load()
    demo_scores_load()
    committee = User.objects.get(username="panitia.acehtengah")
    result_publish(selection=Selection.objects.get(code=ACEH), actor=committee)
    tms = Application.objects.filter(selection__code=ACEH).order_by("number").first()
    assert tms is not None
    Application.objects.filter(pk=tms.pk).update(published_result="TMS", admin_result="TMS")
    run = RankingRun.objects.get(selection__code=ACEH, stage=RankingRun.Stage.FINAL)
    RankingRun.objects.filter(pk=run.pk).update(confirmed_at=run.created_at, confirmed_by=committee)
    leaving = run.rows.filter(outcome="L").order_by("order").first()
    assert leaving is not None
    withdrawal = withdrawal_record(
        run=run,
        participant=leaving.application.number,
        reason="APS",
        note="Surat pengunduran diri tertanggal 1 Desember",
        actor=committee,
    )
    withdrawal = withdrawal_confirm(withdrawal=withdrawal, actor=committee, note="Berita acara")
    assert withdrawal.replacement is not None
    return {
        "tms": tms.number,
        "leaving": leaving.application.number,
        "replacement": withdrawal.replacement.number,
    }


def assert_readable_on_a_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert page.evaluate(CUT_OFF) == []


def assert_fully_visible(page: Page, text: str) -> None:
    element = page.locator(".number-chips li, #replacements td").filter(has_text=text).first
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
    expect(element).to_have_text(re.compile(re.escape(text)))


def test_on_a_phone_the_openings_show_under_a_folded_filter(
    live_server: LiveServer, page: Page, browser: Browser, demo: dict[str, str]
) -> None:
    url = live_server.url + f"/seleksi/{ACEH}/formasi/"
    page.goto(url)
    panel = page.locator("#filter-panel")
    assert panel.evaluate("details => details.open") is False
    expect(page.get_by_label("Jenis pengadaan")).to_be_hidden()
    first_row = page.locator("table.formations tbody tr").first
    box = first_row.bounding_box()
    assert box is not None and box["y"] < 740
    assert_readable_on_a_phone(page)

    panel.locator("summary").click()
    page.get_by_label("Jenis formasi").select_option("disabilitas")
    expect(page.locator("#totals")).to_contain_text("6 baris dengan 6 formasi")
    expect(panel.locator("summary")).to_have_text(re.compile(r"Saring \(1 aktif\)"))

    wide = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800})
    try:
        desk = wide.new_page()
        desk.goto(url + "?jenis_pengadaan=PPPK&jenis_formasi=umum")
        expect(desk.get_by_label("Jenis pengadaan")).to_be_visible()
        expect(desk.locator("#filter-panel summary")).to_contain_text("Saring (2 aktif)")
    finally:
        wide.close()


def test_without_javascript_the_folded_filter_still_opens_and_filters(
    live_server: LiveServer, browser: Browser, demo: dict[str, str]
) -> None:
    context = browser.new_context(
        java_script_enabled=False, locale="id-ID", viewport={"width": 360, "height": 740}
    )
    try:
        page = context.new_page()
        page.goto(live_server.url + f"/seleksi/{ACEH}/formasi/")
        page.locator("#filter-panel summary").click()
        page.get_by_label("Jenis pengadaan").select_option("PPPK")
        page.get_by_role("button", name="Saring", exact=True).click()
        expect(page.locator("#totals")).to_contain_text("749 formasi")
        expect(page.locator("#filter-panel summary")).to_contain_text("Saring (1 aktif)")
    finally:
        context.close()


def test_on_a_phone_the_result_is_reached_searched_and_not_cut_off(
    live_server: LiveServer, page: Page, demo: dict[str, str]
) -> None:
    page.goto(live_server.url + f"/seleksi/{ACEH}/")
    page.locator("#link-results").click()
    expect(page).to_have_url(re.compile(r"/hasil-administrasi/$"))
    chip = page.locator(".number-chips li").first
    expect(chip).to_be_visible()
    assert_readable_on_a_phone(page)
    assert_fully_visible(page, chip.inner_text())

    search = page.get_by_role("textbox", name="Nomor pendaftaran")
    search.fill(chip.inner_text())
    search.press("Enter")
    expect(page.locator("#search-answer")).to_contain_text(
        f"Nomor {chip.inner_text()} tercantum: MS, formasi"
    )
    search.fill(demo["tms"])
    search.press("Enter")
    expect(page.locator("#search-answer")).to_have_text(
        f"Nomor {demo['tms']} tidak tercantum sebagai MS."
    )
    expect(page.locator("#results")).not_to_contain_text(demo["tms"])

    search.fill("<b>0010</b>")
    search.press("Enter")
    expect(page.locator("#nomor-error")).to_contain_text("hanya berisi huruf, angka")
    assert_readable_on_a_phone(page)


def test_on_a_phone_the_replacements_are_reached_searched_and_not_cut_off(
    live_server: LiveServer, page: Page, demo: dict[str, str]
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("listitem").filter(has_text="Aceh Tengah").get_by_role(
        "link", name="Penggantian"
    ).click()
    expect(page).to_have_url(re.compile(r"/penggantian/$"))
    assert_readable_on_a_phone(page)
    assert_fully_visible(page, demo["replacement"])

    page.get_by_role("textbox", name="Nomor pendaftaran").fill(demo["replacement"])
    page.get_by_role("button", name="Cari").click()
    expect(page.locator("#search-answer")).to_contain_text(
        f"Nomor {demo['replacement']} tercantum: pengganti di formasi"
    )
    expect(page.locator("#search-answer")).to_contain_text(f"menggantikan {demo['leaving']}")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/seleksi/{ACEH}/",
        f"/seleksi/{MAGETAN}/",
        f"/seleksi/{MAGETAN}/formasi/",
        "/verifikasi/x",
    ],
)
def test_the_public_pages_are_not_cut_off_on_a_phone(
    live_server: LiveServer, page: Page, demo: dict[str, str], path: str
) -> None:
    page.goto(live_server.url + path)
    assert_readable_on_a_phone(page)
