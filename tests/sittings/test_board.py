"""The live score board's reads: one row per checked-in participant or sitting, finished
ones first by total, scores only once finished, and the ranking's own pass-mark rule."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from seleksi.exams.models import Booking, SessionRoom
from seleksi.selections.models import Formation
from seleksi.sittings.board import BoardRow, RowState, board_read
from seleksi.sittings.models import Sitting, StageTest
from seleksi.sittings.services import questions_import
from seleksi.sittings.sittings import sitting_finish, sitting_start
from tests.exams.scene import TestScene, make_test_scene
from tests.sittings.test_question_bank import csv, full_bank

PASSING = {"twk": 100, "tiu": 100, "tkp": 200}  # 400: every umum mark met
FAILING_TWK = {"twk": 60, "tiu": 120, "tkp": 200}  # 380 in all, but TWK under 65


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scene(db: None) -> TestScene:
    scene = make_test_scene(participants=8, capacities=(50, 5))
    stage_test(scene)
    return scene


def stage_test(scene: TestScene, stage: str = "skd", blueprint: str = "skd-2021") -> StageTest:
    return StageTest.objects.create(
        selection=scene.selection,
        stage=stage,
        blueprint=blueprint,
        set_at=timezone.now(),
        set_by=scene.committee,
    )


def book(scene: TestScene, index: int, attendance: str = "H", session: int = 0) -> Booking:
    test_session = scene.sessions[session]
    return Booking.objects.create(
        selection=scene.selection,
        application=scene.applications[index],
        stage=test_session.stage,
        session=test_session,
        session_room=SessionRoom.objects.filter(session=test_session).first(),
        booked_at=timezone.now(),
        booked_by=scene.committee,
        attendance=attendance,
    )


def sat(
    scene: TestScene,
    index: int,
    scores: dict[str, int] | None = None,
    *,
    by_server: bool = False,
    **booking: Any,
) -> Sitting:
    """A sitting straight in the table: in progress without `scores`, finished with them."""
    now = timezone.now()
    finished = scores is not None
    seat = book(scene, index, **booking)
    return Sitting.objects.create(
        booking=seat,
        applicant_id=seat.application.applicant_id,
        selection=scene.selection,
        blueprint="skd-2021",
        blueprint_version=1,
        seed=index,
        drawn=[],
        started_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(minutes=70),
        status=Sitting.Status.FINISHED if finished else Sitting.Status.OPEN,
        finished_at=now if finished else None,
        closed_by=("server" if by_server else "participant") if finished else "",
        scores=scores or {},
        total=sum(scores.values()) if scores else None,
    )


def rows_of(scene: TestScene, session: int = 0) -> tuple[BoardRow, ...]:
    board = board_read(session_id=scene.sessions[session].pk)
    assert board is not None
    return board.rows


def number(scene: TestScene, index: int) -> str:
    return scene.applications[index].number


def test_finished_rows_come_first_by_total_then_those_in_progress_then_not_started(
    scene: TestScene,
) -> None:
    sat(scene, 0)
    sat(scene, 1, {"twk": 80, "tiu": 90, "tkp": 170})
    sat(scene, 2, PASSING, by_server=True)
    book(scene, 3)
    sat(scene, 4, {"twk": 90, "tiu": 80, "tkp": 170})
    book(scene, 5, attendance="")
    book(scene, 6, attendance="TH")

    rows = rows_of(scene)

    assert [(row.number, row.state) for row in rows] == [
        (number(scene, 2), RowState.CLOSED),
        (number(scene, 1), RowState.FINISHED),
        (number(scene, 4), RowState.FINISHED),
        (number(scene, 0), RowState.IN_PROGRESS),
        (number(scene, 3), RowState.WAITING),
    ]
    assert rows[0].scores == (100, 100, 200) and rows[0].total == 400
    board = board_read(session_id=scene.sessions[0].pk)
    assert board is not None
    assert (board.checked_in, board.in_progress, board.finished, board.absent) == (5, 1, 3, 1)
    assert board.waiting == 1 and board.live


def test_a_sitting_in_progress_shows_no_scores(scene: TestScene) -> None:
    sitting = sat(scene, 0)
    Sitting.objects.filter(pk=sitting.pk).update(scores={"twk": 5, "tiu": 5, "tkp": 5}, total=15)
    (row,) = rows_of(scene)
    assert (row.state, row.scores, row.total, row.passed) == (RowState.IN_PROGRESS, (), None, None)


def test_a_passing_skd_score_meets_the_marks_and_a_failing_one_does_not(
    scene: TestScene,
) -> None:
    sat(scene, 0, PASSING)
    sat(scene, 1, FAILING_TWK)
    rows = {row.number: row for row in rows_of(scene)}
    assert rows[number(scene, 0)].passed is True
    assert rows[number(scene, 1)].passed is False


def test_the_mark_is_the_one_of_the_applications_formation_type(scene: TestScene) -> None:
    """cpns-2021: disabilitas has no TWK mark and a lower total (TIU 60, total 286)."""
    Formation.objects.filter(selection=scene.selection, code="F-0002").update(
        formation_type="disabilitas"
    )
    scene.applications[1].formation = Formation.objects.get(
        selection=scene.selection, code="F-0002"
    )
    scene.applications[1].save(update_fields=["formation"])
    low_twk = {"twk": 50, "tiu": 70, "tkp": 170}  # 290
    sat(scene, 0, low_twk)
    sat(scene, 1, low_twk)
    rows = {row.number: row for row in rows_of(scene)}
    assert rows[number(scene, 0)].passed is False
    assert rows[number(scene, 1)].passed is True


def test_a_mark_that_cannot_be_found_is_unknown_not_failed(scene: TestScene) -> None:
    Formation.objects.filter(selection=scene.selection, code="F-0001").update(
        formation_type="kosong"
    )
    sat(scene, 0, PASSING)
    (row,) = rows_of(scene)
    assert row.passed is None and row.total == 400


def test_a_finished_sitting_scored_by_the_service_shows_on_the_board(scene: TestScene) -> None:
    questions_import(
        selection=scene.selection,
        actor=scene.committee,
        blueprint_code="skd-2021",
        filename="bank.csv",
        content=csv(*full_bank()),
    )
    booking = book(scene, 0)
    applicant = scene.applications[0].applicant
    sitting = sitting_start(booking=booking, actor=applicant)
    sitting_finish(sitting=sitting, actor=applicant)
    (row,) = rows_of(scene)
    assert row.state is RowState.FINISHED
    assert row.scores == (0, 0, 0) and row.total == 0 and row.passed is False


def test_a_mitra_test_without_a_pass_mark_has_no_verdict(scene: TestScene) -> None:
    StageTest.objects.all().delete()
    stage_test(scene, stage="mitra", blueprint="mitra-bps-2024")
    session = scene.sessions[1]
    session.stage = "mitra"
    session.save(update_fields=["stage"])
    sitting = sat(scene, 0, session=1)
    Sitting.objects.filter(pk=sitting.pk).update(
        blueprint="mitra-bps-2024",
        status=Sitting.Status.FINISHED,
        closed_by="participant",
        scores={"pengetahuan": 40, "numerik": 35},
        total=75,
    )
    board = board_read(session_id=session.pk)
    assert board is not None
    assert not board.has_pass_marks
    assert [column.code for column in board.columns] == ["pengetahuan", "numerik"]
    assert board.rows[0].scores == (40, 35) and board.rows[0].passed is None


def test_a_session_without_a_test_on_seleksi_or_unknown_has_no_board(scene: TestScene) -> None:
    assert board_read(session_id=scene.sessions[0].pk) is not None
    StageTest.objects.all().delete()
    cache.clear()
    assert board_read(session_id=scene.sessions[0].pk) is None
    assert board_read(session_id=999_999) is None


def test_an_unpublished_selection_has_no_board(scene: TestScene) -> None:
    scene.selection.is_published = False
    scene.selection.save(update_fields=["is_published"])
    assert board_read(session_id=scene.sessions[0].pk) is None


def test_the_board_is_read_in_two_queries_and_then_kept_a_moment(
    scene: TestScene, django_assert_num_queries: Any
) -> None:
    sat(scene, 0, PASSING)
    sat(scene, 1)
    with django_assert_num_queries(2):
        board_read(session_id=scene.sessions[0].pk)
    with django_assert_num_queries(0):
        board_read(session_id=scene.sessions[0].pk)


def test_a_closed_session_with_no_sitting_running_is_no_longer_live(scene: TestScene) -> None:
    sat(scene, 0, PASSING)
    session = scene.sessions[0]
    session.closed_at = timezone.now()
    session.save(update_fields=["closed_at"])
    board = board_read(session_id=session.pk)
    assert board is not None and not board.live
