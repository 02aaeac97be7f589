from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import selectors

MAX_QUERY_LENGTH = 100
OPTIONS_LIMIT = 20


@require_GET
@cache_control(public=True, max_age=3600)
def regency_options(request: HttpRequest) -> HttpResponse:
    """The <option> elements matching `q`, for the search box above a regency select.

    An empty query answers 204 No Content, which htmx does not swap in, so clearing the box
    leaves the select as it is instead of emptying it.
    """
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH].strip()
    if not query:
        return HttpResponse(status=204)
    regencies = selectors.regency_search(query=query, limit=OPTIONS_LIMIT)
    return render(
        request, "reference/_regency_options.html", {"regencies": regencies, "query": query}
    )
