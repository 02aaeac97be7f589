"""The committee's seat assignment (preview, then confirm the same plan) and the participant's
chosen test location."""

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db.models import Count, F
from django.utils import timezone

from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.exams import assignment
from seleksi.exams.assignment import (
    Unplaced,
    assignment_confirm,
    assignment_preview,
    site_choose,
)
from seleksi.exams.models import (
    Accommodation,
    Booking,
    BookingWindow,
    Room,
    SessionRoom,
    SiteChoice,
    TestSession,
    TestSite,
)
from seleksi.exams.services import ExamsRefused, booking_make
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from tests.concurrency import at_once
from tests.exams.scene import TestScene, make_participant, make_session, make_test_scene
from tests.factories import make_staff


def everyone(scene: TestScene) -> Any:
    return Application.objects.filter(selection=scene.selection).values_list("pk", flat=True)


def preview(scene: TestScene, stage: str = "skd", ids: Any = None) -> assignment.AssignmentPreview:
    return assignment_preview(
        selection=scene.selection,
        stage=stage,
        application_ids=everyone(scene) if ids is None else ids,
        actor=scene.committee,
    )


def confirm(
    scene: TestScene, fingerprint: str, stage: str = "skd", ids: Any = None
) -> assignment.AssignmentPreview:
    return assignment_confirm(
        selection=scene.selection,
        stage=stage,
        application_ids=everyone(scene) if ids is None else ids,
        fingerprint=fingerprint,
        actor=scene.committee,
    )


def refused(action) -> ExamsRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(ExamsRefused) as caught:
        action()
    return caught.value


def counters_match_bookings(scene: TestScene) -> None:
    booked = dict(
        Booking.objects.values("session_room_id")
        .annotate(n=Count("pk"))
        .values_list("session_room_id", "n")
    )
    for room in SessionRoom.objects.filter(session__selection=scene.selection):
        assert room.taken == booked.get(room.pk, 0), room
        assert room.taken <= room.capacity


def registered_in_order(scene: TestScene) -> None:
    """Number 1 registered first, then 2, and so on."""
    start = timezone.now() - timedelta(days=30)
    for index, application in enumerate(scene.applications):
        Application.objects.filter(pk=application.pk).update(
            submitted_at=start + timedelta(minutes=index)
        )


@pytest.fixture
def assigned(scene: TestScene) -> TestScene:
    """The scene with the SKD seats assigned by the committee (window still open)."""
    BookingWindow.objects.filter(pk=scene.window.pk).update(mode=BookingWindow.Mode.ASSIGNED)
    scene.window.refresh_from_db()
    registered_in_order(scene)
    return scene


# --- preview and confirm --------------------------------------------------------------------------


def test_the_preview_plans_everyone_and_writes_nothing(assigned: TestScene) -> None:
    plan = preview(assigned)
    assert (plan.admitted, plan.booked, plan.waiting) == (4, 0, 4)
    assert [(p.participant.number, p.session.code) for p in plan.placements] == [
        ("P00001", "sesi-1"),
        ("P00002", "sesi-1"),
        ("P00003", "sesi-2"),
        ("P00004", "sesi-2"),
    ]
    assert [(load.session.code, load.free, load.placed, load.left) for load in plan.sessions] == [
        ("sesi-1", 2, 2, 0),
        ("sesi-2", 3, 2, 1),
    ]
    assert plan.unplaced == []
    assert len(plan.fingerprint) == 64
    assert preview(assigned).fingerprint == plan.fingerprint
    assert not Booking.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="exams.assign").exists()


def test_confirming_seats_everyone_audits_and_mails_each(
    assigned: TestScene, django_capture_on_commit_callbacks: Any
) -> None:
    plan = preview(assigned)
    with django_capture_on_commit_callbacks(execute=True):
        done = confirm(assigned, plan.fingerprint)
    assert len(done.placements) == 4
    bookings = {b.application.number: b for b in Booking.objects.select_related("application")}
    assert {n: b.session.code for n, b in bookings.items()} == {
        "P00001": "sesi-1",
        "P00002": "sesi-1",
        "P00003": "sesi-2",
        "P00004": "sesi-2",
    }
    assert all(
        b.booked_by == assigned.committee and b.token.startswith("k") for b in bookings.values()
    )
    assert len({b.token for b in bookings.values()}) == 4
    counters_match_bookings(assigned)
    events = AuditEvent.objects.filter(action="exams.assigned")
    assert sorted(events.values_list("subject_label", flat=True)) == sorted(bookings)
    assert events.get(subject_label="P00003").details["session"] == "sesi-2"
    summary = AuditEvent.objects.get(action="exams.assignment_confirmed")
    assert summary.details["placed"] == 4 and summary.details["fingerprint"] == plan.fingerprint
    assert len(mail.outbox) == 4
    letter = next(m for m in mail.outbox if "P00003" in m.body)
    assert "sesi-2" in letter.subject and "Ruang 2" in letter.body
    assert "P00001" not in letter.body


