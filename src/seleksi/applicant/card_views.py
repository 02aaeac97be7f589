"""The participant's own exam card (kartu peserta ujian) as a PDF.

Only the application's applicant may download it, and only for a stage in which they hold a
seat; anyone else, and a stage without a seat, gets a 404. The card shows the session the
participant holds now: after a committee move, the download is the new card."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from seleksi.applications.storage import keep_private
from seleksi.exams.cards import card_pdf, with_card_data
from seleksi.exams.models import Booking


@login_required
@require_GET
def exam_card(request: HttpRequest, number: str, stage: str) -> HttpResponse:
    booking = with_card_data(
        Booking.objects.filter(
            stage=stage, application__number=number, application__applicant_id=request.user.pk
        )
    ).first()
    if booking is None:
        raise Http404("no seat in this stage")
    pdf = card_pdf(booking, site_url=f"{request.scheme}://{request.get_host()}")
    return keep_private(
        HttpResponse(pdf, content_type="application/pdf"),
        disposition=f'attachment; filename="kartu-ujian-{number}-{booking.stage}.pdf"',
    )
