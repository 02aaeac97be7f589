"""The browser tests' live server on SQLite: a page that loads many things at once (a review
page previews six documents) gets every answer, not a 500 from threads sharing the test
database's one connection."""

from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from seleksi.selections.demo import demo_load

ACEH = "aceh-tengah-casn-2021"


def test_requests_sent_together_are_all_answered(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    demo_load()
    page.goto(live_server.url + "/")
    addresses = [f"/seleksi/{ACEH}/formasi/?page={number}" for number in range(1, 17)]
    statuses = page.evaluate(
        "addresses => Promise.all(addresses.map(a => fetch(a).then(r => r.status)))",
        addresses,
    )
    assert statuses == [200] * len(addresses)
