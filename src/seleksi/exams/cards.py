"""The exam card (kartu peserta ujian) of a booking as a PDF, one at a time or a stage's worth.

Decisions worth knowing:

- A card is one A5 page, printable in black and white: participant number, passport photo,
  name, formation, session, date and time in the agency's zone, site, room, the rules of the
  day and a QR code of the absolute address of `/verifikasi/<token>`. The card's box has a
  fixed height and hides what would overflow, so a long name or address never makes a second
  page.
- Cards are printed many to one WeasyPrint document (CARDS_PER_DOCUMENT), whose pages are then
  split with pypdf into one PDF per card. WeasyPrint subsets the two fonts once per document,
  which alone costs about as much as laying out a card; shared by fifty cards it is a small
  part. bench/exam_cards.py measures both ways: about 29 cards per CPU second in documents of
  fifty, 14 one by one (the issue asks for 20).
- WeasyPrint gives every page of a document one shared resources dictionary that lists every
  image of the document. The split rewrites each page's resources to the names its own
  content draws, so a card never carries another participant's photo; only the fonts, subset
  for the whole document, are shared. A document whose page count is not its card count
  (which the fixed height should make impossible) is printed card by card instead.
- The QR code's address starts with the request's scheme and host when there is a request,
  and with SELEKSI_SITE_URL on the task worker.
- The card is written in the active language; the batch task prints in the portal's language.
"""

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from seleksi.agencies.models import Agency
from seleksi.applications.models import Application
from seleksi.applications.printing import photo_data_uri, qr_png_data_uri, weasyprint_html
from seleksi.audit.models import AuditEvent
from seleksi.selections.models import Selection

from .models import Booking

CARD_TEMPLATE = "exams/pdf/card.html"
CARDS_PER_DOCUMENT = 50
CARD_PHOTO_PIXELS = (236, 354)
"""The photo box is 30 x 45 mm: 200 dpi, enough to compare a face at the door, and a third of
the pixels of the resume's photo to decode, resize and embed."""
ARRIVE_MINUTES_BEFORE = 60
"""Participants come this long before their session starts (Aceh Tengah's announcement asks
for an hour, for the identity check at the door)."""

DAY_RULES = (
    _("Come at least %(minutes)d minutes before the session starts, for the identity check."),
    _("Latecomers are not admitted once the session has started."),
    _(
        "Bring this card and your original e-KTP (KTP). The staff compare your face with the "
        "photo and the name on both."
    ),
    _(
        "Phones, smart watches, notes, books and bags are not allowed in the test room; leave "
        "them where the staff show you."
    ),
    _(
        "A participant who does not come is recorded as absent (TH, tidak hadir), is deemed to "
        "have withdrawn and leaves the selection."
    ),
)

# A name operand in a content stream: `/i3 Do`, `/f1 12 Tf`, `/s0 gs`, `/p2 scn`.
NAME_TOKEN = re.compile(rb"/([^\s/\[\]()<>{}%]+)")


@dataclass(frozen=True)
class PrintedCard:
    booking: Booking
    pdf: bytes


@dataclass(frozen=True)
class CardCheck:
    """What the public verification page says of a card's QR token: the booking as it is
    now, and when the committee last moved it (a card printed before then shows an older
    session)."""

    booking: Booking
    moved_at: datetime | None


def card_bookings(*, selection: Selection, stage: str) -> QuerySet[Booking]:
    """The bookings of a stage in the order their cards are filed: by session, room and
    participant number, with everything a card prints."""
    return with_card_data(Booking.objects.filter(selection=selection, stage=stage))


