"""The pictures of a question bank (gambar soal): the ZIP that comes with a bank table, and
one picture uploaded in the console.

Decisions worth knowing:

- A picture is judged by its bytes, as an applicant's document is (`applications.files`):
  PNG, JPEG or WebP by its magic bytes, then opened and decoded by Pillow. A JPEG goes
  through the documents' own check (marker walk, data hidden after the image, draft-mode
  decoding). The declared size in pixels is compared with `MAX_IMAGE_PIXELS` before any
  pixel is decoded.
- The ZIP's directory is checked before anything is unpacked: at most `MAX_ZIP_ENTRIES`
  files, `MAX_UNPACKED_BYTES` in all, stored or deflated only, no password. A picture is
  unpacked only when a row names it, and never more than `MAX_IMAGE_BYTES` + 1 bytes of it;
  Python's zipfile stops an entry at the size its directory gives, so the directory cannot
  understate it.
- A ZIP that breaks a bound is refused whole (`ImagesRefused`, said in the reader's
  language); a picture that is wrong is a problem of the rows that name it.
- A row names a picture by its path in the ZIP or, when only one file has that name, by the
  file name alone (a ZIP of a folder puts the folder in every path); without regard to case,
  since the table is typed on Windows as often as not. The name never becomes a path on the
  server: Seleksi names the stored file (`stored_image_name`).
"""

import uuid
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from PIL import Image

from seleksi.applications.files import KB, FileProblem, check_upload, sniff
from seleksi.core.errors import ServiceRefused
from seleksi.rules.question_files import BankIssue, ImageFinding

MEGABYTE: Final = 1024 * 1024
MAX_IMAGE_BYTES: Final = 1 * MEGABYTE
"""One picture, as stored: a diagram or a photo for a phone screen needs far less."""
MAX_IMAGE_PIXELS: Final = 12_000_000
"""Width × height a picture may declare (4000 × 3000); more is refused before decoding."""
MAX_MEGAPIXELS: Final = MAX_IMAGE_PIXELS // 1_000_000
MAX_ZIP_BYTES: Final = 20 * MEGABYTE
"""The ZIP as uploaded."""
MAX_ZIP_ENTRIES: Final = 1_000
MAX_UNPACKED_BYTES: Final = 100 * MEGABYTE
"""What all files of the ZIP may unpack to together, by its directory."""
IMAGE_KINDS: Final = {
    "PNG": (".png", "image/png"),
    "JPEG": (".jpg", "image/jpeg"),
    "WEBP": (".webp", "image/webp"),
}
CONTENT_TYPES: Final = {extension: content_type for extension, content_type in IMAGE_KINDS.values()}
_CENTRAL_HEADER: Final = b"PK\x01\x02"
_SKIPPED_FOLDERS: Final = ("__macosx/",)


IMAGES_REFUSALS: dict[str, Promise] = {
    "images_not_zip": _("The pictures file is not a ZIP archive."),
    "images_too_large": _("The ZIP of pictures is larger than %(limit)d MB."),
    "images_too_many": _("The ZIP of pictures holds more than %(limit)d files; split the bank."),
    "images_unpack_too_large": _(
        "The ZIP of pictures unpacks to more than %(limit)d MB; split the bank."
    ),
    "images_unusual": _(
        "The ZIP of pictures has a password or is packed in an unusual way. Make it again "
        "with your computer's ordinary “compress” and upload that."
    ),
}


class ImagesRefused(ServiceRefused):
    """The ZIP of pictures as a whole cannot be used; nothing was read from it."""

    messages = IMAGES_REFUSALS

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, params=params or None)


@dataclass(frozen=True, slots=True)
class CheckedImage:
    finding: ImageFinding
    kind: str
    """PNG, JPEG or WEBP for a usable picture; what the bytes look like otherwise"""

    @property
    def ok(self) -> bool:
        return self.finding.issue is None


def _problem(issue: BankIssue, kind: str, **params: object) -> CheckedImage:
    return CheckedImage(ImageFinding(issue, tuple(params.items())), kind)


def image_check(content: bytes) -> CheckedImage:
    """Whether `content` is a picture a question may show."""
    kind = sniff(content)
    if len(content) > MAX_IMAGE_BYTES:
        return _too_large(len(content), kind)
    if kind not in IMAGE_KINDS:
        return _problem(BankIssue.NOT_AN_IMAGE, kind)
    if kind == "JPEG":
        check = check_upload(
            content,
            expected="jpeg",
            max_bytes=MAX_IMAGE_BYTES,
            max_pixels=MAX_IMAGE_PIXELS,
            min_side=1,
        )
        if check.problem is FileProblem.DECOMPRESSION_BOMB:
            params = dict(check.params)
            return _too_many_pixels(kind, int(params["width"]), int(params["height"]))
        if check.problem is not None:
            return _problem(BankIssue.NOT_AN_IMAGE, kind)
        return CheckedImage(ImageFinding(), kind)
    try:
        with Image.open(BytesIO(content), formats=[kind]) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return _too_many_pixels(kind, width, height)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _problem(BankIssue.IMAGE_TOO_MANY_PIXELS, kind, megapixels=MAX_MEGAPIXELS)
    except Exception:  # Pillow raises many kinds of error on hostile input.
        return _problem(BankIssue.NOT_AN_IMAGE, kind)
    return CheckedImage(ImageFinding(), kind)


