"""Printed cards (PDF, WeasyPrint) with a QR code that opens the public verification page."""

from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

ACCOUNT_CARD_SALT = "seleksi.account-card"


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
