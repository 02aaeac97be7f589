"""The committee's test desk: the stage overview, sites and sessions by hand, the file
uploads, the booking window, one session's participants, a move with its reason and closing
a session after its end. Only MANAGE_TESTS in the selection's agency opens any of it."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.exams.models import Booking, BookingWindow, Room, SessionRoom, TestSession, TestSite
from seleksi.exams.services import booking_make
from tests.accounts.helpers import CommitClient
from tests.exams.scene import TestScene, make_session, make_test_scene
from tests.exams.test_imports import SESSION_HEADER, SITE_HEADER, csv
from tests.factories import make_staff

WIB = ZoneInfo("Asia/Jakarta")


def signed_in(user: User) -> Client:
    client = CommitClient()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def desk_url(scene: TestScene, name: str = "committee:exams") -> str:
    return reverse(name, args=[scene.selection.code])


def book(scene: TestScene, index: int, session: int = 0) -> Booking:
    application = scene.applications[index]
    return booking_make(
        application=application, session_id=scene.sessions[session].pk, actor=application.applicant
    )


def seat(session: TestSession, application: Application, actor: User) -> Booking:
    """A booking made straight in the tables, for a session that has already started."""
    room = session.rooms.first()
    assert room is not None
    SessionRoom.objects.filter(pk=room.pk).update(taken=room.taken + 1)
    return Booking.objects.create(
        selection=session.selection,
        application=application,
        stage=session.stage,
        session=session,
        session_room=room,
        booked_at=timezone.now() - timedelta(days=1),
        booked_by=actor,
    )


def ended_session(scene: TestScene) -> TestSession:
    room = Room.objects.get(site=scene.site, code="r1")
    return make_session(
        scene.selection,
        scene.site,
        "lalu",
        starts_in=-timedelta(hours=3),
        minutes=100,
        seats=((room, 5),),
    )


# --- who may open it --------------------------------------------------------------------------


def desk_pages(scene: TestScene) -> list[str]:
    return [
        desk_url(scene),
        desk_url(scene, "committee:exam_site_add"),
        desk_url(scene, "committee:exam_session_add"),
        desk_url(scene, "committee:exam_import"),
        desk_url(scene, "committee:exam_window"),
        reverse("committee:exam_session", args=[scene.sessions[0].pk]),
    ]


def test_every_desk_page_renders_for_the_committee(scene: TestScene) -> None:
    client = signed_in(scene.committee)
    for url in desk_pages(scene):
        assert client.get(url).status_code == 200, url


def test_the_agency_administrator_opens_the_desk_too(scene: TestScene) -> None:
    admin = make_staff("admin-uji", scene.selection.agency, Role.ADMIN)
    assert signed_in(admin).get(desk_url(scene)).status_code == 200


@pytest.mark.parametrize("who", ["verifier", "applicant", "other_agency", "site_staff"])
def test_strangers_get_a_404_on_every_desk_page_and_action(scene: TestScene, who: str) -> None:
    booking = book(scene, 0)
    if who == "verifier":
        user = make_staff("verifikator-uji", scene.selection.agency, Role.VERIFIER)
    elif who == "applicant":
        user = scene.applications[0].applicant
    elif who == "site_staff":
        user = scene.site_staff
    else:
        user = make_test_scene(code="lain-2026", prefix="Q").committee
    client = signed_in(user)
    for url in desk_pages(scene):
        assert client.get(url).status_code == 404, url
    move = reverse("committee:exam_move", args=[booking.pk])
    response = client.post(
        move,
        move_data(booking, scene.sessions[1], "Bentrok dengan jadwal operasi"),
    )
    assert response.status_code == 404
    close = reverse("committee:exam_close", args=[scene.sessions[0].pk])
    assert client.post(close, {"confirmed": "1"}).status_code == 404
    assert Booking.objects.get(pk=booking.pk).session == scene.sessions[0]


def test_anonymous_visitors_are_sent_to_sign_in(scene: TestScene) -> None:
    response = Client().get(desk_url(scene))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_the_workspace_and_the_staff_menu_link_the_desk_for_the_committee_only(
    scene: TestScene,
) -> None:
    link = f'href="{desk_url(scene)}"'
    assert link in signed_in(scene.committee).get(reverse("committee:home")).content.decode()
    verifier = make_staff("verifikator-uji", scene.selection.agency, Role.VERIFIER)
    assert link not in signed_in(verifier).get(reverse("committee:home")).content.decode()


# --- the overview -----------------------------------------------------------------------------


def test_the_desk_shows_the_window_and_each_sessions_seats_and_attendance(
    scene: TestScene,
) -> None:
    book(scene, 0)
    book(scene, 1, session=1)
    html = signed_in(scene.committee).get(desk_url(scene)).content.decode()
    row = html[html.index(f'id="session-{scene.sessions[0].pk}"') :]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[: row.index("</tr>")], re.DOTALL)
    assert "sesi-1" in cells[0] and cells[2] == "GOR Kota" and cells[3] == "Ruang 1 (1/2)"
    assert cells[4:9] == ["2", "1", "1", "0", "0"]
    opens = timezone.localtime(scene.window.opens_at, WIB).strftime("%H:%M")
    assert "Applicants choose their session." in html and opens in html
    assert 'id="site-gor"' in html


# --- by hand ----------------------------------------------------------------------------------


def room_rows(prefix: str, rows: list[dict[str, str]], total: int = 4) -> dict[str, str]:
    data = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }
    for index, row in enumerate(rows):
        data |= {f"{prefix}-{index}-{name}": value for name, value in row.items()}
    return data


def test_a_site_is_added_by_hand_with_its_rooms_and_audited(scene: TestScene) -> None:
    response = signed_in(scene.committee).post(
        desk_url(scene, "committee:exam_site_add"),
        {
            "code": "smk-1",
            "name": "SMK Negeri 1",
            "address": "Jl. Contoh 2",
            "map_url": "https://maps.example/smk",
            **room_rows(
                "ruang",
                [
                    {"code": "lab-a", "name": "Lab A", "seats": "30", "ground_floor": "on"},
                    {"code": "lab-b", "name": "Lab B", "seats": "20"},
                ],
            ),
        },
    )
    assert response.status_code == 302
    site = TestSite.objects.get(selection=scene.selection, code="smk-1")
    assert list(site.rooms.values_list("code", "seats", "ground_floor")) == [
        ("lab-a", 30, True),
        ("lab-b", 20, False),
    ]
    assert AuditEvent.objects.filter(action="exams.site_created", subject_id=str(site.pk)).exists()


def test_a_site_without_rooms_is_refused_and_keeps_what_was_typed(scene: TestScene) -> None:
    response = signed_in(scene.committee).post(
        desk_url(scene, "committee:exam_site_add"),
        {"code": "smk-1", "name": "SMK Negeri 1", **room_rows("ruang", [])},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give at least one room with its seats." in html
    assert 'value="SMK Negeri 1"' in html
    assert not TestSite.objects.filter(code="smk-1").exists()


def test_lowering_a_rooms_seats_below_a_session_is_refused_on_the_form(scene: TestScene) -> None:
    response = signed_in(scene.committee).post(
        desk_url(scene, "committee:exam_site_add"),
        {
            "code": "gor",
            "name": "GOR Kota",
            **room_rows("ruang", [{"code": "r1", "name": "Ruang 1", "seats": "1"}]),
        },
    )
    assert response.status_code == 400
    assert "session sesi-1 offers 2" in response.content.decode()
    assert Room.objects.get(site=scene.site, code="r1").seats == 50


def session_form(**fields: str) -> dict[str, str]:
    return {
        "stage": "skd",
        "code": "tangan-1",
        "site": "gor",
        "day": "2031-05-04",
        "start": "07:30",
        "duration": "100",
        "formations": "F-0001; F-0002",
        **fields,
    }


def test_a_session_is_added_by_hand_in_the_agencys_time_zone(scene: TestScene) -> None:
    response = signed_in(scene.committee).post(
        desk_url(scene, "committee:exam_session_add"),
        {
            **session_form(),
            **room_rows(
                "ruang",
                [{"room": "gor/r1", "capacity": "40"}, {"room": "gor/r2", "capacity": "30"}],
            ),
        },
    )
    assert response.status_code == 302
    session = TestSession.objects.get(selection=scene.selection, code="tangan-1")
    assert session.starts_at == datetime(2031, 5, 4, 7, 30, tzinfo=WIB)
    assert list(session.rooms.values_list("room__code", "capacity")) == [("r1", 40), ("r2", 30)]
    assert sorted(session.formations.values_list("code", flat=True)) == ["F-0001", "F-0002"]
    assert AuditEvent.objects.filter(action="exams.session_created").count() == 1


def test_a_session_over_the_rooms_seats_is_refused_with_what_to_fix(scene: TestScene) -> None:
    response = signed_in(scene.committee).post(
        desk_url(scene, "committee:exam_session_add"),
        {**session_form(), **room_rows("ruang", [{"room": "gor/r1", "capacity": "60"}])},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The capacity 60 in room r1 is above the room&#x27;s 50 seats" in html
    assert 'value="tangan-1"' in html
    assert not TestSession.objects.filter(code="tangan-1").exists()


def test_a_room_of_another_site_is_refused(scene: TestScene) -> None:
    other = TestSite.objects.create(selection=scene.selection, code="smk", name="SMK")
    Room.objects.create(site=other, code="lab", name="Lab", seats=20)
    response = signed_in(scene.committee).post(
        desk_url(scene, "committee:exam_session_add"),
        {**session_form(), **room_rows("ruang", [{"room": "smk/lab", "capacity": "10"}])},
    )
    assert response.status_code == 400
    assert "Room lab is not at the session&#x27;s test site gor" in response.content.decode()
    assert not TestSession.objects.filter(code="tangan-1").exists()


# --- files ------------------------------------------------------------------------------------


def upload(scene: TestScene, table: str, content: bytes, name: str = "tabel.csv") -> object:
    return signed_in(scene.committee).post(
        desk_url(scene, "committee:exam_import"),
        {"table": table, f"{table}-file": SimpleUploadedFile(name, content)},
    )


def test_a_good_sessions_file_is_imported_from_the_page(scene: TestScene) -> None:
    response = upload(
        scene, "sesi", csv(SESSION_HEADER, "berkas-1,skd,2031-05-04,07:30,100,gor,r1,40,,")
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert TestSession.objects.filter(code="berkas-1").exists()


def test_a_bad_file_lists_each_row_and_saves_nothing(scene: TestScene) -> None:
    response = upload(
        scene,
        "sesi",
        csv(
            SESSION_HEADER,
            "ok,skd,2031-05-04,07:30,100,gor,r1,40,,",
            "salah,skd,2031-05-04,07:30,100,gedung-x,r1,40,,",
        ),
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert "1 problem; nothing was saved" in html
    assert "Row 3: There is no test site gedung-x in this selection" in html
    assert not TestSession.objects.filter(code="ok").exists()


def test_an_unreadable_file_is_explained_beside_the_file_field(scene: TestScene) -> None:
    response = upload(scene, "lokasi", b"%PDF-1.4 ...", name="lokasi.pdf")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Only .csv and .xlsx files can be imported." in response.content.decode()  # type: ignore[attr-defined]


def test_a_sites_file_is_imported_from_the_page(scene: TestScene) -> None:
    response = upload(scene, "lokasi", csv(SITE_HEADER, "aula,Aula,,,utama,Aula,100,tidak"))
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert Room.objects.get(site__code="aula", code="utama").seats == 100


# --- the booking window -----------------------------------------------------------------------


def test_the_booking_window_is_set_in_the_agencys_time_zone(scene: TestScene) -> None:
    response = signed_in(scene.committee).post(
        desk_url(scene, "committee:exam_window"),
        {
            "stage": "skb",
            "mode": "assigned",
            "opens_at": "2031-04-01T08:00",
            "closes_at": "2031-04-10T16:00",
        },
    )
    assert response.status_code == 302
    window = BookingWindow.objects.get(selection=scene.selection, stage="skb")
    assert window.mode == "assigned"
    assert window.opens_at == datetime(2031, 4, 1, 8, 0, tzinfo=WIB)
    assert window.closes_at == datetime(2031, 4, 10, 16, 0, tzinfo=WIB)
    assert AuditEvent.objects.filter(action="exams.window_set").exists()


def test_an_skb_window_cannot_let_applicants_choose(scene: TestScene) -> None:
    response = signed_in(scene.committee).post(
        desk_url(scene, "committee:exam_window"),
        {
            "stage": "skb",
            "mode": "self",
            "opens_at": "2031-04-01T08:00",
            "closes_at": "2031-04-10T16:00",
        },
    )
    assert response.status_code == 400
    assert "The seats of SKB and the interview are assigned by the committee." in (
        response.content.decode()
    )
    assert not BookingWindow.objects.filter(stage="skb").exists()


def test_a_window_closing_before_it_opens_is_refused(scene: TestScene) -> None:
    response = signed_in(scene.committee).post(
        desk_url(scene, "committee:exam_window"),
        {
            "stage": "skd",
            "mode": "self",
            "opens_at": "2031-04-10T08:00",
            "closes_at": "2031-04-01T16:00",
        },
    )
    assert response.status_code == 400
    assert "Booking must close after it opens." in response.content.decode()
    scene.window.refresh_from_db()
    assert scene.window.opens_at < timezone.now()


# --- one session ------------------------------------------------------------------------------


def test_the_session_page_lists_participants_with_masked_names(scene: TestScene) -> None:
    User.objects.filter(pk=scene.applications[0].applicant_id).update(full_name="Budi Santoso")
    book(scene, 0)
    html = (
        signed_in(scene.committee)
        .get(reverse("committee:exam_session", args=[scene.sessions[0].pk]))
        .content.decode()
    )
    assert "P00001" in html and "Bu** Sa****" in html and "Budi Santoso" not in html
    assert "F-0001" in html and "Ruang 1" in html


def move_data(booking: Booking, session: TestSession, reason: str) -> dict[str, object]:
    return {f"m{booking.pk}-session": session.pk, f"m{booking.pk}-reason": reason}


def test_a_move_with_a_reason_is_audited_and_mailed(scene: TestScene) -> None:
    booking = book(scene, 0)
    mail.outbox.clear()
    response = signed_in(scene.committee).post(
        reverse("committee:exam_move", args=[booking.pk]),
        move_data(booking, scene.sessions[1], "Bentrok dengan jadwal operasi"),
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.session == scene.sessions[1]
    event = AuditEvent.objects.get(action="exams.moved")
    assert event.reason == "Bentrok dengan jadwal operasi"
    assert event.details["to"] == "sesi-2"
    assert len(mail.outbox) == 1
    assert "Bentrok dengan jadwal operasi" in mail.outbox[0].body


@pytest.mark.parametrize("reason", ["", "pindah"])
def test_a_move_without_a_real_reason_is_refused(scene: TestScene, reason: str) -> None:
    booking = book(scene, 0)
    response = signed_in(scene.committee).post(
        reverse("committee:exam_move", args=[booking.pk]),
        move_data(booking, scene.sessions[1], reason),
    )
    assert response.status_code == 400
    assert "Write the reason for the move (at least 10 characters)." in response.content.decode()
    booking.refresh_from_db()
    assert booking.session == scene.sessions[0]
    assert not AuditEvent.objects.filter(action="exams.moved").exists()


def test_a_move_offers_only_open_sessions_with_seats_left(scene: TestScene) -> None:
    booking = book(scene, 0)
    full = scene.sessions[1]
    SessionRoom.objects.filter(session=full).update(taken=3)
    response = signed_in(scene.committee).get(
        reverse("committee:exam_session", args=[scene.sessions[0].pk])
    )
    assert f'id="move-{booking.pk}"' not in response.content.decode()
    response = signed_in(scene.committee).post(
        reverse("committee:exam_move", args=[booking.pk]),
        move_data(booking, full, "Bentrok dengan jadwal operasi"),
    )
    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.session == scene.sessions[0]


def test_closing_before_the_end_is_refused(scene: TestScene) -> None:
    book(scene, 0)
    client = signed_in(scene.committee)
    url = reverse("committee:exam_close", args=[scene.sessions[0].pk])
    response = client.post(url, {"confirmed": "1"}, follow=True)
    assert "close it after that" in response.content.decode()
    scene.sessions[0].refresh_from_db()
    assert scene.sessions[0].closed_at is None
    assert Booking.objects.get().attendance == ""


def test_closing_after_the_end_asks_first_then_marks_the_absent_and_mails_them(
    scene: TestScene,
) -> None:
    session = ended_session(scene)
    came = seat(session, scene.applications[0], scene.committee)
    Booking.objects.filter(pk=came.pk).update(attendance="H", checked_in_at=timezone.now())
    stayed_home = seat(session, scene.applications[1], scene.committee)
    also_home = seat(session, scene.applications[2], scene.committee)
    client = signed_in(scene.committee)
    url = reverse("committee:exam_close", args=[session.pk])

    first = client.post(url)
    html = first.content.decode()
    assert first.status_code == 200
    assert "marks 2 participants who are booked and not checked in as absent (TH)" in html
    assert 'name="confirmed" value="1"' in html
    session.refresh_from_db()
    assert session.closed_at is None

    mail.outbox.clear()
    second = client.post(url, {"confirmed": "1"}, follow=True)
    assert "2 participants are absent (TH)" in second.content.decode()
    session.refresh_from_db()
    assert session.closed_at is not None and session.closed_by == scene.committee
    attendance = dict(Booking.objects.filter(session=session).values_list("pk", "attendance"))
    assert attendance == {came.pk: "H", stayed_home.pk: "TH", also_home.pk: "TH"}
    assert AuditEvent.objects.filter(action="exams.absent").count() == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [scene.applications[1].applicant.email, scene.applications[2].applicant.email]
    )


def test_a_closed_session_cannot_be_closed_again(scene: TestScene) -> None:
    session = ended_session(scene)
    client = signed_in(scene.committee)
    url = reverse("committee:exam_close", args=[session.pk])
    client.post(url, {"confirmed": "1"})
    closed_at = TestSession.objects.get(pk=session.pk).closed_at
    response = client.post(url, {"confirmed": "1"}, follow=True)
    assert "This session has already been closed." in response.content.decode()
    assert TestSession.objects.get(pk=session.pk).closed_at == closed_at


def test_a_stranger_sees_no_session_of_another_agency_by_number(scene: TestScene) -> None:
    other = make_test_scene(code="lain-2026", prefix="Q")
    client = signed_in(scene.committee)
    response = client.get(reverse("committee:exam_session", args=[other.sessions[0].pk]))
    assert response.status_code == 404
