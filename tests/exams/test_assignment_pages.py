"""The committee's seat-assignment and accommodation pages, and the applicant's choice of
test location; with the denial paths."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.exams.models import (
    Accommodation,
    Booking,
    BookingWindow,
    Room,
    SessionRoom,
    SiteChoice,
    TestSite,
)
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.scoring.models import RankingRow, RankingRun
from tests.accounts.helpers import CommitClient
from tests.exams.scene import TestScene, make_participant, make_session, make_test_scene
from tests.factories import make_staff


def signed_in(user: User, language: str = "en") -> Client:
    client = CommitClient()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def assign_url(scene: TestScene, stage: str = "skd") -> str:
    return reverse("committee:exam_assign", args=[scene.selection.code, stage])


def accommodations_url(scene: TestScene) -> str:
    return reverse("committee:exam_accommodations", args=[scene.selection.code])


def site_url(application: Application) -> str:
    return reverse("applicant:exam_site", args=[application.number])


def fingerprint_on(body: str) -> str:
    return body.split('name="fingerprint" value="')[1].split('"')[0]


def section(body: str, element_id: str) -> str:
    return body.split(f'id="{element_id}"')[1].split("</table>")[0]


@pytest.fixture
def assigned(scene: TestScene) -> TestScene:
    BookingWindow.objects.filter(pk=scene.window.pk).update(mode=BookingWindow.Mode.ASSIGNED)
    for application, name in zip(
        scene.applications, ["Siti Rahmawati", "Budi Santoso", "Ani", "Dedi"], strict=True
    ):
        User.objects.filter(pk=application.applicant_id).update(full_name=name)
    return scene


# --- the assignment page --------------------------------------------------------------------------


def test_the_committee_previews_confirms_and_sees_the_new_state(assigned: TestScene) -> None:
    client = signed_in(assigned.committee)
    page = client.get(assign_url(assigned))
    assert page.status_code == 200
    body = page.content.decode()
    counts = body.split('id="assign-counts"')[1].split("</dl>")[0]
    assert "<dd>4</dd>" in counts and "<dd>0</dd>" in counts
    assert 'id="window-open"' in body
    placements = section(body, "assign-placements")
    assert placements.count("<tr>") == 5
    assert "P00001" in placements and "Si** Ra*******" in placements
    assert "Siti Rahmawati" not in body
    sessions = section(body, "assign-sessions")
    assert 'id="session-sesi-1"' in sessions and 'id="session-sesi-2"' in sessions

    fingerprint = fingerprint_on(body)
    step = client.post(assign_url(assigned), {"fingerprint": fingerprint})
    assert step.status_code == 200
    step_body = step.content.decode()
    assert 'id="confirm-assignment"' in step_body
    assert fingerprint_on(step_body.split('id="confirm-assignment-form"')[1]) == fingerprint
    assert "4 participants will be seated" in step_body
    assert not Booking.objects.exists()

    done = client.post(
        assign_url(assigned), {"fingerprint": fingerprint, "confirmed": "1"}, follow=True
    )
    assert done.redirect_chain[-1][0] == assign_url(assigned)
    after = done.content.decode()
    assert "4 participants have been seated" in after
    assert Booking.objects.count() == 4
    assert len(mail.outbox) == 4
    counts = after.split('id="assign-counts"')[1].split("</dl>")[0]
    assert counts.count("<dd>4</dd>") == 2  # admitted, already hold a seat
    assert 'id="nothing-to-assign"' in after
    assert [room.taken for room in SessionRoom.objects.order_by("session__starts_at")] == [2, 2]


def test_a_stale_preview_is_not_confirmed(assigned: TestScene) -> None:
    client = signed_in(assigned.committee)
    fingerprint = fingerprint_on(client.get(assign_url(assigned)).content.decode())
    extra = make_participant(assigned.selection, "P00005")
    step = client.post(assign_url(assigned), {"fingerprint": fingerprint})
    body = step.content.decode()
    assert "changed since the preview" in body
    assert 'id="confirm-assignment"' not in body
    assert fingerprint_on(body) != fingerprint
    done = client.post(
        assign_url(assigned), {"fingerprint": fingerprint, "confirmed": "1"}, follow=True
    )
    assert "changed since the preview" in done.content.decode()
    assert not Booking.objects.exists()
    assert extra.number in section(body, "assign-placements")


def test_the_page_names_why_someone_gets_no_seat(db: None) -> None:
    scene = make_test_scene(participants=3, capacities=(1,), code="sempit-2026")
    aula = TestSite.objects.create(selection=scene.selection, code="aula", name="Aula Dinas")
    SiteChoice.objects.create(
        application=scene.applications[2], site=aula, chosen_at=timezone.now()
    )
    body = signed_in(scene.committee).get(assign_url(scene)).content.decode()
    unplaced = section(body, "assign-unplaced")
    assert "No free seat at the chosen test location" in unplaced
    assert "No free seat in any session open to the formation" in unplaced
    assert 'id="count-unplaced">2<' in body


def test_skb_admits_the_p_l_of_the_confirmed_skd_run_only(assigned: TestScene) -> None:
    selection = assigned.selection
    for number in ("S00001", "S00002"):
        make_participant(selection, number)
    room = assigned.site.rooms.get(code="r1")
    make_session(selection, assigned.site, "skb-1", stage="skb", seats=((room, 10),))
    client = signed_in(assigned.committee)
    body = client.get(assign_url(assigned, "skb")).content.decode()
    assert 'id="count-placed">0<' in body
    assert "No SKD ranking has been confirmed yet" in body

    def run(confirmed: bool, outcomes: dict[str, str]) -> RankingRun:
        made = RankingRun.objects.create(
            selection=selection,
            stage=RankingRun.Stage.SKD,
            policy_code="cpns-2021",
            policy_version=1,
            fingerprint="ab" * 32,
            created_at=timezone.now(),
            row_count=len(outcomes),
            confirmed_at=timezone.now() if confirmed else None,
        )
        applications = {a.number: a for a in Application.objects.filter(selection=selection)}
        RankingRow.objects.bulk_create(
            RankingRow(
                run=made,
                order=order,
                application=applications[number],
                formation_code="F-0001",
                outcome=outcome,
            )
            for order, (number, outcome) in enumerate(outcomes.items(), start=1)
        )
        return made

    confirmed = run(
        True, {"P00001": "P/L", "P00002": "P/L", "P00003": "P", "P00004": "T/L", "S00001": "TH"}
    )
    run(False, {"P00001": "T/L", "P00003": "P/L", "S00002": "P/L"})
    body = client.get(assign_url(assigned, "skb")).content.decode()
    assert f"run #{confirmed.pk}" in body
    assert "<dt>Admitted</dt><dd>2</dd>" in body
    placements = section(body, "assign-placements")
    assert "P00001" in placements and "P00002" in placements
    for number in ("P00003", "P00004", "S00001", "S00002"):
        assert number not in placements
    client.post(
        assign_url(assigned, "skb"), {"fingerprint": fingerprint_on(body), "confirmed": "1"}
    )
    assert sorted(
        Booking.objects.filter(stage="skb").values_list("application__number", flat=True)
    ) == ["P00001", "P00002"]


def test_the_first_test_admits_only_a_final_ms(assigned: TestScene) -> None:
    make_participant(assigned.selection, "Q00001", admin_stage=AdminStage.PUBLISHED)
    make_participant(assigned.selection, "Q00002", result=Mark.TMS)
    body = signed_in(assigned.committee).get(assign_url(assigned)).content.decode()
    assert 'id="count-placed">4<' in body
    assert "Q0000" not in body


@pytest.mark.parametrize("who", ["verifier", "other_agency", "applicant", "site_staff"])
def test_others_get_a_404_and_nothing_changes(assigned: TestScene, who: str) -> None:
    user = {
        "verifier": lambda: make_staff("verifikator", assigned.selection.agency, Role.VERIFIER),
        "other_agency": lambda: make_test_scene(code="lain-2026", prefix="L").committee,
        "applicant": lambda: assigned.applications[0].applicant,
        "site_staff": lambda: assigned.site_staff,
    }[who]()
    fingerprint = fingerprint_on(
        signed_in(assigned.committee).get(assign_url(assigned)).content.decode()
    )
    client = signed_in(user)
    assert client.get(assign_url(assigned)).status_code == 404
    posted = client.post(assign_url(assigned), {"fingerprint": fingerprint, "confirmed": "1"})
    assert posted.status_code == 404
    assert client.get(accommodations_url(assigned)).status_code == 404
    posted = client.post(
        accommodations_url(assigned), {"number": "P00001", "note": "kursi roda", "extra_minutes": 0}
    )
    assert posted.status_code == 404
    assert not Booking.objects.exists() and not Accommodation.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(assigned: TestScene) -> None:
    response = Client().get(assign_url(assigned))
    assert response.status_code == 302 and "masuk" in response["Location"]


def test_an_unknown_stage_is_a_404(assigned: TestScene) -> None:
    assert signed_in(assigned.committee).get(assign_url(assigned, "ujian")).status_code == 404


# --- accommodations -------------------------------------------------------------------------------


def test_the_committee_records_an_accommodation_by_number(assigned: TestScene) -> None:
    client = signed_in(assigned.committee)
    response = client.post(
        accommodations_url(assigned),
        {"number": "p00001", "note": "Ruang lantai dasar", "extra_minutes": "30"},
        follow=True,
    )
    assert response.status_code == 200
    accommodation = Accommodation.objects.get()
    assert accommodation.application == assigned.applications[0]
    assert (accommodation.note, accommodation.extra_minutes) == ("Ruang lantai dasar", 30)
    row = response.content.decode().split('id="accommodation-P00001"')[1].split("</tr>")[0]
    assert "Si** Ra*******" in row and "Ruang lantai dasar" in row and ">30<" in row


def test_an_unknown_number_is_named_and_nothing_is_recorded(assigned: TestScene) -> None:
    other = make_test_scene(code="lain-2026", prefix="L")
    response = signed_in(assigned.committee).post(
        accommodations_url(assigned),
        {"number": other.applications[0].number, "note": "kursi roda", "extra_minutes": "0"},
    )
    assert response.status_code == 400
    assert "L00001" in response.content.decode()
    assert not Accommodation.objects.exists()


# --- the applicant's test location ----------------------------------------------------------------


def test_the_applicant_sees_the_sites_and_saves_a_choice(assigned: TestScene) -> None:
    TestSite.objects.filter(pk=assigned.site.pk).update(
        address="Jl. Lebe Kader No. 1, Takengon", map_url="https://maps.example/gor"
    )
    aula = TestSite.objects.create(selection=assigned.selection, code="aula", name="Aula Dinas")
    Room.objects.create(site=aula, code="a1", name="Aula", seats=5)
    application = assigned.applications[0]
    client = signed_in(application.applicant)
    body = client.get(site_url(application)).content.decode()
    gor = body.split('id="site-gor"')[1].split("</li>")[0]
    assert "Jl. Lebe Kader No. 1, Takengon" in gor and 'href="https://maps.example/gor"' in gor
    assert 'id="site-aula"' in body
    response = client.post(site_url(application), {"site": aula.pk}, follow=True)
    assert response.redirect_chain[-1][0] == site_url(application)
    assert SiteChoice.objects.get(application=application).site == aula
    after = response.content.decode()
    assert 'id="current-choice"' in after
    assert f'value="{aula.pk}" required checked' in after


def test_another_persons_application_is_a_404(assigned: TestScene) -> None:
    owner, stranger = assigned.applications[0], assigned.applications[1].applicant
    client = signed_in(stranger)
    assert client.get(site_url(owner)).status_code == 404
    assert client.post(site_url(owner), {"site": assigned.site.pk}).status_code == 404
    staff = signed_in(assigned.committee)
    assert staff.get(site_url(owner)).status_code == 404
    assert not SiteChoice.objects.exists()


def test_without_a_final_ms_there_is_no_form_and_a_post_is_refused(
    assigned: TestScene,
) -> None:
    application = make_participant(assigned.selection, "Q00001", result=Mark.TMS)
    client = signed_in(application.applicant)
    body = client.get(site_url(application)).content.decode()
    assert 'id="not-admitted"' in body and 'id="site-form"' not in body
    response = client.post(site_url(application), {"site": assigned.site.pk})
    assert response.status_code == 400
    assert not SiteChoice.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "expect"),
    [
        (timedelta(hours=2), timedelta(hours=5), "You can choose your test location from"),
        (-timedelta(hours=5), -timedelta(hours=1), "only while"),
    ],
)
def test_outside_the_window_the_page_says_when_and_refuses(
    assigned: TestScene, opens: timedelta, closes: timedelta, expect: str
) -> None:
    now = timezone.now()
    BookingWindow.objects.filter(pk=assigned.window.pk).update(
        opens_at=now + opens, closes_at=now + closes
    )
    application = assigned.applications[0]
    client = signed_in(application.applicant)
    body = client.get(site_url(application)).content.decode()
    assert expect in body and 'id="site-form"' not in body
    response = client.post(site_url(application), {"site": assigned.site.pk})
    assert response.status_code == 400
    assert not SiteChoice.objects.exists()


def test_a_seat_already_assigned_is_shown(assigned: TestScene) -> None:
    application = assigned.applications[0]
    Booking.objects.create(
        selection=assigned.selection,
        application=application,
        stage="skd",
        session=assigned.sessions[0],
        session_room=assigned.sessions[0].rooms.get(),
        booked_at=timezone.now(),
        booked_by=assigned.committee,
    )
    body = signed_in(application.applicant).get(site_url(application)).content.decode()
    seats = body.split('id="assigned-seats"')[1].split("</div>")[0]
    assert "sesi-1" in seats and "Ruang 1" in seats


def test_the_pages_render_in_indonesian(assigned: TestScene) -> None:
    committee = signed_in(assigned.committee, language="id")
    for url in (assign_url(assigned), accommodations_url(assigned)):
        response = committee.get(url)
        assert response.status_code == 200 and 'lang="id"' in response.content.decode()
    applicant = signed_in(assigned.applications[0].applicant, language="id")
    assert applicant.get(site_url(assigned.applications[0])).status_code == 200
