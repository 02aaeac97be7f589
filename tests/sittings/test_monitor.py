"""What the committee reads of a session's sittings: each booking's state, answered count,
extra time and total; one sitting's extensions and scores; the log with question numbers and
option letters as the participant saw them."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.exams.models import Booking
from seleksi.sittings import monitor
from seleksi.sittings.models import Sitting, SittingEvent
from seleksi.sittings.services import stage_test_set
from seleksi.sittings.sittings import answer_save, sitting_extend, sitting_finish
from tests.exams.scene import TestScene
from tests.sittings.scene import make_cat_scene
from tests.sittings.test_sittings import right_option, seat, start

State = monitor.SittingState


@pytest.fixture
def scene(db: None) -> TestScene:
    scene = make_cat_scene(stage_test=False)
    return scene


def save(scene: TestScene, sitting: Sitting, index: int, item: int, option: int, seq: int) -> None:
    drawn = sitting.drawn[item]
    answer_save(
        sitting=sitting,
        actor=scene.applications[index].applicant,
        question=drawn["question"],
        option=drawn["options"][option] if option >= 0 else "",
        sequence=seq,
    )


def ends_in(sitting: Sitting, delta: timedelta) -> None:
    Sitting.objects.filter(pk=sitting.pk).update(ends_at=timezone.now() + delta)
    sitting.refresh_from_db()


def rows_of(scene: TestScene, now: datetime | None = None) -> dict[str, monitor.MonitorRow]:
    bookings = list(monitor.session_bookings(session=scene.sessions[0]))
    rows = monitor.monitor_rows(bookings=bookings, now=now or timezone.now())
    return {row.booking.application.number: row for row in rows}


def test_each_booking_shows_how_far_its_sitting_is(scene: TestScene) -> None:
    User.objects.filter(pk=scene.applications[0].applicant_id).update(full_name="Siti Aminah")
    running = start(scene, 0)
    save(scene, running, 0, 0, 0, 1)
    save(scene, running, 0, 1, 2, 2)
    save(scene, running, 0, 2, 1, 3)
    save(scene, running, 0, 2, -1, 4)  # cleared: not answered
    sitting_extend(sitting=running, actor=scene.committee, minutes=10, reason="padam")
    sitting_extend(sitting=running, actor=scene.committee, minutes=5, reason="padam lagi")
    finished = start(scene, 1)
    save(scene, finished, 1, 0, 0, 1)
    finished = sitting_finish(sitting=finished, actor=scene.applications[1].applicant)
    closed = start(scene, 2)
    ends_in(closed, -timedelta(minutes=1))
    sitting_finish(sitting=closed, actor=None)
    seat(scene, 3, attendance="")
    rows = rows_of(scene)
    assert list(rows) == ["P00001", "P00002", "P00003", "P00004"]
    first = rows["P00001"]
    assert first.name == "Si** Am****"
    assert (first.state, first.minutes_left) == (State.IN_PROGRESS, 115)
    assert (first.answered, first.questions, first.extra_minutes) == (2, 110, 15)
    assert first.total is None and first.sitting == running
    second = rows["P00002"]
    assert (second.state, second.answered, second.minutes_left) == (State.FINISHED, 1, None)
    assert second.total == finished.total and finished.total is not None
    assert rows["P00003"].state == State.CLOSED and rows["P00003"].total == 0
    waiting = rows["P00004"]
    assert (waiting.state, waiting.sitting, waiting.answered, waiting.questions) == (
        State.NOT_STARTED,
        None,
        0,
        0,
    )
    assert waiting.booking.attendance == Booking.Attendance.BOOKED


def test_the_time_left_is_rounded_up_and_a_sitting_past_its_time_is_being_closed(
    scene: TestScene,
) -> None:
    sitting = start(scene)
    now = timezone.now()
    Sitting.objects.filter(pk=sitting.pk).update(ends_at=now + timedelta(seconds=20))
    assert rows_of(scene, now)["P00001"].minutes_left == 1
    Sitting.objects.filter(pk=sitting.pk).update(ends_at=now + timedelta(minutes=3))
    assert rows_of(scene, now)["P00001"].minutes_left == 3
    Sitting.objects.filter(pk=sitting.pk).update(ends_at=now - timedelta(seconds=1))
    row = rows_of(scene, now)["P00001"]
    assert (row.state, row.minutes_left) == (State.TIME_UP, None)


def test_the_list_reads_a_fixed_number_of_queries(
    scene: TestScene, django_assert_max_num_queries: Any
) -> None:
    for index in range(4):
        sitting = start(scene, index)
        save(scene, sitting, index, 0, 0, 1)
        sitting_extend(sitting=sitting, actor=scene.committee, minutes=1, reason="x")
    bookings = list(monitor.session_bookings(session=scene.sessions[0]))
    with django_assert_max_num_queries(3):
        rows = monitor.monitor_rows(bookings=bookings, now=timezone.now())
    assert [row.answered for row in rows] == [1, 1, 1, 1]


def test_the_sessions_progress_counts_each_state(scene: TestScene) -> None:
    start(scene, 0)
    finished = start(scene, 1)
    sitting_finish(sitting=finished, actor=scene.applications[1].applicant)
    late = start(scene, 2)
    ends_in(late, -timedelta(seconds=1))
    seat(scene, 3, attendance="")
    progress = monitor.session_progress(session=scene.sessions[0], now=timezone.now())
    assert progress == {
        "not_started": 1,
        "in_progress": 1,
        "time_up": 1,
        "finished": 1,
        "closed": 0,
    }


def test_the_session_knows_its_test_from_the_stage(scene: TestScene) -> None:
    session = scene.sessions[0]
    assert monitor.session_blueprint(session=session) is None
    assert not monitor.session_has_sittings(session=session)
    stage_test_set(
        selection=scene.selection, actor=scene.committee, stage="skd", blueprint_code="skd-2021"
    )
    assert monitor.session_blueprint(session=session) == "skd-2021"
    start(scene)
    assert monitor.session_has_sittings(session=session)


def test_questions_and_options_are_named_as_the_participant_saw_them(scene: TestScene) -> None:
    sitting = start(scene)
    save(scene, sitting, 0, 2, 1, 1)  # the third question, the second option shown
    save(scene, sitting, 0, 2, 4, 2)
    save(scene, sitting, 0, 2, -1, 3)
    SittingEvent.objects.create(
        sitting=sitting, kind="shown", question=None, at=timezone.now(), client_at=None
    )
    rows = monitor.event_rows(sitting=sitting, events=monitor.sitting_events(sitting=sitting))
    assert [(row.kind, row.number, row.letter, row.sequence) for row in rows] == [
        ("started", None, "", None),
        ("answered", 3, "B", 1),
        ("changed", 3, "E", 2),
        ("cleared", 3, "", 3),
        ("shown", None, "", None),
    ]
    assert rows[1].label == str(SittingEvent.Kind.ANSWERED.label)


def test_positions_ignore_what_the_sitting_did_not_draw() -> None:
    positions = monitor.Positions(
        [
            {"question": 41, "component": "twk", "options": ["c", "a", "e", "b", "d"]},
            {"question": 7, "component": "twk", "options": ["a", "b", "c", "d", "e"]},
        ]
    )
    assert (positions.number(41), positions.number(7), positions.number(8)) == (1, 2, None)
    assert positions.number(None) is None
    assert [positions.letter(41, key) for key in "abcde"] == ["B", "D", "A", "E", "C"]
    assert (positions.letter(41, "z"), positions.letter(8, "a"), positions.letter(41, "")) == (
        "",
        "",
        "",
    )


def test_the_extensions_say_who_gave_them_and_why(scene: TestScene) -> None:
    User.objects.filter(pk=scene.committee.pk).update(full_name="Budi Panitia")
    sitting = start(scene)
    extended = sitting_extend(sitting=sitting, actor=scene.committee, minutes=12, reason="padam")
    [extension] = monitor.sitting_extensions(sitting=sitting)
    assert (extension.minutes, extension.reason, extension.by) == (12, "padam", "Budi Panitia")
    assert extension.ends_at == extended.ends_at
    assert monitor.sitting_extensions(sitting=start(scene, 1)) == []


def test_a_finished_sitting_shows_its_scores_by_component(scene: TestScene) -> None:
    sitting = start(scene)
    assert monitor.sitting_scores(sitting=sitting) == []
    twk = next(item["question"] for item in sitting.drawn if item["component"] == "twk")
    answer_save(
        sitting=sitting,
        actor=scene.applications[0].applicant,
        question=twk,
        option=right_option(twk),
        sequence=1,
    )
    assert monitor.sitting_answered(sitting=sitting) == 1
    finished = sitting_finish(sitting=sitting, actor=scene.applications[0].applicant)
    scores = monitor.sitting_scores(sitting=finished)
    assert [(s.code, s.score, s.maximum) for s in scores] == [
        ("twk", 5, 150),
        ("tiu", 0, 175),
        ("tkp", 0, 225),
    ]


def test_a_stored_moment_is_read_back_or_ignored() -> None:
    moment = timezone.now()
    assert monitor.parse_moment(moment.isoformat()) == moment
    assert monitor.parse_moment("kemarin") is None
    assert monitor.parse_moment(None) is None
