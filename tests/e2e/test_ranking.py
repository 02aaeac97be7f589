"""Ranking in the browser: the committee ranks the final stage from stored scores, confirms the
run with a note, records a withdrawal, confirms the proposed replacement, and the public
announcement lists it."""

import re

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.agencies.models import Role
from tests.factories import PASSWORD, import_rows, make_agency, make_selection, make_staff
from tests.scoring.ranked import FORMATIONS, SKD, add_applications, add_skb

CODE = "peringkat-2026"


def test_rank_confirm_withdraw_and_announce_the_replacement(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    selection = make_selection(make_agency(), CODE)
    import_rows(selection, FORMATIONS)
    add_applications(selection, SKD)
    add_skb(selection)
    make_staff("panitia", selection.agency, Role.COMMITTEE)
    base = live_server.url

    page.goto(base + "/akun/masuk/")
    page.locator("[name=identifier]").fill("panitia")
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/akun/masuk/"))

    page.goto(base + f"/panitia/{CODE}/peringkat/")
    page.locator("#start-run select[name=stage]").select_option("akhir")
    page.locator("#start-run button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/panitia/peringkat/\d+/$"))
    expect(page.locator("#rows")).to_contain_text("L-2")
    expect(page.locator("#notes")).to_contain_text("A02")

    page.locator("#confirm-form textarea[name=note]").fill(
        "Nilai seri dan penempatan optimalisasi telah diperiksa."
    )
    page.locator("#confirm-form button[type=submit]").click()
    expect(page.locator("#confirm-ranking")).to_contain_text("tidak dapat dibatalkan")
    page.locator("#confirm-ranking-form button[type=submit]").click()
    expect(page.locator("#confirmation")).to_contain_text("Dikonfirmasi oleh")

    page.locator("#replacements-link").click()
    page.locator("#record-form [name=participant]").fill("A03")
    page.locator("#record-form [name=reason]").select_option("APS")
    page.locator("#record-form [name=note]").fill("Surat pengunduran diri tertanggal 1 Desember")
    page.locator("#record-form button[type=submit]").click()
    proposal = page.locator("#withdrawal-1")
    expect(proposal).to_contain_text("A01")
    expect(proposal).to_contain_text("Menunggu konfirmasi")

    page.locator("#decide-form [name=note]").fill("Sesuai berita acara panitia")
    page.locator("#decide-form button[value=confirm]").click()
    expect(page.locator("#confirm-decision")).to_contain_text("A03 melepaskan kursi")
    page.locator("#confirm-decision-form button[type=submit]").click()
    expect(page.locator("#withdrawal-1")).to_contain_text("Dikonfirmasi oleh")
    expect(page.locator("#seats")).to_contain_text("F-A")

    page.goto(base + f"/seleksi/{CODE}/penggantian/")
    row = page.locator("#replacements tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("A03")
    expect(row).to_contain_text("A01")
