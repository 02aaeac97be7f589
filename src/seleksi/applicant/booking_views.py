"""The applicant's test seat (pemilihan jadwal tes): the sessions they may choose with the seats
left, a confirmation that says the booking is final, and afterwards the booking itself.

Decisions worth knowing:

- Booking is two posts: the choice, then the confirmation that names the session and says it
  cannot be changed (Magetan B.5). Only the second post books.
- The seats left are refreshed every few seconds by a small fragment (one grouped query) that
  htmx swaps into the counts, so a session filling up shows without a reload; the booking
  itself is decided by the database, so a count a few seconds old never lets anyone in.
- A refusal leaves the page as it was, with the message; a full session lists the next free
  ones to choose from.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from seleksi.applications.models import Application
from seleksi.exams import selectors
from seleksi.exams.models import BookingWindow
from seleksi.exams.services import ExamsRefused, booking_make, has_final_ms
from seleksi.rules.exams import STAGE_VALUES
from seleksi.sittings.paper import paper_link

SEATS_REFRESH_SECONDS = 5


def _own_application(request: HttpRequest, number: str, stage: str) -> Application:
    if stage not in STAGE_VALUES:
        raise Http404("no such stage")
    application = get_object_or_404(
        Application.objects.select_related("selection__agency", "formation", "applicant"),
        number=number,
    )
    if application.applicant_id != request.user.pk:
        raise Http404("no such application")
    return application


def _page(request: HttpRequest, application: Application, stage: str, **extra: Any) -> HttpResponse:
    window = selectors.window_for(selection=application.selection, stage=stage)
    booking = next((b for b in selectors.bookings_of(application) if b.stage == stage), None)
    now = timezone.now()
    sessions = (
        list(selectors.sessions_open_to(application=application, stage=stage))
        if booking is None and window is not None and window.mode == BookingWindow.Mode.SELF
        else []
    )
    return render(
        request,
        "applications/booking.html",
        {
            "application": application,
            "stage": stage,
            "stage_label": dict(BookingWindow._meta.get_field("stage").choices or [])[stage],
            "window": window,
            "window_open": window is not None and window.is_open(now),
            "window_upcoming": window is not None and now < window.opens_at,
            "admitted": has_final_ms(application),
            "booking": booking,
            "paper_link": paper_link(booking=booking) if booking is not None else "",
            "sessions": sessions,
            "refresh_seconds": SEATS_REFRESH_SECONDS,
            **extra,
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def booking(request: HttpRequest, number: str, stage: str) -> HttpResponse:
    application = _own_application(request, number, stage)
    if request.method == "GET":
        return _page(request, application, stage)
    try:
        session_id = int(request.POST.get("session", ""))
    except ValueError:
        messages.error(request, ExamsRefused("unknown_session").message)
        return _page(request, application, stage)
    if request.POST.get("confirmed") != "1":
        chosen = next(
            (
                s
                for s in selectors.sessions_open_to(application=application, stage=stage)
                if s.pk == session_id
            ),
            None,
        )
        if chosen is None:
            messages.error(request, ExamsRefused("unknown_session").message)
            return _page(request, application, stage)
        return _page(request, application, stage, chosen=chosen)
    try:
        booking_make(
            application=application,
            session_id=session_id,
            actor=request.user,
            site_url=f"{request.scheme}://{request.get_host()}",
        )
    except ExamsRefused as error:
        messages.error(request, error.message)
        return _page(request, application, stage, alternatives=error.alternatives)
    messages.success(
        request, _("Your seat is booked. Download your exam card below and bring it with your KTP.")
    )
    return redirect(reverse("applicant:booking", args=[application.number, stage]))


@login_required
@never_cache
@require_GET
def seats(request: HttpRequest, number: str, stage: str) -> HttpResponse:
    """The seats left of the sessions on the page, as out-of-band swaps for htmx."""
    application = _own_application(request, number, stage)
    ids = [int(value) for value in request.GET.getlist("s")[:50] if value.isdigit()]
    left = selectors.seats_left(selection=application.selection, session_ids=ids)
    return render(
        request,
        "applications/_booking_seats.html",
        {"left": sorted(left.items()), "checked_at": timezone.localtime()},
    )
