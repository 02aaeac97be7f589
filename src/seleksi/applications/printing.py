"""What every printed document of Seleksi draws on: the applicant's passport photo, a QR code
and WeasyPrint's HTML to PDF. The pages (resume, account card) and the stages (exam cards)
print with these.

Decisions worth knowing:

- The passport photo (pas foto: the slot whose rule asks for photo checks) is read from
  storage here and embedded as a data: URI, so WeasyPrint fetches nothing. It is redrawn
  upright (EXIF orientation), small and without metadata; a photo that cannot be read leaves
  the neutral "Pas foto" box, as a missing one does. A JPEG is decoded at the smallest scale
  that still covers the printed size (Pillow's draft mode), which keeps a batch of cards fast.
- A QR code comes as SVG (sharp at any size) or as a PNG with one pixel per module, drawn
  without smoothing: WeasyPrint draws the PNG many times faster than the SVG's path, which
  counts when a stage's cards are printed by the thousand. The PNG keeps one mask pattern
  instead of trying all eight for the best.
- WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES when it is imported; the upload checks
  rely on truncated JPEGs failing to decode, so it is switched off again before each use.
"""

import base64
import io
import logging
from typing import Any

import qrcode
import qrcode.image.svg
from PIL import Image, ImageOps

from .models import Application, Document

# A 4x6 pas foto printed 3 x 4.5 cm at 300 dpi: sharp on paper, a few tens of kilobytes.
PHOTO_PIXELS = (354, 531)
PHOTO_QUALITY = 85
EXIF_ORIENTATION = 0x0112
QUARTER_TURNS = frozenset({5, 6, 7, 8})
"""Orientations whose upright picture swaps width and height."""
QR_BORDER_MODULES = 4
QR_MASK_PATTERN = 0
"""Any of the eight masks decodes; choosing the best one of them costs more than the rest of
the QR code (about 4 ms of a card's 40)."""

logger = logging.getLogger(__name__)


def passport_photo(application: Application) -> Document | None:
    """The application's pas foto: the JPEG of the first slot whose rule asks for photo checks."""
    return (
        application.documents.filter(rule__is_photo=True, rule__file_format="jpeg")
        .order_by("rule__order", "rule_id")
        .first()
    )


def photo_jpeg(
    application: Application,
    *,
    pixels: tuple[int, int] = PHOTO_PIXELS,
    quality: int = PHOTO_QUALITY,
) -> bytes | None:
    """The passport photo as a small JPEG, at most `pixels` (width, height) upright and
    without metadata, or None when there is none to show. Callers have checked that the
    person may see the application."""
    document = passport_photo(application)
    if document is None:
        return None
    try:
        with document.file.open("rb") as stored, Image.open(stored) as image:
            turned = image.getexif().get(EXIF_ORIENTATION, 1) in QUARTER_TURNS
            image.draft("RGB", (pixels[1], pixels[0]) if turned else pixels)
            upright = ImageOps.exif_transpose(image).convert("RGB")
            upright.thumbnail(pixels)
            buffer = io.BytesIO()
            upright.save(buffer, format="JPEG", quality=quality)
    except (OSError, ValueError, Image.DecompressionBombError):
        logger.warning("passport photo of document %s could not be read", document.pk)
        return None
    return buffer.getvalue()


def photo_data_uri(
    application: Application, *, pixels: tuple[int, int] = PHOTO_PIXELS
) -> str | None:
    """`photo_jpeg` as a data: URI, for a printed document."""
    content = photo_jpeg(application, pixels=pixels)
    if content is None:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(content).decode("ascii")


def qr_svg(data: str) -> str:
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
    )
    svg: bytes = image.to_string(encoding="unicode").encode()
    return svg.decode()


def qr_png_data_uri(data: str) -> str:
    """The QR code of `data` as a black and white PNG data: URI, one pixel per module and the
    quiet zone included; print it with `image-rendering: pixelated`."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=1,
        border=QR_BORDER_MODULES,
        mask_pattern=QR_MASK_PATTERN,
    )
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().get_image().convert("1").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def weasyprint_html(html: str, base_url: str) -> Any:
    """WeasyPrint's HTML document of `html`, with Pillow's strictness restored."""
    from PIL import ImageFile
    from weasyprint import HTML

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML(string=html, base_url=base_url)


def pdf_from_html(html: str, base_url: str) -> bytes:
    pdf: bytes = weasyprint_html(html, base_url).write_pdf()
    return pdf
