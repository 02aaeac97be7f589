"""Check-in on the test day (hadir): site staff and the committee choose a session, find each
participant by the exam card's QR code or the typed participant number, compare the photo and
the name with the person in front of them, and mark them present.

Decisions worth knowing:

- Every page answers 404 to anyone without CHECK_IN in the selection's agency (site staff,
  committee), as the committee's other pages do to strangers.
- Made for a phone on a slow connection: plain forms that work without JavaScript; with htmx
  only the result panel and the count travel back. The QR reader (`seleksi/checkin.js`) uses
  the browser's BarcodeDetector, or loads the vendored jsQR only when that is missing and the
  camera is asked for.
- The lookup is a POST, so a card's token never lands in an address or an access log. A
  check-in sent by a plain form ends in a redirect: reloading the page checks nobody in twice.
- The photo has its own address, by booking, open only while the session is: the passport
  photo of the application (the document whose rule has `is_photo`), sent downscaled to a few
  kilobytes with the headers of a private upload.
- Refusals are the service's messages (`exams.services.REFUSALS`); the service audits each
  check-in, so nothing is audited here.
"""

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.printing import passport_photo, photo_jpeg
from seleksi.applications.storage import keep_private
from seleksi.exams import selectors, services
from seleksi.exams.models import Booking, TestSession

from .desks import selection_for

QR_LIBRARY = "seleksi/vendor/jsQR.js"
# A photo to compare with a face on a phone: sharp enough at 120 × 180 CSS pixels on a
# 2x screen, about 10 KB.
PHOTO_PIXELS = (240, 360)
PHOTO_QUALITY = 80


def _check_in_session(request: HttpRequest, pk: int) -> TestSession:
    session = get_object_or_404(
        TestSession.objects.select_related("selection__agency", "site"), pk=pk
    )
    if not user_can(request.user, Capability.CHECK_IN, session.selection.agency_id):
        raise Http404("no such session")
    return session


def _partial(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False) and not request.htmx.boosted)  # type: ignore[attr-defined]


def _is_vendored(path: str) -> bool:
    return bool(finders.find(path) or staticfiles_storage.exists(path))


def _qr_library() -> str:
    """The vendored QR reader's address, or "" when `scripts/vendor-js` did not run (the page
    then offers typing, or the browser's own reader)."""
    return static(QR_LIBRARY) if _is_vendored(QR_LIBRARY) else ""


def _local(session: TestSession, moment: Any, pattern: str = "j F Y, H:i") -> str:
    zone = ZoneInfo(session.selection.agency.time_zone)
    return date_format(timezone.localtime(moment, zone), pattern)


@login_required
@require_GET
def sessions(request: HttpRequest, code: str) -> HttpResponse:
    """The selection's sessions not closed yet, today's first (in the agency's time zone)."""
    selection = selection_for(request, code, Capability.CHECK_IN)
    zone = ZoneInfo(selection.agency.time_zone)
    today = selection.agency.today()
    rows = [
        (session, timezone.localdate(session.starts_at, zone) == today)
        for session in selectors.check_in_sessions(selection=selection)
    ]
    rows.sort(key=lambda row: (not row[1], row[0].starts_at, row[0].code))
    return render(
        request,
        "exams/checkin/sessions.html",
        {"selection": selection, "rows": rows, "zone": selection.agency.time_zone},
    )


def _participant(booking: Booking) -> dict[str, Any]:
    application = booking.application
    return {
        "booking": booking,
        "name": application.applicant.display_name,
        "number": application.number,
        "formation": application.formation,
        "room": booking.session_room.room.name,
        "has_photo": passport_photo(application) is not None,
    }


def _lookup(session: TestSession, actor: Any, key: str) -> dict[str, Any]:
    """The result panel for `key`: the participant to compare, or why not."""
    if session.closed_at is not None:
        return {"error": services.ExamsRefused("session_closed").message}
    try:
        booking = services.booking_for_check_in(session=session, actor=actor, key=key)
    except services.ExamsRefused as refusal:
        return {"error": refusal.message}
    participant = _participant(booking)
    if booking.attendance == Booking.Attendance.PRESENT:
        when = booking.checked_in_at or timezone.now()
        already = services.ExamsRefused(
            "already_checked_in",
            {"number": booking.application.number, "time": _local(session, when)},
        )
        return {"error": already.message, "participant": participant}
    return {"participant": participant}


def _check_in(session: TestSession, actor: Any, key: str) -> dict[str, Any]:
    try:
        done = services.check_in(session=session, actor=actor, key=key)
    except services.ExamsRefused as refusal:
        return {"error": refusal.message}
    return {
        "done": _("Participant %(number)s is checked in (hadir) at %(time)s.")
        % {
            "number": done.booking.application.number,
            "time": _local(session, done.checked_in_at, "H:i"),
        }
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """One session's check-in desk. POST `kode` with `action` "lookup" (the default) shows
    the participant; with "check_in" marks them present."""
    session = _check_in_session(request, pk)
    result: dict[str, Any] = {}
    key = ""
    if request.method == "POST":
        key = request.POST.get("kode", "").strip()[:100]
        if not key:
            result = {"error": _("Type the participant number, or scan the exam card.")}
        elif request.POST.get("action") == "check_in":
            result = _check_in(session, request.user, key)
            if "done" in result and not _partial(request):
                messages.success(request, result["done"])
                return redirect("committee:checkin", session.pk)
        else:
            result = _lookup(session, request.user, key)
    context = {
        "session": session,
        "selection": session.selection,
        "zone": session.selection.agency.time_zone,
        "count": selectors.check_in_count(session),
        "result": result,
        "key": key if "error" in result and "participant" not in result else "",
    }
    if _partial(request):
        # htmx swaps only what answers 200; a refusal is a message in the panel.
        return render(request, "exams/checkin/_answer.html", context)
    context["qr_library"] = _qr_library()
    return render(
        request, "exams/checkin/session.html", context, status=400 if "error" in result else 200
    )


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The booked participant's passport photo, for the check-in staff of the agency and
    only while the session is open; 404 to anyone else and afterwards."""
    booking = get_object_or_404(
        Booking.objects.select_related("selection", "session", "application"), pk=pk
    )
    if not user_can(request.user, Capability.CHECK_IN, booking.selection.agency_id):
        raise Http404("no such booking")
    if booking.session.closed_at is not None:
        raise Http404("the session is closed")
    content = photo_jpeg(booking.application, pixels=PHOTO_PIXELS, quality=PHOTO_QUALITY)
    if content is None:
        raise Http404("no photo")
    return keep_private(
        HttpResponse(content, content_type="image/jpeg"),
        disposition=f'inline; filename="{booking.application.number}-foto.jpg"',
    )