def test_capacity_holds_and_the_rest_are_listed_without_a_seat(db: None) -> None:
    scene = make_test_scene(participants=9, capacities=(2, 3), code="penuh-2026")
    registered_in_order(scene)
    plan = preview(scene)
    assert len(plan.placements) == 5
    assert [entry.participant.number for entry in plan.unplaced] == [
        "P00006",
        "P00007",
        "P00008",
        "P00009",
    ]
    assert {entry.reason for entry in plan.unplaced} == {Unplaced.NO_SEAT}
    confirm(scene, plan.fingerprint)
    assert Booking.objects.count() == 5
    counters_match_bookings(scene)
    assert [room.taken for room in SessionRoom.objects.order_by("session__starts_at")] == [2, 3]


def test_rooms_of_a_session_fill_in_order(assigned: TestScene) -> None:
    first = assigned.sessions[0]
    extra = Room.objects.create(site=assigned.site, code="r3", name="Ruang 3", seats=10)
    SessionRoom.objects.create(session=first, room=extra, order=1, capacity=1)
    plan = preview(assigned)
    assert [(p.participant.number, p.session_room.room.code) for p in plan.placements[:3]] == [
        ("P00001", "r1"),
        ("P00002", "r1"),
        ("P00003", "r3"),
    ]
    confirm(assigned, plan.fingerprint)
    counters_match_bookings(assigned)


def test_a_chosen_location_is_honoured_and_named_when_it_is_full(assigned: TestScene) -> None:
    aula = TestSite.objects.create(selection=assigned.selection, code="aula", name="Aula Dinas")
    room = Room.objects.create(site=aula, code="a1", name="Aula", seats=5)
    make_session(
        assigned.selection, aula, "sesi-aula", starts_in=timedelta(days=3), seats=((room, 1),)
    )
    for application in assigned.applications[2:]:
        site_choose(application=application, site_id=aula.pk, actor=application.applicant)
    plan = preview(assigned)
    placed = {p.participant.number: p.session.code for p in plan.placements}
    assert placed == {"P00001": "sesi-1", "P00002": "sesi-1", "P00003": "sesi-aula"}
    assert [(e.participant.number, e.reason) for e in plan.unplaced] == [
        ("P00004", Unplaced.LOCATION)
    ]


def test_an_accommodation_session_goes_to_those_who_need_one(assigned: TestScene) -> None:
    special = make_session(
        assigned.selection,
        assigned.site,
        "sesi-khusus",
        seats=((assigned.site.rooms.get(code="r2"), 1),),
        starts_in=timedelta(days=2),
        accommodation_only=True,
    )
    Accommodation.objects.create(
        application=assigned.applications[3], note="kursi roda", recorded_by=assigned.committee
    )
    plan = preview(assigned)
    placed = {p.participant.number: p.session for p in plan.placements}
    assert placed["P00004"] == special
    assert [n for n, s in placed.items() if s == special] == ["P00004"]


def test_a_reserved_session_takes_only_its_formation(db: None) -> None:
    scene = make_test_scene(participants=2, capacities=(5,), code="khusus-2026")
    make_participant(scene.selection, "P00003", formation="F-0002")
    scene.sessions[0].formations.set([scene.selection.formations.get(code="F-0002")])
    plan = preview(scene)
    assert [p.participant.number for p in plan.placements] == ["P00003"]
    assert {e.participant.number for e in plan.unplaced} == {"P00001", "P00002"}


def test_those_already_seated_are_counted_and_left_alone(
    scene: TestScene, django_capture_on_commit_callbacks: Any
) -> None:
    booking_make(
        application=scene.applications[0],
        session_id=scene.sessions[1].pk,
        actor=scene.applications[0].applicant,
    )
    plan = preview(scene)
    assert (plan.admitted, plan.booked, plan.waiting) == (4, 1, 3)
    assert "P00001" not in {p.participant.number for p in plan.placements}
    confirm(scene, plan.fingerprint)
    assert Booking.objects.get(application=scene.applications[0]).session == scene.sessions[1]
    assert Booking.objects.count() == 4
    counters_match_bookings(scene)


