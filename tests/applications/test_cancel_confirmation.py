"""Withdrawing a draft deletes it and its uploads, so it is asked first and only done with
`confirmed=1`."""

import pytest
from django.core.files.storage import default_storage

from seleksi.applications.models import Application, Document
from seleksi.audit.models import AuditEvent
from tests.accounts.helpers import signed_in
from tests.applications.test_applications import (
    formation,
    person,
    start,
    upload,
    upload_everything,
)
from tests.applications.test_files import ktp_scan, letter_pdf

pytestmark = pytest.mark.usefixtures("demo")


def test_a_post_without_confirmation_deletes_nothing_and_says_what_would_go() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    upload(client, application, "ktp", ktp_scan(), "ktp.jpg")
    upload(client, application, "surat-lamaran", letter_pdf(), "lamaran.pdf")
    url = f"/lamaran/{application.number}/batalkan/"
    for response in (client.post(url), client.post(url, {"confirmed": "yes"}), client.get(url)):
        assert response.status_code == 200
        html = response.content.decode()
        assert (
            "Lamaran draf ini dan 2 dokumen yang sudah diunggah akan dihapus. "
            "Tindakan ini tidak dapat dibatalkan." in html
        )
        assert "ktp.jpg" in html and "lamaran.pdf" in html
        assert 'name="confirmed" value="1"' in html
    assert Application.objects.filter(pk=application.pk).exists()
    assert Document.objects.filter(application=application).count() == 2
    assert not AuditEvent.objects.filter(action="application.cancelled").exists()


def test_confirming_deletes_the_draft_and_its_files() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    upload(client, application, "ktp", ktp_scan(), "ktp.jpg")
    stored = Document.objects.get().file.name
    assert default_storage.exists(stored)
    response = client.post(f"/lamaran/{application.number}/batalkan/", {"confirmed": "1"})
    assert response.status_code == 302
    assert not Application.objects.filter(pk=application.pk).exists()
    assert not Document.objects.exists()
    assert not default_storage.exists(stored)
    assert AuditEvent.objects.filter(action="application.cancelled").count() == 1


def test_a_draft_without_uploads_is_asked_about_too() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    html = client.post(f"/lamaran/{application.number}/batalkan/").content.decode()
    assert "Lamaran draf ini akan dihapus (belum ada dokumen yang diunggah)." in html
    assert Application.objects.filter(pk=application.pk).exists()


def test_nobody_else_is_asked_about_or_deletes_my_draft() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    other = signed_in(person("pelamar.guru@demo.seleksi.invalid"))
    url = f"/lamaran/{application.number}/batalkan/"
    assert other.get(url).status_code == 404
    assert other.post(url, {"confirmed": "1"}).status_code == 404
    assert Application.objects.filter(pk=application.pk).exists()


def test_a_submitted_application_is_never_offered_for_deletion() -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    upload_everything(client, application)
    client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    url = f"/lamaran/{application.number}/batalkan/"
    for response in (client.get(url), client.post(url, {"confirmed": "1"})):
        assert response.status_code == 302
        assert response["Location"] == f"/lamaran/{application.number}/"
    assert Application.objects.get(pk=application.pk).is_submitted
    assert Document.objects.count() == 6
