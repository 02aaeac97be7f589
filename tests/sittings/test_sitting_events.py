"""The sitting's log for disputes, the committee's extension of one participant's time, and the
server closing sittings whose time is up (the task, the sweep and `close-sittings`)."""

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import override

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.sittings.models import Sitting, SittingEvent
from seleksi.sittings.sittings import (
    EVENTS_PER_REPORT,
    ClientEvent,
    SittingRefused,
    answer_save,
    events_record,
    sitting_extend,
    sitting_finish,
)
from seleksi.sittings.tasks import sitting_close, sittings_close_due
from tests.exams.scene import TestScene, make_test_scene
from tests.factories import make_staff, make_superuser
from tests.sittings.scene import make_cat_scene
from tests.sittings.test_sittings import right_option, start

Kind = SittingEvent.Kind


@pytest.fixture
def scene(db: None) -> TestScene:
    scene = make_cat_scene(stage_test=False)
    return scene


def kinds(sitting: Sitting) -> list[str]:
    return list(
        SittingEvent.objects.filter(sitting=sitting)
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )


def run_out(sitting: Sitting, ago: timedelta = timedelta(minutes=1)) -> Sitting:
    """The sitting's time (and the grace) over `ago` ago."""
    Sitting.objects.filter(pk=sitting.pk).update(ends_at=timezone.now() - ago)
    sitting.refresh_from_db()
    return sitting


def refusal(call: Any, **kwargs: Any) -> SittingRefused:
    with pytest.raises(SittingRefused) as caught:
        call(**kwargs)
    return caught.value


# --- the log of answers -----------------------------------------------------------------------


def test_the_log_records_each_answer_by_what_it_changed(scene: TestScene) -> None:
    sitting = start(scene)
    applicant = scene.applications[0].applicant
    question = sitting.drawn[0]["question"]
    first, second = sitting.drawn[0]["options"][:2]

    def save(option: str, sequence: int, marked: bool = False) -> None:
        answer_save(
            sitting=sitting,
            actor=applicant,
            question=question,
            option=option,
            sequence=sequence,
            marked=marked,
        )

    save(first, 1)
    save(first, 2)  # the same answer again: nothing to log
    save(second, 3)
    save(second, 4, marked=True)
    save("", 5, marked=True)
    save(first, 5)  # a resend of sequence 5: stale, not logged
    save("", 6, marked=False)
    assert kinds(sitting) == [
        Kind.STARTED,
        Kind.ANSWERED,
        Kind.CHANGED,
        Kind.MARKED,
        Kind.CLEARED,
        Kind.MARKED,
    ]
    answered = SittingEvent.objects.get(sitting=sitting, kind=Kind.ANSWERED)
    assert (answered.question, answered.option, answered.sequence) == (question, first, 1)
    marked = SittingEvent.objects.filter(sitting=sitting, kind=Kind.MARKED).first()
    assert marked is not None
    assert (marked.option, marked.sequence, marked.details) == (second, 4, {"marked": True})
    assert answered.details == {}
    unmarked = SittingEvent.objects.filter(sitting=sitting, kind=Kind.MARKED).last()
    assert unmarked is not None and unmarked.details == {"marked": False}
    cleared = SittingEvent.objects.get(sitting=sitting, kind=Kind.CLEARED)
    assert (cleared.option, cleared.sequence) == ("", 5)
    started = SittingEvent.objects.get(sitting=sitting, kind=Kind.STARTED)
    assert started.details == {"ends_at": sitting.ends_at.isoformat()}
    assert started.client_at is None


def test_a_late_answer_is_logged_with_what_was_sent(scene: TestScene) -> None:
    sitting = run_out(start(scene))
    item = sitting.drawn[3]
    refused = refusal(
        answer_save,
        sitting=sitting,
        actor=scene.applications[0].applicant,
        question=item["question"],
        option=item["options"][2],
        sequence=7,
    )
    assert refused.code == "late"
    late = SittingEvent.objects.get(sitting=sitting, kind=Kind.LATE)
    assert (late.question, late.option, late.sequence) == (item["question"], item["options"][2], 7)


