"""Where an accepted upload is stored and under which name.

Decisions worth knowing:

- The stored name is random and its extension is the type the content check found (a PDF is
  `.pdf` whatever the browser called it); the name the person chose is kept only for display,
  reduced to its last path component without control characters.
- The content is written before the transaction that records it and removed again if that
  transaction does not commit, so a row never names a missing file and a rollback leaves no
  file behind. The transaction is durable (never nested in a caller's), so "did not commit"
  is known where it happens. The replaced file is removed only after the commit.
- A storage that cannot take the file (a full disk, an I/O error, an S3 bucket that is
  unreachable or refuses it) may leave part of it behind: that part is removed and
  `FileNotStored` raised, a refusal the page shows next to the document ("not saved, try
  again later"); nothing was recorded.
"""

import errno
import logging
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _

from seleksi.core.errors import ServiceRefused

logger = logging.getLogger(__name__)

SNIFFED_EXTENSIONS: Final = {"PDF": ".pdf", "JPEG": ".jpg", "PNG": ".png", "MP4": ".mp4"}
DISPLAY_NAME_LENGTH: Final = 255


class FileNotStored(ServiceRefused):
    """The storage refused the file (full, or failing); nothing of it was kept."""

    messages = {
        "not_stored": _(
            "The file was not saved: the server could not store it just now. Your application "
            "and your other documents are unchanged; please upload it again later."
        )
    }


def stored_name(folder: str, selection_id: int, detected: str) -> str:
    """A fresh name under `folder/<selection>/`, with the extension of the sniffed type."""
    return f"{folder}/{selection_id}/{uuid.uuid4().hex}{SNIFFED_EXTENSIONS[detected]}"


def display_name(client_name: str | None, fallback: str) -> str:
    """The file name a person chose, safe to show: no folders, no control characters."""
    last = (client_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    visible = "".join(c for c in last if not unicodedata.category(c).startswith("C")).strip()
    return visible.strip(".")[:DISPLAY_NAME_LENGTH] or fallback


def private_file_response(
    file: FieldFile, *, is_pdf: bool, filename: str, framed_by_self: bool = False
) -> FileResponse:
    """A stored upload (a PDF or a JPEG) for the person the view let through: shown inline
    as `filename` plus the extension of its type, never cached, never sniffed as anything
    else, running nothing. `framed_by_self` lets the portal's own pages preview it
    in a frame (the verification page); otherwise no page may frame it."""
    extension = "pdf" if is_pdf else "jpg"
    response = FileResponse(
        file.open("rb"), content_type="application/pdf" if is_pdf else "image/jpeg"
    )
    return keep_private(
        response,
        disposition=f'inline; filename="{filename}.{extension}"',
        framed_by_self=framed_by_self,
    )


def keep_private[R: HttpResponseBase](
    response: R, *, disposition: str, framed_by_self: bool = False
) -> R:
    """The headers of a personal file for the person the view let through (a document, a
    photo to compare at the door, a participant's or a stage's exam cards): never cached,
    never sniffed as anything else, running nothing, framed at most by the portal's own
    pages."""
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if framed_by_self:
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        response["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response["Content-Security-Policy"] = "default-src 'none'"
    return response


@contextmanager
def stored_files(storage: Storage | None = None) -> Iterator[Callable[[str, bytes], str]]:
    """A durable transaction with a `store(name, content)` that writes at once and removes
    everything it wrote if the block raises or its commit fails."""
    storage = storage or default_storage
    written: list[str] = []

    def store(name: str, content: bytes) -> str:
        try:
            saved = storage.save(name, ContentFile(content))
        except _storage_errors() as error:
            _partial_remove(storage, name)
            cause = (
                errno.errorcode.get(error.errno or 0, "OSError")
                if isinstance(error, OSError)
                else type(error).__name__
            )
            logger.error("an upload was not stored: %s", cause)
            raise FileNotStored("not_stored") from error
        written.append(saved)
        return saved

    try:
        with transaction.atomic(durable=True):
            yield store
    except BaseException:
        for name in written:
            storage.delete(name)
        raise


def _storage_errors() -> tuple[type[Exception], ...]:
    """What a storage raises when it cannot take a file: OSError from a disk, and botocore's
    errors from an S3 bucket (unreachable, refusing, full) when the S3 client is installed."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


def _partial_remove(storage: Storage, name: str) -> None:
    """Remove what a failed save left under `name` (a fresh random name: nobody else's file)."""
    try:
        storage.delete(name)
    except _storage_errors():
        logger.exception("a partly written upload could not be removed")
