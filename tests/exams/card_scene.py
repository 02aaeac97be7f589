"""Booked participants for the exam-card tests: the test scene with every participant seated,
names and a passport photo on some of them, and storage in a temporary folder."""

import io
import re
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from seleksi.applications.models import Application, Document
from seleksi.exams.models import Booking
from seleksi.exams.services import booking_make
from seleksi.selections.models import DocumentRule
from tests.exams.scene import TestScene, make_test_scene

RED = (196, 28, 36)


def portrait(colour: tuple[int, int, int] = RED, size: tuple[int, int] = (400, 600)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def give_photo(application: Application, colour: tuple[int, int, int] = RED) -> Document:
    rule, _ = DocumentRule.objects.get_or_create(
        selection=application.selection,
        code="pas-foto",
        defaults={
            "name": "Pas foto",
            "file_format": DocumentRule.FileFormat.JPEG,
            "max_size_kb": 200,
            "is_photo": True,
        },
    )
    content = portrait(colour)
    return Document.objects.create(
        application=application,
        rule=rule,
        file=ContentFile(content, name="foto.jpg"),
        original_name="foto.jpg",
        size=len(content),
        sha256="0" * 64,
    )


def seated_scene(
    participants: int = 4, capacities: tuple[int, ...] = (2, 3), **kwargs: Any
) -> TestScene:
    """The scene with every participant booked, filling the sessions in order, each with a
    name and the sites with an address."""
    scene = make_test_scene(participants=participants, capacities=capacities, **kwargs)
    scene.site.address = "Jl. Lebe Kader No. 1\nTakengon"
    scene.site.save()
    seats = [index for index, capacity in enumerate(capacities) for _ in range(capacity)]
    for application, session in zip(scene.applications, seats, strict=False):
        applicant = application.applicant
        applicant.full_name = f"Peserta {application.number[-2:]} Gayo"
        applicant.save()
        booking_make(
            application=application,
            session_id=scene.sessions[session].pk,
            actor=applicant,
        )
    return scene


def booking_of(application: Application) -> Booking:
    return Booking.objects.select_related(
        "selection__agency",
        "application__applicant",
        "application__formation",
        "session__site",
        "session_room__room",
    ).get(application=application)


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def pdf_image_count(content: bytes) -> int:
    """Images the PDF holds, drawn or not: an image is a stream, never packed into an object
    stream, so its dictionary is in the file as written."""
    return len(re.findall(rb"/Subtype\s*/Image\b", content))
