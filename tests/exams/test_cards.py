"""The exam card of a booking: what it prints, its photo and QR code, and a stage's cards
printed many to a document and split into one PDF per participant."""

import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader

from seleksi.agencies.models import Agency
from seleksi.applications.printing import qr_png_data_uri
from seleksi.exams import cards
from tests.exams.card_scene import (
    booking_of,
    give_photo,
    pdf_image_count,
    pdf_pages,
    pdf_text,
    seated_scene,
)

pytestmark = pytest.mark.django_db

SITE = "https://seleksi.example"
COLOURS = [(196, 28, 36), (20, 60, 200), (30, 160, 40), (230, 200, 20)]


def card_images(content: bytes) -> list[Image.Image]:
    page = PdfReader(io.BytesIO(content)).pages[0]
    return [image.image.convert("RGB") for image in page.images if image.image is not None]


def dominant(image: Image.Image) -> tuple[int, int, int]:
    red, green, blue = image.resize((1, 1)).getpixel((0, 0))
    return red, green, blue


def near(colour: tuple[int, int, int], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(colour, expected, strict=True))


def test_the_card_prints_number_name_formation_session_room_and_site(media: Path) -> None:
    scene = seated_scene()
    booking = booking_of(scene.applications[0])
    text = pdf_text(cards.card_pdf(booking, site_url=SITE))
    assert "P00001" in text
    assert "Peserta 01 Gayo" in text
    assert "F-0001" in text and booking.application.formation.position in text
    assert "sesi-1" in text and "Ruang 1" in text
    assert "GOR Kota" in text and "Jl. Lebe Kader No. 1" in text
    assert scene.selection.title in text


def test_the_card_is_one_page_with_the_rules_of_the_day(media: Path) -> None:
    scene = seated_scene()
    pdf = cards.card_pdf(booking_of(scene.applications[0]), site_url=SITE)
    assert pdf_pages(pdf) == 1
    text = " ".join(pdf_text(pdf).split())
    assert "60" in text and "TH" in text and "KTP" in text


def test_the_card_shows_the_time_in_the_agencys_zone_with_its_label(media: Path) -> None:
    scene = seated_scene()
    agency = scene.selection.agency
    agency.time_zone = Agency.TimeZone.WITA
    agency.save()
    booking = booking_of(scene.applications[0])
    context = cards.card_context(booking, site_url=SITE)
    assert context["zone"] == "WITA"
    starts = booking.session.starts_at.astimezone(ZoneInfo("Asia/Makassar"))
    assert context["starts"] == starts.strftime("%H:%M")
    assert f"{context['starts']}" in pdf_text(cards.card_pdf(booking, site_url=SITE))


def test_the_card_embeds_the_photo_of_the_application(media: Path) -> None:
    scene = seated_scene()
    give_photo(scene.applications[0])
    pdf = cards.card_pdf(booking_of(scene.applications[0]), site_url=SITE)
    assert pdf_image_count(pdf) == 2  # the photo and the QR code
    assert any(near(dominant(image), COLOURS[0]) for image in card_images(pdf))


def test_without_a_photo_the_card_prints_the_empty_photo_box(media: Path) -> None:
    scene = seated_scene()
    pdf = cards.card_pdf(booking_of(scene.applications[0]), site_url=SITE)
    assert pdf_image_count(pdf) == 1  # the QR code alone
    assert "Passport photo" in pdf_text(pdf) or "Pas foto" in pdf_text(pdf)


def test_the_qr_code_holds_the_absolute_address_of_the_verification_page(media: Path) -> None:
    scene = seated_scene()
    booking = booking_of(scene.applications[0])
    context = cards.card_context(booking, site_url=SITE)
    address = f"{SITE}/verifikasi/{booking.token}"
    assert context["verify_url"] == address
    assert context["qr"] == qr_png_data_uri(address)
    assert context["qr"] != qr_png_data_uri(f"{SITE}/verifikasi/kpalsu")
    assert address in "".join(pdf_text(cards.card_pdf(booking, site_url=SITE)).split())


def test_without_a_request_the_qr_code_starts_with_the_configured_site(
    media: Path, settings: Any
) -> None:
    settings.SELEKSI_SITE_URL = "https://seleksi.acehtengahkab.go.id"
    scene = seated_scene()
    booking = booking_of(scene.applications[0])
    assert cards.card_context(booking)["verify_url"] == (
        f"https://seleksi.acehtengahkab.go.id/verifikasi/{booking.token}"
    )


def test_a_very_long_address_still_makes_one_page(media: Path) -> None:
    scene = seated_scene()
    scene.site.address = "Jalan yang sangat panjang sekali " * 120
    scene.site.save()
    pdf = cards.card_pdf(booking_of(scene.applications[0]), site_url=SITE)
    assert pdf_pages(pdf) == 1
    assert "P00001" in pdf_text(pdf)


def test_cards_printed_together_are_one_pdf_each_holding_only_their_own_photo(
    media: Path,
) -> None:
    scene = seated_scene(participants=4, capacities=(2, 3))
    for application, colour in zip(scene.applications, COLOURS, strict=True):
        give_photo(application, colour)
    bookings = cards.card_bookings(selection=scene.selection, stage="skd")
    documents = list(cards.card_pdfs(bookings, site_url=SITE, per_document=3))
    assert [len(printed) for printed in documents] == [3, 1]
    printed = [card for document in documents for card in document]
    numbers = [card.booking.application.number for card in printed]
    assert numbers == ["P00001", "P00002", "P00003", "P00004"]
    for card, colour in zip(printed, COLOURS, strict=True):
        assert pdf_pages(card.pdf) == 1
        text = pdf_text(card.pdf)
        number = card.booking.application.number
        assert number in text
        assert not any(other in text for other in numbers if other != number)
        assert card.booking.token in "".join(text.split())
        assert pdf_image_count(card.pdf) == 2
        photos = [image for image in card_images(card.pdf) if image.width > 60]
        assert len(photos) == 1 and near(dominant(photos[0]), colour)
        assert PdfReader(io.BytesIO(card.pdf)).metadata.title.endswith(number)


def test_cards_are_filed_by_session_room_and_number(media: Path) -> None:
    scene = seated_scene(participants=5, capacities=(2, 3))
    first, second = scene.sessions
    # the second session now starts before the first one: its participants come first
    first.starts_at, second.starts_at = second.starts_at, first.starts_at
    first.save()
    second.save()
    numbers = [
        booking.application.number
        for booking in cards.card_bookings(selection=scene.selection, stage="skd")
    ]
    assert numbers == ["P00003", "P00004", "P00005", "P00001", "P00002"]
