"""Printed cards (PDF, WeasyPrint) with a QR code that opens the public verification page.

The photo, the QR code and WeasyPrint itself live in `seleksi.applications.printing`, where
the exam cards of the test stage find them too; their names stay importable from here.
"""

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from seleksi.applications.printing import (
    PHOTO_PIXELS,
    PHOTO_QUALITY,
    pdf_from_html,
    photo_data_uri,
    qr_svg,
)

__all__ = [
    "PHOTO_PIXELS",
    "PHOTO_QUALITY",
    "account_card_token",
    "account_card_user_pk",
    "photo_data_uri",
    "qr_svg",
    "render_pdf",
    "verification_url",
]

ACCOUNT_CARD_SALT = "seleksi.account-card"


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
    html = render_to_string(
        template,
        {"printed_at": timezone.localtime(), "site_name": "Seleksi", **context},
        request=request,
    )
    return pdf_from_html(html, str(settings.BASE_DIR))
