import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from seleksi.core import logs, metrics

access = logging.getLogger("seleksi.request")


class LanguageMiddleware:
    """Bahasa Indonesia unless the visitor chose another language with the switcher.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: many phones
    in Indonesia are set to English, and the portal's legal texts are Indonesian first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class RequestMiddleware:
    """Gives each request an id (see `seleksi.core.logs`), returns it in X-Request-ID, writes
    one log line when the response leaves and counts it for /metrics by view name.

    First in MIDDLEWARE, so that redirects to HTTPS and refusals made by later middleware are
    logged and counted too. The path logged is `request.path`: never the query string.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = logs.request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        logs.current.set(logs.RequestContext(request_id, request.method or "", request.path))
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None and match.view_name else "unresolved"
        response[logs.HEADER] = request_id
        metrics.request_observed(view=view, status=response.status_code, seconds=seconds)
        access.info(
            "%s %s %s %.1f ms",
            request.method,
            request.path,
            response.status_code,
            seconds * 1000,
            extra={
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "view": view,
            },
        )
        # Django logs a 4xx response ("Not Found: …") after the middleware returns, so the
        # request's context is cleared only when the server closes the response.
        response._resource_closers.append(_forget_request)  # type: ignore[attr-defined]
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], *args: Any) -> None:
        """Once the URL is resolved, the records that follow also name the view."""
        context = logs.current.get()
        match = request.resolver_match
        if context is not None and match is not None:
            logs.current.set(replace(context, view=match.view_name))


def _forget_request() -> None:
    logs.current.set(None)