def test_a_plan_changed_since_the_preview_is_refused_and_changes_nothing(
    scene: TestScene,
) -> None:
    plan = preview(scene)
    booking_make(
        application=scene.applications[1],
        session_id=scene.sessions[1].pk,
        actor=scene.applications[1].applicant,
    )
    error = refused(lambda: confirm(scene, plan.fingerprint))
    assert error.code == "plan_changed"
    assert Booking.objects.count() == 1
    counters_match_bookings(scene)
    assert not AuditEvent.objects.filter(action="exams.assigned").exists()


def test_fewer_seats_since_the_preview_also_count_as_a_change(scene: TestScene) -> None:
    plan = preview(scene)
    SessionRoom.objects.filter(session=scene.sessions[1]).update(capacity=2)
    assert refused(lambda: confirm(scene, plan.fingerprint)).code == "plan_changed"
    assert not Booking.objects.exists()


def test_a_second_confirmation_of_the_same_plan_finds_nobody_waiting(scene: TestScene) -> None:
    plan = preview(scene)
    confirm(scene, plan.fingerprint)
    assert refused(lambda: confirm(scene, plan.fingerprint)).code == "nothing_to_assign"
    assert Booking.objects.count() == 4
    counters_match_bookings(scene)


def test_a_plan_that_seats_nobody_is_refused(scene: TestScene) -> None:
    SessionRoom.objects.update(taken=F("capacity"))
    plan = preview(scene)
    assert plan.placements == [] and len(plan.unplaced) == 4
    assert refused(lambda: confirm(scene, plan.fingerprint)).code == "no_seat_for_anyone"


def test_started_and_closed_sessions_are_not_filled(scene: TestScene) -> None:
    TestSession.objects.filter(pk=scene.sessions[0].pk).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    TestSession.objects.filter(pk=scene.sessions[1].pk).update(closed_at=timezone.now())
    plan = preview(scene)
    assert plan.sessions == [] and plan.placements == []


def test_a_list_of_ids_is_read_in_chunks_and_ignores_other_selections(
    scene: TestScene, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assignment, "IDS_PER_QUERY", 3)
    other = make_test_scene(code="lain-2026", prefix="L", participants=2)
    ids = [a.pk for a in scene.applications] + [a.pk for a in other.applications]
    plan = preview(scene, ids=ids)
    assert plan.admitted == 4 and len(plan.placements) == 4
    confirm(scene, plan.fingerprint, ids=ids)
    assert set(Booking.objects.values_list("selection_id", flat=True)) == {scene.selection.pk}


def test_the_queries_do_not_grow_with_the_participants(
    db: None, django_assert_max_num_queries: Any
) -> None:
    scene = make_test_scene(participants=60, capacities=(30, 30), code="banyak-2026")
    plan = preview(scene)
    with django_assert_max_num_queries(30):
        confirm(scene, plan.fingerprint)
    assert Booking.objects.count() == 60
    assert Counter(SessionRoom.objects.values_list("taken", flat=True)) == Counter({30: 2})


@pytest.mark.parametrize("who", ["verifier", "other_agency", "applicant", "site_staff"])
def test_only_the_committee_of_the_agency_previews_and_assigns(scene: TestScene, who: str) -> None:
    actor = {
        "verifier": lambda: make_staff("verifikator", scene.selection.agency, Role.VERIFIER),
        "other_agency": lambda: make_test_scene(code="lain-2026", prefix="L").committee,
        "applicant": lambda: scene.applications[0].applicant,
        "site_staff": lambda: scene.site_staff,
    }[who]()
    plan = preview(scene)
    for action in (
        lambda: assignment_preview(
            selection=scene.selection, stage="skd", application_ids=everyone(scene), actor=actor
        ),
        lambda: assignment_confirm(
            selection=scene.selection,
            stage="skd",
            application_ids=everyone(scene),
            fingerprint=plan.fingerprint,
            actor=actor,
        ),
    ):
        assert refused(action).code == "forbidden"
    assert not Booking.objects.exists()


# --- the participant's test location --------------------------------------------------------------


def test_the_applicant_chooses_and_changes_their_location_audited(assigned: TestScene) -> None:
    aula = TestSite.objects.create(selection=assigned.selection, code="aula", name="Aula Dinas")
    application = assigned.applications[0]
    site_choose(application=application, site_id=assigned.site.pk, actor=application.applicant)
    choice = site_choose(application=application, site_id=aula.pk, actor=application.applicant)
    assert SiteChoice.objects.get(application=application) == choice
    assert choice.site == aula
    events = AuditEvent.objects.filter(action="exams.site_chosen").order_by("pk")
    assert [e.details for e in events] == [
        {"site": "gor", "previous": ""},
        {"site": "aula", "previous": "gor"},
    ]


