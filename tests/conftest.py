"""Shared pytest fixtures for the whole suite.

Application data (users, agencies, selections) comes from tests/factories.py.
"""

import os

import pytest


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
