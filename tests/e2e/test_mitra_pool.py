"""The mitra pool through the pages: the Magetan office assigns two demo mitra to Susenas,
one of them over the honorarium cap, rates both, prints a work contract, and each mitra finds
their own assignment on their dashboard.

The committee goes from the workspace to the pool, its activities and Susenas, finds
mitra.satu by name and assigns them as PPL for one person-month. It does the same for
mitra.dua, who already earns nearly the whole PPL cap of the month in the demo's price
survey: the page shows the month's figures (the cap and how far over), and only the second
sending, with the box ticked and a reason, assigns them; the reason is kept and audited. On
each assignment page the committee records the rating, then downloads mitra.satu's SPK. Each
mitra, signed in on a phone, follows their dashboard's card to their work page, sees the
assignment and the rating, and mitra.satu prints their own SPK.

Python loads the demo and its pool and does one thing more: the rating opens on the
activity's last day, and the test cannot wait until the end of the month, so after the
assignments the demo's Susenas is made to end today (the months it pays in stay the same).
"""

import io
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from seleksi.audit.models import AuditEvent
from seleksi.pool.demo import (
    AGENCY,
    COMMITTEE,
    MITRA_DUA,
    MITRA_DUA_DOCUMENTS,
    MITRA_SATU,
    PRICES_PPL_RATE,
    SUSENAS_ACTIVITY,
    SUSENAS_PPL_RATE,
    demo_pool_load,
)
from seleksi.pool.models import Activity, Assignment, CapTable, Role
from seleksi.selections.demo import demo_load
from tests.e2e.test_test_day import signed_in

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
REASON = "Tidak ada PPL lain yang menguasai blok sensus di Kecamatan Plaosan."
RATINGS = {
    "Mitra Demo Satu": (9, 8, 10, "Kuesioner Susenas lengkap dan dikirim sebelum tenggat."),
    "Mitra Demo Dua": (7, 8, 6, "Dua rumah tangga perlu dikunjungi ulang."),
}


def rupiah(amount: int) -> str:
    """An amount as the English pages print it."""
    return f"Rp {amount:,}"


def rupiah_id(amount: int) -> str:
    """An amount as the contract prints it: the SPK is in Indonesian whatever the page's
    language."""
    return f"Rp{amount:,}".replace(",", ".")


