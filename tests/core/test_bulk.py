"""`core.bulk.frame_insert`: a polars frame goes into a table with its values as they are,
empty text apart from a missing value, on SQLite and on PostgreSQL. (RankingRow's keys carry
no database constraint, so the rows need no applications.)"""

from decimal import Decimal

import polars as pl
import pytest
from django.utils import timezone

from seleksi.core.bulk import frame_insert
from seleksi.scoring.models import RankingRow, RankingRun
from tests.factories import make_agency, make_selection

pytestmark = pytest.mark.django_db


def test_a_frame_goes_in_as_it_is() -> None:
    run = RankingRun.objects.create(
        selection=make_selection(make_agency()),
        stage="akhir",
        policy_code="cpns-2021",
        policy_version=1,
        fingerprint="0" * 64,
        created_at=timezone.now(),
        row_count=3,
    )
    figure = pl.Decimal(7, 3)
    frame = pl.DataFrame(
        {
            "run_id": [run.pk] * 3,
            "order": [1, 2, 3],
            "application_id": [30, 10, 20],
            "formation_code": ["F-A", 'F-"B", 2', "F-C"],
            "placed_formation_code": ["", "F-A", ""],
            "final_score": pl.Series(["74.909", None, "0.001"]).cast(figure),
            "rank": [1, None, 2],
            "outcome": ["L", "L-2", "TH"],
            "tied_at_cut": [True, False, False],
        },
        schema_overrides={"final_score": figure},
    )

    assert frame_insert(RankingRow, frame, batch_size=2) == 3

    stored = list(
        RankingRow.objects.filter(run=run)
        .order_by("order")
        .values_list(
            "application_id",
            "formation_code",
            "placed_formation_code",
            "final_score",
            "skd_score",
            "rank",
            "outcome",
            "tied_at_cut",
        )
    )
    assert stored == [
        (30, "F-A", "", Decimal("74.909"), None, 1, "L", True),
        (10, 'F-"B", 2', "F-A", None, None, None, "L-2", False),
        (20, "F-C", "", Decimal("0.001"), None, 2, "TH", False),
    ]