def test_a_refused_answer_of_another_kind_is_not_logged(scene: TestScene) -> None:
    sitting = start(scene)
    applicant = scene.applications[0].applicant
    for kwargs in (
        {"actor": scene.applications[1].applicant, "question": sitting.drawn[0]["question"]},
        {"actor": applicant, "question": 999_999},
    ):
        refusal(answer_save, sitting=sitting, option="a", sequence=1, **kwargs)
    assert kinds(sitting) == [Kind.STARTED]


def test_finishing_is_logged_once_with_who_closed_it_and_the_total(scene: TestScene) -> None:
    sitting = start(scene)
    applicant = scene.applications[0].applicant
    question = sitting.drawn[0]["question"]
    answer_save(
        sitting=sitting,
        actor=applicant,
        question=question,
        option=right_option(question),
        sequence=1,
    )
    sitting_finish(sitting=sitting, actor=applicant)
    sitting_finish(sitting=sitting, actor=applicant)
    finished = SittingEvent.objects.get(sitting=sitting, kind=Kind.FINISHED)
    assert finished.details == {"closed_by": "participant", "total": 5}
    assert kinds(sitting)[-1] == Kind.FINISHED


# --- what the browser reports -----------------------------------------------------------------


def test_the_browser_reports_only_its_own_kinds_and_the_sittings_questions(
    scene: TestScene,
) -> None:
    sitting = start(scene)
    mine = sitting.drawn[4]["question"]
    seen = timezone.now() - timedelta(seconds=40)
    kept = events_record(
        sitting=sitting,
        actor=scene.applications[0].applicant,
        events=[
            ClientEvent("opened", seen),
            ClientEvent("shown", seen, mine),
            ClientEvent("shown", seen, 999_999),
            ClientEvent("offline", seen + timedelta(seconds=5)),
            ClientEvent("online", None),
            ClientEvent("answered", seen, mine),
            ClientEvent("finished", seen),
            ClientEvent("extended", seen),
            ClientEvent("whatever", seen),
        ],
    )
    assert kept == 5
    rows = list(
        SittingEvent.objects.filter(sitting=sitting)
        .exclude(kind=Kind.STARTED)
        .order_by("pk")
        .values_list("kind", "question", "client_at")
    )
    assert rows == [
        ("opened", None, seen),
        ("shown", mine, seen),
        ("shown", None, seen),
        ("offline", None, seen + timedelta(seconds=5)),
        ("online", None, None),
    ]
    server_times = SittingEvent.objects.filter(sitting=sitting, kind="shown").values_list(
        "at", flat=True
    )
    assert all(at > seen for at in server_times)


def test_one_report_keeps_at_most_its_limit(scene: TestScene) -> None:
    sitting = start(scene)
    question = sitting.drawn[0]["question"]
    events = [ClientEvent("shown", timezone.now(), question)] * (EVENTS_PER_REPORT + 50)
    kept = events_record(sitting=sitting, actor=scene.applications[0].applicant, events=events)
    assert kept == EVENTS_PER_REPORT == 200
    assert SittingEvent.objects.filter(sitting=sitting, kind=Kind.SHOWN).count() == 200


def test_only_the_participant_reports_events_of_their_sitting(scene: TestScene) -> None:
    sitting = start(scene)
    for actor in (scene.applications[1].applicant, scene.committee, None):
        refused = refusal(
            events_record,
            sitting=sitting,
            actor=actor,
            events=[ClientEvent("offline", timezone.now())],
        )
        assert refused.code == "not_yours"
    assert kinds(sitting) == [Kind.STARTED]


def test_a_finished_sitting_still_keeps_a_late_report(scene: TestScene) -> None:
    sitting = start(scene)
    applicant = scene.applications[0].applicant
    sitting_finish(sitting=sitting, actor=applicant)
    kept = events_record(
        sitting=sitting, actor=applicant, events=[ClientEvent("online", timezone.now())]
    )
    assert kept == 1
    assert kinds(sitting)[-1] == Kind.ONLINE


