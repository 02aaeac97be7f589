"""The applicant's dashboard: every application with its current stage, deadlines, prints,
results with the pass marks met or missed, and nobody else's data."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from seleksi.accounts.models import User
from seleksi.agencies.models import Agency, Role
from seleksi.announcements.models import Announcement, AnnouncementRow, Kind
from seleksi.applicant import journey
from seleksi.applications.models import Application
from seleksi.audit.services import audit_record
from seleksi.exams.models import Booking, BookingWindow, Room, TestSession, TestSite
from seleksi.exams.services import booking_make
from seleksi.rules.ranking import load_ranking_policy
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.scoring.models import RankingRun
from seleksi.selections.models import DocumentRule, Formation, Selection
from seleksi.verification.models import Objection
from tests.accounts.helpers import signed_in
from tests.exams.scene import make_session
from tests.factories import (
    PASSWORD,
    formation_rows,
    import_rows,
    make_agency,
    make_selection,
    make_staff,
    make_user,
)

pytestmark = pytest.mark.django_db
DASHBOARD = "/dasbor/"


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def open_selection(agency: Agency, code: str, *, closes_in: int = 10) -> Selection:
    today = agency.today()
    selection = make_selection(
        agency,
        code,
        registration=(today - timedelta(days=20), today + timedelta(days=closes_in)),
        final=(today + timedelta(days=90), today + timedelta(days=90)),
        title=f"Seleksi {code}",
    )
    import_rows(selection, formation_rows(7, prefix=code[:3].upper()))
    return selection


def application(
    user: User,
    selection: Selection,
    number: str,
    *,
    formation: int = 1,
    submitted: bool = True,
    admin_stage: str = AdminStage.WAITING,
    result: str = "",
    published_days_ago: int | None = None,
) -> Application:
    code = f"{selection.code[:3].upper()}-{formation:04d}"
    published_at = (
        timezone.now() - timedelta(days=published_days_ago)
        if published_days_ago is not None
        else None
    )
    return Application.objects.create(
        applicant=user,
        selection=selection,
        formation=Formation.objects.get(selection=selection, code=code),
        number=number,
        status=Application.Status.SUBMITTED if submitted else Application.Status.DRAFT,
        submitted_at=timezone.now() - timedelta(days=10) if submitted else None,
        admin_stage=admin_stage,
        admin_result=result,
        published_result=result if published_at else "",
        published_at=published_at,
    )


def announce(
    selection: Selection,
    target: Application,
    figures: list[str],
    code: str,
    rank: int | None,
    *,
    published_at: datetime | None = None,
    kind: str = Kind.SKD,
    stage: str = RankingRun.Stage.SKD,
    policy_code: str = "cpns-2021",
    columns: tuple[str, ...] = ("twk", "tiu", "tkp"),
    corrects: Announcement | None = None,
) -> Announcement:
    """A published announcement of a ranking run (none for an administrative one) with one
    row: the target's."""
    committee, _created = User.objects.get_or_create(username=f"panitia-{selection.code}")
    policy = load_ranking_policy(policy_code)
    run = RankingRun.objects.create(
        selection=selection,
        stage=stage,
        policy_code=policy.code,
        policy_version=policy.version,
        fingerprint="0" * 64,
        created_at=timezone.now(),
        row_count=1,
        confirmed_at=timezone.now(),
        confirmed_by=committee,
    )
    announcement = Announcement.objects.create(
        selection=selection,
        kind=kind,
        number=f"800/{selection.pk}/{kind}/{Announcement.objects.count()}",
        dated_on=selection.agency.today(),
        title=f"Hasil SKD {selection.title}",
        body="Hasil seleksi kompetensi dasar.",
        signatory_name="Ketua Panitia",
        signatory_title="Ketua",
        run=None if kind == Kind.ADMINISTRATIVE else run,
        columns=list(columns) if figures else [],
        row_count=1,
        created_by=committee,
        published_at=published_at or timezone.now(),
        published_by=committee,
        corrects=corrects,
    )
    AnnouncementRow.objects.create(
        announcement=announcement,
        order=1,
        application=target,
        formation_code=target.formation.code,
        number=target.number,
        name="P*** U***",
        figures=figures,
        total=str(sum(Decimal(f) for f in figures)),
        rank=rank,
        code=code,
    )
    return announcement


@dataclass
class Scene:
    user: User
    other: User
    draft: Application
    closed_draft: Application
    tms: Application
    booked: Application
    passed: Application
    failed: Application
    disabled: Application
    others: Application
    announcements: dict[str, Announcement]


