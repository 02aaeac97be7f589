"""The office's ratings of a year become the past performance rating of next year's mitra
ranking: written into the stored mitra scores, kept by an import without a rating column,
refused under a confirmed ranking, and ordering two equal test scores."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.pool import selectors, services
from seleksi.pool.figures import office_ratings
from seleksi.pool.models import Activity, Assignment, PoolMember
from seleksi.pool.ratings_transfer import ratings_transfer
from seleksi.pool.services import PoolRefused
from seleksi.scoring.models import RankingRun, Score
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.scoring.services import scores_import
from seleksi.selections.models import Selection
from tests.factories import formation_rows, import_rows, make_agency, make_selection, make_staff
from tests.pool.conftest import MAGETAN, Office, make_office, role
from tests.scoring.conftest import make_application

MITRA_OPENING = ["MITRA-1", "MITRA", "umum", "Mitra Statistik", "SMA/SMK", "BPS Kabupaten", "2", ""]
EQUAL_SCORES = b"nomor_peserta,kehadiran,nilai_tes\nM1,H,80\nM2,H,80\nM3,H,80\n"


def mitra_selection(office: Office, code: str = "mitra-tahun-depan") -> Selection:
    selection = make_selection(office.agency, code)
    import_rows(selection, [MITRA_OPENING])
    for number in ("M1", "M2", "M3", "M4"):
        application = make_application(selection, "MITRA-1", f"{number}")
        Application.objects.filter(pk=application.pk).update(
            eligibility={"eligible": True, "preferences_met": ["education_min"]}
        )
    return selection


def applicant(selection: Selection, number: str) -> Any:
    return Application.objects.get(selection=selection, number=number).applicant


def rated_work(
    office: Office,
    user: Any,
    name: str,
    marks: tuple[int, int, int],
    *,
    year: int | None = None,
) -> None:
    """The user's work in the office's pool of `year` (default this year), assigned while the
    activity ran and rated once it ended, through the services."""
    member, _created = PoolMember.objects.get_or_create(
        agency=office.agency,
        user=user,
        year=year or office.year,
        defaults={"source": PoolMember.Source.SELECTED, "domicile_regency": MAGETAN},
    )
    activity = office.activity(name)
    assignment = services.assignment_add(
        activity_role=role(activity), member=member, actor=office.committee, quantity=1
    )
    Activity.objects.filter(pk=activity.pk).update(
        starts_on=office.today - timedelta(days=30), ends_on=office.today - timedelta(days=1)
    )
    attitude, quality, timeliness = marks
    services.rating_record(
        assignment=Assignment.objects.get(pk=assignment.pk),
        actor=office.committee,
        attitude=attitude,
        quality=quality,
        timeliness=timeliness,
    )


def import_equal_scores(selection: Selection, content: bytes = EQUAL_SCORES) -> None:
    outcome = scores_import(
        selection=selection, stage="mitra", source_name="NILAI.csv", content=content, actor=None
    )
    assert outcome.ok, outcome.errors


def stored(selection: Selection) -> dict[str, Decimal | None]:
    return {
        number: rating
        for number, rating in Score.objects.filter(selection=selection, stage="mitra").values_list(
            "application__number", "performance_rating"
        )
    }


def order(run: RankingRun) -> list[str]:
    return list(run.rows.order_by("order").values_list("application__number", flat=True))


@pytest.fixture
def scene(office: Office) -> Selection:
    """M1 rated 7 and M2 rated 9 in this year's pool; M3 not rated; M4 rated but not scored."""
    selection = mitra_selection(office)
    rated_work(office, applicant(selection, "M1"), "Survei Satu", (6, 7, 8))
    rated_work(office, applicant(selection, "M2"), "Survei Dua", (9, 9, 9))
    rated_work(office, applicant(selection, "M4"), "Survei Empat", (5, 5, 5))
    import_equal_scores(selection)
    return selection


def test_the_ratings_go_into_the_scores_and_order_two_equal_test_scores(
    office: Office, scene: Selection
) -> None:
    before = ranking_run(selection=scene, stage="mitra", actor=None).run
    assert order(before) == ["M1", "M2", "M3"]  # all equal: by participant number

    outcome = ratings_transfer(selection=scene, year=office.year, actor=office.committee)

    assert stored(scene) == {"M1": Decimal("7.000"), "M2": Decimal("9.000"), "M3": None}
    assert (outcome.rated, outcome.updated, outcome.unchanged) == (3, 2, 0)
    assert outcome.without_rating == 1 and outcome.without_score == ("M4",)
    assert outcome.outdated_runs == 1
    after = ranking_run(selection=scene, stage="mitra", actor=None).run
    assert order(after) == ["M2", "M1", "M3"]
    rows = {row.application.number: row for row in after.rows.select_related("application")}
    assert rows["M2"].final_score > rows["M1"].final_score > rows["M3"].final_score
    assert after.fingerprint != before.fingerprint


def test_one_audit_event_holds_the_counts(office: Office, scene: Selection) -> None:
    ratings_transfer(selection=scene, year=office.year, actor=office.committee)
    event = AuditEvent.objects.get(action="pool.ratings_transferred")
    assert event.selection_id == scene.pk and event.actor_id == office.committee.pk
    assert event.details["year"] == office.year
    assert event.details["updated"] == 2 and event.details["without_score"] == 1
    assert event.details["rule"] == "rules.ratings.performance_rating_for"