# --- the committee's extension ----------------------------------------------------------------


def close_to(moment: datetime, expected: datetime) -> bool:
    return abs(moment - expected) < timedelta(seconds=5)


def test_the_committee_extends_one_sitting_for_a_reason(scene: TestScene) -> None:
    sitting = start(scene)
    other = start(scene, 1)
    before = sitting.ends_at
    extended = sitting_extend(
        sitting=sitting, actor=scene.committee, minutes=15, reason="  Listrik padam di ruang 1  "
    )
    assert extended.ends_at == before + timedelta(minutes=15)
    sitting.refresh_from_db()
    other_before = other.ends_at
    other.refresh_from_db()
    assert sitting.ends_at == before + timedelta(minutes=15)
    assert other.ends_at == other_before
    event = SittingEvent.objects.get(sitting=sitting, kind=Kind.EXTENDED)
    assert event.details == {
        "minutes": 15,
        "reason": "Listrik padam di ruang 1",
        "ends_at": sitting.ends_at.isoformat(),
        "by": scene.committee.pk,
    }
    audit = AuditEvent.objects.get(action="sittings.extended")
    assert audit.actor == scene.committee
    assert audit.reason == "Listrik padam di ruang 1"
    assert audit.subject_id == str(scene.applications[0].pk)
    assert audit.details["minutes"] == 15
    assert audit.rule_version == "skd-2021 v1"
    sitting_extend(sitting=sitting, actor=scene.committee, minutes=5, reason="lagi")
    sitting.refresh_from_db()
    assert sitting.ends_at == before + timedelta(minutes=20)


def test_an_extension_after_the_time_ran_out_counts_from_now(scene: TestScene) -> None:
    sitting = run_out(start(scene), ago=timedelta(minutes=10))
    extended = sitting_extend(sitting=sitting, actor=scene.committee, minutes=20, reason="padam")
    assert close_to(extended.ends_at, timezone.now() + timedelta(minutes=20))
    question = sitting.drawn[0]["question"]
    saved = answer_save(
        sitting=extended,
        actor=scene.applications[0].applicant,
        question=question,
        option=right_option(question),
        sequence=1,
    )
    assert saved.result == "saved"


def test_an_extension_within_the_grace_adds_to_the_end(scene: TestScene) -> None:
    sitting = run_out(start(scene), ago=timedelta(seconds=1))
    ends_at = sitting.ends_at
    extended = sitting_extend(sitting=sitting, actor=scene.committee, minutes=3, reason="padam")
    assert extended.ends_at == ends_at + timedelta(minutes=3)


def test_an_administrator_of_the_agency_may_extend_too(scene: TestScene) -> None:
    admin = make_staff("admin-instansi", scene.selection.agency, Role.ADMIN)
    sitting = start(scene)
    sitting_extend(sitting=sitting, actor=admin, minutes=1, reason="padam")
    sitting_extend(sitting=sitting, actor=make_superuser(), minutes=1, reason="padam")
    assert SittingEvent.objects.filter(sitting=sitting, kind=Kind.EXTENDED).count() == 2


def test_only_the_agencys_committee_extends(scene: TestScene) -> None:
    sitting = start(scene)
    stranger = make_test_scene(code="lain-2026", prefix="L").committee
    for actor in (
        scene.site_staff,
        scene.applications[0].applicant,
        stranger,
        None,
    ):
        refused = refusal(sitting_extend, sitting=sitting, actor=actor, minutes=10, reason="x")
        assert refused.code == "forbidden"
    ends_at = sitting.ends_at
    sitting.refresh_from_db()
    assert sitting.ends_at == ends_at
    assert not SittingEvent.objects.filter(kind=Kind.EXTENDED).exists()
    assert not AuditEvent.objects.filter(action="sittings.extended").exists()


