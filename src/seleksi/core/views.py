from django.conf import settings
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from seleksi.core.client import address_in, client_address
from seleksi.core.metrics import exposition
from seleksi.core.readiness import readiness_notes, readiness_problems


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers a query, 503 otherwise; plain text for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when this process can take traffic; 503 with one line per failed check. Lines
    after "ready" name what the process does without (Redis down)."""
    problems = readiness_problems()
    notes = "".join(f"{note}\n" for note in readiness_notes())
    if problems:
        body = "".join(f"{problem}\n" for problem in problems)
        return HttpResponse(body + notes, status=503, content_type="text/plain")
    return HttpResponse("ready\n" + notes, content_type="text/plain")


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus figures, for addresses in SELEKSI_METRICS_ALLOW only (404 for the rest:
    the figures tell an outsider how busy the portal is, and that it exists)."""
    if not address_in(client_address(request), tuple(settings.SELEKSI_METRICS_ALLOW)):
        raise Http404
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