def test_another_persons_application_is_refused(assigned: TestScene) -> None:
    error = refused(
        lambda: site_choose(
            application=assigned.applications[0],
            site_id=assigned.site.pk,
            actor=assigned.applications[1].applicant,
        )
    )
    assert error.code == "not_yours"
    error = refused(
        lambda: site_choose(
            application=assigned.applications[0], site_id=assigned.site.pk, actor=None
        )
    )
    assert error.code == "not_yours"
    assert not SiteChoice.objects.exists()


@pytest.mark.parametrize(
    ("stage", "result"),
    [(AdminStage.PUBLISHED, Mark.MS), (AdminStage.FINAL, Mark.TMS)],
)
def test_only_a_final_ms_chooses(assigned: TestScene, stage: str, result: str) -> None:
    application = make_participant(assigned.selection, "Q00001", admin_stage=stage, result=result)
    error = refused(
        lambda: site_choose(
            application=application, site_id=assigned.site.pk, actor=application.applicant
        )
    )
    assert error.code == "choice_not_admitted"
    assert not SiteChoice.objects.exists()


@pytest.mark.parametrize(
    ("mode", "opens", "closes"),
    [
        (BookingWindow.Mode.SELF, -timedelta(hours=1), timedelta(hours=1)),
        (BookingWindow.Mode.ASSIGNED, timedelta(hours=1), timedelta(hours=5)),
        (BookingWindow.Mode.ASSIGNED, -timedelta(hours=5), -timedelta(hours=1)),
    ],
    ids=["self-booked-stage", "not-open-yet", "closed"],
)
def test_a_location_is_chosen_only_while_an_assigned_window_is_open(
    scene: TestScene, mode: str, opens: timedelta, closes: timedelta
) -> None:
    now = timezone.now()
    BookingWindow.objects.filter(pk=scene.window.pk).update(
        mode=mode, opens_at=now + opens, closes_at=now + closes
    )
    application = scene.applications[0]
    error = refused(
        lambda: site_choose(
            application=application, site_id=scene.site.pk, actor=application.applicant
        )
    )
    assert error.code == "choice_closed"
    assert not SiteChoice.objects.exists()


def test_an_skb_window_opens_the_choice_too(scene: TestScene) -> None:
    now = timezone.now()
    BookingWindow.objects.filter(pk=scene.window.pk).update(closes_at=now - timedelta(minutes=1))
    BookingWindow.objects.create(
        selection=scene.selection,
        stage="skb",
        mode=BookingWindow.Mode.ASSIGNED,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    application = scene.applications[0]
    site_choose(application=application, site_id=scene.site.pk, actor=application.applicant)
    assert SiteChoice.objects.get().site == scene.site


def test_a_site_of_another_selection_is_refused(assigned: TestScene) -> None:
    other = make_test_scene(code="lain-2026", prefix="L")
    application = assigned.applications[0]
    error = refused(
        lambda: site_choose(
            application=application, site_id=other.site.pk, actor=application.applicant
        )
    )
    assert error.code == "unknown_site"
    assert not SiteChoice.objects.exists()


# --- at the same moment --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_applicants_booking_during_the_confirmation_never_overbook() -> None:
    scene = make_test_scene(participants=8, capacities=(3, 2), code="serentak-2026")
    plan = preview(scene)
    assert len(plan.placements) == 5

    def applicant_books(index: int) -> Any:
        application = scene.applications[index]
        return lambda: booking_make(
            application=application,
            session_id=scene.sessions[index % 2].pk,
            actor=application.applicant,
        )

    outcomes = at_once(
        lambda: confirm(scene, plan.fingerprint),
        *(applicant_books(index) for index in (0, 5, 6, 7)),
    )
    for outcome in outcomes:
        assert not isinstance(outcome, Exception) or isinstance(outcome, ExamsRefused), outcome
    confirmed = not isinstance(outcomes[0], Exception)
    assert confirmed or outcomes[0].code == "plan_changed"  # type: ignore[union-attr]
    counters_match_bookings(scene)
    assert Booking.objects.count() <= 5
    assert Booking.objects.values("application").distinct().count() == Booking.objects.count()
    if confirmed:
        assert Booking.objects.filter(booked_by=scene.committee).count() == 5
