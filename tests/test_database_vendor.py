import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_database_answers_and_is_the_expected_vendor() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

    if os.environ.get("SELEKSI_EXPECT_POSTGRES") == "1":
        assert connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            row = cursor.fetchone()
        assert row is not None
        assert str(row[0])[:1].isdigit(), row
