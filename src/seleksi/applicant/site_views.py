"""The applicant's choice of test location (lokasi ujian) where the committee assigns seats
(seed 003). The page lists the selection's test sites with address and map link; the choice
is saved by `exams.assignment.site_choose`, which says when it may be made or changed.
Another person's application is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from seleksi.applications.models import Application
from seleksi.exams import selectors as exam_selectors
from seleksi.exams.assignment import site_choice_of, site_choice_window, site_choose
from seleksi.exams.models import BookingWindow, TestSite
from seleksi.exams.services import ExamsRefused, has_final_ms


def _own_application(request: HttpRequest, number: str) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("selection__agency", "formation"), number=number
    )
    if application.applicant_id != request.user.pk:
        raise Http404("no such application")
    return application


@login_required
@require_http_methods(["GET", "POST"])
def exam_site(request: HttpRequest, number: str) -> HttpResponse:
    application = _own_application(request, number)
    selection = application.selection
    status = 200
    if request.method == "POST":
        try:
            site_id = int(request.POST.get("site", ""))
        except ValueError:
            site_id = 0
        try:
            choice = site_choose(application=application, site_id=site_id, actor=request.user)
        except ExamsRefused as refusal:
            messages.error(request, refusal.message)
            status = 400
        else:
            messages.success(
                request,
                _("Your test location is saved: %(site)s.") % {"site": choice.site.name},
            )
            return redirect("applicant:exam_site", number=application.number)
    window = site_choice_window(selection)
    upcoming = (
        BookingWindow.objects.filter(
            selection=selection, mode=BookingWindow.Mode.ASSIGNED, opens_at__gt=timezone.now()
        )
        .order_by("opens_at")
        .first()
    )
    return render(
        request,
        "exams/site_choice.html",
        {
            "application": application,
            "selection": selection,
            "sites": TestSite.objects.filter(selection=selection).order_by("name", "pk"),
            "choice": site_choice_of(application),
            "window": window,
            "upcoming": upcoming,
            "admitted": has_final_ms(application),
            "bookings": exam_selectors.bookings_of(application),
        },
        status=status,
    )
