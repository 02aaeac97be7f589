"""Check-in on the day: site staff (and the committee) choose a session, find a participant by
the typed number or the card's token, compare the photo and name, and mark them present;
wrong sessions, second check-ins, participants without a seat and closed sessions are refused
in words. Nobody else sees the pages or the photo, and site staff see nothing but check-in."""

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone
from PIL import Image

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.exams.models import Booking, TestSession
from seleksi.scoring.models import RankingRun
from tests.exams.checkin_scene import booked, session_today, with_photo
from tests.exams.scene import TestScene, make_test_scene
from tests.factories import PASSWORD, make_staff, make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture
def day(scene: TestScene) -> TestScene:
    """P00001 and P00002 booked in sesi-1, P00003 in sesi-2, P00004 without a seat; P00001
    has a passport photo."""
    first, second = scene.sessions
    booked(scene.applications[0], first)
    booked(scene.applications[1], first)
    booked(scene.applications[2], second)
    with_photo(scene.applications[0])
    return scene


def signed_in(user: User, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def desk(session: TestSession) -> str:
    return f"/panitia/hadir/sesi/{session.pk}/"


def text(response: Any) -> str:
    return str(response.content.decode())


def booking_of(scene: TestScene, index: int) -> Booking:
    return Booking.objects.get(application=scene.applications[index])


# --- checking in ----------------------------------------------------------------------------


def test_site_staff_check_a_participant_in_by_typing_the_number(day: TestScene) -> None:
    staff = signed_in(day.site_staff)
    session = day.sessions[0]
    page = staff.get(desk(session))
    assert page.status_code == 200
    assert "<strong>0</strong> of 2 present" in text(page)
    assert 'name="kode"' in text(page) and "Participant number or card code" in text(page)

    found = staff.post(desk(session), {"action": "lookup", "kode": " p00001 "})
    assert found.status_code == 200
    html = text(found)
    applicant = day.applications[0].applicant
    assert applicant.display_name in html and "P00001" in html
    assert "F-0001" in html and "Ruang 1" in html
    booking = booking_of(day, 0)
    assert f'src="/panitia/hadir/foto/{booking.pk}/"' in html
    assert "Check in (Hadir)" in html
    assert booking_of(day, 0).attendance == ""  # looking is not checking in

    done = staff.post(desk(session), {"action": "check_in", "kode": "P00001"})
    assert done.status_code == 302 and done["Location"] == desk(session)
    booking.refresh_from_db()
    assert booking.attendance == Booking.Attendance.PRESENT
    assert booking.checked_in_by == day.site_staff
    events = AuditEvent.objects.filter(
        action="exams.checked_in", subject_id=str(booking.application_id)
    )
    assert events.count() == 1  # the service audits; the page does not audit again

    after = staff.get(desk(session))
    assert "Participant P00001 is checked in (hadir) at" in text(after)
    assert "<strong>1</strong> of 2 present" in text(after)
    assert re.search(
        r'<input id="kode" name="kode" type="text" value=""[^>]* autofocus', text(after)
    )


def test_site_staff_check_in_by_the_card_token(day: TestScene) -> None:
    staff = signed_in(day.site_staff)
    booking = booking_of(day, 1)
    assert booking.token.startswith("k")
    found = staff.post(desk(day.sessions[0]), {"kode": booking.token})
    assert found.status_code == 200
    assert "P00002" in text(found) and "Check in (Hadir)" in text(found)
    assert booking.token not in text(found).split('id="checkin-result"')[1]  # the box is emptied
    done = staff.post(desk(day.sessions[0]), {"action": "check_in", "kode": booking.token})
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.attendance == Booking.Attendance.PRESENT


def test_a_participant_of_another_session_is_refused_naming_their_session(
    day: TestScene,
) -> None:
    staff = signed_in(day.site_staff)
    for action in ("lookup", "check_in"):
        refused = staff.post(desk(day.sessions[0]), {"action": action, "kode": "P00003"})
        assert refused.status_code == 400
        assert "Participant P00003 is booked for session sesi-2, not this one." in text(refused)
        assert "Check in (Hadir)" not in text(refused)
    assert booking_of(day, 2).attendance == ""


def test_a_second_check_in_is_refused_with_the_time_of_the_first(day: TestScene) -> None:
    staff = signed_in(day.site_staff)
    session = day.sessions[0]
    staff.post(desk(session), {"action": "check_in", "kode": "P00001"})
    first = booking_of(day, 0).checked_in_at
    assert first is not None
    again = staff.post(desk(session), {"action": "check_in", "kode": "P00001"})
    assert again.status_code == 400
    assert "Participant P00001 was already checked in at" in text(again)
    looked_up = staff.post(desk(session), {"action": "lookup", "kode": "P00001"})
    assert "was already checked in at" in text(looked_up)
    assert "Check in (Hadir)" not in text(looked_up)
    assert booking_of(day, 0).checked_in_at == first
    assert AuditEvent.objects.filter(action="exams.checked_in").count() == 1


def test_someone_without_a_seat_is_refused(day: TestScene) -> None:
    staff = signed_in(day.site_staff)
    for key in ("P00004", "P99999", "k" + "x" * 31):
        refused = staff.post(desk(day.sessions[0]), {"kode": key})
        assert refused.status_code == 400
        assert "holds no seat in this stage" in text(refused)
    empty = staff.post(desk(day.sessions[0]), {"kode": "  "})
    assert "Type the participant number, or scan the exam card." in text(empty)


def test_a_closed_session_refuses_lookups_and_check_ins(day: TestScene) -> None:
    session = day.sessions[0]
    TestSession.objects.filter(pk=session.pk).update(
        closed_at=timezone.now(), closed_by=day.committee
    )
    staff = signed_in(day.site_staff)
    page = staff.get(desk(session))
    assert "nobody can be checked in any more" in text(page)
    for action in ("lookup", "check_in"):
        refused = staff.post(desk(session), {"action": action, "kode": "P00001"})
        assert refused.status_code == 400
        assert "This session has been closed." in text(refused)
        assert "/panitia/hadir/foto/" not in text(refused)
    assert booking_of(day, 0).attendance == ""


def test_with_htmx_only_the_result_and_the_count_come_back(day: TestScene) -> None:
    staff = signed_in(day.site_staff)
    session = day.sessions[0]
    found = staff.post(desk(session), {"kode": "P00002"}, **HTMX)
    assert found.status_code == 200
    html = text(found)
    assert html.lstrip().startswith('<div id="checkin-result"')
    assert "<html" not in html and 'data-state="found"' in html
    assert "No passport photo in the application" in html  # P00002 uploaded none
    done = staff.post(desk(session), {"action": "check_in", "kode": "P00002"}, **HTMX)
    assert done.status_code == 200
    assert 'data-state="done"' in text(done)
    assert "Participant P00002 is checked in (hadir) at" in text(done)
    assert re.search(r'id="checkin-count"[^>]*hx-swap-oob="true"', text(done))
    assert "<strong>1</strong> of 2 present" in text(done)
    refused = staff.post(desk(session), {"kode": "P00003"}, **HTMX)
    assert refused.status_code == 200  # htmx swaps only what answers 200
    assert 'data-state="refused"' in text(refused) and "sesi-2" in text(refused)


def test_the_committee_checks_in_too(day: TestScene) -> None:
    done = signed_in(day.committee).post(
        desk(day.sessions[1]), {"action": "check_in", "kode": "P00003"}
    )
    assert done.status_code == 302
    assert booking_of(day, 2).attendance == Booking.Attendance.PRESENT


def test_the_page_offers_the_vendored_qr_reader_only_when_it_is_there(
    day: TestScene, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seleksi.committee import checkin_views

    page = text(signed_in(day.site_staff).get(desk(day.sessions[0])))
    assert 'id="scan" hidden' in page  # shown by checkin.js only where a reader can work
    assert "/static/seleksi/checkin.js" in page
    vendored = bool(finders.find(checkin_views.QR_LIBRARY))
    assert ('data-qr-library="/static/seleksi/vendor/jsQR.js"' in page) is vendored

    monkeypatch.setattr(checkin_views, "_is_vendored", lambda path: False)
    page = text(signed_in(day.site_staff).get(desk(day.sessions[0])))
    assert 'data-qr-library=""' in page
    assert "<script" not in page.split("checkin.js")[1]  # no library is loaded up front


# --- the photo ------------------------------------------------------------------------------


def test_the_photo_is_small_private_and_named_by_the_booking_only(day: TestScene) -> None:
    booking = booking_of(day, 0)
    photo = signed_in(day.site_staff).get(f"/panitia/hadir/foto/{booking.pk}/")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    assert photo["Cache-Control"] == "private, no-store"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert photo["Content-Security-Policy"] == "default-src 'none'"
    assert photo["Content-Disposition"] == 'inline; filename="P00001-foto.jpg"'
    image = Image.open(io.BytesIO(photo.content))
    assert image.size[0] <= 240 and image.size[1] <= 360 and image.size[1] > image.size[0]
    assert len(photo.content) < 30_000


def other_agency_staff() -> User:
    other = make_test_scene(code="lain-2026", participants=0)
    return other.site_staff


@pytest.mark.parametrize("who", ["other_agency", "applicant", "verifier", "anonymous"])
def test_the_photo_is_refused_to_anyone_but_the_agency_check_in_staff(
    day: TestScene, who: str
) -> None:
    booking = booking_of(day, 0)
    url = f"/panitia/hadir/foto/{booking.pk}/"
    if who == "anonymous":
        answer = Client().get(url)
        assert answer.status_code == 302 and answer["Location"].startswith("/akun/masuk/")
        return
    people = {
        "other_agency": other_agency_staff,
        "applicant": lambda: day.applications[0].applicant,
        "verifier": lambda: make_staff("verifikator-uji", day.selection.agency, Role.VERIFIER),
    }
    assert signed_in(people[who]()).get(url).status_code == 404


def test_the_photo_is_gone_once_the_session_is_closed(day: TestScene) -> None:
    booking = booking_of(day, 0)
    url = f"/panitia/hadir/foto/{booking.pk}/"
    staff = signed_in(day.site_staff)
    assert staff.get(url).status_code == 200
    TestSession.objects.filter(pk=booking.session_id).update(closed_at=timezone.now())
    assert staff.get(url).status_code == 404
    assert signed_in(day.committee).get(url).status_code == 404


def test_a_participant_without_a_photo_has_none_to_fetch(day: TestScene) -> None:
    booking = booking_of(day, 1)
    assert signed_in(day.site_staff).get(f"/panitia/hadir/foto/{booking.pk}/").status_code == 404


# --- the list of sessions -------------------------------------------------------------------


def test_the_session_list_shows_open_sessions_today_first_with_counts(day: TestScene) -> None:
    today = session_today(day)
    closed = session_today(day, "sesi-tutup")
    TestSession.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    booked(day.applications[3], today)
    Booking.objects.filter(application=day.applications[0]).update(
        attendance=Booking.Attendance.PRESENT, checked_in_at=timezone.now()
    )
    page = signed_in(day.site_staff).get(f"/panitia/{day.selection.code}/hadir/")
    assert page.status_code == 200
    html = text(page)
    links = re.findall(r'href="/panitia/hadir/sesi/(\d+)/">([\w-]+)</a>', html)
    assert [code for _pk, code in links] == ["sesi-hari-ini", "sesi-1", "sesi-2"]
    assert int(links[0][0]) == today.pk
    rows = html.split('<tr class="checkin-today">')[1]
    assert "today" in rows.split("</tr>")[0] and "0 / 1" in rows.split("</tr>")[0]
    assert "1 / 2" in html and "0 / 1" in html
    assert "sesi-tutup" not in html


@pytest.mark.parametrize("who", ["applicant", "verifier", "admin", "other_agency"])
def test_the_check_in_pages_are_404_to_anyone_without_check_in_here(
    day: TestScene, who: str
) -> None:
    people = {
        "applicant": lambda: day.applications[0].applicant,
        "verifier": lambda: make_staff("verifikator-uji", day.selection.agency, Role.VERIFIER),
        "admin": lambda: make_staff("admin-uji", day.selection.agency, Role.ADMIN),
        "other_agency": other_agency_staff,
    }
    client = signed_in(people[who]())
    assert client.get(f"/panitia/{day.selection.code}/hadir/").status_code == 404
    assert client.get(desk(day.sessions[0])).status_code == 404
    posted = client.post(desk(day.sessions[0]), {"action": "check_in", "kode": "P00001"})
    assert posted.status_code == 404
    assert booking_of(day, 0).attendance == ""


def test_anonymous_visitors_are_sent_to_sign_in(day: TestScene) -> None:
    for url in (f"/panitia/{day.selection.code}/hadir/", desk(day.sessions[0])):
        answer = Client().get(url)
        assert answer.status_code == 302 and answer["Location"].startswith("/akun/masuk/")


# --- site staff see check-in and nothing else -----------------------------------------------


def test_site_staff_land_on_the_workspace_with_only_the_check_in_entry(day: TestScene) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    signed = client.post(
        "/akun/masuk/", {"identifier": day.site_staff.username, "password": PASSWORD}
    )
    assert signed.status_code == 302 and signed["Location"] == "/panitia/"
    home = client.get("/panitia/")
    assert home.status_code == 200
    header, main = text(home).split('id="main"')
    main = main.split("</main>")[0]
    assert f'href="/panitia/{day.selection.code}/hadir/"' in main
    assert f'href="/panitia/{day.selection.code}/hadir/"' in header  # the staff menu
    for hidden in ("/verifikasi/", "/peringkat/", "/kelola/", "Waiting for you"):
        assert hidden not in main, hidden
    for hidden in ("/verifikasi/", "/peringkat/", 'href="/kelola/"'):
        assert hidden not in header, hidden


def test_the_committee_workspace_links_to_check_in(day: TestScene) -> None:
    html = text(signed_in(day.committee).get("/panitia/"))
    assert f'href="/panitia/{day.selection.code}/hadir/"' in html
    assert f'href="/panitia/{day.selection.code}/verifikasi/"' in html
    assert 'href="/kelola/"' in html


def test_site_staff_get_404_on_the_queue_the_ranking_and_the_console(day: TestScene) -> None:
    run = RankingRun.objects.create(
        selection=day.selection,
        stage="skd",
        policy_code="cpns-2021",
        policy_version=1,
        fingerprint="ab" * 32,
        created_at=timezone.now(),
        row_count=0,
        counts={},
    )
    code, number = day.selection.code, day.applications[0].number
    staff = signed_in(day.site_staff)
    for url in (
        f"/panitia/{code}/verifikasi/",
        f"/panitia/lamaran/{number}/periksa/",
        f"/panitia/{code}/peringkat/",
        f"/panitia/peringkat/{run.pk}/",
        f"/panitia/peringkat/{run.pk}.csv",
        f"/panitia/peringkat/{run.pk}/penggantian/",
        "/kelola/",
        "/kelola/selections/selection/",
        f"/kelola/selections/selection/{day.selection.pk}/change/",
        "/kelola/audit/auditevent/",
    ):
        assert staff.get(url).status_code == 404, url
    assert staff.post(f"/panitia/{code}/verifikasi/aksi/", {"action": "publish"}).status_code == 404


def test_site_staff_who_also_verify_elsewhere_keep_the_console(day: TestScene) -> None:
    other = make_test_scene(code="lain-2026", participants=0)
    both = make_user("petugas-dan-verifikator", is_staff=True)
    from seleksi.agencies.models import Membership

    Membership.objects.create(agency=day.selection.agency, user=both, role=Role.SITE_STAFF)
    Membership.objects.create(agency=other.selection.agency, user=both, role=Role.VERIFIER)
    client = signed_in(both)
    assert client.get("/kelola/").status_code == 200
    assert client.get(f"/panitia/{day.selection.code}/verifikasi/").status_code == 404
    assert client.get(f"/panitia/{other.selection.code}/verifikasi/").status_code == 200
    assert client.get(desk(day.sessions[0])).status_code == 200
