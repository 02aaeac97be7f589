"""Upload checks against a corpus of good and bad files, all made here by the tests."""

import hashlib
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from seleksi.applicant.file_messages import describe_problem, describe_warnings
from seleksi.applications.files import (
    FileCheck,
    FileProblem,
    FileWarning,
    check_upload,
    sniff,
)

KB = 1024
PHOTO_LIMIT = 200 * KB
LETTER_LIMIT = 300 * KB
DIPLOMA_LIMIT = 800 * KB
RED = (196, 28, 36)
ACTION_WORDS = ("upload", "save", "export", "remove", "crop", "print", "resize", "scan")


# The corpus ----------------------------------------------------------------------------


def jpeg_bytes(image: Image.Image, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def pas_foto_image() -> Image.Image:
    """Portrait 400×600 on red: a face, a neck and shoulders in a dark jacket."""
    image = Image.new("RGB", (400, 600), RED)
    draw = ImageDraw.Draw(image)
    draw.rectangle((170, 300, 230, 420), fill=(214, 170, 140))
    draw.ellipse((120, 110, 280, 340), fill=(224, 182, 150))
    draw.ellipse((120, 90, 280, 200), fill=(30, 24, 22))
    draw.polygon([(20, 600), (60, 450), (340, 450), (380, 600)], fill=(24, 28, 52))
    noise = Image.effect_noise((400, 600), 12).convert("RGB")
    return Image.blend(image, noise, 0.08)


@cache
def pas_foto() -> bytes:
    return jpeg_bytes(pas_foto_image(), quality=90)


@cache
def square_blue_photo() -> bytes:
    image = Image.new("RGB", (500, 500), (40, 90, 200))
    ImageDraw.Draw(image).ellipse((150, 100, 350, 380), fill=(224, 182, 150))
    return jpeg_bytes(image, quality=90)


@cache
def ktp_scan() -> bytes:
    """An e-KTP scanned at 300 dpi: 85.6 × 54 mm is about 1012 × 638 pixels."""
    image = Image.new("RGB", (1012, 638), (168, 206, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1011, 90), fill=(120, 170, 210))
    draw.text((330, 20), "PROVINSI JAWA TIMUR\nKABUPATEN MAGETAN", fill=(0, 0, 0))
    for line, label in enumerate(("NIK", "Nama", "Tempat/Tgl Lahir", "Alamat", "Agama")):
        draw.text((40, 130 + 60 * line), f"{label} : ....................", fill=(0, 0, 0))
    draw.rectangle((760, 140, 960, 400), fill=RED)
    noise = Image.effect_noise((1012, 638), 20).convert("RGB")
    return jpeg_bytes(Image.blend(image, noise, 0.1), quality=80)


@cache
def tiny_photo() -> bytes:
    return jpeg_bytes(pas_foto_image().resize((50, 75)))


@cache
def sideways_photo() -> bytes:
    """The pas foto stored landscape with EXIF orientation 6, as a phone camera writes it."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return jpeg_bytes(pas_foto_image().transpose(Image.Transpose.ROTATE_90), exif=exif)


def pdf_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pdf(pages: int = 1) -> PdfWriter:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    return writer


@cache
def letter_pdf() -> bytes:
    return pdf_bytes(blank_pdf(2))


@cache
def diploma_scan_pdf() -> bytes:
    """A scanned A4 page written by Pillow (a JPEG inside a PDF)."""
    page = Image.new("RGB", (1240, 1754), (250, 248, 240))
    draw = ImageDraw.Draw(page)
    draw.rectangle((60, 60, 1180, 1694), outline=(120, 90, 30), width=12)
    draw.text((480, 300), "IJAZAH\nSARJANA TEKNIK", fill=(0, 0, 0))
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=150, quality=80)
    return buffer.getvalue()


def handmade_pdf(*objects: bytes) -> bytes:
    """A PDF written byte by byte, with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def handmade_catalog(extra: bytes = b"", content: bytes = b"") -> bytes:
    return handmade_pdf(
        b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    )


def with_open_action(action: dict[str, Any]) -> bytes:
    writer = blank_pdf()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject(key): value for key, value in action.items()}
    )
    return pdf_bytes(writer)


def encrypted_pdf(user_password: str) -> bytes:
    writer = blank_pdf()
    writer.encrypt(user_password, "pemilik-berkas", algorithm="AES-128")
    return pdf_bytes(writer)