def pdf_text(path: str | Path) -> str:
    reader = PdfReader(io.BytesIO(Path(path).read_bytes()))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_office_assigns_two_mitra_one_over_the_cap_rates_them_and_they_see_it(
    live_server: LiveServer, browser: Browser, transactional_db: None
) -> None:
    demo_load()
    assert not demo_pool_load().refused
    susenas = Activity.objects.get(agency__code=AGENCY, name=SUSENAS_ACTIVITY)
    ppl = susenas.roles.get(role=Role.PPL)
    month = (susenas.starts_on.year, susenas.starts_on.month)
    cap = CapTable.objects.get(agency=susenas.agency, year=month[0]).table().cap(Role.PPL, month)
    base = live_server.url

    desk = signed_in(browser, base, COMMITTEE)
    desk.set_viewport_size(DESKTOP)
    desk.locator("a.desk-pool").first.click()
    expect(desk).to_have_url(re.compile(rf"/panitia/mitra/{AGENCY}/$"))
    desk.locator("#pool-pages").get_by_role("link", name="Survey activities").click()
    desk.locator("#activities").get_by_role("link", name=SUSENAS_ACTIVITY).click()
    expect(desk.locator("h1")).to_have_text(SUSENAS_ACTIVITY)

    # mitra.satu stays under the cap: assigned at the first sending.
    _find_and_fill(desk, "Mitra Demo Satu", ppl.pk)
    desk.locator("#assign-form").get_by_role("button", name="Assign", exact=True).click()
    expect(desk.locator(".messages")).to_contain_text("Mitra Demo Satu is assigned as")
    expect(desk.locator("#over-cap-warning")).to_have_count(0)

    # mitra.dua goes over: the warning with the month's figures, then the confirmation.
    _find_and_fill(desk, "Mitra Demo Dua", ppl.pk)
    desk.locator("#assign-form").get_by_role("button", name="Assign", exact=True).click()
    warning = desk.locator("#over-cap-warning")
    expect(warning).to_be_visible()
    over = warning.locator("#over-cap-figures tr.over")
    expect(over).to_have_count(1)
    existing = PRICES_PPL_RATE * MITRA_DUA_DOCUMENTS
    cells = over.locator("td")
    expect(cells.nth(0)).to_have_text(rupiah(cap))
    expect(cells.nth(1)).to_have_text(rupiah(existing))
    expect(cells.nth(2)).to_have_text(rupiah(SUSENAS_PPL_RATE))
    expect(cells.nth(4)).to_have_text(rupiah(existing + SUSENAS_PPL_RATE - cap))
    assert Assignment.objects.filter(activity=susenas).count() == 1  # nothing saved yet
    warning.locator("[name=confirm_over_cap]").check()
    warning.locator("[name=reason]").fill(REASON)
    desk.locator("#assign-form").get_by_role("button", name="Assign over the cap").click()
    expect(desk.locator(".messages")).to_contain_text("Mitra Demo Dua is assigned as")
    listed = desk.locator("#assignments tbody tr")
    expect(listed).to_have_count(2)
    expect(listed.filter(has_text="Mitra Demo Satu")).to_have_count(1)
    expect(listed.filter(has_text="Mitra Demo Dua")).to_contain_text(REASON)

    satu = Assignment.objects.get(activity=susenas, member__user__email=MITRA_SATU)
    dua = Assignment.objects.get(activity=susenas, member__user__email=MITRA_DUA)
    assert Assignment.objects.filter(activity=susenas).count() == 2
    assert satu.over_cap_reason == "" and satu.amount == SUSENAS_PPL_RATE
    assert dua.over_cap_reason == REASON
    assert AuditEvent.objects.filter(action="pool.assigned_over_cap", reason=REASON).count() == 1

    # The end of the activity, reached without waiting for it.
    Activity.objects.filter(pk=susenas.pk).update(ends_on=susenas.agency.today())

    for name, (attitude, quality, timeliness, comment) in RATINGS.items():
        desk.locator("#assignments").get_by_role("link", name=name).click()
        expect(desk.locator("h1")).to_have_text(name)
        if name == "Mitra Demo Dua":
            expect(desk.locator("#over-cap-reason")).to_have_text(REASON)
        form = desk.locator("#rating-form")
        form.locator("[name=attitude]").fill(str(attitude))
        form.locator("[name=quality]").fill(str(quality))
        form.locator("[name=timeliness]").fill(str(timeliness))
        form.locator("[name=comment]").fill(comment)
        form.get_by_role("button", name="Record the rating").click()
        expect(desk.locator(".messages")).to_contain_text("The rating is recorded.")
        facts = desk.locator("#rating-facts")
        expect(facts).to_contain_text(comment)
        if name == "Mitra Demo Satu":
            with desk.expect_download() as spk:
                desk.locator("#assignment-documents").get_by_role(
                    "link", name="Work contract (SPK, PDF)"
                ).click()
            text = pdf_text(spk.value.path())
            assert "Mitra Demo Satu" in text
            assert SUSENAS_ACTIVITY in text
            assert f"seluruhnya sebesar {rupiah_id(SUSENAS_PPL_RATE)}" in text, text
        desk.get_by_role("navigation", name="Breadcrumb").get_by_role(
            "link", name=SUSENAS_ACTIVITY
        ).click()
    expect(desk.locator(f"#assignment-{satu.pk} td").last).to_have_text("9 / 8 / 10")
    expect(desk.locator(f"#assignment-{dua.pk} td").last).to_have_text("7 / 8 / 6")
    desk.context.close()

    # Each mitra, on a phone, sees their own work and nothing of the other's.
    mitra = signed_in(browser, base, MITRA_SATU)
    _sees_own_work(mitra, satu, "Mitra Demo Satu", other=dua)
    with mitra.expect_download() as own_spk:
        mitra.locator(f"#spk-{satu.pk}").click()
    text = pdf_text(own_spk.value.path())
    assert "Mitra Demo Satu" in text and SUSENAS_ACTIVITY in text
    assert rupiah_id(SUSENAS_PPL_RATE) in text
    mitra.context.close()

    mitra = signed_in(browser, base, MITRA_DUA)
    _sees_own_work(mitra, dua, "Mitra Demo Dua", other=satu)
    mitra.context.close()


def _find_and_fill(page: Page, name: str, role_pk: int) -> None:
    """Search the pool by name on the activity page, choose the one found, PPL, one
    person-month; not sent."""
    page.locator("#search-name").fill(name)
    page.locator("#member-search").get_by_role("button", name="Find").click()
    form = page.locator("#assign-form")
    form.get_by_role("radio", name=name).check()
    form.locator("[name=role]").select_option(str(role_pk))
    form.locator("[name=quantity]").fill("1")


def _sees_own_work(page: Page, held: Assignment, name: str, other: Assignment) -> None:
    """From the dashboard's card to the work page: the assignment, the month's earnings from
    it, the rating; not the other mitra's assignment or rating."""
    attitude, quality, timeliness, comment = RATINGS[name]
    expect(page).to_have_url(re.compile(r"/dasbor/$"))
    card = page.locator("#mitra-summary")
    expect(card.locator("#mitra-current")).to_contain_text(SUSENAS_ACTIVITY)
    card.locator("#open-mitra-work").click()
    expect(page).to_have_url(re.compile(r"/dasbor/mitra/$"))
    row = page.locator(f"#assignment-{held.pk}")
    expect(row).to_contain_text(SUSENAS_ACTIVITY)
    expect(row).to_contain_text(rupiah(SUSENAS_PPL_RATE))
    expect(page.locator(f"#assignment-{other.pk}")).to_have_count(0)
    month = page.locator(f"#month-{held.activity.starts_on:%Y-%m}")
    expect(month.locator(".earning-lines li").filter(has_text=SUSENAS_ACTIVITY)).to_contain_text(
        rupiah(SUSENAS_PPL_RATE)
    )
    rating = page.locator("#rating-list tbody tr").filter(has_text=SUSENAS_ACTIVITY)
    expect(rating).to_have_count(1)
    expect(rating.locator("td").nth(1)).to_have_text(str(attitude))
    expect(rating.locator("td").nth(2)).to_have_text(str(quality))
    expect(rating.locator("td").nth(3)).to_have_text(str(timeliness))
    expect(rating).to_contain_text(comment)
    other_comment = next(c for n, (*_, c) in RATINGS.items() if n != name)
    expect(page.locator("main")).not_to_contain_text(other_comment)
    width = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert width <= 0
