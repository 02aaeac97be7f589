"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live_server.

Every test under tests/e2e gets the `e2e` marker; run them with `pytest -m e2e`.
Playwright never downloads a browser here: install Chromium with `apt-get install chromium`.
The live server itself (one request at a time on in-memory SQLite) is tests/live.py's.
"""

import os
import shutil
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to
# run next to it (SynchronousOnlyOperation) without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}

_screenshot_dir: Path | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Runs before `-m` deselection; this hook sees every collected item, not only ours.
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _chromium_path() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"Chromium is not installed ({path} not found): run `apt-get install chromium` "
            "(scripts/test does this). Playwright's own browser downloads are not used.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = _chromium_path()
    args = list(CHROMIUM_ARGS)
    if os.geteuid() == 0:
        args.insert(0, "--no-sandbox")  # Chromium's sandbox refuses to run as root.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context per test: Indonesian locale, a cheap phone's screen."""
    global _screenshot_dir
    context = browser.new_context(locale="id-ID", viewport=PHONE_VIEWPORT, accept_downloads=True)
    page = context.new_page()
    try:
        yield page
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            if _screenshot_dir is None:
                _screenshot_dir = Path(tempfile.mkdtemp(prefix="seleksi-e2e-"))
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.nodeid)
            path = _screenshot_dir / f"{name[-150:]}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                print(f"Screenshot of the failed test: {path}")
            except Exception as exc:  # the page may have crashed; don't hide the real failure
                print(f"Could not save a screenshot of the failed test: {exc}")
    finally:
        context.close()


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    """Browser tests run against a live server, so their database is emptied between tests,
    data migrations included: put the reference lists back (the loader is idempotent)."""
    from django.apps import apps

    from seleksi.reference.loading import load_reference_data

    load_reference_data(apps)