def pdf_with_js_name_tree() -> bytes:
    writer = blank_pdf()
    writer.add_open_action(JavaScript("app.alert('Selamat!');"))
    return pdf_bytes(writer)


def pdf_with_attachment() -> bytes:
    writer = blank_pdf()
    writer.add_attachment("catatan.txt", b"lampiran")
    return pdf_bytes(writer)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document><w:body>Surat lamaran</w:body></w:document>",
        }
    )


def png() -> bytes:
    buffer = io.BytesIO()
    pas_foto_image().resize((200, 300)).save(buffer, "PNG")
    return buffer.getvalue()


def with_comment(jpeg: bytes, comment: bytes) -> bytes:
    """The JPEG with COM segments (FF FE) holding `comment` right after SOI."""
    segments = b""
    for start in range(0, len(comment), 65533):
        chunk = comment[start : start + 65533]
        segments += b"\xff\xfe" + (len(chunk) + 2).to_bytes(2, "big") + chunk
    return jpeg[:2] + segments + jpeg[2:]


def jpeg_of_size(size: int) -> bytes:
    """A valid pas foto padded with comment segments to exactly `size` bytes."""
    base = pas_foto()
    room = size - len(base)
    segments = -(-room // 65537)
    payload = room - 4 * segments
    return with_comment(base, b" " * payload)


def resized_frame(jpeg: bytes, width: int, height: int) -> bytes:
    """The JPEG with its SOF0 frame header claiming another size."""
    sof = jpeg.index(b"\xff\xc0")
    size = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return jpeg[: sof + 5] + size + jpeg[sof + 9 :]


@cache
def huge_plain_jpeg() -> bytes:
    """7000 × 6000 = 42 megapixels of grey, which compresses to a few hundred KB."""
    return jpeg_bytes(Image.new("L", (7000, 6000), 128), quality=50)


def corrupt_jpeg() -> bytes:
    """SOI and a JFIF header, then garbage where the next marker should be."""
    jfif_end = 4 + int.from_bytes(pas_foto()[4:6], "big")
    garbage = random.Random(7).randbytes(6000).replace(b"\xff", b"\x00")
    return pas_foto()[: 2 + jfif_end] + b"\x01" + garbage + b"\xff\xd9"


def corrupt_pdf() -> bytes:
    garbage = random.Random(11).randbytes(5000)
    return b"%PDF-1.7\n" + garbage + b"\nstartxref\n9\n%%EOF\n"


@dataclass(frozen=True)
class Case:
    make: Callable[[], bytes]
    expected: str
    problem: FileProblem
    params: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def check(self, content: bytes | None = None) -> FileCheck:
        limit = PHOTO_LIMIT if self.expected == "jpeg" else DIPLOMA_LIMIT
        options = {"max_bytes": limit, **self.options}
        content = self.make() if content is None else content
        return check_upload(content, expected=self.expected, **options)


BAD_FILES = {
    "empty file": Case(lambda: b"", "jpeg", FileProblem.EMPTY),
    "201 KB for a 200 KB slot": Case(
        lambda: jpeg_of_size(201 * KB),
        "jpeg",
        FileProblem.TOO_LARGE,
        {"size_kb": "201", "limit_kb": "200"},
    ),
    "one byte over 200 KB": Case(
        lambda: jpeg_of_size(200 * KB + 1),
        "jpeg",
        FileProblem.TOO_LARGE,
        {"size_kb": "201", "limit_kb": "200"},
    ),
    "PNG renamed .jpg": Case(
        png, "jpeg", FileProblem.WRONG_FORMAT, {"detected": "PNG", "expected": "JPEG"}
    ),
    "PDF in the photo slot": Case(
        letter_pdf, "jpeg", FileProblem.WRONG_FORMAT, {"detected": "PDF", "expected": "JPEG"}
    ),
    "JPEG in a PDF slot": Case(
        pas_foto, "pdf", FileProblem.WRONG_FORMAT, {"detected": "JPEG", "expected": "PDF"}
    ),
    "DOCX renamed .pdf": Case(
        docx, "pdf", FileProblem.WRONG_FORMAT, {"detected": "DOCX", "expected": "PDF"}
    ),
    "HTML page renamed .pdf": Case(
        lambda: b"\xef\xbb\xbf\n<!DOCTYPE html><html><body>Ijazah</body></html>",
        "pdf",
        FileProblem.WRONG_FORMAT,
        {"detected": "HTML"},
    ),
    "HTML page renamed .jpg": Case(
        lambda: b"  <html><script>alert(1)</script></html>",
        "jpeg",
        FileProblem.WRONG_FORMAT,
        {"detected": "HTML"},
    ),
    "text file renamed .pdf": Case(
        lambda: b"Surat lamaran kerja\n" * 10,
        "pdf",
        FileProblem.WRONG_FORMAT,
        {"detected": "unknown"},
    ),
    "JPEG cut in half": Case(
        lambda: pas_foto()[: len(pas_foto()) // 2], "jpeg", FileProblem.TRUNCATED
    ),
    "JPEG without its end marker": Case(lambda: pas_foto()[:-2], "jpeg", FileProblem.TRUNCATED),
    "PDF cut in half": Case(
        lambda: diploma_scan_pdf()[: len(diploma_scan_pdf()) // 2], "pdf", FileProblem.TRUNCATED
    ),
    "PDF cut just before %%EOF": Case(
        lambda: letter_pdf()[: letter_pdf().rindex(b"%%EOF")], "pdf", FileProblem.TRUNCATED
    ),
    "JPEG header with a garbage body": Case(corrupt_jpeg, "jpeg", FileProblem.CORRUPT),
    "PDF header with a garbage body": Case(corrupt_pdf, "pdf", FileProblem.CORRUPT),
    "JPEG claiming 30000 × 30000 pixels": Case(
        lambda: resized_frame(pas_foto(), 30_000, 30_000),
        "jpeg",
        FileProblem.DECOMPRESSION_BOMB,
        {"width": "30000", "height": "30000"},
    ),
    "30000 × 30000 beyond Pillow's own limit": Case(
        lambda: resized_frame(pas_foto(), 30_000, 30_000),
        "jpeg",
        FileProblem.DECOMPRESSION_BOMB,
        options={"max_pixels": 10**12},
    ),
    "plain 42-megapixel JPEG": Case(
        huge_plain_jpeg,
        "jpeg",
        FileProblem.DECOMPRESSION_BOMB,
        {"width": "7000", "height": "6000"},
        {"max_bytes": 10 * KB * KB},
    ),
    "JPEG with a ZIP appended": Case(
        lambda: pas_foto() + zip_bytes({"shell.php": b"<?php system($_GET['c']); ?>"}),
        "jpeg",
        FileProblem.POLYGLOT,
        {"hidden": "ZIP"},
    ),
    "JPEG with a ZIP in a comment": Case(
        lambda: with_comment(pas_foto(), zip_bytes({"a.txt": b"a"})),
        "jpeg",
        FileProblem.POLYGLOT,
        {"hidden": "ZIP"},
    ),
    "JPEG with a trailing <script>": Case(
        lambda: pas_foto() + b"<script>alert(document.cookie)</script>",
        "jpeg",
        FileProblem.POLYGLOT,
        {"hidden": "HTML"},
    ),
    "JPEG with PHP in a comment": Case(
        lambda: with_comment(pas_foto(), b"<?php echo 1; ?>"),
        "jpeg",
        FileProblem.POLYGLOT,
        {"hidden": "PHP"},
    ),
    "JPEG with unknown data appended": Case(
        lambda: pas_foto() + b"SEFT" * 40,
        "jpeg",
        FileProblem.POLYGLOT,
        {"hidden": "data"},
    ),
    "JPEG with a PDF appended, in the photo slot": Case(
        lambda: pas_foto() + letter_pdf(), "jpeg", FileProblem.POLYGLOT, {"hidden": "PDF"}
    ),
    "JPEG holding a PDF in its first KB, in the photo slot": Case(
        lambda: with_comment(pas_foto(), letter_pdf()),
        "jpeg",
        FileProblem.POLYGLOT,
        {"hidden": "PDF"},
    ),
    "JPEG holding a PDF in its first KB, in a PDF slot": Case(
        lambda: with_comment(pas_foto(), letter_pdf()),
        "pdf",
        FileProblem.POLYGLOT,
        {"detected": "JPEG", "hidden": "PDF"},
    ),
    "JPEG with a PDF appended, in a PDF slot": Case(
        lambda: pas_foto() + letter_pdf(),
        "pdf",
        FileProblem.WRONG_FORMAT,
        {"detected": "JPEG"},
    ),
    "PDF with a ZIP appended": Case(
        lambda: letter_pdf() + zip_bytes({"payload.exe": b"MZ" + b"\x00" * 2000}),
        "pdf",
        FileProblem.POLYGLOT,
        {"hidden": "ZIP"},
    ),
    "PDF with an HTML page appended": Case(
        lambda: letter_pdf() + b"<html>\n<body>404</body></html>",
        "pdf",
        FileProblem.POLYGLOT,
        {"hidden": "HTML"},
    ),
    "PDF behind junk bytes": Case(
        lambda: b"\r\n\r\n" + letter_pdf(), "pdf", FileProblem.POLYGLOT, {"hidden": "data"}
    ),
    "PDF with a password": Case(lambda: encrypted_pdf("rahasia"), "pdf", FileProblem.ENCRYPTED),
    "PDF with an empty user password": Case(
        lambda: encrypted_pdf(""), "pdf", FileProblem.ENCRYPTED
    ),
    "21 pages for a 20-page slot": Case(
        lambda: pdf_bytes(blank_pdf(21)),
        "pdf",
        FileProblem.TOO_MANY_PAGES,
        {"pages": "21", "limit_pages": "20"},
    ),
    "PDF with an /OpenAction JavaScript": Case(
        lambda: with_open_action(
            {"/S": NameObject("/JavaScript"), "/JS": TextStringObject("app.alert(1)")}
        ),
        "pdf",
        FileProblem.ACTIVE_CONTENT,
    ),
    "PDF with document JavaScript (add_open_action)": Case(
        pdf_with_js_name_tree, "pdf", FileProblem.ACTIVE_CONTENT
    ),
    "PDF with a launch action": Case(
        lambda: with_open_action({"/S": NameObject("/Launch"), "/F": TextStringObject("cmd.exe")}),
        "pdf",
        FileProblem.ACTIVE_CONTENT,
    ),
    "PDF with an attached file": Case(pdf_with_attachment, "pdf", FileProblem.ACTIVE_CONTENT),
    "PDF hiding /JavaScript as /J#61vaScript": Case(
        lambda: handmade_catalog(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
        "pdf",
        FileProblem.ACTIVE_CONTENT,
    ),
    "50 × 75 photo": Case(
        tiny_photo,
        "jpeg",
        FileProblem.IMAGE_TOO_SMALL,
        {"width": "50", "height": "75", "min_side": "100"},
        {"photo": True},
    ),
}


# Good files -----------------------------------------------------------------------------


def test_it_accepts_a_red_background_pas_foto_without_warnings() -> None:
    check = check_upload(pas_foto(), expected="jpeg", max_bytes=PHOTO_LIMIT, photo=True)
    assert check.ok
    assert check.problem is None
    assert check.warnings == ()
    assert (check.detected, check.width, check.height) == ("JPEG", 400, 600)
    assert check.sha256 == hashlib.sha256(pas_foto()).hexdigest()


def test_it_accepts_a_square_blue_photo_with_both_warnings() -> None:
    check = check_upload(square_blue_photo(), expected="jpeg", max_bytes=PHOTO_LIMIT, photo=True)
    assert check.ok
    assert check.warnings == (FileWarning.PHOTO_ASPECT, FileWarning.PHOTO_BACKGROUND)
    assert dict(check.warning_params)["ratio"] == "1:1"
    assert dict(check.warning_params)["red_percent"] == "0"


def test_it_gives_no_photo_warnings_outside_the_photo_slot() -> None:
    check = check_upload(square_blue_photo(), expected="jpeg", max_bytes=PHOTO_LIMIT)
    assert check.ok
    assert check.warnings == ()


def test_it_accepts_a_scanned_ktp() -> None:
    assert len(ktp_scan()) <= PHOTO_LIMIT
    check = check_upload(ktp_scan(), expected="jpeg", max_bytes=PHOTO_LIMIT)
    assert check.ok
    assert (check.width, check.height) == (1012, 638)


def test_it_reads_a_phone_photo_upright_from_its_exif_orientation() -> None:
    check = check_upload(sideways_photo(), expected="jpeg", max_bytes=PHOTO_LIMIT, photo=True)
    assert check.ok
    assert (check.width, check.height) == (400, 600)
    assert check.warnings == ()


def with_thumbnail(jpeg: bytes) -> bytes:
    """The JPEG with an APP1 segment holding a small JPEG, as an EXIF thumbnail does."""
    thumbnail = jpeg_bytes(pas_foto_image().resize((40, 60)))
    app1 = b"Exif\x00\x00" + thumbnail
    return jpeg[:2] + b"\xff\xe1" + (len(app1) + 2).to_bytes(2, "big") + app1 + jpeg[2:]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: jpeg_bytes(pas_foto_image(), progressive=True), id="progressive"),
        pytest.param(lambda: jpeg_bytes(pas_foto_image().convert("L")), id="greyscale"),
        pytest.param(lambda: jpeg_bytes(pas_foto_image().convert("CMYK")), id="CMYK"),
        pytest.param(
            lambda: jpeg_bytes(pas_foto_image(), restart_marker_rows=1), id="restart markers"
        ),
        pytest.param(lambda: with_thumbnail(pas_foto()), id="thumbnail with its own end marker"),
    ],
)
def test_it_accepts_the_jpeg_variants_cameras_and_editors_write(make: Callable[[], bytes]) -> None:
    check = check_upload(make(), expected="jpeg", max_bytes=PHOTO_LIMIT)
    assert check.ok, check.problem
    assert (check.width, check.height) == (400, 600)


def test_it_accepts_a_letter_pdf_and_counts_its_pages() -> None:
    check = check_upload(letter_pdf(), expected="pdf", max_bytes=LETTER_LIMIT)
    assert check.ok
    assert (check.detected, check.pages) == ("PDF", 2)


def test_it_accepts_a_scanned_diploma_made_by_pillow() -> None:
    assert len(diploma_scan_pdf()) <= DIPLOMA_LIMIT
    check = check_upload(diploma_scan_pdf(), expected="pdf", max_bytes=DIPLOMA_LIMIT)
    assert check.ok
    assert check.pages == 1


def test_it_accepts_exactly_the_size_limit() -> None:
    content = jpeg_of_size(200 * KB)
    assert len(content) == 200 * KB
    assert check_upload(content, expected="jpeg", max_bytes=PHOTO_LIMIT).ok


def test_it_accepts_exactly_the_page_limit() -> None:
    check = check_upload(pdf_bytes(blank_pdf(20)), expected="pdf", max_bytes=LETTER_LIMIT)
    assert check.ok
    assert check.pages == 20


def test_it_accepts_a_harmless_open_action_and_js_in_page_text() -> None:
    go_to_page = with_open_action({"/S": NameObject("/GoTo"), "/D": TextStringObject("p1")})
    assert check_upload(go_to_page, expected="pdf", max_bytes=LETTER_LIMIT).ok
    text = b"BT /F1 12 Tf 72 700 Td (/JS /JavaScript /Launch /EmbeddedFile) Tj ET"
    check = check_upload(handmade_catalog(content=text), expected="pdf", max_bytes=LETTER_LIMIT)
    assert check.ok, check.problem


def test_it_allows_a_few_padding_bytes_after_the_jpeg() -> None:
    padded = pas_foto() + b"\x00" * 16
    assert check_upload(padded, expected="jpeg", max_bytes=PHOTO_LIMIT).ok


def test_it_takes_a_video_by_its_magic_bytes_and_size() -> None:
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 500
    assert check_upload(mp4, expected="mp4", max_bytes=KB).ok
    assert check_upload(mp4, expected="mp4", max_bytes=100).problem is FileProblem.TOO_LARGE
    wrong = check_upload(pas_foto(), expected="mp4", max_bytes=PHOTO_LIMIT)
    assert wrong.problem is FileProblem.WRONG_FORMAT


def test_it_refuses_an_unknown_slot_format() -> None:
    with pytest.raises(ValueError, match="tiff"):
        check_upload(pas_foto(), expected="tiff", max_bytes=PHOTO_LIMIT)


# Bad files ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_it_rejects_a_bad_file_with_the_expected_problem(case: Case) -> None:
    content = case.make()
    check = case.check(content)
    assert check.problem is case.problem
    assert not check.ok
    assert dict(check.params) | case.params == dict(check.params)
    assert check.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_it_tells_the_applicant_what_to_do(case: Case) -> None:
    with translation.override("en"):
        message = describe_problem(case.check())
    assert message
    assert "%(" not in message
    assert any(word in message.lower() for word in ACTION_WORDS), message


def test_the_corpus_covers_every_problem() -> None:
    assert {case.problem for case in BAD_FILES.values()} == set(FileProblem)


def test_the_messages_name_the_formats_and_the_figures() -> None:
    with translation.override("en"):
        too_large = describe_problem(BAD_FILES["201 KB for a 200 KB slot"].check())
        wrong = describe_problem(BAD_FILES["PNG renamed .jpg"].check())
        unknown = describe_problem(BAD_FILES["text file renamed .pdf"].check())
        pages = describe_problem(BAD_FILES["21 pages for a 20-page slot"].check())
        encrypted = describe_problem(BAD_FILES["PDF with an empty user password"].check())
    assert too_large.startswith("The file is 201 KB; the limit for this document is 200 KB.")
    assert wrong.startswith("This file is in PNG format, not JPEG. Save or export it as JPEG")
    assert unknown.startswith("This file is not in PDF format.")
    assert "21 pages" in pages and "at most 20" in pages
    assert "without a password" in encrypted


def test_the_warnings_tell_the_applicant_what_to_do() -> None:
    check = check_upload(square_blue_photo(), expected="jpeg", max_bytes=PHOTO_LIMIT, photo=True)
    with translation.override("en"):
        aspect, background = describe_warnings(check)
        fine = describe_problem(check)
    assert aspect == (
        "The photo is not 4×6 (it is 1:1). Crop it to portrait 4×6 before submitting."
    )
    assert "does not look red" in background
    assert fine == ""


def test_it_names_a_landscape_ratio_sensibly() -> None:
    landscape = jpeg_bytes(pas_foto_image().resize((640, 360)))
    check = check_upload(landscape, expected="jpeg", max_bytes=PHOTO_LIMIT, photo=True)
    assert dict(check.warning_params)["ratio"] == "16:9"


def test_it_leaves_pillows_global_limits_alone() -> None:
    pixels_before = Image.MAX_IMAGE_PIXELS
    for name in ("JPEG claiming 30000 × 30000 pixels", "30000 × 30000 beyond Pillow's own limit"):
        BAD_FILES[name].check()
    BAD_FILES["JPEG cut in half"].check()
    assert pixels_before == Image.MAX_IMAGE_PIXELS
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


# Sniffing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (pas_foto, "JPEG"),
        (letter_pdf, "PDF"),
        (lambda: b"\n\n" + letter_pdf(), "PDF"),
        (png, "PNG"),
        (lambda: b"GIF89a\x01\x00\x01\x00", "GIF"),
        (lambda: b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WEBP"),
        (lambda: zip_bytes({"a.txt": b"a"}), "ZIP"),
        (docx, "DOCX"),
        (lambda: zip_bytes({"[Content_Types].xml": b"", "xl/workbook.xml": b""}), "XLSX"),
        (lambda: b"MZ\x90\x00\x03\x00", "EXE"),
        (lambda: b"\x00\x00\x00\x18ftypisom", "MP4"),
        (lambda: b"\xef\xbb\xbf <!DocType HTML>", "HTML"),
        (lambda: b"\t<SCRIPT>alert(1)</SCRIPT>", "HTML"),
        (lambda: b"Surat lamaran", "unknown"),
        (lambda: b"", "unknown"),
    ],
)
def test_it_sniffs_the_kind_from_the_bytes(make: Callable[[], bytes], kind: str) -> None:
    assert sniff(make()) == kind