@pytest.mark.parametrize("minutes", [0, -5, 121, 10_000])
def test_an_extension_is_between_1_and_120_minutes(scene: TestScene, minutes: int) -> None:
    sitting = start(scene)
    refused = refusal(
        sitting_extend, sitting=sitting, actor=scene.committee, minutes=minutes, reason="padam"
    )
    assert refused.code == "minutes"
    with override("en"):
        assert refused.message == "Give between 1 and 120 extra minutes."
    assert not SittingEvent.objects.filter(kind=Kind.EXTENDED).exists()


def test_the_limits_of_an_extension_are_allowed(scene: TestScene) -> None:
    sitting = start(scene)
    ends_at = sitting.ends_at
    sitting_extend(sitting=sitting, actor=scene.committee, minutes=1, reason="padam")
    sitting_extend(sitting=sitting, actor=scene.committee, minutes=120, reason="padam")
    sitting.refresh_from_db()
    assert sitting.ends_at == ends_at + timedelta(minutes=121)


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_an_extension_needs_a_reason(scene: TestScene, reason: str) -> None:
    sitting = start(scene)
    refused = refusal(
        sitting_extend, sitting=sitting, actor=scene.committee, minutes=10, reason=reason
    )
    assert refused.code == "reason"
    assert not AuditEvent.objects.filter(action="sittings.extended").exists()


def test_a_finished_sitting_cannot_be_extended(scene: TestScene) -> None:
    sitting = start(scene)
    sitting_finish(sitting=sitting, actor=scene.applications[0].applicant)
    refused = refusal(
        sitting_extend, sitting=sitting, actor=scene.committee, minutes=10, reason="padam"
    )
    assert refused.code == "not_open"
    with override("en"):
        assert refused.message == "Only a sitting in progress can be extended."


def test_an_extended_sitting_is_not_closed_by_the_server_before_its_new_end(
    scene: TestScene,
) -> None:
    sitting = run_out(start(scene), ago=timedelta(minutes=2))
    sitting_extend(sitting=sitting, actor=scene.committee, minutes=10, reason="padam")
    assert sittings_close_due() == 0
    assert sitting_close.call(sitting_id=sitting.pk) == "open"
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.OPEN


# --- the server closing sittings --------------------------------------------------------------


def answered(scene: TestScene, sitting: Sitting, index: int, component: str = "twk") -> None:
    items = [item for item in sitting.drawn if item["component"] == component]
    for sequence, item in enumerate(items[:2], start=1):
        answer_save(
            sitting=sitting,
            actor=scene.applications[index].applicant,
            question=item["question"],
            option=right_option(item["question"]),
            sequence=sequence,
        )


def test_the_task_closes_and_scores_a_due_sitting_once(scene: TestScene) -> None:
    sitting = start(scene)
    answered(scene, sitting, 0)
    run_out(sitting)
    assert sitting_close.call(sitting_id=sitting.pk) == "finished"
    sitting.refresh_from_db()
    assert (sitting.status, sitting.closed_by) == ("finished", "server")
    assert sitting.scores == {"twk": 10, "tiu": 0, "tkp": 0} and sitting.total == 10
    finished_at = sitting.finished_at
    assert sitting_close.call(sitting_id=sitting.pk) == "finished"
    sitting.refresh_from_db()
    assert sitting.finished_at == finished_at
    assert SittingEvent.objects.filter(sitting=sitting, kind=Kind.FINISHED).count() == 1
    audit = AuditEvent.objects.get(action="sittings.finished")
    assert audit.actor is None and audit.details["closed_by"] == "server"


def test_the_task_leaves_a_sitting_not_yet_due(scene: TestScene) -> None:
    sitting = start(scene)
    assert sitting_close.call(sitting_id=sitting.pk) == "open"
    run_out(sitting, ago=timedelta(seconds=2))  # ended 2 s ago: still within the grace
    assert sitting_close.call(sitting_id=sitting.pk) == "open"
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.OPEN and sitting.finished_at is None
    assert Kind.FINISHED not in kinds(sitting)


def test_the_task_leaves_a_sitting_the_participant_finished(scene: TestScene) -> None:
    sitting = start(scene)
    sitting_finish(sitting=sitting, actor=scene.applications[0].applicant)
    run_out(sitting)
    assert sitting_close.call(sitting_id=sitting.pk) == "finished"
    sitting.refresh_from_db()
    assert sitting.closed_by == Sitting.ClosedBy.PARTICIPANT


