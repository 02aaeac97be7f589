"""A selection at its test stage, made straight in the tables: final-MS applicants, a test
site with two rooms, sessions tomorrow, and an open booking window. Shared by the exams
tests and the live-server booking test."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.exams.models import BookingWindow, Room, SessionRoom, TestSession, TestSite
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.selections.models import Formation, Selection
from tests.factories import (
    formation_rows,
    import_rows,
    make_agency,
    make_selection,
    make_staff,
    make_user,
)


@dataclass
class TestScene:
    __test__ = False

    selection: Selection
    committee: User
    site_staff: User
    site: TestSite
    sessions: list[TestSession]
    window: BookingWindow
    applications: list[Application] = field(default_factory=list)


def make_participant(
    selection: Selection,
    number: str,
    *,
    formation: str = "F-0001",
    admin_stage: str = AdminStage.FINAL,
    result: str = Mark.MS,
    email: str = "",
) -> Application:
    user = make_user(
        f"peserta-{selection.pk}-{number.lower()}",
        email=email or f"{number.lower()}.{selection.pk}@x.test",
    )
    return Application.objects.create(
        applicant=user,
        selection=selection,
        formation=Formation.objects.get(selection=selection, code=formation),
        number=number,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        admin_stage=admin_stage,
        admin_result=result if admin_stage != AdminStage.WAITING else "",
        published_result=result if admin_stage in (AdminStage.FINAL, AdminStage.PUBLISHED) else "",
    )


def make_session(
    selection: Selection,
    site: TestSite,
    code: str,
    *,
    stage: str = "skd",
    starts_in: timedelta = timedelta(days=1),
    seats: tuple[tuple[Room, int], ...] = (),
    minutes: int = 100,
    accommodation_only: bool = False,
) -> TestSession:
    session = TestSession.objects.create(
        selection=selection,
        stage=stage,
        code=code,
        site=site,
        starts_at=timezone.now() + starts_in,
        duration_minutes=minutes,
        accommodation_only=accommodation_only,
    )
    for order, (room, capacity) in enumerate(seats):
        SessionRoom.objects.create(session=session, room=room, order=order, capacity=capacity)
    return session


def make_test_scene(
    *,
    participants: int = 4,
    capacities: tuple[int, ...] = (2, 3),
    code: str = "uji-2026",
    prefix: str = "P",
) -> TestScene:
    agency = make_agency(f"agency-{code}")
    selection = make_selection(agency, code)
    import_rows(selection, formation_rows(3))
    committee = make_staff(f"panitia-{code}", agency, Role.COMMITTEE)
    site_staff = make_staff(f"petugas-{code}", agency, Role.SITE_STAFF)
    site = TestSite.objects.create(selection=selection, code="gor", name="GOR Kota")
    room_a = Room.objects.create(site=site, code="r1", name="Ruang 1", seats=50)
    room_b = Room.objects.create(site=site, code="r2", name="Ruang 2", seats=50, ground_floor=True)
    sessions = [
        make_session(
            selection,
            site,
            f"sesi-{index + 1}",
            starts_in=timedelta(days=1, hours=index * 3),
            seats=((room_a, capacity),) if index % 2 == 0 else ((room_b, capacity),),
        )
        for index, capacity in enumerate(capacities)
    ]
    now = timezone.now()
    window = BookingWindow.objects.create(
        selection=selection,
        stage="skd",
        mode=BookingWindow.Mode.SELF,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=12),
    )
    scene = TestScene(selection, committee, site_staff, site, sessions, window)
    scene.applications = [
        make_participant(selection, f"{prefix}{number:05d}")
        for number in range(1, participants + 1)
    ]
    return scene
