"""pytest-django's live server, made safe for the in-memory SQLite test database.

tests/conftest.py installs `LiveServerThread` below in place of Django's, so every test that
asks for `live_server` gets it: the browser tests in tests/e2e and the booking storm in
tests/exams, whichever folders a run collects.

On PostgreSQL each request thread opens its own connection, so requests run truly at once.
On in-memory SQLite pytest-django hands the test's one connection to every request thread,
and two threads using it together get "bad parameter or other API misuse" (a 500, a lost
session, a 404); there the application runs for one request at a time.
"""

import threading
from typing import Any

from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread as DjangoLiveServerThread
from django.test.testcases import QuietWSGIRequestHandler

# Django's servers accept a backlog of 10; a burst of simultaneous clients (a page loading
# many documents, the booking storm's workers) overflows it and waits a second for the
# kernel to retry the connection.
CONNECTION_BACKLOG = 256


class _Server(ThreadedWSGIServer):
    request_queue_size = CONNECTION_BACKLOG


class SharedConnectionServer(_Server):
    """The live server of an in-memory SQLite database, whose one connection pytest-django
    hands to every request thread. Requests keep their threads, so a slow client holds up
    nobody, but the application runs for one request at a time; the body is read inside
    that turn, as a streamed file may still query the database."""

    _turn = threading.Lock()

    def get_app(self) -> Any:
        application = super().get_app()

        def one_at_a_time(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            with self._turn:
                result = application(environ, start_response)
                try:
                    return [b"".join(result)]
                finally:
                    if hasattr(result, "close"):
                        result.close()

        return one_at_a_time


class LiveServerThread(DjangoLiveServerThread):
    def _create_server(self, connections_override: Any = None) -> ThreadedWSGIServer:
        server = SharedConnectionServer if connections_override else _Server
        return server(
            (self.host, self.port),
            QuietWSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


def install() -> None:
    """pytest-django's live_server builds its thread from this name when the fixture starts."""
    import django.test.testcases

    django.test.testcases.LiveServerThread = LiveServerThread  # type: ignore[misc]
