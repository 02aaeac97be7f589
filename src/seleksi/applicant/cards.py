"""Printed cards (PDF, WeasyPrint) with a QR code that opens the public verification page.

Decisions worth knowing:

- The resume carries the application's passport photo (pas foto: the slot whose rule asks for
  photo checks), read from storage here and embedded as a data: URI, so WeasyPrint fetches
  nothing. It is redrawn upright (EXIF orientation), small and without metadata; a photo that
  cannot be read leaves the neutral "Pas foto" box, as a missing one does.
"""

import base64
import io
import logging
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageOps

from seleksi.applications.models import Application

ACCOUNT_CARD_SALT = "seleksi.account-card"
# A 4x6 pas foto printed 3 x 4.5 cm at 300 dpi: sharp on paper, a few tens of kilobytes.
PHOTO_PIXELS = (354, 531)
PHOTO_QUALITY = 85

logger = logging.getLogger(__name__)


def photo_data_uri(application: Application) -> str | None:
    """The application's passport photo as a data: URI, or None when there is none to show.
    Callers have checked that the person may see the application."""
    document = (
        application.documents.filter(rule__is_photo=True, rule__file_format="jpeg")
        .order_by("rule__order", "rule_id")
        .first()
    )
    if document is None:
        return None
    try:
        with document.file.open("rb") as stored, Image.open(stored) as image:
            upright = ImageOps.exif_transpose(image).convert("RGB")
            upright.thumbnail(PHOTO_PIXELS)
            buffer = io.BytesIO()
            upright.save(buffer, format="JPEG", quality=PHOTO_QUALITY)
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("passport photo of document %s could not be read", document.pk)
        return None
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def qr_svg(data: str) -> str:
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
    )
    svg: bytes = image.to_string(encoding="unicode").encode()
    return svg.decode()


def verification_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("public:verify", args=[token]))


def account_card_token(user_pk: int) -> str:
    return "a" + signing.dumps(user_pk, salt=ACCOUNT_CARD_SALT, compress=True)


def account_card_user_pk(token: str) -> int | None:
    if not token.startswith("a"):
        return None
    try:
        value = signing.loads(token[1:], salt=ACCOUNT_CARD_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def render_pdf(request: HttpRequest, template: str, context: dict[str, Any]) -> bytes:
    from PIL import ImageFile
    from weasyprint import HTML

    # WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES when it is imported; the upload
    # checks rely on truncated JPEGs failing to decode, so switch it off again.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    html = render_to_string(
        template,
        {"printed_at": timezone.localtime(), "site_name": "Seleksi", **context},
        request=request,
    )
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf
