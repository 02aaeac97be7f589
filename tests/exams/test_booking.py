from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from seleksi.audit.models import AuditEvent
from seleksi.exams import selectors
from seleksi.exams.models import Accommodation, Booking, BookingWindow, SessionRoom
from seleksi.exams.services import ExamsRefused, booking_make, booking_move
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from tests.exams.scene import TestScene, make_participant, make_session


def book(scene: TestScene, index: int, session: int = 0) -> Booking:
    application = scene.applications[index]
    return booking_make(
        application=application,
        session_id=scene.sessions[session].pk,
        actor=application.applicant,
    )


def refused(action) -> ExamsRefused:  # type: ignore[no-untyped-def]
    with pytest.raises(ExamsRefused) as caught:
        action()
    return caught.value


def test_it_books_a_seat_audits_and_mails(
    scene: TestScene, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(scene, 0)
    assert booking.session == scene.sessions[0]
    assert SessionRoom.objects.get(session=scene.sessions[0]).taken == 1
    event = AuditEvent.objects.get(action="exams.booked")
    assert event.subject_id == str(scene.applications[0].pk)
    assert event.details["session"] == "sesi-1"
    assert "sesi-1" in mail.outbox[-1].subject


def test_a_second_booking_for_the_stage_is_refused_and_changes_nothing(scene: TestScene) -> None:
    book(scene, 0)
    error = refused(lambda: book(scene, 0, session=1))
    assert error.code == "already_booked"
    assert Booking.objects.count() == 1
    assert SessionRoom.objects.get(session=scene.sessions[1]).taken == 0


def test_a_full_session_says_penuh_and_offers_the_next_free_ones(scene: TestScene) -> None:
    book(scene, 0)
    book(scene, 1)
    error = refused(lambda: book(scene, 2))
    assert error.code == "full"
    assert "penuh" in error.message
    assert [s.code for s in error.alternatives] == ["sesi-2"]
    assert SessionRoom.objects.get(session=scene.sessions[0]).taken == 2
    assert Booking.objects.filter(application=scene.applications[2]).count() == 0


def test_another_persons_application_is_refused(scene: TestScene) -> None:
    stranger = scene.applications[1].applicant
    error = refused(
        lambda: booking_make(
            application=scene.applications[0], session_id=scene.sessions[0].pk, actor=stranger
        )
    )
    assert error.code == "not_yours"
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [
        (timedelta(hours=2), timedelta(hours=5), "not_open_yet"),
        (-timedelta(hours=5), -timedelta(hours=1), "closed"),
    ],
)
def test_outside_the_window_is_refused(
    scene: TestScene, opens: timedelta, closes: timedelta, code: str
) -> None:
    now = timezone.now()
    BookingWindow.objects.filter(pk=scene.window.pk).update(
        opens_at=now + opens, closes_at=now + closes
    )
    assert refused(lambda: book(scene, 0)).code == code
    assert not Booking.objects.exists()


def test_no_window_and_an_assigned_stage_are_refused(scene: TestScene) -> None:
    BookingWindow.objects.filter(pk=scene.window.pk).update(mode=BookingWindow.Mode.ASSIGNED)
    assert refused(lambda: book(scene, 0)).code == "assigned_stage"
    BookingWindow.objects.all().delete()
    assert refused(lambda: book(scene, 0)).code == "no_window"


@pytest.mark.parametrize(
    ("stage", "result"),
    [(AdminStage.PUBLISHED, Mark.MS), (AdminStage.FINAL, Mark.TMS), (AdminStage.CHECKED, Mark.MS)],
)
def test_only_a_final_ms_may_book(scene: TestScene, stage: str, result: str) -> None:
    application = make_participant(scene.selection, "Q00001", admin_stage=stage, result=result)
    error = refused(
        lambda: booking_make(
            application=application, session_id=scene.sessions[0].pk, actor=application.applicant
        )
    )
    assert error.code == "not_admitted"


