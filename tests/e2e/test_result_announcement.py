"""The demo's final result announced by clicking, and read from both sides.

The committee opens its announcements from the workspace, drafts the final result's
announcement, reads the preview and publishes it by typing its number. The public page then
lists the passed and the failed demo participant (`seleksi demo-scores` lets both sign in)
with their code, scores and rank, the printed PDF names the selection and the participants,
and the XLSX keeps a name that begins with "=" as text. Each participant, signed in on a
phone, finds the same figures on their dashboard.

Python only does what happened before: the demo is loaded and scored, the committee's check of
the two runs is confirmed through the confirmation service, and one participant's name is made
to begin with "=", as a hostile registration could.
"""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from seleksi.rules.cells import restore_cell
from seleksi.scoring.confirmation import ranking_run_confirm
from seleksi.scoring.demo import SIGN_IN, demo_scores_load
from seleksi.scoring.models import RankingRow, RankingRun
from seleksi.selections.demo import demo_load
from tests.e2e.test_test_day import signed_in

NUMBER = "800/77/PANSEL-CASN/2026"
HOSTILE_NAME = "=SUM(A1:A9)"
DESKTOP = {"width": 1280, "height": 800}


def _final_row(email: str) -> RankingRow:
    run = RankingRun.objects.get(stage="akhir")
    return run.rows.select_related("application").get(application__applicant__email=email)


def _figures(row: RankingRow) -> list[str]:
    return [f"{row.skd_score:.3f}", f"{row.skb_score:.3f}", f"{row.final_score:.3f}"]


def test_the_committee_announces_the_final_result_and_both_sides_read_it(
    live_server: LiveServer, browser: Browser, transactional_db: None
) -> None:
    demo_load()
    demo_scores_load()
    committee = User.objects.get(username="panitia.acehtengah")
    for run in RankingRun.objects.order_by("pk"):
        ranking_run_confirm(run=run, actor=committee, note="Diperiksa panitia terhadap berkas CAT")
    passed, failed = _final_row(SIGN_IN["L"]), _final_row(SIGN_IN["TL"])
    hostile = (
        RankingRow.objects.filter(run__stage="akhir")
        .exclude(pk__in=[passed.pk, failed.pk])
        .select_related("application__applicant")
        .order_by("order")
        .first()
    )
    assert hostile is not None
    hostile.application.applicant.full_name = HOSTILE_NAME
    hostile.application.applicant.save(update_fields=["full_name"])
    base = live_server.url

    desk = signed_in(browser, base, "panitia.acehtengah")
    desk.set_viewport_size(DESKTOP)
    desk.locator("a.desk-announcements").first.click()
    desk.locator("#source-akhir").get_by_role("link", name="New announcement").click()
    desk.locator("[name=number]").fill(NUMBER)
    desk.locator("[name=signatory_name]").fill("Ketua Panitia Seleksi Demo")
    desk.locator("[name=signatory_title]").fill("Ketua Panitia Seleksi CASN")
    desk.get_by_role("button", name="Save the draft").click()

    preview = desk.locator("#preview")
    expect(preview).to_contain_text("Aceh Tengah")
    expect(preview).to_contain_text(passed.application.number)
    expect(desk.locator("#public-link")).to_have_count(0)  # nothing is public yet
    desk.locator("[name=confirm_number]").fill(NUMBER)
    desk.get_by_role("button", name="Publish the announcement").click()
    expect(desk.locator(".messages")).to_contain_text(NUMBER)

    desk.locator("#public-link").click()
    expect(desk.locator("h1")).to_contain_text("Aceh Tengah")
    for row in (passed, failed):
        desk.locator("#id_nomor").fill(row.application.number)
        desk.locator("#number-search").get_by_role("button", name="Search").click()
        found = desk.locator("#found-row")
        expect(found).to_contain_text(row.application.number)
        expect(found.locator("td").nth(-2)).to_have_text(row.outcome)
        for figure in _figures(row):
            expect(found).to_contain_text(figure)
        expect(found.locator("td").nth(-3)).to_have_text(str(row.rank or "–"))

    with desk.expect_download() as pdf_download:
        desk.locator("#downloads").get_by_role("link", name="Print (PDF)").click()
    pdf = PdfReader(pdf_download.value.path())
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    assert "Aceh Tengah" in text and NUMBER in text
    assert passed.application.number in text and failed.application.number in text

    with desk.expect_download() as xlsx_download:
        desk.locator("#downloads").get_by_role("link", name="Download (XLSX)").click()
    sheet = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes())).active
    assert sheet is not None
    names = [
        cell
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and restore_cell(cell.value).startswith("=S")
    ]
    assert names, "the hostile name is missing from the XLSX"
    assert all(cell.data_type == "s" for cell in names)  # a text cell, never a formula
    assert all(not str(cell.value).startswith("=") for cell in names)

    for row, email in ((passed, SIGN_IN["L"]), (failed, SIGN_IN["TL"])):
        _reads_own_result(signed_in(browser, base, email), row)


def _reads_own_result(page: Page, row: RankingRow) -> None:
    """On a phone, the dashboard the sign-in lands on shows the announced row."""
    expect(page).to_have_url(re.compile(r"/dasbor/$"))
    card = page.locator(f"#application-{row.application.number}")
    result = card.locator("section.result").filter(has_text=NUMBER)
    expect(result.locator("strong.mono").first).to_have_text(row.outcome)
    for figure in _figures(row):
        expect(result).to_contain_text(figure)
    if row.rank is not None:
        expect(result).to_contain_text(f"Rank: {row.rank}")
    width = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert width <= 0
    result.get_by_role("link", name="the public announcement").click()
    expect(page.locator("#announcement-facts")).to_contain_text(NUMBER)
    page.context.close()