def with_card_data(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.select_related(
        "selection__agency",
        "application__applicant",
        "application__formation",
        "session__site",
        "session_room__room",
    ).order_by(
        "session__starts_at",
        "session__code",
        "session_room__order",
        "session_room__room__code",
        "application__number",
    )


def card_check(token: str) -> CardCheck | None:
    booking = with_card_data(Booking.objects.filter(token=token)).first()
    if booking is None:
        return None
    moved = (
        AuditEvent.objects.filter(
            subject_type=Application._meta.label_lower,
            subject_id=str(booking.application_id),
            action="exams.moved",
            details__stage=booking.stage,
        )
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return CardCheck(booking, moved)


def verify_url(booking: Booking, *, site_url: str = "") -> str:
    return (site_url or settings.SELEKSI_SITE_URL) + reverse("public:verify", args=[booking.token])


def card_context(booking: Booking, *, site_url: str = "") -> dict[str, Any]:
    """What one card shows. Callers have checked that the reader may see the booking."""
    application = booking.application
    selection = booking.selection
    agency = selection.agency
    session = booking.session
    zone = ZoneInfo(agency.time_zone)
    starts_at = timezone.localtime(session.starts_at, zone)
    ends_at = timezone.localtime(session.ends_at, zone)
    url = verify_url(booking, site_url=site_url)
    return {
        "number": application.number,
        "name": application.applicant.display_name,
        "photo": photo_data_uri(application, pixels=CARD_PHOTO_PIXELS),
        "formation": application.formation,
        "agency": agency.name,
        "selection": selection.title,
        "stage": booking.get_stage_display(),
        "session": session.code,
        "date": date_format(starts_at, "l, j F Y"),
        "starts": date_format(starts_at, "H:i"),
        "ends": date_format(ends_at, "H:i"),
        "zone": Agency.TimeZone(agency.time_zone).name,
        "site": session.site.name,
        "address": session.site.address,
        "room": booking.session_room.room.name,
        "verify_url": url,
        "qr": qr_png_data_uri(url),
        "printed_at": date_format(timezone.localtime(timezone.now(), zone), "j F Y H:i"),
    }


def _day_rules() -> list[str]:
    return [str(rule) % {"minutes": ARRIVE_MINUTES_BEFORE} for rule in DAY_RULES]


def cards_html(contexts: Sequence[dict[str, Any]]) -> str:
    """One HTML document with one page per card."""
    return render_to_string(
        CARD_TEMPLATE,
        {"cards": contexts, "rules": _day_rules()},
    )


def card_pdf(booking: Booking, *, site_url: str = "") -> bytes:
    """The card of one booking, alone."""
    return _render([card_context(booking, site_url=site_url)])[0]


def card_pdfs(
    bookings: Iterable[Booking], *, site_url: str = "", per_document: int = CARDS_PER_DOCUMENT
) -> Iterator[list[PrintedCard]]:
    """The cards of `bookings`, in their order, one list per document printed (at most
    `per_document` cards), so that a caller can count its progress."""
    chunk: list[Booking] = []
    for booking in bookings:
        chunk.append(booking)
        if len(chunk) == per_document:
            yield _printed(chunk, site_url)
            chunk = []
    if chunk:
        yield _printed(chunk, site_url)


def _printed(bookings: list[Booking], site_url: str) -> list[PrintedCard]:
    pdfs = _render([card_context(booking, site_url=site_url) for booking in bookings])
    return [PrintedCard(booking, pdf) for booking, pdf in zip(bookings, pdfs, strict=True)]


def _render(contexts: list[dict[str, Any]]) -> list[bytes]:
    document = weasyprint_html(cards_html(contexts), str(settings.BASE_DIR)).render()
    if len(document.pages) != len(contexts):
        if len(contexts) == 1:
            return [document.write_pdf()]
        return [pdf for context in contexts for pdf in _render([context])]
    if len(contexts) == 1:
        return [document.write_pdf()]
    titles = [_title(context) for context in contexts]
    return split_pages(document.write_pdf(), titles)


def _title(context: dict[str, Any]) -> str:
    return f"{_('Exam card')} {context['number']}"


def split_pages(pdf: bytes, titles: Sequence[str]) -> list[bytes]:
    """One PDF per page of `pdf`, each holding only the resources its own page draws."""
    reader = PdfReader(io.BytesIO(pdf))
    pages: list[bytes] = []
    for page, title in zip(reader.pages, titles, strict=True):
        _keep_own_resources(page)
        writer = PdfWriter()
        writer.add_page(page)
        writer.add_metadata({"/Title": title, "/Producer": "Seleksi"})
        buffer = io.BytesIO()
        writer.write(buffer)
        pages.append(buffer.getvalue())
    return pages


def _keep_own_resources(page: Any) -> None:
    contents = page["/Contents"].get_object()
    streams = contents if isinstance(contents, list) else [contents]
    used = {
        "/" + name.decode("latin-1")
        for stream in streams
        for name in NAME_TOKEN.findall(stream.get_object().get_data())
    }
    shared = page["/Resources"].get_object()
    own = DictionaryObject()
    for category, entries in shared.items():
        resolved = entries.get_object()
        if category == "/ColorSpace" or not isinstance(resolved, dict):
            own[NameObject(category)] = entries
            continue
        own[NameObject(category)] = DictionaryObject(
            {NameObject(key): value for key, value in resolved.items() if key in used}
        )
    page[NameObject("/Resources")] = own