def test_a_second_transfer_changes_nothing_and_leaves_no_event(
    office: Office, scene: Selection
) -> None:
    ratings_transfer(selection=scene, year=office.year, actor=office.committee)
    again = ratings_transfer(selection=scene, year=office.year, actor=office.committee)
    assert (again.updated, again.unchanged, again.outdated_runs) == (0, 2, 0)
    assert AuditEvent.objects.filter(action="pool.ratings_transferred").count() == 1


def test_an_import_without_the_rating_column_keeps_the_transferred_rating(
    office: Office, scene: Selection
) -> None:
    ratings_transfer(selection=scene, year=office.year, actor=office.committee)
    import_equal_scores(scene, b"nomor_peserta,kehadiran,nilai_tes\nM1,H,81\nM4,H,75\n")
    assert stored(scene) == {
        "M1": Decimal("7.000"),
        "M2": Decimal("9.000"),
        "M3": None,
        "M4": None,
    }
    # M4 now has a score: transferring again writes their rating too
    outcome = ratings_transfer(selection=scene, year=office.year, actor=office.committee)
    assert outcome.without_score == () and stored(scene)["M4"] == Decimal("5.000")
    # a file with the column still decides
    import_equal_scores(scene, b"nomor_peserta,kehadiran,nilai_tes,nilai_kinerja\nM1,H,81,\n")
    assert stored(scene)["M1"] is None


def test_it_is_refused_once_a_mitra_ranking_is_confirmed(office: Office, scene: Selection) -> None:
    run = ranking_run(selection=scene, stage="mitra", actor=None).run
    RankingRun.objects.filter(pk=run.pk).update(confirmed_at=timezone.now())
    with pytest.raises(PoolRefused) as refused:
        ratings_transfer(selection=scene, year=office.year, actor=office.committee)
    assert refused.value.code == "ranking_confirmed"
    assert "already confirmed" in refused.value.message
    assert set(stored(scene).values()) == {None}
    assert not AuditEvent.objects.filter(action="pool.ratings_transferred").exists()


@pytest.mark.parametrize("who", ["verifier", "other_committee"])
def test_only_the_agencys_committee_may_transfer(
    office: Office, scene: Selection, who: str
) -> None:
    actor = (
        office.verifier
        if who == "verifier"
        else make_staff("panitia-lain", make_agency("bps-lain"), Role.COMMITTEE)
    )
    with pytest.raises(PoolRefused) as refused:
        ratings_transfer(selection=scene, year=office.year, actor=actor)
    assert refused.value.code == "forbidden"
    assert set(stored(scene).values()) == {None}


@pytest.mark.parametrize("year", [True, "2025", 12])
def test_a_year_that_is_not_a_year_is_refused(office: Office, scene: Selection, year: Any) -> None:
    with pytest.raises(PoolRefused) as refused:
        ratings_transfer(selection=scene, year=year, actor=office.committee)
    assert refused.value.code == "year"


def test_a_selection_without_mitra_openings_is_refused(office: Office) -> None:
    selection = make_selection(office.agency, "cpns-contoh")
    import_rows(selection, formation_rows(1))
    with pytest.raises(PoolRefused) as refused:
        ratings_transfer(selection=selection, year=office.year, actor=office.committee)
    assert refused.value.code == "not_mitra_selection"


def test_ratings_of_another_year_or_another_office_do_not_count(office: Office) -> None:
    selection = mitra_selection(office)
    rated_work(office, applicant(selection, "M1"), "Survei Lalu", (9, 9, 9), year=office.year - 1)
    other = make_office("bps-ngawi")
    rated_work(other, applicant(selection, "M2"), "Survei Kantor Lain", (9, 9, 9))
    import_equal_scores(selection)
    outcome = ratings_transfer(selection=selection, year=office.year, actor=office.committee)
    assert (outcome.rated, outcome.updated) == (0, 0)
    assert set(stored(selection).values()) == {None}
    last_year = ratings_transfer(selection=selection, year=office.year - 1, actor=office.committee)
    assert last_year.updated == 1 and stored(selection)["M1"] == Decimal("9.000")


def test_the_grouped_figures_are_the_selectors_yearly_rating(
    office: Office, scene: Selection
) -> None:
    rated_work(office, applicant(scene, "M1"), "Survei Tambahan", (10, 9, 10))
    users = [applicant(scene, number) for number in ("M1", "M2", "M3", "M4")]
    grouped = office_ratings(
        agency_id=office.agency.pk, year=office.year, user_ids=[user.pk for user in users]
    )
    for user in users:
        expected = selectors.yearly_rating(user=user, agency=office.agency, year=office.year)
        assert grouped.get(user.pk) == expected
    assert grouped[users[0].pk] == Decimal("8.333")  # (7 + 29/3) / 2 = 25/3


def test_the_queries_do_not_grow_with_the_applicants(office: Office, scene: Selection) -> None:
    def counted() -> int:
        Score.objects.filter(selection=scene).update(performance_rating=None)
        with CaptureQueriesContext(connection) as queries:
            ratings_transfer(selection=scene, year=office.year, actor=office.committee)
        return len(queries)

    few = counted()
    for number in range(5, 12):
        make_application(scene, "MITRA-1", f"M{number}")
        rated_work(office, applicant(scene, f"M{number}"), f"Survei {number}", (8, 8, 8))
    lines = "\n".join(f"M{number},H,70" for number in range(5, 12))
    import_equal_scores(scene, f"nomor_peserta,kehadiran,nilai_tes\n{lines}\n".encode())
    assert counted() == few
