from django.core.management import call_command

from seleksi.audit.models import AuditEvent
from seleksi.exams.models import BookingWindow, SessionRoom, TestSession


def test_the_demo_test_stage_is_dated_from_today_and_a_second_run_adds_nothing(db: None) -> None:
    call_command("load_demo", verbosity=0)
    call_command("demo_test_stage")
    sessions = TestSession.objects.count()
    rooms = SessionRoom.objects.count()
    assert sessions == 8
    windows = {w.selection.code: w.mode for w in BookingWindow.objects.select_related("selection")}
    assert windows == {"aceh-tengah-casn-2021": "assigned", "bps-magetan-mitra-2024": "self"}
    for session in TestSession.objects.select_related("selection__agency"):
        days = (session.starts_at.date() - session.selection.agency.today()).days
        assert 6 <= days <= 9
    call_command("demo_test_stage")
    assert (TestSession.objects.count(), SessionRoom.objects.count()) == (sessions, rooms)
    assert AuditEvent.objects.filter(action="exams.demo_prepared").count() == 4