def test_a_reserved_session_admits_only_its_formations_and_accommodations(
    scene: TestScene,
) -> None:
    session = scene.sessions[0]
    session.formations.set([scene.selection.formations.get(code="F-0002")])
    assert refused(lambda: book(scene, 0)).code == "reserved"
    special = make_session(
        scene.selection,
        scene.site,
        "sesi-khusus",
        seats=((scene.site.rooms.get(code="r2"), 2),),
        accommodation_only=True,
        starts_in=timedelta(days=2),
    )
    application = scene.applications[1]
    assert (
        refused(
            lambda: booking_make(
                application=application, session_id=special.pk, actor=application.applicant
            )
        ).code
        == "reserved"
    )
    Accommodation.objects.create(
        application=application, note="kursi roda", recorded_by=scene.committee
    )
    booking = booking_make(
        application=application, session_id=special.pk, actor=application.applicant
    )
    assert booking.session == special


def test_a_session_of_another_selection_is_unknown(scene: TestScene) -> None:
    from tests.exams.scene import make_test_scene

    other = make_test_scene(code="lain-2026", prefix="L")
    error = refused(
        lambda: booking_make(
            application=scene.applications[0],
            session_id=other.sessions[0].pk,
            actor=scene.applications[0].applicant,
        )
    )
    assert error.code == "unknown_session"


def test_the_open_sessions_list_seats_left(scene: TestScene) -> None:
    book(scene, 0)
    sessions = list(selectors.sessions_open_to(application=scene.applications[1], stage="skd"))
    assert [(s.code, s.seats_left) for s in sessions] == [("sesi-1", 1), ("sesi-2", 3)]
    left = selectors.seats_left(selection=scene.selection, session_ids=[s.pk for s in sessions])
    assert left == {scene.sessions[0].pk: 1, scene.sessions[1].pk: 3}


def test_the_committee_moves_with_a_reason_audited_and_mailed(
    scene: TestScene, django_capture_on_commit_callbacks: Any
) -> None:
    booking = book(scene, 0)
    assert (
        refused(
            lambda: booking_move(
                booking=booking, session_id=scene.sessions[1].pk, actor=scene.committee, reason=""
            )
        ).code
        == "reason_required"
    )
    with django_capture_on_commit_callbacks(execute=True):
        moved = booking_move(
            booking=booking,
            session_id=scene.sessions[1].pk,
            actor=scene.committee,
            reason="Bentrok dengan jadwal operasi",
        )
    assert moved.session == scene.sessions[1]
    assert SessionRoom.objects.get(session=scene.sessions[0]).taken == 0
    assert SessionRoom.objects.get(session=scene.sessions[1]).taken == 1
    event = AuditEvent.objects.get(action="exams.moved")
    assert event.reason == "Bentrok dengan jadwal operasi"
    assert "Bentrok dengan jadwal operasi" in mail.outbox[-1].body


def test_an_applicant_cannot_move_themselves(scene: TestScene) -> None:
    booking = book(scene, 0)
    error = refused(
        lambda: booking_move(
            booking=booking,
            session_id=scene.sessions[1].pk,
            actor=scene.applications[0].applicant,
            reason="saya ingin pindah sesi",
        )
    )
    assert error.code == "forbidden"
    assert Booking.objects.get().session == scene.sessions[0]


def test_a_started_or_closed_session_is_refused_and_changes_nothing(scene: TestScene) -> None:
    from seleksi.exams.models import TestSession

    TestSession.objects.filter(pk=scene.sessions[0].pk).update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    assert refused(lambda: book(scene, 0)).code == "session_started"
    TestSession.objects.filter(pk=scene.sessions[1].pk).update(closed_at=timezone.now())
    assert refused(lambda: book(scene, 0, session=1)).code == "session_closed"
    assert not Booking.objects.exists()
    assert sum(SessionRoom.objects.values_list("taken", flat=True)) == 0


def test_a_move_to_the_same_or_a_full_session_is_refused_and_changes_nothing(
    scene: TestScene,
) -> None:
    booking = book(scene, 0, session=1)
    book(scene, 1)
    book(scene, 2)
    reason = "Bentrok dengan jadwal operasi"
    for session, code in ((1, "same_session"), (0, "full")):
        error = refused(
            lambda session=session: booking_move(
                booking=booking,
                session_id=scene.sessions[session].pk,
                actor=scene.committee,
                reason=reason,
            )
        )
        assert error.code == code
    assert Booking.objects.get(pk=booking.pk).session == scene.sessions[1]
    assert SessionRoom.objects.get(session=scene.sessions[0]).taken == 2
    assert SessionRoom.objects.get(session=scene.sessions[1]).taken == 1
    assert not AuditEvent.objects.filter(action="exams.moved").exists()
