"""A database that cannot be reached answers 503 with `Retry-After` and a translated page that
reads nothing from the database; any other error stays Django's 500.

The views below raise what the database driver raises when the server is down; the real
thing (a PostgreSQL restart under load, behind a real server) is `test_faults_postgres.py`."""

from typing import Any

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext

from seleksi import urls as project_urls
from seleksi.core.outage import RETRY_AFTER_SECONDS, is_outage

pytestmark = pytest.mark.django_db

HEADING = "The portal cannot be reached for a moment"


def _refused(request: HttpRequest) -> HttpResponse:
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


def _closed(request: HttpRequest) -> HttpResponse:
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError as error:
        raise RuntimeError("while saving the application") from error


def _broken(request: HttpRequest) -> HttpResponse:
    raise ValueError("a programming error")


def _session_write(request: HttpRequest) -> HttpResponse:
    request.session["seen"] = True
    return HttpResponse("ok")


urlpatterns = [
    path("refused", _refused),
    path("closed", _closed),
    path("broken", _broken),
    path("session", _session_write),
]
handler500 = project_urls.handler500


@pytest.fixture
def client(settings: Any) -> Client:
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_the_project_hands_server_errors_to_the_outage_handler() -> None:
    assert project_urls.handler500 == "seleksi.core.outage.server_error"


def test_a_refused_connection_answers_503_in_indonesian_without_reading_the_database(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = client.get("/refused")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Language"] == "id"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert '<html lang="id">' in body
    with translation.override("id"):
        assert gettext(HEADING) in body
    assert "127.0.0.1" not in body and "5432" not in body


def test_the_outage_page_is_in_the_language_the_visitor_chose(
    client: Client, settings: Any
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/refused")
    assert response.status_code == 503
    assert response["Content-Language"] == "en"
    assert HEADING in response.content.decode()


def test_an_unknown_language_cookie_gets_the_default_language(
    client: Client, settings: Any
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    response = client.get("/refused")
    assert response["Content-Language"] == "id"


def test_a_closed_connection_behind_another_error_is_an_outage_too(client: Client) -> None:
    response = client.get("/closed")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_any_other_error_stays_a_500_without_retry_after(client: Client) -> None:
    response = client.get("/broken")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong" in response.content.decode()


def test_a_session_that_cannot_be_saved_answers_503(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session middleware writes after the view returned: the error is raised outside
    any view, on the way out, and must still become the outage page."""
    from django.contrib.sessions.backends.db import SessionStore

    def refuse(self: SessionStore, must_create: bool = False) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "save", refuse)
    response = client.get("/session")
    assert response.status_code == 503


def test_only_database_connection_errors_count_as_an_outage() -> None:
    assert is_outage(OperationalError("refused"))
    assert not is_outage(ValueError("no"))
    assert not is_outage(None)
