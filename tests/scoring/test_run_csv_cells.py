"""A ranking run's CSV opens as text in a spreadsheet, whatever its cells begin with."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from seleksi.agencies.models import Role
from seleksi.rules.cells import restore_cell
from seleksi.scoring.models import RankingRow, RankingRun
from tests.factories import PASSWORD, import_rows, make_agency, make_selection, make_staff
from tests.scoring.conftest import make_application
from tests.scoring.ranked import FORMATIONS

pytestmark = pytest.mark.django_db


def test_a_number_stored_before_numbers_were_checked_is_written_as_text() -> None:
    agency = make_agency()
    selection = make_selection(agency, "peringkat-2026")
    import_rows(selection, FORMATIONS)
    committee = make_staff("panitia.contoh", agency, Role.COMMITTEE)
    hostile = make_application(selection, "F-A", "=1+2")
    plain = make_application(selection, "F-A", "A02")
    run = RankingRun.objects.create(
        selection=selection,
        stage="skd",
        policy_code="cpns-2021",
        policy_version=1,
        fingerprint="ab" * 32,
        created_at=timezone.now(),
        row_count=2,
        counts={"P/L": 2},
        created_by=committee,
    )
    for order, application in enumerate((hostile, plain), start=1):
        RankingRow.objects.create(
            run=run,
            order=order,
            application=application,
            formation_code="F-A",
            twk=100,
            tiu=100,
            tkp=200,
            rank=order,
            outcome="P/L",
        )
    client = Client()
    assert client.login(username="panitia.contoh", password=PASSWORD)

    response = client.get(f"/panitia/peringkat/{run.pk}.csv")

    lines = response.content.decode().splitlines()
    assert lines[1].startswith("'=1+2,F-A,") and lines[2].startswith("A02,F-A,")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [restore_cell(row[0]) for row in rows[1:]] == ["=1+2", "A02"]
