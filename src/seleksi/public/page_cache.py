"""The public pages as rendered for a visitor nobody knows, kept in Django's cache and in the
proxy's, so that a crowd reading the same pages on opening day does not reach the database.

Decisions worth knowing:
- Only a visitor who sends neither a session cookie nor a pending message (the `messages`
  cookie) reads a kept page: nobody signed in, nothing personal to show. This is told from
  the cookies alone, so a kept page is answered without reading the session or the database
  and without setting a cookie. Everyone else gets the page rendered for them, marked
  `private, no-cache` and `X-Accel-Expires: 0`, so neither a browser nor the proxy shares it.
- A page is kept whole (the header of an unknown visitor is the same for all), under its
  path, its own parameters, the language and the generation of public content
  (`seleksi.core.public_cache`): a service that changes what the pages show moves the
  generation on, and `SELEKSI_PUBLIC_CACHE_SECONDS` bounds what was changed elsewhere.
- The query is normalised before the page is rendered: only the page's own parameters, the
  last value of each, in a fixed order (an empty one stays: `?nomor=` asks for the search's
  error). The page is rendered from that normalised query (its links and the language
  switch's return address included), so two addresses that differ in junk read one kept
  page, and a kept page holds nothing else one visitor typed. A value longer than
  MAX_VALUE_LENGTH is answered but not kept.
- The rendering request is made anonymous outright (it sends no session cookie), so
  rendering a page to keep does not read the session either.
- The cache is an optimisation: when it cannot be read or written, the page is rendered
  from the database and still answered.
- Kept are only whole 200 responses that set no cookie: a page that asked for a form token
  would carry one, and is then answered as private instead (the tests pin that none does).
- Shared responses say `public, max-age` of `SELEKSI_PUBLIC_EDGE_SECONDS` (unless the page
  chose its own), and the pages that nginx keeps during a surge (`edge=True`) also say
  `X-Accel-Expires` with the same seconds: the staleness allowed outside Django.
- A kept htmx fragment (the openings' results) is keyed apart from the whole page and the
  responses vary on `HX-Request`, so a browser never shows the fragment as the page.
"""

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from seleksi.core.public_cache import cache_seconds, generation

log = logging.getLogger(__name__)

MAX_VALUE_LENGTH = 200
MESSAGES_COOKIE = "messages"
"""The cookie of django.contrib.messages' cookie storage: a message waits for this visitor."""
EDGE_HEADER = "X-Accel-Expires"

View = Callable[..., HttpResponse]


def edge_seconds() -> int:
    return max(0, int(settings.SELEKSI_PUBLIC_EDGE_SECONDS))


def shareable_request(request: HttpRequest) -> bool:
    """Whether the visitor is unknown and has nothing waiting: told from the cookies only."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and MESSAGES_COOKIE not in cookies


def public_page(
    *, parameters: tuple[str, ...] = (), edge: bool = False, partial: bool = False
) -> Callable[[View], View]:
    """Keep the page for unknown visitors. `parameters` are the query parameters the page
    reads, `edge` marks a page the proxy may keep, `partial` a page that answers an htmx
    request with a fragment."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not shareable_request(request):
                return _private(view(request, *args, **kwargs), partial)
            query, bounded = _normalised(request.GET, parameters)
            request.GET = QueryDict(query)
            request.META["QUERY_STRING"] = query
            request.user = AnonymousUser()
            key = _key(request, query, partial) if bounded else None
            kept = _read(key) if key else None
            if kept is not None:
                return _shared(_from_kept(kept), edge, partial)
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming:
                return response
            if response.cookies:
                return _private(response, partial)
            if key:
                _keep(key, response)
            return _shared(response, edge, partial)

        return wrapped

    return decorator


def _normalised(query: QueryDict, parameters: tuple[str, ...]) -> tuple[str, bool]:
    """The page's own parameters from `query` in a fixed order, as a query string, and
    whether all are short enough to make a key."""
    pairs = [(name, str(query[name])) for name in sorted(parameters) if name in query]
    bounded = all(len(value) <= MAX_VALUE_LENGTH for _name, value in pairs)
    return urlencode(pairs), bounded


def _is_fragment(request: HttpRequest) -> bool:
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"


def _key(request: HttpRequest, query: str, partial: bool) -> str | None:
    if not cache_seconds():
        return None
    current = generation()
    if current is None:
        return None
    fragment = "fragment" if partial and _is_fragment(request) else "page"
    parts = [request.path, query, get_language() or "", fragment]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"public-page:{current}:{digest}"


def _read(key: str) -> dict[str, Any] | None:
    try:
        kept = cache.get(key)
    except Exception:
        log.warning("public page cache unavailable: the page is rendered from the database")
        return None
    return kept if isinstance(kept, dict) else None


def _keep(key: str, response: HttpResponse) -> None:
    headers = dict(response.headers.items())
    try:
        cache.set(key, {"content": response.content, "headers": headers}, cache_seconds())
    except Exception:
        log.warning("public page cache unavailable: the page was not kept")


def _from_kept(kept: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(kept["content"])
    for name, value in kept["headers"].items():
        response[name] = value
    return response


def _shared(response: HttpResponse, edge: bool, partial: bool) -> HttpResponse:
    seconds = edge_seconds()
    if "Cache-Control" not in response:
        patch_cache_control(response, public=True, max_age=seconds)
    if edge:
        response[EDGE_HEADER] = str(seconds)
    if partial:
        patch_vary_headers(response, ("HX-Request",))
    return response


def _private(response: HttpResponse, partial: bool) -> HttpResponse:
    response["Cache-Control"] = "private, no-cache"
    response[EDGE_HEADER] = "0"
    if partial:
        patch_vary_headers(response, ("HX-Request",))
    return response
