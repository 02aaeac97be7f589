"""The live score board on the room's screen: a participant who finishes appears with their
scores without a reload, and a lost connection keeps the last rows and says since when."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.public import board_views
from seleksi.sittings.models import Sitting
from tests.exams.scene import make_test_scene
from tests.sittings.test_board import PASSING, sat, stage_test


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(board_views, "POLL_SECONDS", 2)
    cache.clear()


def test_a_finished_sitting_appears_without_a_reload_and_a_lost_connection_keeps_the_rows(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    scene = make_test_scene(participants=3)
    stage_test(scene)
    sat(scene, 0, PASSING)
    running = sat(scene, 1)
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(base + reverse("public:board", args=[scene.sessions[0].pk]))

    second = page.locator(f'tr[data-number="{scene.applications[1].number}"]')
    expect(second).to_contain_text("in progress")
    Sitting.objects.filter(pk=running.pk).update(
        status=Sitting.Status.FINISHED,
        closed_by=Sitting.ClosedBy.SERVER,
        scores={"twk": 60, "tiu": 120, "tkp": 200},
        total=380,
    )
    expect(second).to_contain_text("Not met", timeout=10_000)
    expect(second).to_contain_text("380")
    expect(page.locator("#board-counts")).to_contain_text("2 finished")

    page.route("**/baris/", lambda route: route.abort())
    expect(page.locator(".board-status")).to_contain_text("No connection", timeout=10_000)
    expect(page.locator(".board-status")).to_have_class("board-status stale")
    expect(second).to_contain_text("380")
    page.unroute("**/baris/")
    expect(page.locator(".board-status")).to_contain_text("Updated at", timeout=10_000)