def make_scene() -> Scene:
    agency = make_agency("pemkab-dasbor")
    user = make_user("pelamar-dasbor", email="pelamar@dasbor.test", full_name="Pelamar Dasbor")
    other = make_user("pelamar-lain", email="lain@dasbor.test", full_name="Pelamar Lain")

    draft_selection = open_selection(agency, "draf-2026")
    DocumentRule.objects.create(
        selection=draft_selection, code="ijazah", name="Ijazah asli", max_size_kb=500
    )
    draft = application(user, draft_selection, "DRF00001", submitted=False)

    closed = open_selection(agency, "tutup-2026", closes_in=-1)  # registration ended yesterday
    closed_draft = application(user, closed, "TTP00001", submitted=False)

    tms_selection = open_selection(agency, "sanggah-2026")
    # published two days ago: the three-day objection period ends today
    tms = application(
        user,
        tms_selection,
        "SGH00001",
        admin_stage=AdminStage.PUBLISHED,
        result=Mark.TMS,
        published_days_ago=2,
    )

    test_selection = open_selection(agency, "ujian-2026")
    site = TestSite.objects.create(selection=test_selection, code="gor", name="GOR Takengon")
    room = Room.objects.create(site=site, code="r1", name="Ruang Melati", seats=20)
    session = make_session(
        test_selection, site, "sesi-pagi", starts_in=timedelta(days=3), seats=((room, 10),)
    )
    now = timezone.now()
    BookingWindow.objects.create(
        selection=test_selection,
        stage="skd",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    BookingWindow.objects.create(  # the next stage's booking opens later: not yet admitted
        selection=test_selection,
        stage="skb",
        opens_at=now + timedelta(days=30),
        closes_at=now + timedelta(days=32),
    )
    booked = application(
        user,
        test_selection,
        "UJN00001",
        admin_stage=AdminStage.FINAL,
        result=Mark.MS,
        published_days_ago=20,
    )
    booking_make(application=booked, session_id=session.pk, actor=user)

    passed_selection = open_selection(agency, "lulus-2026")
    passed = application(
        user, passed_selection, "LLS00001", admin_stage=AdminStage.FINAL, result=Mark.MS
    )
    failed_selection = open_selection(agency, "gagal-2026")
    failed = application(
        user, failed_selection, "GGL00001", admin_stage=AdminStage.FINAL, result=Mark.MS
    )
    disabled_selection = open_selection(agency, "afirmasi-2026")
    disabled = application(  # formation 7 is a disabilitas formation: TIU and total only
        user,
        disabled_selection,
        "AFR00001",
        formation=7,
        admin_stage=AdminStage.FINAL,
        result=Mark.MS,
    )
    announcements = {
        "passed": announce(passed_selection, passed, ["95", "100", "180"], "P/L", 1),
        "failed": announce(failed_selection, failed, ["60", "100", "180"], "T/L", None),
        "disabled": announce(disabled_selection, disabled, ["40", "70", "180"], "P/L", 2),
    }
    others = application(other, draft_selection, "LAIN0001", submitted=False)
    return Scene(
        user,
        other,
        draft,
        closed_draft,
        tms,
        booked,
        passed,
        failed,
        disabled,
        others,
        announcements,
    )


@pytest.fixture
def scene() -> Scene:
    return make_scene()


def by_number(user: User) -> dict[str, journey.Journey]:
    with translation.override("en"):
        return {j.application.number: j for j in journey.journeys(user)}


# --- the reader ------------------------------------------------------------------------------


def test_each_application_has_its_current_stage(scene: Scene) -> None:
    found = by_number(scene.user)
    assert set(found) == {
        "DRF00001",
        "TTP00001",
        "SGH00001",
        "UJN00001",
        "LLS00001",
        "GGL00001",
        "AFR00001",
    }
    stages = {number: j.stage.code for number, j in found.items()}
    assert stages == {
        "DRF00001": "draft",
        "TTP00001": "draft",
        "SGH00001": "result",
        "UJN00001": "booked",
        "LLS00001": "announced",
        "GGL00001": "announced",
        "AFR00001": "announced",
    }
    assert "Ijazah asli" in found["DRF00001"].stage.detail
    assert "closed" in found["TTP00001"].stage.detail
    assert "objection" in found["SGH00001"].stage.detail
    assert "GOR Takengon" in found["UJN00001"].stage.detail
    assert "Ruang Melati" in found["UJN00001"].stage.detail


def test_a_seat_booked_after_an_announcement_is_the_current_stage_until_the_next_one(
    scene: Scene,
) -> None:
    earlier = timezone.now() - timedelta(hours=1)
    announce(
        scene.booked.selection, scene.booked, ["95", "100", "180"], "P/L", 1, published_at=earlier
    )
    found = by_number(scene.user)["UJN00001"]
    assert found.stage.code == "booked" and len(found.results) == 1
    announce(scene.booked.selection, scene.booked, ["95", "100", "180"], "P/L", 1)
    assert by_number(scene.user)["UJN00001"].stage.code == "announced"


def test_an_administrative_announcement_never_hides_the_objection_window(scene: Scene) -> None:
    announce(scene.tms.selection, scene.tms, [], "TMS", None, kind=Kind.ADMINISTRATIVE)
    found = by_number(scene.user)["SGH00001"]
    assert found.stage.code == "result" and "objection" in found.stage.detail
    assert [(r.code, r.pass_marks) for r in found.results] == [("TMS", ())]


def test_applications_come_newest_first(scene: Scene) -> None:
    numbers = [j.application.number for j in journey.journeys(scene.user)]
    assert numbers[0] == "AFR00001" and numbers[-1] == "DRF00001"


def test_deadlines_ahead_are_listed_and_past_ones_are_not(scene: Scene) -> None:
    found = by_number(scene.user)
    draft = found["DRF00001"].deadlines
    assert [(d.label, d.days_left) for d in draft] == [("Submit the application", 10)]
    with translation.override("en"):
        assert draft[0].when == "in 10 days"
        assert found["SGH00001"].deadlines[0].when == "today"
    assert found["TTP00001"].deadlines == ()  # registration ended yesterday
    objection = found["SGH00001"].deadlines
    assert [(d.label, d.days_left) for d in objection] == [("File an objection", 0)]
    test = found["UJN00001"].deadlines
    # booked already: no booking deadline for SKD; SKB opens later (listed with its day)
    labels = [d.label for d in test]
    assert not any("Book a test seat" in label for label in labels)
    assert any(label.startswith("Test: ") and "sesi-pagi" in label for label in labels)
    assert any("booking opens" in label for label in labels)
    assert found["LLS00001"].deadlines == ()


def test_the_objection_deadline_goes_once_the_period_is_over(scene: Scene) -> None:
    Application.objects.filter(pk=scene.tms.pk).update(
        published_at=timezone.now() - timedelta(days=4)
    )
    found = by_number(scene.user)
    assert found["SGH00001"].deadlines == ()
    assert "objection" not in found["SGH00001"].stage.detail


def test_a_booking_window_is_a_deadline_for_an_admitted_applicant_without_a_seat(
    scene: Scene,
) -> None:
    scene.booked.bookings.all().delete()
    deadlines = by_number(scene.user)["UJN00001"].deadlines
    booking = [d for d in deadlines if d.label.startswith("Book a test seat")]
    assert len(booking) == 1 and booking[0].days_left == 2
    assert booking[0].url == "/lamaran/UJN00001/ujian/skd/"


def test_prints_are_offered_only_when_available(scene: Scene) -> None:
    found = by_number(scene.user)
    assert found["DRF00001"].prints == ()
    assert [p.key for p in found["SGH00001"].prints] == ["resume"]
    assert [p.key for p in found["UJN00001"].prints] == ["resume", "exam-card-skd"]
    assert found["UJN00001"].prints[1].url == "/lamaran/UJN00001/kartu-ujian/skd.pdf"


def test_pass_marks_met_and_missed_follow_the_policy_and_formation_type(scene: Scene) -> None:
    found = by_number(scene.user)
    passed = found["LLS00001"].results[0]
    assert passed.code == "P/L" and passed.rank == 1
    assert [(c.label, c.score, c.mark, c.met) for c in passed.pass_marks] == [
        ("TWK", "95", "65", True),
        ("TIU", "100", "80", True),
        ("TKP", "180", "166", True),
        ("SKD total", "375", "311", True),
    ]
    assert passed.all_marks_met is True
    failed = found["GGL00001"].results[0]
    assert failed.code == "T/L" and failed.all_marks_met is False
    assert [c.label for c in failed.pass_marks if not c.met] == ["TWK"]
    # a disabilitas formation has no TWK mark and a lower TIU and total mark
    disabled = found["AFR00001"].results[0]
    assert [(c.label, c.mark, c.met) for c in disabled.pass_marks] == [
        ("TIU", "60", True),
        ("SKD total", "286", True),
    ]


def test_no_pass_marks_are_shown_for_a_run_of_another_policy_version(scene: Scene) -> None:
    RankingRun.objects.filter(selection=scene.passed.selection).update(policy_version=999)
    assert by_number(scene.user)["LLS00001"].results[0].pass_marks == ()


def test_an_unpublished_announcement_is_not_shown(scene: Scene) -> None:
    announcement = scene.announcements["passed"]
    draft = Announcement.objects.create(
        selection=announcement.selection,
        kind=Kind.FINAL,
        number="draf",
        dated_on=date(2026, 12, 1),
        title="Belum terbit",
        body="-",
        signatory_name="-",
        signatory_title="-",
        created_by=announcement.created_by,
    )
    AnnouncementRow.objects.create(
        announcement=draft,
        order=1,
        application=scene.passed,
        formation_code="x",
        number=scene.passed.number,
        name="x",
        code="L",
    )
    results = by_number(scene.user)["LLS00001"].results
    assert [r.announcement.pk for r in results] == [announcement.pk]


def test_the_timeline_shows_the_latest_steps_and_keeps_the_earlier_ones(scene: Scene) -> None:
    for _ in range(5):
        audit_record(actor=scene.user, action="document.uploaded", subject=scene.draft)
    draft = by_number(scene.user)["DRF00001"]
    assert len(draft.timeline) == 5
    assert len(draft.recent) == journey.RECENT_STEPS and len(draft.earlier) == 2
    assert draft.recent[0].at >= draft.recent[-1].at  # newest first


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_every_application_in_english(scene: Scene) -> None:
    page = english(signed_in(scene.user)).get(DASHBOARD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "My dashboard" in html
    for number in ("DRF00001", "SGH00001", "UJN00001", "LLS00001", "GGL00001"):
        assert f'href="/lamaran/{number}/"' in html
    assert "Draft: not submitted yet" in html
    assert "Administrative result: TMS" in html
    assert "Booked for the test: Basic competence test (SKD)" in html
    assert "in 10 days" in html and "(today)" in html
    assert "TWK 60: missed (pass mark 65)" in html
    assert "TWK 95: met (pass mark 65)" in html
    assert "Pass marks: not all met." in html
    assert "✘" in html and "✔" in html
    assert f"/seleksi/lulus-2026/pengumuman/{scene.announcements['passed'].pk}/" in html
    assert "/lamaran/UJN00001/kartu-ujian/skd.pdf" in html
    assert "/lamaran/SGH00001/resume.pdf" in html
    assert "/lamaran/DRF00001/resume.pdf" not in html
    assert 'id="print-account-card"' in html


def test_the_page_is_in_indonesian_by_default(scene: Scene) -> None:
    html = signed_in(scene.user).get(DASHBOARD).content.decode()
    assert '<html lang="id">' in html
    assert "Draf: pendaftaran belum diakhiri" in html  # an existing translation


def test_another_applicants_data_is_never_shown(scene: Scene) -> None:
    mine = signed_in(scene.user).get(DASHBOARD).content.decode()
    assert "LAIN0001" not in mine
    theirs = english(signed_in(scene.other)).get(DASHBOARD).content.decode()
    assert "LAIN0001" in theirs
    for number in ("DRF00001", "SGH00001", "UJN00001", "LLS00001", "GGL00001", "AFR00001"):
        assert number not in theirs
    assert "pass mark" not in theirs and 'id="print-account-card"' not in theirs


def test_an_applicant_without_applications_is_pointed_to_the_selections(db: None) -> None:
    html = english(signed_in(make_user("baru"))).get(DASHBOARD).content.decode()
    assert 'id="no-applications"' in html and "You have not applied" in html
    assert 'id="print-account-card"' not in html


def test_an_anonymous_visitor_is_sent_to_sign_in(db: None) -> None:
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/?next=/dasbor/"


def test_staff_are_sent_to_their_workspace(db: None) -> None:
    staff = make_staff("panitia-dasbor", make_agency(), Role.COMMITTEE)
    response = signed_in(staff).get(DASHBOARD)
    assert response.status_code == 302 and response["Location"] == "/panitia/"


def test_an_applicant_signing_in_lands_on_the_dashboard(db: None) -> None:
    user = make_user("pelamar-masuk")
    response = Client().post("/akun/masuk/", {"identifier": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == DASHBOARD


def test_sign_in_with_next_still_goes_there(db: None) -> None:
    user = make_user("pelamar-next")
    response = Client().post(
        "/akun/masuk/?next=/akun/profil/", {"identifier": user.username, "password": PASSWORD}
    )
    assert response["Location"] == "/akun/profil/"


def test_the_header_and_profile_link_to_the_dashboard(scene: Scene) -> None:
    client = english(signed_in(scene.user))
    profile = client.get("/akun/profil/").content.decode()
    assert 'id="dashboard-link"' in profile
    header = profile.split("</header>")[0]
    assert 'href="/dasbor/"' in header and "Dashboard" in header


def test_the_queries_stay_flat_with_many_applications(
    scene: Scene, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(scene.user)
    client.get(DASHBOARD)  # sessions, content types and caches warmed
    applications = Application.objects.filter(applicant=scene.user).count()
    assert applications == 7
    with django_assert_max_num_queries(12 + 5 * applications):
        assert client.get(DASHBOARD).status_code == 200


def test_an_objection_filed_then_answered_names_the_stage(scene: Scene) -> None:
    objection = Objection.objects.create(
        application=scene.tms,
        reason="Ijazah saya sudah dilegalisasi, mohon diperiksa kembali.",
        answer_due_on=scene.tms.selection.agency.today() + timedelta(days=5),
    )
    Application.objects.filter(pk=scene.tms.pk).update(admin_stage=AdminStage.OBJECTED)
    found = by_number(scene.user)["SGH00001"]
    assert found.stage.code == "objection_filed"
    assert found.deadlines == ()  # filed: the objection deadline is done with
    Objection.objects.filter(pk=objection.pk).update(
        status=Objection.Status.ACCEPTED, answered_at=timezone.now()
    )
    Application.objects.filter(pk=scene.tms.pk).update(admin_stage=AdminStage.ANSWERED)
    found = by_number(scene.user)["SGH00001"]
    assert found.stage.code == "objection_answered"
    assert "accepted" in found.stage.detail


def test_a_participant_recorded_absent_has_no_card_and_no_test_day(scene: Scene) -> None:
    scene.booked.bookings.update(attendance=Booking.Attendance.ABSENT)
    found = by_number(scene.user)["UJN00001"]
    assert found.stage.code == "absent" and found.stage.tone == journey.Tone.BAD
    assert [p.key for p in found.prints] == ["resume"]
    assert not any(d.label.startswith("Test: ") for d in found.deadlines)


def test_a_checked_in_participant_whose_session_is_over_has_sat_the_test(scene: Scene) -> None:
    scene.booked.bookings.update(
        attendance=Booking.Attendance.PRESENT, checked_in_at=timezone.now()
    )
    TestSession.objects.filter(bookings__application=scene.booked).update(
        starts_at=timezone.now() - timedelta(hours=3)
    )
    found = by_number(scene.user)["UJN00001"]
    assert found.stage.code == "sat"
    assert [p.key for p in found.prints] == ["resume", "exam-card-skd"]


def test_a_pppk_result_shows_the_formations_teknis_pass_mark(scene: Scene) -> None:
    selection = scene.passed.selection
    pppk = Formation.objects.get(selection=selection, code="LUL-0003")
    assert pppk.procurement_type == "PPPK"
    Formation.objects.filter(pk=pppk.pk).update(teknis_pass_mark=130)
    application = Application.objects.create(
        applicant=scene.other,
        selection=selection,
        formation=pppk,
        number="PPK00001",
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    announce(
        selection,
        application,
        ["125.500", "310.500"],
        "TL",
        None,
        kind=Kind.PPPK,
        stage=RankingRun.Stage.PPPK,
        policy_code="pppk-guru-2021",
        columns=("teknis_score", "final_score"),
    )
    result = by_number(scene.other)["PPK00001"].results[0]
    assert [(c.label, c.score, c.mark, c.met) for c in result.pass_marks] == [
        ("Technical score (with affirmation)", "125.5", "130", False)
    ]
    assert [f.label for f in result.figures] == [
        "Technical score (with affirmation)",
        "Final score",
    ]


def test_a_corrected_result_is_marked_and_the_correction_comes_first(scene: Scene) -> None:
    corrected = scene.announcements["passed"]
    correction = announce(
        corrected.selection, scene.passed, ["95", "100", "181"], "P/L", 1, corrects=corrected
    )

    results = by_number(scene.user)["LLS00001"].results
    assert [(r.announcement.pk, r.announcement.is_corrected) for r in results[:2]] == [
        (correction.pk, False),
        (corrected.pk, True),
    ]
    html = english(signed_in(scene.user)).get(DASHBOARD).content.decode()
    section = html[html.index(f'id="result-LLS00001-{corrected.pk}"') :]
    assert "corrected" in section[: section.index("</section>")]
