"""The applicant's dashboard (dasbor): every application with its current stage, timeline,
deadlines, prints and results, on one page that fits a phone.

Decisions worth knowing:

- Staff (a staff account, or anyone holding an agency role) are sent to their workspace:
  the dashboard is the applicant's landing page, and staff accounts do not apply.
- The page only reads (`journey.journeys`); every action stays on the application's own page,
  which each application links to.
- A mitra in an office's pool sees a short card of their pool work linking to its own page.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from seleksi.accounts.models import User
from seleksi.accounts.selectors import profile_missing
from seleksi.agencies.permissions import user_is_staff_anywhere
from seleksi.pool.mine import mitra_work

from .journey import journeys


@login_required
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.is_staff or user_is_staff_anywhere(user):
        return redirect("committee:home")
    found = journeys(user)
    return render(
        request,
        "applicant/dashboard.html",
        {
            "journeys": found,
            "any_submitted": any(j.application.is_submitted for j in found),
            "profile_missing": profile_missing(user),
            "account": user,
            "mitra": mitra_work(user=user),
        },
    )
