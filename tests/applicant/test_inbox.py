"""The applicant's inbox: own notices only, newest first, unread marked and counted in the
header, read once opened; the language switch remembered for the notices."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.notices.models import Notice
from seleksi.notices.services import notify
from tests.accounts.helpers import signed_in
from tests.notices.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def tell(world: World, index: int, event: str, template: str = "administrative_result") -> Notice:
    application = world.applications[index]
    notice = notify(
        user=application.applicant,
        event=event,
        template=template,
        context={"number": application.number},
        url=f"/lamaran/{application.number}/",
        selection=world.selection,
    )
    assert notice is not None
    return notice


def test_the_inbox_lists_own_notices_newest_first_with_the_unread_count(world: World) -> None:
    older = tell(world, 0, "a")
    Notice.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    newer = tell(world, 0, "b", template="objection_result")
    others = tell(world, 1, "a")
    page = signed_in(world.applicant(0)).get("/kotak-masuk/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index(newer.subject) < html.index(older.subject)
    assert f"/kotak-masuk/{others.pk}/" not in html
    assert html.count('class="notice unread"') == 2
    assert '<span class="badge"' in html and ">2</span>" in html


def test_opening_a_notice_marks_it_read_and_links_to_its_page(world: World) -> None:
    notice = tell(world, 0, "a")
    client = signed_in(world.applicant(0))
    page = client.get(f"/kotak-masuk/{notice.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert world.applications[0].number in html
    assert f'href="/lamaran/{world.applications[0].number}/"' in html
    notice.refresh_from_db()
    first_read = notice.read_at
    assert first_read is not None
    client.get(f"/kotak-masuk/{notice.pk}/")
    notice.refresh_from_db()
    assert notice.read_at == first_read
    assert '<span class="badge"' not in client.get("/kotak-masuk/").content.decode()


def test_someone_elses_notice_is_not_found_and_stays_unread(world: World) -> None:
    notice = tell(world, 1, "a")
    assert signed_in(world.applicant(0)).get(f"/kotak-masuk/{notice.pk}/").status_code == 404
    assert signed_in(world.applicant(0)).get("/kotak-masuk/999999/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_inbox_needs_a_sign_in(world: World) -> None:
    notice = tell(world, 0, "a")
    for url in ("/kotak-masuk/", f"/kotak-masuk/{notice.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_the_inbox_speaks_english_to_an_english_reader(world: World) -> None:
    client = signed_in(world.applicant(0))
    client.cookies["django_language"] = "en"
    html = client.get("/kotak-masuk/").content.decode()
    assert "<h1>Inbox</h1>" in html and "No messages yet." in html


def test_the_badge_costs_anonymous_visitors_nothing(world: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert Client().get("/").status_code == 200
    assert not [q for q in queries if "notices_notice" in q["sql"]]
    tell(world, 0, "a")
    with CaptureQueriesContext(connection) as queries:
        signed_in(world.applicant(0)).get("/")
    assert len([q for q in queries if "notices_notice" in q["sql"]]) == 1


def test_switching_language_is_remembered_for_the_notices(world: World) -> None:
    client = signed_in(world.applicant(0))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/kotak-masuk/"})
    assert response.status_code == 302 and response["Location"] == "/kotak-masuk/"
    assert User.objects.get(pk=world.applicant(0).pk).language == "en"
    world.applicant(0).refresh_from_db()
    notice = tell(world, 0, "a")
    assert notice.language == "en" and notice.subject.startswith("The administrative")
    client.post("/i18n/setlang/", {"language": "xx"})
    assert User.objects.get(pk=world.applicant(0).pk).language == "en"
    anonymous = Client().post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert anonymous.status_code == 302 and anonymous.cookies["django_language"].value == "en"


def test_registration_keeps_the_language_of_the_form(db: None) -> None:
    from tests.accounts.helpers import make_applicant

    assert make_applicant().language == "id"
    from datetime import date

    from seleksi.accounts.services import Registration, applicant_register

    user = applicant_register(
        registration=Registration(
            email="english@contoh.invalid",
            password="Kopi-Gayo-2021!",
            full_name="Pelamar Bahasa Inggris",
            phone="0812 3456 7890",
            birth_date=date(1990, 1, 1),
            sex="P",
            nik="",
            kk="",
            questions=(("mother", "Ibu"), ("first_teacher", "Guru")),
            registry_checked=False,
            language="en",
        ),
        site_url="http://testserver",
        send_activation=False,
    )
    assert user.language == "en"


def test_the_personal_data_download_holds_the_notices(world: World) -> None:
    import json

    notice = tell(world, 0, "a")
    client = signed_in(world.applicant(0))
    data = json.loads(client.get("/akun/data-saya.json").content)
    assert [n["subject"] for n in data["notices"]] == [notice.subject]
    assert data["account"]["language"] == "id"
    assert notice.subject in client.get("/akun/data-saya/").content.decode()