def test_the_task_for_a_missing_sitting_does_nothing(db: None) -> None:
    assert sitting_close.call(sitting_id=987_654) == "missing"


def test_the_sweep_closes_only_due_open_sittings(scene: TestScene) -> None:
    due = [start(scene, 0), start(scene, 1)]
    answered(scene, due[0], 0, "tkp")
    not_due = start(scene, 2)
    finished = start(scene, 3)
    sitting_finish(sitting=finished, actor=scene.applications[3].applicant)
    for sitting in (*due, finished):
        run_out(sitting)
    finished.refresh_from_db()
    finished_at = finished.finished_at
    assert sittings_close_due() == 2
    for sitting in due:
        sitting.refresh_from_db()
        assert (sitting.status, sitting.closed_by) == ("finished", "server")
    assert due[0].scores["tkp"] == 10
    assert due[1].total == 0
    not_due.refresh_from_db()
    assert not_due.status == Sitting.Status.OPEN
    finished.refresh_from_db()
    assert (finished.closed_by, finished.finished_at) == ("participant", finished_at)
    assert sittings_close_due() == 0
    assert AuditEvent.objects.filter(action="sittings.finished").count() == 3


def test_the_command_sweeps_and_says_how_many(scene: TestScene) -> None:
    run_out(start(scene, 0))
    start(scene, 1)
    out = io.StringIO()
    call_command("close_sittings", stdout=out)
    assert out.getvalue().strip() == "1 sitting(s) closed"
    out = io.StringIO()
    call_command("close_sittings", stdout=out)
    assert out.getvalue().strip() == "0 sitting(s) closed"
    assert Sitting.objects.filter(status="open").count() == 1


def test_starting_has_the_database_queue_close_the_sitting_just_after_its_end(
    scene: TestScene, tasks_backend: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    tasks_backend("django_tasks_db.DatabaseBackend")
    with django_capture_on_commit_callbacks(execute=True):
        sitting = start(scene)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "seleksi.sittings.tasks.sitting_close"
    assert queued.args_kwargs["kwargs"] == {"sitting_id": sitting.pk}
    grace = timedelta(seconds=settings.SELEKSI_ANSWER_GRACE_SECONDS)
    assert queued.run_after == sitting.ends_at + grace + timedelta(seconds=1)


def test_an_answer_put_never_overwrites_a_newer_one_even_when_two_meet(scene: TestScene) -> None:
    """The guard of the race between two saves of one question: the upsert's own
    compare-and-swap, whatever the read before it saw."""
    from seleksi.sittings.models import Answer
    from seleksi.sittings.sittings import _answer_put

    sitting = start(scene)
    question = sitting.drawn[0]["question"]
    now = timezone.now()
    assert _answer_put(sitting.pk, question, "a", False, 5, now)
    assert not _answer_put(sitting.pk, question, "b", False, 4, now)
    assert not _answer_put(sitting.pk, question, "c", False, 5, now)
    assert _answer_put(sitting.pk, question, "d", True, 6, now)
    held = Answer.objects.get(sitting=sitting, question=question)
    assert (held.option, held.marked, held.sequence) == ("d", True, 6)


def test_the_participant_is_told_of_each_extension(scene: TestScene) -> None:
    from seleksi.notices.models import Notice

    sitting = start(scene)
    sitting_extend(sitting=sitting, actor=scene.committee, minutes=15, reason="Listrik padam")
    sitting_extend(sitting=sitting, actor=scene.committee, minutes=5, reason="Listrik padam lagi")
    notices = list(Notice.objects.filter(template="sitting_extended").order_by("id"))
    assert [n.user_id for n in notices] == [scene.applications[0].applicant_id] * 2
    assert notices[0].subject == "Waktu ujian Anda ditambah 15 menit"
    assert "Listrik padam lagi" in notices[1].body
    assert scene.applications[0].number in notices[0].body
