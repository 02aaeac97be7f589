"""Objection evidence on a full disk: the objection is not filed, the applicant is told why
and to try again later, and no part of the evidence stays on the disk. The upload slots'
case, with a real full disk too, is tests/ops/test_faults_disk.py."""

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.html import escape

from seleksi.applications.storage import FileNotStored
from seleksi.verification.models import Objection
from tests.applications.test_files import letter_pdf
from tests.ops.test_faults_disk import HalfWrittenStorage
from tests.verification.conftest import Scene
from tests.verification.test_pages import published_with_diploma_refused, signed_in


def test_evidence_that_does_not_fit_on_the_disk_files_no_objection(
    scene: Scene, settings: Any, tmp_path: Path
) -> None:
    application = published_with_diploma_refused(scene)
    location = tmp_path / "full"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.ops.test_faults_disk.HalfWrittenStorage",
            "OPTIONS": {"location": location},
        },
    }
    HalfWrittenStorage.full = True
    evidence = SimpleUploadedFile("akreditasi.pdf", letter_pdf(), "application/pdf")
    try:
        response = signed_in(application.applicant).post(
            f"/lamaran/{application.number}/sanggah/",
            {"reason": "Ijazah saya sesuai; lihat lampiran akreditasi.", "evidence": evidence},
            follow=True,
        )
    finally:
        HalfWrittenStorage.full = False
    assert response.status_code == 200
    with translation.override("id"):
        assert escape(FileNotStored("not_stored").message) in response.content.decode()
    assert not Objection.objects.exists()
    assert not [path for path in location.rglob("*") if path.is_file()]
    assert 'id="objection-form"' in response.content.decode()  # it may be filed again
