"""The page a visitor gets when the database cannot be reached: 503, not a bare 500.

Decisions worth knowing:
- Django hands every exception that escapes a view or a middleware to `handler500` while the
  exception is still being handled, so one handler sees them all, including those raised by
  the session and authentication middleware on the way in or out.
- Only "cannot talk to the database" counts as an outage: `OperationalError` (refused or
  dropped connections, a server shutting down, SQLite's "database is locked") and
  `InterfaceError` (a connection already closed). Any other error stays a 500.
- The outage page is rendered from a plain context: no request context processors, so no
  session, no user and no menu are read. It needs no database and no static file, and is
  worded in the visitor's language (the language cookie, Indonesian by default).
- `Retry-After` tells browsers, proxies and load testers when to try again. The page cannot
  know whether the request's write committed (the session may fail after the view saved), so
  it says only what is always true: every form is saved whole or not at all (one transaction).
"""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from django.views import defaults

RETRY_AFTER_SECONDS = 30
"""A restart of the database server or a failover takes seconds to tens of seconds."""

OUTAGE_ERRORS = (OperationalError, InterfaceError)


def is_outage(error: BaseException | None) -> bool:
    """True when the error, or one that caused it, says the database could not be reached."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def outage_response(request: HttpRequest) -> HttpResponse:
    """The translated, self-contained 503 page."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        body = loader.get_template("503.html").render(
            {"retry_after": RETRY_AFTER_SECONDS, "language": language}
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """`handler500`: the outage page for a database that cannot be reached, Django's 500
    page otherwise."""
    if is_outage(sys.exc_info()[1]):
        return outage_response(request)
    return defaults.server_error(request, template_name=template_name)
