"""Checking an uploaded document (berkas) by its bytes before it is stored.

A file is judged by what it is, never by its name or the content type the browser sent:
`sniff` reads the magic bytes and `check_upload` answers with a `FileCheck` holding the first
problem found (or none), the warnings for a pas foto, the page count or pixel size, and the
SHA-256 of the content. No Django import, so benchmarks and workers can use it as is.

Decisions worth knowing:

- Problems are checked in a fixed order and only the first is reported: EMPTY, TOO_LARGE,
  WRONG_FORMAT, then the format's own checks (JPEG: DECOMPRESSION_BOMB, TRUNCATED or
  CORRUPT from the marker structure, POLYGLOT, then decoding, IMAGE_TOO_SMALL; PDF:
  POLYGLOT, TRUNCATED, CORRUPT, ENCRYPTED, TOO_MANY_PAGES, ACTIVE_CONTENT).
- A KB is 1024 bytes. `size_kb` is rounded up and `limit_kb` down, so a rejected file never
  reads as being exactly at the limit.
- A file that is not what the slot expects is WRONG_FORMAT, except for a PDF slot when a PDF
  header sits in the first 1024 bytes of a file that starts as something else (a JPEG, a
  ZIP, junk): PDF readers open that file, so it is two things at once, a POLYGLOT. A PDF
  appended further into a JPEG is out of a reader's reach; that file is a JPEG, not a PDF.
- The JPEG is walked marker by marker, so an EXIF thumbnail's end marker is not taken for the
  end of the image. Data after the real end (EOI) beyond `TRAILING_PADDING` bytes of padding
  is a POLYGLOT, whatever it is: an appended archive or script, but also a phone's trailer or
  a second picture (MPO). Saving the photo again removes it, which is what the message says.
- Embedded signatures are matched with a little structure (a ZIP local header with a sane
  version, method and name; "%PDF-" followed by a version; a tag followed by a delimiter),
  because bare 4- or 5-byte patterns turn up by chance in compressed data often enough to
  reject honest files at national volume.
- Decoding uses Pillow's draft mode (libjpeg's scaled IDCT): every byte of the scan is still
  Huffman-decoded, so truncation and broken streams still show, at a fraction of the cost.
  Width and height are reported as displayed, after the EXIF orientation.
- Pillow's `MAX_IMAGE_PIXELS` and `LOAD_TRUNCATED_IMAGES` are never changed: the declared size
  is read from the SOF marker and compared with `max_pixels` before Pillow sees the file.
- A PDF with a password is ENCRYPTED even when the user password is empty and it opens
  without asking: the committee's tools and the archive must read it as is. A PDF that pypdf
  cannot read, that has no pages, or that has more than `MAX_PDF_OBJECTS` objects is CORRUPT.
- ACTIVE_CONTENT is decided by walking every object reachable from the PDF trailer, not by a
  byte search: "/JS" occurs by chance in compressed streams, while names hidden in object
  streams or written with #xx escapes escape a byte search. Harmless actions (an /OpenAction
  that goes to page 1, links) pass; JavaScript, launch actions and embedded files do not.
"""

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from io import BytesIO
from typing import Final

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

KB: Final = 1024
PDF_HEADER_WINDOW: Final = 1024
PDF_EOF_WINDOW: Final = 1024
TRAILING_PADDING: Final = 64
PADDING_BYTES: Final = b"\x00\xff \t\r\n"
MAX_PDF_OBJECTS: Final = 200_000

# Pas foto: portrait 4×6, red background.
PHOTO_RATIO: Final = Fraction(4, 6)
PHOTO_RATIO_TOLERANCE_PERCENT: Final = 5
BORDER_PERCENT: Final = 10
RED_BORDER_MIN_PERCENT: Final = 60
RED_MIN: Final = 120
RED_MARGIN: Final = 50
SAMPLE_SIDE: Final = 96

EXPECTED_NAMES: Final = {"jpeg": "JPEG", "pdf": "PDF", "mp4": "MP4"}


