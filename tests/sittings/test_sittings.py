"""Sittings on the server's clock: one per checked-in booking, answers kept by sequence number,
late answers refused, scores computed once."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from seleksi.audit.models import AuditEvent
from seleksi.exams.models import Accommodation, Booking, SessionRoom
from seleksi.rules.cat import load_blueprint
from seleksi.sittings.models import Answer, BankQuestion, Sitting
from seleksi.sittings.sittings import (
    Saved,
    SittingRefused,
    answer_save,
    sitting_finish,
    sitting_start,
)
from tests.exams.scene import TestScene
from tests.sittings.scene import make_cat_scene

SKD = load_blueprint("skd-2021")


@pytest.fixture
def scene(db: None) -> TestScene:
    scene = make_cat_scene(stage_test=False)
    return scene


def seat(scene: TestScene, index: int = 0, attendance: str = "H") -> Booking:
    session = scene.sessions[0]
    return Booking.objects.create(
        selection=scene.selection,
        application=scene.applications[index],
        stage="skd",
        session=session,
        session_room=SessionRoom.objects.filter(session=session).first(),
        booked_at=timezone.now(),
        booked_by=scene.committee,
        attendance=attendance,
    )


def start(scene: TestScene, index: int = 0, **kwargs: Any) -> Sitting:
    booking = kwargs.pop("booking", None) or seat(scene, index)
    return sitting_start(
        booking=booking, actor=scene.applications[index].applicant, blueprint_code="skd-2021"
    )


def right_option(question: int) -> str:
    options = BankQuestion.objects.get(pk=question).options
    return max(options, key=lambda o: o["points"])["key"]


def test_a_sitting_draws_110_questions_and_runs_on_the_servers_clock(scene: TestScene) -> None:
    sitting = start(scene)
    assert len(sitting.drawn) == 110
    assert sitting.ends_at - sitting.started_at == timedelta(minutes=100)
    again = sitting_start(
        booking=sitting.booking, actor=scene.applications[0].applicant, blueprint_code="skd-2021"
    )
    assert again.pk == sitting.pk and again.ends_at == sitting.ends_at
    assert AuditEvent.objects.filter(action="sittings.started").count() == 1


def test_an_accommodation_extends_the_sitting(scene: TestScene) -> None:
    Accommodation.objects.create(
        application=scene.applications[0],
        note="low vision",
        extra_minutes=30,
        recorded_by=scene.committee,
    )
    sitting = start(scene)
    assert sitting.ends_at - sitting.started_at == timedelta(minutes=130)


def test_only_the_checked_in_participant_starts(scene: TestScene) -> None:
    booking = seat(scene, 0, attendance="")
    with pytest.raises(SittingRefused) as caught:
        sitting_start(
            booking=booking, actor=scene.applications[0].applicant, blueprint_code="skd-2021"
        )
    assert caught.value.code == "not_checked_in"
    Booking.objects.filter(pk=booking.pk).update(attendance="H")
    booking.refresh_from_db()
    with pytest.raises(SittingRefused) as caught:
        sitting_start(
            booking=booking, actor=scene.applications[1].applicant, blueprint_code="skd-2021"
        )
    assert caught.value.code == "not_yours"
    assert not Sitting.objects.exists()


def test_a_resend_or_an_older_answer_never_overwrites_a_newer_one(scene: TestScene) -> None:
    sitting = start(scene)
    applicant = scene.applications[0].applicant
    question = sitting.drawn[0]["question"]
    first, second = sitting.drawn[0]["options"][:2]
    assert (
        answer_save(
            sitting=sitting, actor=applicant, question=question, option=first, sequence=1
        ).result
        == Saved.SAVED
    )
    assert (
        answer_save(
            sitting=sitting, actor=applicant, question=question, option=second, sequence=3
        ).result
        == Saved.SAVED
    )
    older = answer_save(
        sitting=sitting, actor=applicant, question=question, option=first, sequence=2
    )
    resend = answer_save(
        sitting=sitting, actor=applicant, question=question, option=second, sequence=3
    )
    assert (older.result, older.sequence) == (Saved.STALE, 3)
    assert resend.result == Saved.STALE
    stored = Answer.objects.get(sitting=sitting, question=question)
    assert (stored.option, stored.sequence) == (second, 3)
    assert Answer.objects.count() == 1


def test_answers_outside_the_sitting_or_after_the_time_are_refused(scene: TestScene) -> None:
    sitting = start(scene)
    applicant = scene.applications[0].applicant
    question = sitting.drawn[0]["question"]
    for kwargs, code in (
        ({"question": 999_999, "option": "a"}, "not_in_sitting"),
        ({"question": question, "option": "z"}, "unknown_option"),
    ):
        with pytest.raises(SittingRefused) as caught:
            answer_save(sitting=sitting, actor=applicant, sequence=1, **kwargs)
        assert caught.value.code == code
    Sitting.objects.filter(pk=sitting.pk).update(ends_at=timezone.now() - timedelta(seconds=30))
    sitting.refresh_from_db()
    with pytest.raises(SittingRefused) as caught:
        answer_save(sitting=sitting, actor=applicant, question=question, option="a", sequence=9)
    assert caught.value.code == "late"
    assert not Answer.objects.exists()


def test_finishing_early_scores_the_saved_answers_once(scene: TestScene) -> None:
    sitting = start(scene)
    applicant = scene.applications[0].applicant
    twk = [item["question"] for item in sitting.drawn if item["component"] == "twk"][:4]
    for sequence, question in enumerate(twk, start=1):
        answer_save(
            sitting=sitting,
            actor=applicant,
            question=question,
            option=right_option(question),
            sequence=sequence,
        )
    finished = sitting_finish(sitting=sitting, actor=applicant)
    assert finished.status == Sitting.Status.FINISHED
    assert finished.closed_by == Sitting.ClosedBy.PARTICIPANT
    assert finished.scores == {"twk": 20, "tiu": 0, "tkp": 0}
    assert finished.total == 20
    assert sitting_finish(sitting=sitting, actor=applicant).finished_at == finished.finished_at
    with pytest.raises(SittingRefused) as caught:
        answer_save(sitting=finished, actor=applicant, question=twk[0], option="a", sequence=99)
    assert caught.value.code == "finished"


def test_the_server_closes_a_sitting_only_after_its_time_and_grace(scene: TestScene) -> None:
    sitting = start(scene)
    applicant = scene.applications[0].applicant
    question = next(item["question"] for item in sitting.drawn if item["component"] == "tkp")
    answer_save(
        sitting=sitting,
        actor=applicant,
        question=question,
        option=right_option(question),
        sequence=1,
    )
    assert sitting_finish(sitting=sitting, actor=None).status == Sitting.Status.OPEN
    Sitting.objects.filter(pk=sitting.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    closed = sitting_finish(sitting=sitting, actor=None)
    assert (closed.status, closed.closed_by) == (Sitting.Status.FINISHED, Sitting.ClosedBy.SERVER)
    assert closed.scores == {"twk": 0, "tiu": 0, "tkp": 5}


def test_two_participants_get_their_own_draws(scene: TestScene) -> None:
    one, two = start(scene, 0), start(scene, 1)
    assert one.seed != two.seed
    assert [d["question"] for d in one.drawn] != [d["question"] for d in two.drawn]


def test_a_finished_skd_sitting_is_the_stages_score_for_the_ranking(scene: TestScene) -> None:
    from seleksi.scoring.models import Score

    sitting = start(scene)
    applicant = scene.applications[0].applicant
    picks = {"twk": 2, "tiu": 1, "tkp": 3}
    sequence = 0
    for component, count in picks.items():
        for item in [i for i in sitting.drawn if i["component"] == component][:count]:
            sequence += 1
            answer_save(
                sitting=sitting,
                actor=applicant,
                question=item["question"],
                option=right_option(item["question"]),
                sequence=sequence,
            )
    sitting_finish(sitting=sitting, actor=applicant)
    stored = Score.objects.get(application=scene.applications[0], stage="skd")
    assert (stored.attendance, stored.twk, stored.tiu, stored.tkp) == ("H", 10, 5, 15)
    assert stored.source_name == "CAT Seleksi"
    assert len(stored.source_sha256) == 64


def test_a_sitting_of_another_stage_stores_no_ranking_score(scene: TestScene) -> None:
    from seleksi.scoring.models import Score

    booking = seat(scene)
    Booking.objects.filter(pk=booking.pk).update(stage="interview")
    booking.refresh_from_db()
    sitting = start(scene, booking=booking)
    sitting_finish(sitting=sitting, actor=scene.applications[0].applicant)
    assert not Score.objects.exists()


def test_a_person_has_one_sitting_in_progress_at_a_time(scene: TestScene) -> None:
    first = start(scene, 0)
    second = Booking.objects.create(
        selection=scene.selection,
        application=scene.applications[0],
        stage="skb",
        session=first.booking.session,
        session_room=first.booking.session_room,
        booked_at=timezone.now(),
        booked_by=scene.committee,
        attendance="H",
    )
    application = second.application
    with pytest.raises(SittingRefused) as refused:
        sitting_start(booking=second, actor=application.applicant, blueprint_code="skd-2021")
    assert refused.value.code == "other_open"
    sitting_finish(sitting=first, actor=application.applicant)
    assert sitting_start(booking=second, actor=application.applicant, blueprint_code="skd-2021")


def test_a_closed_session_starts_no_sitting_and_a_stage_without_a_test_neither(
    scene: TestScene,
) -> None:
    booking = seat(scene)
    applicant = scene.applications[0].applicant
    with pytest.raises(SittingRefused) as refused:
        sitting_start(booking=booking, actor=applicant)
    assert refused.value.code == "no_test"
    booking.session.closed_at = timezone.now()
    booking.session.save(update_fields=["closed_at"])
    with pytest.raises(SittingRefused) as refused:
        sitting_start(booking=booking, actor=applicant, blueprint_code="skd-2021")
    assert refused.value.code == "session_closed"


def test_a_sitting_is_scored_with_the_points_its_questions_had_when_it_started(
    scene: TestScene,
) -> None:
    sitting = start(scene)
    applicant = scene.applications[0].applicant
    first = sitting.drawn[0]
    chosen = right_option(first["question"])
    answer_save(
        sitting=sitting, actor=applicant, question=first["question"], option=chosen, sequence=1
    )
    question = BankQuestion.objects.get(pk=first["question"])
    question.options = [{**option, "points": 0} for option in question.options]
    question.save(update_fields=["options"])
    finished = sitting_finish(sitting=sitting, actor=applicant)
    assert finished.total == 5
    assert "points" in first and first["points"][chosen] == 5
