"""A computer-assisted test through the pages: a checked-in demo participant of Magetan's mitra
test starts it from their seat's page, answers, loses the connection (the browser context goes
offline) and answers two more, comes back, reloads and finds every answer and the server's
remaining time, finishes and sees the score, which the session's live board on the room's
screen shows without a reload. A second participant's sitting is closed by the server when its
time is up (`seleksi close-sittings`, the worker's sweep), with their saved answers scored.

Booking and check-in have their own browser tests (test_test_day.py, test_checkin.py): here
they are done by the services (`seleksi demo-cat` does both for the demo's mitra applicant).
The second participant's time is made to run out by moving their sitting's end into the
past."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from seleksi.applications.models import Application
from seleksi.exams.demo import demo_test_stage
from seleksi.exams.models import TestSession
from seleksi.exams.services import booking_make, check_in
from seleksi.public import board_views
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.scoring.models import Score
from seleksi.selections.demo import demo_load
from seleksi.selections.models import Formation
from seleksi.sittings.demo import demo_cat
from seleksi.sittings.models import Answer, BankQuestion, Sitting, SittingEvent
from seleksi.sittings.sittings import answer_save, sitting_start
from tests.e2e.conftest import PHONE_VIEWPORT
from tests.e2e.steps import sign_in_at
from tests.e2e.test_test_day import in_english

CODE = "bps-magetan-mitra-2024"
SESSION = "tes-1-pagi"


@pytest.fixture(autouse=True)
def _quick_board(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(board_views, "POLL_SECONDS", 2)


def checked_in(email: str, number: str, session: TestSession) -> Application:
    """A final-MS mitra application of the demo applicant, booked into `session` and checked
    in by the demo site staff."""
    formation = Formation.objects.filter(selection__code=CODE).first()
    assert formation is not None
    application = Application.objects.create(
        applicant=User.objects.get(email=email),
        selection=formation.selection,
        formation=formation,
        number=number,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        admin_stage=AdminStage.FINAL,
        admin_result=Mark.MS,
        published_result=Mark.MS,
        published_at=timezone.now(),
    )
    booking_make(application=application, session_id=session.pk, actor=application.applicant)
    check_in(session=session, actor=User.objects.get(username="petugas.magetan"), key=number)
    return application


def points(question: int, option: str) -> int:
    options = BankQuestion.objects.get(pk=question).options
    return next(o["points"] for o in options if o["key"] == option)


def remaining_on_page(page: Page) -> int:
    minutes, seconds = re.fullmatch(
        r"(\d+):(\d\d)", page.locator("#cat-timer").inner_text()
    ).groups()  # type: ignore[union-attr]
    return int(minutes) * 60 + int(seconds)


def test_a_participant_sits_a_test_through_a_lost_connection_and_the_board_shows_the_scores(
    live_server: LiveServer, page: Page, browser: Browser, transactional_db: None
) -> None:
    demo_load()
    demo_test_stage()
    demo_cat()
    session = TestSession.objects.get(selection__code=CODE, code=SESSION)
    # The demo's own participant: booked and checked in by `seleksi demo-cat`.
    one = Application.objects.get(
        applicant__email="pelamar.mitra@demo.seleksi.invalid", selection__code=CODE
    )
    assert one.bookings.get().session == session and one.bookings.get().attendance == "H"
    two = checked_in("pelamar.guru@demo.seleksi.invalid", "MG24-CAT-0002", session)
    base = live_server.url

    # The room's screen shows the session's board.
    screen = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    screen.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    screen.goto(base + reverse("public:board", args=[session.pk]))
    expect(screen.locator(f'tr[data-number="{one.number}"]')).to_contain_text("not started")

    # The participant opens the test from their profile, their application and its seat page.
    page.set_viewport_size(PHONE_VIEWPORT)
    sign_in_at(page, base, "pelamar.mitra@demo.seleksi.invalid")
    in_english(page, base)
    page.get_by_role("link", name=one.number).click()
    page.locator("#booking-link-mitra").click()
    page.locator("#cat-link").click()
    expect(page.locator("#cat-duration")).to_contain_text("30")
    page.locator("#cat-begin").click()
    expect(page.locator("#cat-app")).to_be_visible()
    sitting = Sitting.objects.get(booking__application=one)
    order = [item["question"] for item in sitting.drawn]
    expect(screen.locator(f'tr[data-number="{one.number}"]')).to_contain_text("in progress")

    def answer(letter_index: int) -> None:
        page.locator("#cat-options label.cat-option").nth(letter_index).click()

    answer(0)
    page.locator("#cat-next").click()
    answer(1)
    expect(page.locator("#cat-save-state")).to_contain_text("saved", timeout=10_000)
    assert Answer.objects.filter(sitting=sitting).count() == 2

    # The connection drops: two more answers stay in the browser, and the page says so.
    page.context.set_offline(True)
    page.locator("#cat-next").click()
    answer(2)
    page.locator("#cat-next").click()
    answer(3)
    page.locator("#cat-mark").click()
    expect(page.locator("#cat-banner")).to_be_visible()
    expect(page.locator("#cat-banner")).to_contain_text("connection", ignore_case=True)
    assert Answer.objects.filter(sitting=sitting).count() == 2

    # Back online, the queue is sent by itself.
    page.context.set_offline(False)
    expect(page.locator("#cat-save-state")).to_contain_text("saved", timeout=20_000)
    held = dict(Answer.objects.filter(sitting=sitting).values_list("question", "option"))
    assert set(held) == set(order[:4])
    assert Answer.objects.get(sitting=sitting, question=order[3]).marked
    kinds = set(SittingEvent.objects.filter(sitting=sitting).values_list("kind", flat=True))
    assert {"started", "answered", "offline", "online", "shown"} <= kinds

    # A reload finds every answer and the server's remaining time.
    page.reload()
    expect(page.locator("#cat-app")).to_be_visible()
    cells = page.locator("#cat-grid .cat-cell")
    for index in range(4):
        expect(cells.nth(index)).to_have_class(re.compile(r"\bcat-answered\b"))
    expect(cells.nth(4)).not_to_have_class(re.compile(r"\bcat-answered\b"))
    expect(cells.nth(3)).to_have_class(re.compile(r"\bcat-marked\b"))
    sitting.refresh_from_db()
    server_left = (sitting.ends_at - timezone.now()).total_seconds()
    assert abs(remaining_on_page(page) - server_left) <= 5
    cells.nth(2).click()
    chosen = page.locator("#cat-options input:checked")
    expect(chosen).to_have_value(held[order[2]])

    # Finishing early: the confirmation counts what the server holds, then the scores.
    page.locator("#cat-finish").click()
    expect(page.locator("#cat-answered")).to_contain_text("4")
    page.locator("#cat-confirm-finish").click()
    expected = sum(points(question, option) for question, option in held.items())
    expect(page.locator("#cat-total")).to_contain_text(str(expected))
    sitting.refresh_from_db()
    assert (sitting.status, sitting.closed_by, sitting.total) == (
        "finished",
        "participant",
        expected,
    )
    assert Score.objects.get(application=one, stage="mitra").test_score == expected

    # The board shows it without a reload.
    row = screen.locator(f'tr[data-number="{one.number}"]')
    expect(row).to_contain_text(str(expected), timeout=15_000)
    expect(row).to_contain_text("finished")

    # The second participant's time runs out; the server closes and scores what they saved.
    other = sitting_start(booking=two.bookings.get(), actor=two.applicant)
    given = {}
    for sequence, item in enumerate(other.drawn[:3], start=1):
        option = item["options"][0]
        answer_save(
            sitting=other,
            actor=two.applicant,
            question=item["question"],
            option=option,
            sequence=sequence,
        )
        given[item["question"]] = option
    Sitting.objects.filter(pk=other.pk).update(
        started_at=timezone.now() - timedelta(minutes=31),
        ends_at=timezone.now() - timedelta(minutes=1),
    )
    call_command("close_sittings")
    other.refresh_from_db()
    their_total = sum(points(question, option) for question, option in given.items())
    assert (other.status, other.closed_by, other.total) == ("finished", "server", their_total)
    assert Score.objects.get(application=two, stage="mitra").test_score == their_total
    second_row = screen.locator(f'tr[data-number="{two.number}"]')
    expect(second_row).to_contain_text("closed", timeout=15_000)
    expect(second_row).to_contain_text(str(their_total))
