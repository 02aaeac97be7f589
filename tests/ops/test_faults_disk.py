"""A full upload disk: the applicant is told the file was not saved and to try again later,
the application and its other documents stay as they were, no Document row names a missing
or partial file, and no partial file is left behind.

The real test mounts a 1 MiB tmpfs as the document store and fills it (root only: mounting
needs it); the other one runs everywhere, with a store whose writes fail half way as a full
disk's do. Both then free the space and upload again, which succeeds."""

import contextlib
import errno
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from seleksi.applications.models import Application, Document
from seleksi.applications.storage import FileNotStored
from seleksi.audit.models import AuditEvent
from seleksi.selections.demo import demo_load
from tests.accounts.helpers import signed_in
from tests.applications.conftest import open_registration
from tests.applications.test_applications import formation, person, slot_html, start, upload
from tests.applications.test_files import diploma_scan_pdf, pas_foto

pytestmark = pytest.mark.django_db

FREE_BYTES = 16 * 1024
"""Room left on the full disk: less than a diploma scan, so its write stops half way."""


class HalfWrittenStorage(FileSystemStorage):
    """A disk that fills up while a file is written: the first half reaches the file, then
    the write fails with ENOSPC, inside Django's own save loop."""

    full = True

    def _save(self, name: str, content: File[Any]) -> str:
        if not self.full:
            return super()._save(name, content)
        data = content.read()

        class Filling(ContentFile):
            def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
                yield data[: len(data) // 2]
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        return super()._save(name, Filling(data))


def _media(settings: Any, location: Path, backend: str) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": backend, "OPTIONS": {"location": location}},
    }


def _stored_files(location: Path) -> set[str]:
    return {str(path.relative_to(location)) for path in location.rglob("*") if path.is_file()} - {
        "filler"
    }


def _apply_with_a_photo() -> tuple[Client, Application]:
    demo_load()
    open_registration("aceh-tengah-casn-2021")
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    upload(client, application, "pas-foto", pas_foto(), "foto.jpg")
    return client, application


def _assert_refused_and_nothing_half_stored(
    client: Client, application: Application, location: Path
) -> None:
    photo = Document.objects.get(application=application)
    photo_sha = photo.sha256
    response = client.post(
        f"/lamaran/{application.number}/dokumen/ijazah/",
        {"file": ContentFile(diploma_scan_pdf(), name="ijazah.pdf")},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override("id"):
        message = FileNotStored("not_stored").message
    assert escape(message) in slot_html(html, "ijazah")
    assert 'role="alert"' in slot_html(html, "ijazah")
    # the application and its other document are as they were
    assert Application.objects.get(pk=application.pk).status == Application.Status.DRAFT
    assert list(Document.objects.filter(application=application)) == [photo]
    assert not AuditEvent.objects.filter(
        action="document.uploaded", details__slot="ijazah"
    ).exists()
    # every stored file is a Document's, whole; nothing else is on the disk
    assert _stored_files(location) == {photo.file.name}
    assert hashlib.sha256((location / photo.file.name).read_bytes()).hexdigest() == photo_sha


def _assert_it_saves_once_there_is_room(client: Client, application: Application) -> None:
    response = client.post(
        f"/lamaran/{application.number}/dokumen/ijazah/",
        {"file": ContentFile(diploma_scan_pdf(), name="ijazah.pdf")},
        follow=True,
    )
    diploma = Document.objects.get(application=application, rule__code="ijazah")
    assert diploma.file.size == len(diploma_scan_pdf())
    assert "ijazah" in slot_html(response.content.decode(), "ijazah").lower()


def test_a_disk_that_fills_during_the_write_keeps_nothing_half_stored(
    settings: Any, tmp_path: Path
) -> None:
    location = tmp_path / "media"
    _media(settings, location, f"{__name__}.HalfWrittenStorage")
    HalfWrittenStorage.full = False
    client, application = _apply_with_a_photo()
    HalfWrittenStorage.full = True
    try:
        _assert_refused_and_nothing_half_stored(client, application, location)
    finally:
        HalfWrittenStorage.full = False
    _assert_it_saves_once_there_is_room(client, application)


@contextlib.contextmanager
def _tmpfs(directory: Path, size: str) -> Iterator[None]:
    directory.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here: {mounted.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=True)


def _fill(location: Path, leave: int) -> Path:
    """Fill the disk, then give back `leave` bytes: what a crowd of uploads leaves."""
    filler = location / "filler"
    with filler.open("wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()
    os.truncate(filler, max(filler.stat().st_size - leave, 0))
    return filler


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_a_real_full_disk_refuses_the_upload_and_keeps_nothing_half_stored(
    settings: Any, tmp_path: Path
) -> None:
    location = tmp_path / "media"
    with _tmpfs(location, "1m"):
        _media(settings, location, "django.core.files.storage.FileSystemStorage")
        client, application = _apply_with_a_photo()
        filler = _fill(location, FREE_BYTES)
        with pytest.raises(OSError) as full:
            (location / "probe").write_bytes(b"\0" * 2 * FREE_BYTES)
        assert full.value.errno == errno.ENOSPC
        (location / "probe").unlink()
        _assert_refused_and_nothing_half_stored(client, application, location)
        filler.unlink()
        _assert_it_saves_once_there_is_room(client, application)
