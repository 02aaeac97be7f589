from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer


def test_healthz_in_a_real_browser(live_server: LiveServer, page: Page) -> None:
    response = page.goto(live_server.url + "/healthz")
    assert response is not None
    assert response.status == 200
    assert "ok" in response.text()


def test_the_home_page_loads_without_a_failed_request(live_server: LiveServer, page: Page) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(live_server.url + "/")
    page.wait_for_load_state("networkidle")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon is not None and icon.endswith(".svg")
    assert failed == []  # no stray /favicon.ico 404 on the first visit
