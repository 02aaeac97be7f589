"""Shared pytest fixtures for the whole suite.

Application data (users, agencies, selections) comes from tests/factories.py.
"""

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests import live

live.install()


@pytest.fixture(scope="session")
def live_server(django_db_setup: None, live_server: Any) -> Any:
    """pytest-django's live server, started once the test database exists: it looks at the
    database when it starts, to hand an in-memory SQLite connection to its threads. Asked
    for before any other database fixture, it would see the settings' database instead and
    open new connections per request, which an in-memory database answers with "locked"."""
    return live_server


@pytest.fixture(scope="session", autouse=True)
def _expect_postgres(request: pytest.FixtureRequest) -> None:
    """With SELEKSI_EXPECT_POSTGRES=1 (scripts/test's PostgreSQL run), insist on PostgreSQL.

    Guards against the PostgreSQL run silently falling back to SQLite, e.g. when
    DATABASE_URL goes missing. Other runs don't touch the database here at all.
    """
    if os.environ.get("SELEKSI_EXPECT_POSTGRES") != "1":
        return
    request.getfixturevalue("django_db_setup")
    django_db_blocker = request.getfixturevalue("django_db_blocker")
    from django.db import connection

    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql", (
            f"SELEKSI_EXPECT_POSTGRES=1 but the database is {connection.vendor!r} "
            f"({connection.settings_dict['NAME']}); is DATABASE_URL set?"
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings: Any) -> Iterator[None]:
    """Background tasks run at once in tests (after the transaction commits), so their
    effects, such as e-mails in the outbox, can be asserted. Production uses the database
    queue and `seleksi db_worker`."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    _tasks_reset()
    yield
    _tasks_reset()


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with empty caches: cached reads (the score board, a participant's
    sitting) are keyed by ids that another test's rolled-back rows may have used."""
    from django.core.cache import cache

    from seleksi.sittings import paper, sittings

    def empty() -> None:
        cache.clear()
        paper._SITTING_IDS.clear()
        sittings._DRAWN.clear()

    empty()
    yield
    empty()


@pytest.fixture(autouse=True)
def _public_pages_rendered(settings: Any) -> None:
    """Public pages are rendered on every request: tests write rows straight into the tables
    between two reads of a page, a write a kept page would hide until it expires.
    tests/public/test_public_cache.py turns the cache on and pins what it keeps and when."""
    settings.SELEKSI_PUBLIC_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is deliberately slow; tests that do not pin the hasher use a fast one.
    tests/accounts/test_passwords.py checks that production hashes with Argon2."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _tasks_reset() -> None:
    from asgiref.local import Local
    from django.tasks import task_backends

    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def tasks_backend(settings: Any) -> Iterator[Callable[[str], Any]]:
    """Switch the task backend (e.g. to Django's dummy one, which keeps what was enqueued)."""
    from django.tasks import default_task_backend

    def use(path: str) -> Any:
        settings.TASKS = {"default": {"BACKEND": path}}
        _tasks_reset()
        return default_task_backend

    yield use
    _tasks_reset()