def _too_large(size: int, kind: str) -> CheckedImage:
    return _problem(
        BankIssue.IMAGE_TOO_LARGE, kind, size_kb=-(-size // KB), limit_kb=MAX_IMAGE_BYTES // KB
    )


def _too_many_pixels(kind: str, width: int, height: int) -> CheckedImage:
    return _problem(
        BankIssue.IMAGE_TOO_MANY_PIXELS, kind, width=width, height=height, megapixels=MAX_MEGAPIXELS
    )


def stored_image_name(selection_id: int, kind: str) -> str:
    """A fresh private name for a question's picture: `soal/<selection>/<random>.<ext>`."""
    return f"soal/{selection_id}/{uuid.uuid4().hex}{IMAGE_KINDS[kind][0]}"


def _key(name: str) -> str:
    return name.replace("\\", "/").strip().strip("/").casefold()


class ImageArchive(Mapping[str, ImageFinding]):
    """The pictures of a bank's ZIP, looked up by the name a row gives. Each is unpacked and
    checked the first time it is asked for; `read` gives a usable one's bytes and kind."""

    def __init__(self, content: bytes) -> None:
        if len(content) > MAX_ZIP_BYTES:
            raise ImagesRefused("images_too_large", limit=MAX_ZIP_BYTES // MEGABYTE)
        if content.count(_CENTRAL_HEADER) > MAX_ZIP_ENTRIES:
            raise ImagesRefused("images_too_many", limit=MAX_ZIP_ENTRIES)
        try:
            self._zip = zipfile.ZipFile(BytesIO(content))
            entries = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise ImagesRefused("images_not_zip") from error
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ImagesRefused("images_too_many", limit=MAX_ZIP_ENTRIES)
        self._by_path: dict[str, zipfile.ZipInfo] = {}
        self._by_file: dict[str, list[zipfile.ZipInfo]] = {}
        unpacked = 0
        for entry in entries:
            if entry.is_dir():
                continue
            encrypted = entry.flag_bits & 0x1
            if encrypted or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ImagesRefused("images_unusual")
            unpacked += entry.file_size
            if unpacked > MAX_UNPACKED_BYTES:
                raise ImagesRefused("images_unpack_too_large", limit=MAX_UNPACKED_BYTES // MEGABYTE)
            path = _key(entry.filename)
            if path.startswith(_SKIPPED_FOLDERS) or path.rsplit("/", 1)[-1].startswith("._"):
                continue
            self._by_path[path] = entry
            self._by_file.setdefault(path.rsplit("/", 1)[-1], []).append(entry)
        self._checked: dict[str, CheckedImage] = {}

    def _entry(self, name: str) -> zipfile.ZipInfo | None:
        key = _key(name)
        found = self._by_path.get(key)
        if found is not None:
            return found
        same_file = self._by_file.get(key, [])
        return same_file[0] if len(same_file) == 1 else None

    def _unpacked(self, entry: zipfile.ZipInfo) -> bytes | CheckedImage:
        if entry.file_size > MAX_IMAGE_BYTES:
            return _too_large(entry.file_size, "unknown")
        try:
            with self._zip.open(entry) as member:
                content = member.read(MAX_IMAGE_BYTES + 1)
        except Exception:  # zipfile and zlib raise many kinds of error on damaged entries.
            return _problem(BankIssue.NOT_AN_IMAGE, "unknown")
        if len(content) > MAX_IMAGE_BYTES:
            return _too_large(len(content), "unknown")
        return content

    def check(self, name: str) -> CheckedImage | None:
        """What the picture a row names is (None when the ZIP has no such file)."""
        entry = self._entry(name)
        if entry is None:
            return None
        checked = self._checked.get(entry.filename)
        if checked is None:
            content = self._unpacked(entry)
            checked = content if isinstance(content, CheckedImage) else image_check(content)
            self._checked[entry.filename] = checked
        return checked

    def read(self, name: str) -> tuple[bytes, str]:
        """The bytes and kind of a picture that `check` found usable."""
        checked = self.check(name)
        entry = self._entry(name)
        if checked is None or not checked.ok or entry is None:
            raise LookupError(f"no usable picture {name!r}")
        content = self._unpacked(entry)
        if isinstance(content, CheckedImage):
            raise LookupError(f"no usable picture {name!r}")
        return content, checked.kind

    def __getitem__(self, name: str) -> ImageFinding:
        checked = self.check(name)
        if checked is None:
            raise KeyError(name)
        return checked.finding

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_path)

    def __len__(self) -> int:
        return len(self._by_path)

    def close(self) -> None:
        self._zip.close()