# Robustness -----------------------------------------------------------------------------

VALID = {"jpeg": pas_foto, "pdf": letter_pdf}


@settings(deadline=None, max_examples=200)
@given(content=st.binary(max_size=4096), expected=st.sampled_from(["jpeg", "pdf"]))
def test_random_bytes_are_rejected_never_crash_and_get_the_same_answer(
    content: bytes, expected: str
) -> None:
    check = check_upload(content, expected=expected, max_bytes=PHOTO_LIMIT, photo=True)
    assert check.problem is not None
    assert check_upload(content, expected=expected, max_bytes=PHOTO_LIMIT, photo=True) == check


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    expected=st.sampled_from(["jpeg", "pdf"]),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["set", "insert", "delete", "cut"]),
            st.floats(min_value=0, max_value=1, allow_nan=False),
            st.integers(min_value=0, max_value=255),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_damaged_copies_of_valid_files_never_crash_and_get_the_same_answer(
    expected: str, edits: list[tuple[str, float, int]]
) -> None:
    content = bytearray(VALID[expected]())
    for operation, where, value in edits:
        position = int(where * (len(content) - 1)) if content else 0
        if operation == "set" and content:
            content[position] = value
        elif operation == "insert":
            content[position:position] = bytes([value])
        elif operation == "delete" and content:
            del content[position]
        elif operation == "cut":
            del content[position:]
    damaged = bytes(content)
    check = check_upload(damaged, expected=expected, max_bytes=PHOTO_LIMIT, photo=True)
    assert check_upload(damaged, expected=expected, max_bytes=PHOTO_LIMIT, photo=True) == check
    with translation.override("en"):
        assert bool(describe_problem(check)) is (check.problem is not None)
