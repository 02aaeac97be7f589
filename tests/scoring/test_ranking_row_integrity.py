"""A run's rows hold their foreign keys without database constraints (see `RankingRow`): they
still point at the applications they rank, Django's `on_delete` still applies, and an
anonymised applicant's rows stay as they were. The table has its key (run, order) and the
unique (application, run) on both databases, and nothing else to update."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client

from seleksi.accounts.services import account_anonymise
from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.scoring.models import RankingRow, RankingRun, Score
from seleksi.scoring.ranking_runs import ranking_run
from tests.factories import make_agency, make_staff
from tests.scoring.ranked import SKD, Ranked


def test_every_row_points_at_the_application_it_ranks(ranked: Ranked) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=None).run

    rows = RankingRow.objects.filter(run=run)
    scored = Score.objects.filter(selection=ranked.selection, stage="skd")
    assert sorted(rows.values_list("application_id", flat=True)) == sorted(
        scored.values_list("application_id", flat=True)
    )
    assert rows.filter(application__selection=ranked.selection).count() == len(SKD)
    assert sorted(rows.values_list("application__number", flat=True)) == sorted(
        number for number, *_ in SKD
    )
    assert set(rows.values_list("run__selection", flat=True)) == {ranked.selection.pk}


def test_deleting_a_run_deletes_its_rows_and_only_them(ranked: Ranked) -> None:
    first = ranking_run(selection=ranked.selection, stage="skd", actor=None).run
    second = ranking_run(selection=ranked.selection, stage="skd", actor=None).run

    first.delete()

    assert not RankingRow.objects.filter(run_id=first.pk).exists()
    assert RankingRow.objects.filter(run=second).count() == len(SKD)
    assert list(RankingRun.objects.all()) == [second]


def test_an_application_with_ranking_rows_cannot_be_deleted(ranked: Ranked) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=None).run
    application = Application.objects.get(number="A01")
    Score.objects.filter(application=application).delete()

    with pytest.raises(ProtectedError) as refused:
        application.delete()

    assert {type(found) for found in refused.value.protected_objects} == {RankingRow}
    assert RankingRow.objects.get(run=run, application=application).outcome == "P/L"


def test_anonymising_an_applicant_keeps_their_rows(ranked: Ranked) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=None).run
    application = Application.objects.select_related("applicant").get(number="A02")

    account_anonymise(user=application.applicant)

    row = RankingRow.objects.select_related("application__applicant").get(
        run=run, application=application
    )
    assert row.application.applicant.anonymised_at is not None
    assert (row.rank, row.outcome) == (2, "P/L")


def test_the_table_is_keyed_by_run_and_order_and_unique_by_application_and_run(
    ranked: Ranked,
) -> None:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, RankingRow._meta.db_table)
    keys = [tuple(found[name]["columns"]) for name in found if found[name]["primary_key"]]
    others = [
        (tuple(found[name]["columns"]), found[name]["unique"])
        for name in found
        if not found[name]["primary_key"] and (found[name]["index"] or found[name]["unique"])
    ]
    # SQLite's introspection names a composite key's columns in its own order
    assert [sorted(key) for key in keys] == [["order", "run_id"]]
    assert others == [(("application_id", "run_id"), True)]


def test_the_database_refuses_a_second_row_at_an_order_or_for_an_application(
    ranked: Ranked,
) -> None:
    run = ranking_run(selection=ranked.selection, stage="skd", actor=None).run
    first = RankingRow.objects.get(run=run, order=1)
    other = Application.objects.exclude(pk=first.application_id).first()
    assert other is not None
    RankingRow.objects.filter(run=run, application=other).delete()

    with pytest.raises(IntegrityError), transaction.atomic():
        RankingRow.objects.create(run=run, order=1, application=other, outcome="P/L")
    with pytest.raises(IntegrityError), transaction.atomic():
        RankingRow.objects.create(
            run=run, order=len(SKD) + 1, application_id=first.application_id, outcome="P/L"
        )
    RankingRow.objects.create(run=run, order=len(SKD) + 1, application=other, outcome="P/L")

    assert RankingRow.objects.filter(run=run).count() == len(SKD)


def test_the_console_leads_from_a_run_to_its_rows_for_its_agency_only(ranked: Ranked) -> None:
    """A run's rows have no console page of their own (their key is (run, order)): the run's
    console page links to the committee's run page and its CSV."""
    run = ranking_run(selection=ranked.selection, stage="skd", actor=None).run
    page = f"/kelola/scoring/rankingrun/{run.pk}/change/"
    own = Client()
    own.force_login(make_staff("admin.sini", ranked.selection.agency, Role.ADMIN))
    other = Client()
    other.force_login(make_staff("admin.sana", make_agency("sana"), Role.ADMIN))

    shown = own.get(page)

    assert shown.status_code == 200
    body = shown.content.decode()
    assert f'href="/panitia/peringkat/{run.pk}/"' in body
    assert f'href="/panitia/peringkat/{run.pk}.csv"' in body
    assert own.get(f"/panitia/peringkat/{run.pk}.csv").status_code == 200
    assert other.get(page).status_code in {302, 404}
    assert other.get(f"/panitia/peringkat/{run.pk}/").status_code in {403, 404}
