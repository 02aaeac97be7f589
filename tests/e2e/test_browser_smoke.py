from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer


def test_healthz_in_a_real_browser(live_server: LiveServer, page: Page) -> None:
    response = page.goto(live_server.url + "/healthz")
    assert response is not None
    assert response.status == 200
    assert "ok" in response.text()