class FileProblem(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    WRONG_FORMAT = "wrong_format"
    TRUNCATED = "truncated"
    CORRUPT = "corrupt"
    DECOMPRESSION_BOMB = "decompression_bomb"
    POLYGLOT = "polyglot"
    ENCRYPTED = "encrypted"
    TOO_MANY_PAGES = "too_many_pages"
    ACTIVE_CONTENT = "active_content"
    IMAGE_TOO_SMALL = "image_too_small"


class FileWarning(StrEnum):
    PHOTO_ASPECT = "photo_aspect"
    PHOTO_BACKGROUND = "photo_background"


Params = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FileCheck:
    problem: FileProblem | None
    params: Params
    warnings: tuple[FileWarning, ...]
    warning_params: Params
    detected: str
    pages: int | None
    width: int | None
    height: int | None
    sha256: str

    @property
    def ok(self) -> bool:
        return self.problem is None


# Magic bytes ----------------------------------------------------------------------------

JPEG_SOI: Final = b"\xff\xd8\xff"
PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"
ZIP_LOCAL_HEADER: Final = b"PK\x03\x04"
HTML_STARTS: Final = (b"<!doctype html", b"<html", b"<script")
TEXT_LEAD: Final = b"\xef\xbb\xbf \t\r\n\x0c"
ZIP_METHODS: Final = frozenset({0, 1, 6, 8, 9, 12, 14, 19, 93, 95, 96, 97, 98, 99})
ZIP_MAX_VERSION: Final = 100
ZIP_MAX_NAME: Final = 4096


def sniff(content: bytes) -> str:
    """The kind of file the bytes say this is: "JPEG", "PDF", "PNG", … or "unknown"."""
    if content.startswith(JPEG_SOI):
        return "JPEG"
    if content.startswith(b"%PDF-"):
        return "PDF"
    if content.startswith(PNG_MAGIC):
        return "PNG"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "WEBP"
    if content.startswith(ZIP_LOCAL_HEADER):
        return _zip_kind(content)
    if content.startswith(b"MZ"):
        return "EXE"
    if content[4:8] == b"ftyp":
        return "MP4"
    if content[:PDF_HEADER_WINDOW].lstrip(TEXT_LEAD).lower().startswith(HTML_STARTS):
        return "HTML"
    if b"%PDF-" in content[:PDF_HEADER_WINDOW]:
        return "PDF"
    return "unknown"


def _zip_names(content: bytes) -> list[bytes]:
    """Entry names from the local headers, read without unpacking anything."""
    names = []
    position = content.find(ZIP_LOCAL_HEADER)
    while position >= 0:
        name = _zip_entry_name(content, position)
        if name is not None:
            names.append(name)
        position = content.find(ZIP_LOCAL_HEADER, position + 4)
    return names


def _zip_entry_name(content: bytes, position: int) -> bytes | None:
    """The entry name if a plausible ZIP local header starts at `position`."""
    header = content[position : position + 30]
    if len(header) < 30:
        return None
    version = int.from_bytes(header[4:6], "little")
    method = int.from_bytes(header[8:10], "little")
    name_length = int.from_bytes(header[26:28], "little")
    if version > ZIP_MAX_VERSION or method not in ZIP_METHODS:
        return None
    if not 0 < name_length <= ZIP_MAX_NAME:
        return None
    name = content[position + 30 : position + 30 + name_length]
    if len(name) < name_length or any(byte < 0x20 or byte == 0x7F for byte in name):
        return None
    return name


def _zip_kind(content: bytes) -> str:
    names = _zip_names(content)
    if any(name.startswith(b"word/") for name in names):
        return "DOCX"
    if any(name.startswith(b"xl/") for name in names):
        return "XLSX"
    return "ZIP"


def _hidden_kind(content: bytes, *, pdf: bool = True) -> str | None:
    """What a file carries besides itself: "PDF", "ZIP", "HTML", "PHP", or None."""
    if pdf and _holds_pdf_header(content, 0):
        return "PDF"
    if _holds_zip(content):
        return "ZIP"
    lowered = content.lower()
    if _holds_tag(lowered, b"<script", b" \t\r\n\x0c>/"):
        return "HTML"
    if _holds_tag(lowered, b"<html", b" \t\r\n\x0c>"):
        return "HTML"
    if _holds_tag(lowered, b"<?php", b" \t\r\n\x0c"):
        return "PHP"
    return None


def _holds_pdf_header(content: bytes, start: int, end: int | None = None) -> bool:
    """A "%PDF-" followed by a version such as 1.7, in content[start:end]."""
    position = content.find(b"%PDF-", start, end)
    while position >= 0:
        version = content[position + 5 : position + 8]
        if (
            len(version) == 3
            and version[:1].isdigit()
            and version[1:2] == b"."
            and version[2:3].isdigit()
        ):
            return True
        position = content.find(b"%PDF-", position + 1, end)
    return False


def _holds_zip(content: bytes) -> bool:
    position = content.find(ZIP_LOCAL_HEADER)
    while position >= 0:
        if _zip_entry_name(content, position) is not None:
            return True
        position = content.find(ZIP_LOCAL_HEADER, position + 4)
    return False


def _holds_tag(lowered: bytes, tag: bytes, followers: bytes) -> bool:
    position = lowered.find(tag)
    while position >= 0:
        following = lowered[position + len(tag) : position + len(tag) + 1]
        if following and following in followers:
            return True
        position = lowered.find(tag, position + 1)
    return False


# The check ------------------------------------------------------------------------------


@dataclass
class _Result:
    """What `check_upload` has learnt so far; frozen into a FileCheck at the end."""

    content: bytes
    detected: str
    pages: int | None = None
    width: int | None = None
    height: int | None = None

    def problem(self, problem: FileProblem, **params: object) -> FileCheck:
        return self.finish(problem, tuple((name, str(value)) for name, value in params.items()))

    def finish(
        self,
        problem: FileProblem | None = None,
        params: Params = (),
        warnings: tuple[FileWarning, ...] = (),
        warning_params: Params = (),
    ) -> FileCheck:
        return FileCheck(
            problem=problem,
            params=params,
            warnings=warnings,
            warning_params=warning_params,
            detected=self.detected,
            pages=self.pages,
            width=self.width,
            height=self.height,
            sha256=hashlib.sha256(self.content).hexdigest(),
        )


def check_upload(
    content: bytes,
    *,
    expected: str,
    max_bytes: int,
    max_pages: int = 20,
    photo: bool = False,
    max_pixels: int = 40_000_000,
    min_side: int = 100,
) -> FileCheck:
    """Judge an upload for a slot that takes `expected` ("jpeg", "pdf" or "mp4").

    The caller has already bounded how much it read; `max_bytes` is the slot's own limit.
    `photo=True` adds the pas foto warnings (4×6 portrait, red background) to a valid JPEG.
    """
    expected_name = EXPECTED_NAMES.get(expected.lower())
    if expected_name is None:
        raise ValueError(f"unknown expected format {expected!r}; use jpeg, pdf or mp4")
    result = _Result(content=content, detected=sniff(content))
    if not content:
        return result.problem(FileProblem.EMPTY)
    if len(content) > max_bytes:
        return result.problem(
            FileProblem.TOO_LARGE, size_kb=-(-len(content) // KB), limit_kb=max_bytes // KB
        )
    if result.detected != expected_name:
        if expected_name == "PDF" and _holds_pdf_header(content, 0, PDF_HEADER_WINDOW):
            return result.problem(
                FileProblem.POLYGLOT,
                detected=result.detected,
                expected=expected_name,
                hidden="PDF",
            )
        return result.problem(
            FileProblem.WRONG_FORMAT, detected=result.detected, expected=expected_name
        )
    if expected_name == "JPEG":
        return _check_jpeg(result, photo=photo, max_pixels=max_pixels, min_side=min_side)
    if expected_name == "PDF":
        return _check_pdf(result, max_pages=max_pages)
    return result.finish()


# JPEG -----------------------------------------------------------------------------------

# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
SOF_MARKERS: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
RST_MARKERS: Final = frozenset(range(0xD0, 0xD8))
EOI: Final = 0xD9
SOS: Final = 0xDA

# EXIF orientation → the transpose that shows the image upright (as ImageOps.exif_transpose).
ORIENTATION_TRANSPOSE: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
EXIF_ORIENTATION: Final = 0x0112


@dataclass(frozen=True)
class _JpegLayout:
    """Where the image ends (just after EOI) and the size its frame header declares."""

    problem: FileProblem | None
    end: int
    width: int
    height: int


def _jpeg_layout(content: bytes) -> _JpegLayout:
    """Walk the markers from SOI to EOI, skipping segments by their length."""
    size = len(content)
    width = height = 0
    framed = False
    position = 2

    def stop(problem: FileProblem) -> _JpegLayout:
        return _JpegLayout(problem, position, width, height)

    while True:
        if position >= size:
            return stop(FileProblem.TRUNCATED)
        if content[position] != 0xFF:
            return stop(FileProblem.CORRUPT)
        while position < size and content[position] == 0xFF:
            position += 1
        if position >= size:
            return stop(FileProblem.TRUNCATED)
        marker = content[position]
        position += 1
        if marker == EOI:
            return _JpegLayout(None if framed else FileProblem.CORRUPT, position, width, height)
        if marker in RST_MARKERS or marker == 0x01:
            continue
        if marker in (0x00, 0xD8):
            return stop(FileProblem.CORRUPT)
        if position + 2 > size:
            return stop(FileProblem.TRUNCATED)
        length = int.from_bytes(content[position : position + 2], "big")
        if length < 2:
            return stop(FileProblem.CORRUPT)
        if position + length > size:
            return stop(FileProblem.TRUNCATED)
        if marker in SOF_MARKERS:
            if length < 8:
                return stop(FileProblem.CORRUPT)
            height = int.from_bytes(content[position + 3 : position + 5], "big")
            width = int.from_bytes(content[position + 5 : position + 7], "big")
            framed = True
        position += length
        if marker == SOS:
            if not framed:
                return stop(FileProblem.CORRUPT)
            position = _end_of_scan(content, position)
            if position < 0:
                position = size
                return stop(FileProblem.TRUNCATED)


def _end_of_scan(content: bytes, position: int) -> int:
    """Offset of the marker that ends entropy-coded data, or -1 if the data runs out.

    Inside a scan FF is followed by 00 (a stuffed byte) or a restart marker; anything else,
    after optional FF fill bytes, is the next marker.
    """
    size = len(content)
    while True:
        found = content.find(b"\xff", position)
        if found < 0:
            return -1
        following = found + 1
        while following < size and content[following] == 0xFF:
            following += 1
        if following >= size:
            return -1
        if content[following] != 0x00 and content[following] not in RST_MARKERS:
            return found
        position = following + 1


def _check_jpeg(result: _Result, *, photo: bool, max_pixels: int, min_side: int) -> FileCheck:
    content = result.content
    layout = _jpeg_layout(content)
    if layout.width * layout.height > max_pixels:
        return result.problem(
            FileProblem.DECOMPRESSION_BOMB, width=layout.width, height=layout.height
        )
    if layout.problem is not None:
        return result.problem(layout.problem, expected="JPEG")
    trailing = content[layout.end :]
    if len(trailing) > TRAILING_PADDING or trailing.strip(PADDING_BYTES):
        appended = _hidden_kind(trailing) or _known(sniff(trailing)) or "data"
        return result.problem(
            FileProblem.POLYGLOT, detected="JPEG", expected="JPEG", hidden=appended
        )
    hidden = _hidden_kind(content)
    if hidden is not None:
        return result.problem(FileProblem.POLYGLOT, detected="JPEG", expected="JPEG", hidden=hidden)

    try:
        image = Image.open(BytesIO(content), formats=["JPEG"])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return result.problem(
            FileProblem.DECOMPRESSION_BOMB, width=layout.width, height=layout.height
        )
    except Exception:  # Pillow raises many kinds of error on hostile input.
        return result.problem(FileProblem.CORRUPT, expected="JPEG")
    with image:
        width, height = image.size
        if width * height > max_pixels:
            return result.problem(FileProblem.DECOMPRESSION_BOMB, width=width, height=height)
        try:
            transpose = ORIENTATION_TRANSPOSE.get(image.getexif().get(EXIF_ORIENTATION, 1))
        except Exception:  # A damaged EXIF block does not spoil the picture.
            transpose = None
        if transpose in (
            Image.Transpose.TRANSPOSE,
            Image.Transpose.TRANSVERSE,
            Image.Transpose.ROTATE_90,
            Image.Transpose.ROTATE_270,
        ):
            width, height = height, width
        result.width, result.height = width, height
        try:
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return result.problem(FileProblem.DECOMPRESSION_BOMB, width=width, height=height)
        except OSError as error:
            truncated = "truncated" in str(error)
            problem = FileProblem.TRUNCATED if truncated else FileProblem.CORRUPT
            return result.problem(problem, expected="JPEG")
        except Exception:  # Pillow raises many kinds of error on hostile input.
            return result.problem(FileProblem.CORRUPT, expected="JPEG")
        if min(width, height) < min_side:
            return result.problem(
                FileProblem.IMAGE_TOO_SMALL, width=width, height=height, min_side=min_side
            )
        if not photo:
            return result.finish()
        sample = image.convert("RGB")
    sample.thumbnail((SAMPLE_SIDE, SAMPLE_SIDE))
    if transpose is not None:
        sample = sample.transpose(transpose)
    return _photo_warnings(result, sample, width=width, height=height)


def _known(kind: str) -> str | None:
    return None if kind == "unknown" else kind


def _photo_warnings(result: _Result, sample: Image.Image, *, width: int, height: int) -> FileCheck:
    """Pas foto warnings: not 4×6 portrait, or a border that is mostly not red."""
    warnings: list[FileWarning] = []
    params: list[tuple[str, str]] = []
    # |w/h − 2/3| > 5 % of 2/3  ⇔  100·|3w − 2h| > 5·2h
    off_by = abs(PHOTO_RATIO.denominator * width - PHOTO_RATIO.numerator * height)
    if 100 * off_by > PHOTO_RATIO_TOLERANCE_PERCENT * PHOTO_RATIO.numerator * height:
        ratio = Fraction(width, height).limit_denominator(10)
        warnings.append(FileWarning.PHOTO_ASPECT)
        params += [
            ("ratio", f"{ratio.numerator}:{ratio.denominator}"),
            ("width", str(width)),
            ("height", str(height)),
        ]
    red, border = _red_border(sample)
    if 100 * red < RED_BORDER_MIN_PERCENT * border:
        warnings.append(FileWarning.PHOTO_BACKGROUND)
        params.append(("red_percent", str(100 * red // border)))
    return result.finish(warnings=tuple(warnings), warning_params=tuple(params))


def _red_border(sample: Image.Image) -> tuple[int, int]:
    """Red pixels and all pixels in the top 10 % and the outer 10 % columns on both sides."""
    width, height = sample.size
    band_rows = -(-height * BORDER_PERCENT // 100)
    band_columns = -(-width * BORDER_PERCENT // 100)
    pixels = sample.tobytes()
    red = border = 0
    for y in range(height):
        row = y * width * 3
        columns = (
            range(width)
            if y < band_rows
            else [*range(band_columns), *range(max(band_columns, width - band_columns), width)]
        )
        for x in columns:
            r, g, b = pixels[row + 3 * x : row + 3 * x + 3]
            border += 1
            if r >= RED_MIN and r >= g + RED_MARGIN and r >= b + RED_MARGIN:
                red += 1
    return red, border


# PDF ------------------------------------------------------------------------------------

ACTIVE_KEYS: Final = frozenset({"/JS", "/JavaScript", "/EmbeddedFiles", "/EF"})
ACTIVE_NAMES: Final = frozenset({"/JavaScript", "/Launch", "/EmbeddedFile", "/FileAttachment"})
TYPE_KEYS: Final = frozenset({"/S", "/Type", "/Subtype"})


class _TooComplex(Exception):
    pass


def _check_pdf(result: _Result, *, max_pages: int) -> FileCheck:
    content = result.content
    if not content.startswith(b"%PDF-"):
        return result.problem(FileProblem.POLYGLOT, detected="PDF", expected="PDF", hidden="data")
    hidden = _hidden_kind(content, pdf=False)
    if hidden is not None:
        return result.problem(FileProblem.POLYGLOT, detected="PDF", expected="PDF", hidden=hidden)
    if b"%%EOF" not in content[-PDF_EOF_WINDOW:]:
        return result.problem(FileProblem.TRUNCATED, expected="PDF")
    try:
        reader = PdfReader(BytesIO(content), strict=False)
        encrypted = reader.is_encrypted
    except Exception:  # pypdf raises many kinds of error on hostile input.
        if b"/Encrypt" in content:
            return result.problem(FileProblem.ENCRYPTED)
        return result.problem(FileProblem.CORRUPT, expected="PDF")
    if encrypted:
        return result.problem(FileProblem.ENCRYPTED)
    try:
        pages = len(reader.pages)
        active = pages > 0 and pages <= max_pages and _has_active_content(reader)
    except Exception:  # pypdf raises many kinds of error on hostile input.
        return result.problem(FileProblem.CORRUPT, expected="PDF")
    if pages == 0:
        return result.problem(FileProblem.CORRUPT, expected="PDF")
    result.pages = pages
    if pages > max_pages:
        return result.problem(FileProblem.TOO_MANY_PAGES, pages=pages, limit_pages=max_pages)
    if active:
        return result.problem(FileProblem.ACTIVE_CONTENT)
    return result.finish()


def _has_active_content(reader: PdfReader) -> bool:
    """JavaScript, launch actions or embedded files anywhere reachable from the trailer."""
    stack: list[PdfObject | None] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference in seen:
                continue
            seen.add(reference)
            if len(seen) > MAX_PDF_OBJECTS:
                raise _TooComplex
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in ACTIVE_KEYS:
                    return True
                if key in TYPE_KEYS and _is_active_name(value.get_object()):
                    return True
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def _is_active_name(value: PdfObject | None) -> bool:
    return isinstance(value, str) and value in ACTIVE_NAMES
