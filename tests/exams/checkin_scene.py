"""Check-in data on top of `scene.make_test_scene`: seats booked straight in the tables, a
passport photo in the application, a session that starts today. Shared by the check-in page
tests and the check-in browser test."""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone
from PIL import Image, ImageDraw

from seleksi.applications.models import Application, Document
from seleksi.exams.models import Booking, SessionRoom, TestSession
from seleksi.selections.models import DocumentRule
from tests.exams.scene import TestScene, make_session

RED = (196, 28, 36)


def pas_foto(size: tuple[int, int] = (400, 600)) -> bytes:
    """A portrait on red, as applicants upload it (4×6)."""
    image = Image.new("RGB", size, RED)
    width, height = size
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.3, height * 0.18, width * 0.7, height * 0.56), fill=(224, 182, 150))
    draw.rectangle((0, height * 0.75, width, height), fill=(24, 28, 52))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def booked(application: Application, session: TestSession) -> Booking:
    """A seat in the session's first room, as `booking_make` leaves it (counter included)."""
    room = SessionRoom.objects.filter(session=session).order_by("order", "pk").first()
    if room is None:
        raise ValueError(f"session {session.code} has no room")
    SessionRoom.objects.filter(pk=room.pk).update(taken=F("taken") + 1)
    return Booking.objects.create(
        selection=session.selection,
        application=application,
        stage=session.stage,
        session=session,
        session_room=room,
        booked_at=timezone.now(),
        booked_by=application.applicant,
    )


def with_photo(application: Application, content: bytes | None = None) -> Document:
    """The application's passport photo (the slot whose rule has `is_photo`), stored."""
    rule, _created = DocumentRule.objects.get_or_create(
        selection=application.selection,
        code="pas-foto",
        defaults={
            "name": "Pas foto 4×6",
            "file_format": DocumentRule.FileFormat.JPEG,
            "max_size_kb": 200,
            "is_photo": True,
        },
    )
    content = pas_foto() if content is None else content
    document = Document(
        application=application,
        rule=rule,
        original_name="foto.jpg",
        size=len(content),
        sha256="0" * 64,
    )
    document.file.save(
        f"dokumen/{application.selection_id}/foto-{application.pk}.jpg",
        ContentFile(content),
        save=False,
    )
    document.save()
    return document


def session_today(scene: TestScene, code: str = "sesi-hari-ini") -> TestSession:
    """A session of the scene's site starting now (so today wherever the agency is), in its
    first room."""
    room = scene.site.rooms.order_by("code").first()
    if room is None:
        raise ValueError("the scene's site has no room")
    return make_session(
        scene.selection, scene.site, code, starts_in=timedelta(0), seats=((room, 10),)
    )
