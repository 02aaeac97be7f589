"""The public pages kept for visitors who are not signed in: a warm page reads no database and
touches no session, keys by parameters and language, never holds anyone's token or header,
and is read again as soon as a service changes what it shows."""

import socket
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from seleksi.agencies.models import Role
from seleksi.announcements.models import Kind
from seleksi.core import public_cache
from seleksi.exams.services import window_set
from seleksi.public import page_cache
from seleksi.rules.formations import EXPORT_COLUMNS, parse_formation_table
from seleksi.selections.models import Formation
from seleksi.selections.services import formation_save
from tests.announcements.conftest import World, make_world
from tests.factories import import_rows, make_staff, make_user
from tests.scoring.ranked import FORMATIONS
from tests.selections.test_console import selection_change_form

CODE = "umum-2026"
NEW_FORMATION = [
    "F-C",
    "CPNS",
    "umum",
    "Pranata Komputer",
    "S-1 Informatika",
    "Dinas C",
    "2",
    "teknis",
]


@pytest.fixture(autouse=True)
def _cached(settings: Any) -> None:
    settings.SELEKSI_PUBLIC_CACHE_SECONDS = 300
    settings.SELEKSI_PUBLIC_EDGE_SECONDS = 10


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run a write as if its transaction committed: the generation moves on at commit."""

    def run(write: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return write()

    return run


def announced(world: World) -> tuple[World, Any]:
    """The administrative result published and announced; the announcement returned."""
    world.publish_administrative()
    return world, world.publish(world.draft(Kind.ADMINISTRATIVE, number="800/7/PANSEL/2026"))


def page_urls(announcement_pk: int) -> list[str]:
    return [
        reverse("selections:home"),
        reverse("selections:detail", args=[CODE]),
        reverse("selections:formations", args=[CODE]) + "?jenis_formasi=disabilitas",
        reverse("public:results", args=[CODE]) + "?nomor=A01",
        reverse("public:replacements", args=[CODE]),
        reverse("public:announcements", args=[CODE]),
        reverse("public:announcement", args=[CODE, announcement_pk]) + "?formasi=F-A",
    ]


def test_a_warm_page_reads_no_database_and_touches_no_session(
    world: World, django_assert_num_queries: Any
) -> None:
    _world, announcement = announced(world)
    client = Client()
    for url in page_urls(announcement.pk):
        first = client.get(url)
        assert first.status_code == 200, url
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.content == first.content, url
        assert not again.cookies and not first.cookies, url
        for response in (first, again):
            assert not response.wsgi_request.session.accessed, url
            assert not response.wsgi_request.session.modified, url
        assert b"csrfmiddlewaretoken" not in again.content, url
        assert "no-cache" not in again["Cache-Control"] and "public" in again["Cache-Control"]
    assert "announcement" not in client.cookies and not client.cookies


def test_the_home_selection_and_announcement_pages_may_be_kept_by_the_proxy(
    world: World, settings: Any
) -> None:
    settings.SELEKSI_PUBLIC_EDGE_SECONDS = 7
    _world, announcement = announced(world)
    edge = [
        reverse("selections:home"),
        reverse("selections:detail", args=[CODE]),
        reverse("public:announcements", args=[CODE]),
        reverse("public:announcement", args=[CODE, announcement.pk]),
    ]
    for url in edge:
        for _warm in range(2):
            response = Client().get(url)
            assert response["X-Accel-Expires"] == "7", url
            assert "Set-Cookie" not in response.serialize_headers().decode(), url
            assert "Cookie" in response["Vary"], url  # the language is in a cookie
    home = Client().get("/")
    assert home["Cache-Control"] == "public, max-age=7"
    openings = Client().get(reverse("selections:formations", args=[CODE]))
    assert "X-Accel-Expires" not in openings and openings["Cache-Control"] == "public, max-age=7"
    assert "HX-Request" in openings["Vary"]


def test_a_signed_in_person_gets_their_own_page_never_kept(world: World) -> None:
    anonymous = Client()
    kept = anonymous.get("/")
    person = Client()
    person.force_login(make_user("pembaca", full_name="Pembaca Setia"))
    for _twice in range(2):
        mine = person.get("/")
        html = mine.content.decode()
        assert "csrfmiddlewaretoken" in html  # the sign-out and language forms
        assert "private" in mine["Cache-Control"] and "no-cache" in mine["Cache-Control"]
        assert mine["X-Accel-Expires"] == "0"
        assert mine.content != kept.content
    again = anonymous.get("/")
    assert again.content == kept.content
    assert b"csrfmiddlewaretoken" not in again.content


def test_a_visitor_with_a_session_or_a_waiting_message_is_answered_privately(
    world: World,
) -> None:
    Client().get("/")
    for cookie in ("sessionid", "messages"):
        visitor = Client()
        visitor.cookies[cookie] = "x"
        response = visitor.get("/")
        assert response.status_code == 200
        assert "private" in response["Cache-Control"] and response["X-Accel-Expires"] == "0"


def test_junk_in_the_address_reads_the_same_kept_page_and_is_not_echoed(
    world: World, django_assert_num_queries: Any
) -> None:
    url = reverse("selections:formations", args=[CODE])
    first = Client().get(url, {"jenis_formasi": "disabilitas", "page": "1"})
    with django_assert_num_queries(0):
        again = Client().get(
            url + "?utm_source=jahat&page=1&jenis_formasi=umum&jenis_formasi=disabilitas"
        )
    assert again.content == first.content
    assert b"utm_source" not in again.content and b"jahat" not in again.content
    html = again.content.decode()
    assert "F-B" in html and "F-A" not in html  # the last value counts, as in the form


def test_filters_languages_and_fragments_are_kept_apart(
    world: World, django_assert_num_queries: Any
) -> None:
    url = reverse("selections:formations", args=[CODE])
    english = Client()
    english.cookies["django_language"] = "en"
    answers = {
        "umum": Client().get(url, {"jenis_formasi": "umum"}),
        "disabilitas": Client().get(url, {"jenis_formasi": "disabilitas"}),
        "english": english.get(url, {"jenis_formasi": "umum"}),
        "fragment": Client().get(url, {"jenis_formasi": "umum"}, HTTP_HX_REQUEST="true"),
    }
    assert len({response.content for response in answers.values()}) == 4
    assert answers["english"]["Content-Language"] == "en"
    assert b"<html" not in answers["fragment"].content
    with django_assert_num_queries(0):
        assert english.get(url, {"jenis_formasi": "umum"}).content == answers["english"].content
        fragment = Client().get(url, {"jenis_formasi": "umum"}, HTTP_HX_REQUEST="true")
        assert fragment.content == answers["fragment"].content
    assert "F-A" in answers["umum"].content.decode()
    assert "F-A" not in answers["disabilitas"].content.decode()


def test_publishing_an_announcement_shows_on_the_home_and_selection_pages_at_once(
    world: World, commit: Any
) -> None:
    pages = [
        reverse("selections:home"),
        reverse("selections:detail", args=[CODE]),
        reverse("public:announcements", args=[CODE]),
    ]
    for url in pages:
        assert "800/7/PANSEL/2026" not in Client().get(url).content.decode()
    commit(world.publish_administrative)
    commit(lambda: world.publish(world.draft(Kind.ADMINISTRATIVE, number="800/7/PANSEL/2026")))
    for url in pages:
        assert "800/7/PANSEL/2026" in Client().get(url).content.decode(), url


def test_publishing_the_administrative_result_links_it_from_home_and_the_selection(
    world: World, commit: Any
) -> None:
    detail = reverse("selections:detail", args=[CODE])
    results = reverse("public:results", args=[CODE])
    assert 'id="link-results"' not in Client().get(detail).content.decode()
    assert results not in Client().get("/").content.decode()
    commit(world.publish_administrative)
    assert 'id="link-results"' in Client().get(detail).content.decode()
    assert results in Client().get("/").content.decode()


def test_confirming_a_replacement_links_the_replacements(world: World, commit: Any) -> None:
    detail = reverse("selections:detail", args=[CODE])
    assert 'id="link-replacements"' not in Client().get(detail).content.decode()
    commit(world.publish_administrative)
    run = commit(world.final)
    commit(lambda: world.withdraw(run, "A03"))
    assert 'id="link-replacements"' in Client().get(detail).content.decode()


def test_an_import_and_an_edit_of_formations_show_in_the_openings(
    world: World, commit: Any
) -> None:
    url = reverse("selections:formations", args=[CODE])
    assert "Pranata Komputer" not in Client().get(url).content.decode()
    commit(lambda: import_rows(world.selection, [*FORMATIONS, NEW_FORMATION]))
    assert "Pranata Komputer" in Client().get(url).content.decode()
    edited = [*NEW_FORMATION[:3], "Pranata Komputer Ahli Muda", *NEW_FORMATION[4:]]
    row = parse_formation_table(EXPORT_COLUMNS, [edited]).rows[0]
    formation = Formation.objects.get(selection=world.selection, code="F-C")
    commit(lambda: formation_save(formation=formation, row=row))
    assert "Pranata Komputer Ahli Muda" in Client().get(url).content.decode()


def test_a_booking_window_shows_on_the_selection_page(world: World, commit: Any) -> None:
    detail = reverse("selections:detail", args=[CODE])
    assert 'id="booking-windows"' not in Client().get(detail).content.decode()
    commit(
        lambda: window_set(
            selection=world.selection,
            actor=world.committee,
            stage="skd",
            mode="self",
            opens_at=datetime(2026, 5, 1, 1, tzinfo=UTC),
            closes_at=datetime(2026, 5, 8, 1, tzinfo=UTC),
        )
    )
    assert 'id="booking-windows"' in Client().get(detail).content.decode()


def test_the_generation_moves_on_only_when_the_write_commits(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    before = public_cache.generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        public_cache.public_content_changed()
        assert public_cache.generation() == before
    for callback in callbacks:
        callback()
    assert public_cache.generation() == (before or 0) + 1


def test_a_lost_generation_never_comes_back_to_an_old_one(db: None) -> None:
    seen = set()
    for _restart in range(5):
        cache.delete(public_cache.GENERATION_KEY)
        current = public_cache.generation()
        assert current is not None and current not in seen and current > 1
        seen.add(current)


def test_writes_outside_services_show_once_the_kept_page_expires(
    world: World, settings: Any
) -> None:
    settings.SELEKSI_PUBLIC_CACHE_SECONDS = 0
    Client().get("/")
    world.selection.title = "Judul Diubah di Shell"
    world.selection.save()
    assert "Judul Diubah di Shell" in Client().get("/").content.decode()


def test_a_long_value_is_answered_but_not_kept(world: World) -> None:
    url = reverse("selections:formations", args=[CODE])
    long_search = "x" * (page_cache.MAX_VALUE_LENGTH + 1)
    for _twice in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url, {"q": long_search}).status_code == 200
        assert len(queries) > 0


def test_the_pages_are_served_when_the_cache_is_down(world: World, settings: Any) -> None:
    with socket.socket() as probe:  # a port nothing listens on once it is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = Client().get("/")
    assert response.status_code == 200
    assert "Seleksi CPNS Kabupaten Contoh 2026" in response.content.decode()


def test_a_visitor_switches_language_without_a_token_a_signed_in_person_needs_one(
    db: None,
) -> None:
    anonymous = Client(enforce_csrf_checks=True)
    switched = anonymous.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.status_code == 302 and switched.cookies["django_language"].value == "en"
    assert "csrftoken" not in switched.cookies
    person = Client(enforce_csrf_checks=True)
    person.force_login(make_user("pembaca"))
    forged = person.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert forged.status_code == 403
    page = person.get("/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    allowed = person.post(
        reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert allowed.status_code == 302 and allowed.cookies["django_language"].value == "en"


def test_a_selection_changed_in_the_console_shows_on_the_home_page(
    world: World, commit: Any
) -> None:
    selection = world.selection
    admin = Client()
    admin.force_login(make_staff("admin.contoh", selection.agency, Role.ADMIN))
    form = selection_change_form(
        selection, title="Seleksi Judul Baru", change_reason="Salah ketik pada judul"
    )
    assert "Seleksi Judul Baru" not in Client().get("/").content.decode()
    url = f"/kelola/selections/selection/{selection.pk}/change/"
    assert commit(lambda: admin.post(url, form)).status_code == 302
    assert "Seleksi Judul Baru" in Client().get("/").content.decode()
