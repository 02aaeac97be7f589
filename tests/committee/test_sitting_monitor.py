"""The committee's pages on a session's computer-assisted test: the list of sittings, one
sitting with its event log, the log as a CSV file, and more time for one participant. The
proctors (site staff) read; only MANAGE_TESTS extends or exports; anyone else gets a 404."""

import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.core.crypto import encrypt_text
from seleksi.sittings.models import Sitting, SittingEvent
from seleksi.sittings.sittings import answer_save, sitting_extend, sitting_finish
from tests.exams.scene import TestScene, make_test_scene
from tests.factories import make_staff, make_user
from tests.sittings.scene import make_cat_scene
from tests.sittings.test_sittings import seat, start

WIB = ZoneInfo("Asia/Jakarta")
NIK = "3520050211930004"


@pytest.fixture
def scene(db: None) -> TestScene:
    scene = make_cat_scene(stage_test=True)
    User.objects.filter(pk=scene.applications[0].applicant_id).update(
        full_name="Siti Aminah", nik_cipher=encrypt_text(NIK)
    )
    return scene


def signed_in(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def list_url(scene: TestScene) -> str:
    return reverse("committee:sitting_monitor", args=[scene.sessions[0].pk])


def sitting_url(sitting: Sitting) -> str:
    return reverse("committee:sitting", args=[sitting.pk])


def log_url(sitting: Sitting) -> str:
    return reverse("committee:sitting_log", args=[sitting.pk])


def answer(scene: TestScene, sitting: Sitting, item: int, option: int, sequence: int) -> None:
    drawn = sitting.drawn[item]
    answer_save(
        sitting=sitting,
        actor=sitting.booking.application.applicant,
        question=drawn["question"],
        option=drawn["options"][option],
        sequence=sequence,
    )


def row_of(html: str, element_id: str) -> str:
    match = re.search(rf'<tr id="{element_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


# --- who may open it --------------------------------------------------------------------------


def test_strangers_get_a_404_and_anonymous_visitors_the_sign_in(scene: TestScene) -> None:
    sitting = start(scene)
    stranger = make_test_scene(code="lain-2026", prefix="L")
    pages = [list_url(scene), sitting_url(sitting), log_url(sitting)]
    for url in pages:
        response = signed_in(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    for user in (
        scene.applications[0].applicant,
        scene.applications[1].applicant,
        stranger.committee,
        stranger.site_staff,
        make_user("warga"),
    ):
        client = signed_in(user)
        for url in pages:
            assert client.get(url).status_code == 404, (user.username, url)
    missing = [
        reverse("committee:sitting_monitor", args=[999_999]),
        reverse("committee:sitting", args=[999_999]),
        reverse("committee:sitting_log", args=[999_999]),
    ]
    for url in missing:
        assert signed_in(scene.committee).get(url).status_code == 404


def test_nobody_signed_out_extends(scene: TestScene) -> None:
    sitting = start(scene)
    response = signed_in(None).post(sitting_url(sitting), {"minutes": 10, "reason": "x"})
    assert response.status_code == 302
    assert not SittingEvent.objects.filter(kind="extended").exists()


def test_another_agencys_committee_cannot_extend(scene: TestScene) -> None:
    sitting = start(scene)
    stranger = make_test_scene(code="lain-2026", prefix="L").committee
    response = signed_in(stranger).post(sitting_url(sitting), {"minutes": 10, "reason": "x"})
    assert response.status_code == 404
    assert not SittingEvent.objects.filter(kind="extended").exists()


def test_site_staff_watch_but_neither_extend_nor_export(scene: TestScene) -> None:
    sitting = start(scene)
    client = signed_in(scene.site_staff)
    assert client.get(list_url(scene)).status_code == 200
    page = client.get(sitting_url(sitting))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="extend-form"' not in html and 'id="log-csv"' not in html
    assert reverse("committee:exams", args=[scene.selection.code]) not in html
    assert client.get(log_url(sitting)).status_code == 404
    ends_at = sitting.ends_at
    response = client.post(sitting_url(sitting), {"minutes": 10, "reason": "padam"})
    assert response.status_code == 403
    assert "You may not do this for this agency." in response.content.decode()
    sitting.refresh_from_db()
    assert sitting.ends_at == ends_at
    assert not AuditEvent.objects.filter(action="sittings.extended").exists()


def test_an_administrator_of_the_agency_watches_and_exports(scene: TestScene) -> None:
    sitting = start(scene)
    client = signed_in(make_staff("admin-instansi", scene.selection.agency, Role.ADMIN))
    for url in (list_url(scene), sitting_url(sitting), log_url(sitting)):
        assert client.get(url).status_code == 200


def test_a_get_only_address_refuses_a_post(scene: TestScene) -> None:
    sitting = start(scene)
    client = signed_in(scene.committee)
    assert client.post(list_url(scene)).status_code == 405
    assert client.post(log_url(sitting)).status_code == 405


# --- the session's list -----------------------------------------------------------------------


def test_the_list_shows_every_booking_with_its_sitting(scene: TestScene) -> None:
    running = start(scene, 0)
    answer(scene, running, 0, 0, 1)
    answer(scene, running, 1, 3, 2)
    sitting_extend(sitting=running, actor=scene.committee, minutes=15, reason="padam")
    finished = start(scene, 1)
    answer(scene, finished, 0, 0, 1)
    finished = sitting_finish(sitting=finished, actor=finished.booking.application.applicant)
    closed = start(scene, 2)
    Sitting.objects.filter(pk=closed.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    sitting_finish(sitting=closed, actor=None)
    waiting = seat(scene, 3, attendance="")
    response = signed_in(scene.committee).get(list_url(scene))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Si** Am****" in html
    assert "Siti" not in html and "Aminah" not in html and NIK not in html
    first = row_of(html, f"booking-{running.booking_id}")
    assert first.startswith("P00001 Si** Am**** Present (hadir)")
    assert "in progress, 115 minutes left" in first
    assert "2 of 110" in first and "+15" in first
    assert sitting_url(running) in html
    second = row_of(html, f"booking-{finished.booking_id}")
    assert "finished" in second and "1 of 110" in second
    assert second.endswith(str(finished.total))
    assert "closed by the server" in row_of(html, f"booking-{closed.booking_id}")
    fourth = row_of(html, f"booking-{waiting.pk}")
    assert "not started" in fourth and "–" in fourth
    assert "1 in progress, 0 closing, 1 finished, 1 closed by the server, 1 not started" in html
    assert "skd-2021, 100 minutes" in html


def test_a_session_whose_stage_has_no_test_says_so(scene: TestScene) -> None:
    from seleksi.sittings.models import StageTest

    StageTest.objects.all().delete()
    response = signed_in(scene.committee).get(list_url(scene))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="no-test"' in html and 'id="sitting-list"' not in html


def test_the_sessions_page_links_to_its_test_only_when_it_has_one(scene: TestScene) -> None:
    from seleksi.sittings.models import StageTest

    client = signed_in(scene.committee)
    session_page = reverse("committee:exam_session", args=[scene.sessions[0].pk])
    html = client.get(session_page).content.decode()
    assert 'id="sitting-monitor-link"' in html and list_url(scene) in html
    assert 'id="board-link"' in html
    StageTest.objects.all().delete()
    html = client.get(session_page).content.decode()
    assert 'id="sitting-monitor-link"' not in html and 'id="board-link"' not in html


def test_site_staff_reach_the_sittings_from_their_check_in_page(scene: TestScene) -> None:
    from seleksi.sittings.models import StageTest

    client = signed_in(scene.site_staff)
    checkin_page = reverse("committee:checkin", args=[scene.sessions[0].pk])
    html = client.get(checkin_page).content.decode()
    assert 'id="sitting-monitor-link"' in html and list_url(scene) in html
    StageTest.objects.all().delete()
    assert 'id="sitting-monitor-link"' not in client.get(checkin_page).content.decode()


# --- one sitting ------------------------------------------------------------------------------


def test_the_sitting_shows_its_timing_and_a_log_as_the_participant_saw_it(
    scene: TestScene,
) -> None:
    User.objects.filter(pk=scene.committee.pk).update(full_name="Budi Panitia")
    sitting = start(scene)
    answer(scene, sitting, 2, 1, 1)  # question 3, option B
    answer(scene, sitting, 2, 4, 2)  # changed to E
    answer_save(
        sitting=sitting,
        actor=sitting.booking.application.applicant,
        question=sitting.drawn[2]["question"],
        option=sitting.drawn[2]["options"][4],
        sequence=3,
        marked=True,
    )
    sitting_extend(sitting=sitting, actor=scene.committee, minutes=7, reason="Listrik padam")
    response = signed_in(scene.committee).get(sitting_url(sitting))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sitting of participant P00001" in html and "Si** Am****" in html
    assert NIK not in html and "Aminah" not in html
    sitting.refresh_from_db()
    with override("en"):
        ends = date_format(timezone.localtime(sitting.ends_at, WIB), "j F Y, H:i:s")
    assert f'id="ends-at">{ends}, WIB (Western Indonesia, UTC+7)' in html
    assert "Listrik padam" in html and "Budi Panitia" in html and "+7" in html
    rows = re.findall(r'<tr class="event-(\w+)">(.*?)</tr>', html, re.S)
    cells = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for _kind, row in rows
    ]
    assert [kind for kind, _row in rows] == ["started", "answered", "changed", "marked", "extended"]
    assert cells[1][0] == "2" and cells[1][3:7] == ["Answered", "3", "B", "1"]
    assert cells[2][3:7] == ["Answer changed", "3", "E", "2"]
    assert cells[3][3:8] == ["Marking changed", "3", "E", "3", "marked for review"]
    assert cells[4][3] == "Time extended" and cells[4][7] == "7 extra minutes: Listrik padam"
    assert 'id="extend-form"' in html and 'id="log-csv"' in html
    assert 'id="scores"' not in html


def test_a_finished_sitting_shows_its_scores_and_no_form(scene: TestScene) -> None:
    sitting = start(scene)
    twk = next(i for i, item in enumerate(sitting.drawn) if item["component"] == "twk")
    from tests.sittings.test_sittings import right_option

    question = sitting.drawn[twk]["question"]
    answer_save(
        sitting=sitting,
        actor=sitting.booking.application.applicant,
        question=question,
        option=right_option(question),
        sequence=1,
    )
    sitting_finish(sitting=sitting, actor=sitting.booking.application.applicant)
    html = signed_in(scene.committee).get(sitting_url(sitting)).content.decode()
    assert 'id="extend-form"' not in html
    assert "Tes Wawasan Kebangsaan (TWK)" in row_of(html, "score-twk")
    assert row_of(html, "score-twk").endswith("5 150")
    assert row_of(html, "score-total") == "Total 5 550"
    assert "Finished by the participant; total 5" in html


def test_a_long_log_is_paged(scene: TestScene) -> None:
    sitting = start(scene)
    now = timezone.now()
    SittingEvent.objects.bulk_create(
        SittingEvent(sitting=sitting, kind="shown", at=now + timedelta(milliseconds=n))
        for n in range(1, 521)
    )
    client = signed_in(scene.committee)
    first = client.get(sitting_url(sitting)).content.decode()
    assert first.count('<tr class="event-') == 500
    assert "Page 1 of 2" in first and "?page=2#log" in first
    second = client.get(sitting_url(sitting) + "?page=2").content.decode()
    assert second.count('<tr class="event-') == 21
    assert '<td class="num">501</td>' in second


# --- the CSV file -----------------------------------------------------------------------------


def test_the_log_file_holds_every_event_with_private_headers(scene: TestScene) -> None:
    sitting = start(scene)
    answer(scene, sitting, 4, 2, 1)  # question 5, option C
    SittingEvent.objects.create(
        sitting=sitting,
        kind="offline",
        at=timezone.now(),
        client_at=timezone.now() - timedelta(seconds=3),
    )
    sitting_extend(
        sitting=sitting, actor=scene.committee, minutes=5, reason='=HYPERLINK("http://x")'
    )
    response = signed_in(scene.committee).get(log_url(sitting))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="log-cat-P00001-{sitting.pk}.csv"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == [
        "no",
        "server_time",
        "browser_time",
        "event",
        "event_label",
        "question",
        "option",
        "sequence",
        "note",
    ]
    assert [row[3] for row in rows[1:]] == ["started", "answered", "offline", "extended"]
    answered = rows[2]
    assert answered[0] == "2" and answered[4:8] == ["Answered", "5", "C", "1"]
    assert answered[1].endswith("+07:00") and answered[2] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+07:00", answered[1])
    offline = rows[3]
    assert offline[2].endswith("+07:00") and offline[5:8] == ["", "", ""]
    assert rows[4][8] == '5 extra minutes: =HYPERLINK("http://x")'


def test_the_log_file_is_in_the_readers_language(scene: TestScene) -> None:
    sitting = start(scene)
    client = signed_in(scene.committee)
    client.cookies["django_language"] = "id"
    rows = list(csv.reader(io.StringIO(client.get(log_url(sitting)).content.decode())))
    with override("id"):
        assert rows[1][4] == str(SittingEvent.Kind.STARTED.label)


# --- more time --------------------------------------------------------------------------------


def test_the_committee_gives_one_participant_more_time(scene: TestScene) -> None:
    sitting = start(scene)
    other = start(scene, 1)
    before = sitting.ends_at
    client = signed_in(scene.committee)
    response = client.post(sitting_url(sitting), {"minutes": "15", "reason": "Listrik padam"})
    assert response.status_code == 302 and response["Location"] == sitting_url(sitting)
    sitting.refresh_from_db()
    assert sitting.ends_at == before + timedelta(minutes=15)
    other_ends = other.ends_at
    other.refresh_from_db()
    assert other.ends_at == other_ends
    html = client.get(response["Location"]).content.decode()
    with override("en"):
        ends = date_format(timezone.localtime(sitting.ends_at, WIB), "j F Y, H:i")
    assert (
        f"Participant P00001 has 15 more minutes: the sitting now ends at {ends}, WIB (Western "
        "Indonesia, UTC+7)." in html
    )
    audit = AuditEvent.objects.get(action="sittings.extended")
    assert (audit.actor, audit.reason) == (scene.committee, "Listrik padam")
    assert SittingEvent.objects.filter(sitting=sitting, kind="extended").count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"minutes": "0", "reason": "padam"}, "minutes", "Give between 1 and 120 extra minutes."),
        ({"minutes": "121", "reason": "padam"}, "minutes", "Give between 1 and 120 extra minutes."),
        ({"minutes": "", "reason": "padam"}, "minutes", "Give between 1 and 120 extra minutes."),
        (
            {"minutes": "lima", "reason": "padam"},
            "minutes",
            "Give between 1 and 120 extra minutes.",
        ),
        (
            {"minutes": "10", "reason": "   "},
            "reason",
            "Write the reason for the extension; it is kept in the sitting&#x27;s log.",
        ),
    ],
)
def test_a_refused_extension_says_why_next_to_the_field(
    scene: TestScene, data: dict[str, str], field: str, message: str
) -> None:
    sitting = start(scene)
    response = signed_in(scene.committee).post(sitting_url(sitting), data)
    html = response.content.decode()
    assert response.status_code == 400
    errors = re.search(rf'id="errors-{field}"[^>]*>(.*?)</div>', html, re.S)
    assert errors and message in errors.group(1)
    assert 'id="extend-form"' in html
    ends_at = sitting.ends_at
    sitting.refresh_from_db()
    assert sitting.ends_at == ends_at
    assert not AuditEvent.objects.filter(action="sittings.extended").exists()


def test_a_finished_sitting_cannot_get_more_time(scene: TestScene) -> None:
    sitting = start(scene)
    sitting_finish(sitting=sitting, actor=sitting.booking.application.applicant)
    response = signed_in(scene.committee).post(
        sitting_url(sitting), {"minutes": "10", "reason": "padam"}
    )
    assert response.status_code == 400
    assert "Only a sitting in progress can be extended." in response.content.decode()
    assert not SittingEvent.objects.filter(kind="extended").exists()


def test_a_refusal_is_shown_in_the_default_language(scene: TestScene) -> None:
    sitting = start(scene)
    client = signed_in(scene.committee)
    client.cookies["django_language"] = "id"
    response = client.post(sitting_url(sitting), {"minutes": "500", "reason": "padam"})
    with override("id"):
        from seleksi.sittings.sittings import SittingRefused

        expected = SittingRefused("minutes", params=120).message
    assert response.status_code == 400
    assert expected in response.content.decode()
