"""A mitra's own work (`/dasbor/mitra/`): the pools they are in, their assignments, what they
earn per month and how their work was rated.

Decisions worth knowing:
- The page reads only the signed-in person's rows (`pool.mine.mitra_work(user=...)`); the
  address carries no identifier, so there is nothing to point at someone else's work.
- A person in no pool gets the page with a sentence saying so rather than a 404: the link
  may reach them from an old e-mail or a bookmark after a year without a pool.
- Staff are sent to their workspace, as the dashboard does.
- The mitra prints their own copy of an assignment's SPK and BAST: the same documents the
  office prints, found only among the signed-in person's own assignments (any other id is a
  404, whether or not it exists).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from seleksi.accounts.models import User
from seleksi.agencies.permissions import user_is_staff_anywhere
from seleksi.committee.pool_document_views import work_document_response
from seleksi.pool.documents import CONTRACT, HANDOVER, own_assignment
from seleksi.pool.mine import mitra_work


@login_required
@never_cache
def mitra_work_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.is_staff or user_is_staff_anywhere(user):
        return redirect("committee:home")
    return render(request, "applicant/mitra_work.html", {"work": mitra_work(user=user)})


def _own_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    assignment = own_assignment(user=request.user, pk=pk)
    if assignment is None:
        raise Http404("no such assignment")
    return work_document_response(assignment, kind)


@login_required
@require_GET
def mitra_contract_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _own_document(request, pk, CONTRACT)


@login_required
@require_GET
def mitra_handover_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _own_document(request, pk, HANDOVER)
