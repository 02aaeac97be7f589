"""Verification writes that must hold under failure: the list of TMS reasons, objection
evidence that is not saved, and the names evidence is stored under. (Races between threads
are in test_threads.py: this module's scene holds a transaction open for the whole module.)"""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from seleksi.verification import services
from seleksi.verification.models import Objection, ObjectionEvidence, RejectionReason
from tests.applications.test_files import letter_pdf, pas_foto
from tests.verification.conftest import Scene
from tests.verification.test_services import REASON, object_to, publish, refused

CaptureOnCommit = Any


@pytest.fixture
def published(scene: Scene, django_capture_on_commit_callbacks: CaptureOnCommit) -> Scene:
    publish(scene, django_capture_on_commit_callbacks, tms=(0,))
    return scene


def media_files(tmp_path: Path) -> set[Path]:
    return {path for path in (tmp_path / "media").rglob("*") if path.is_file()}


@pytest.mark.parametrize("client_name", ["..\\..\\evil.html", "bukti.pdf.html", "bukti"])
def test_evidence_is_stored_under_the_extension_of_its_content(
    published: Scene, client_name: str
) -> None:
    files = (
        SimpleUploadedFile(client_name, letter_pdf()),
        SimpleUploadedFile(client_name, pas_foto()),
    )
    objection = object_to(published.refreshed(0), files=files)
    pdf, jpeg = ObjectionEvidence.objects.filter(objection=objection).order_by("id")
    assert pdf.file.name.endswith(".pdf") and jpeg.file.name.endswith(".jpg")
    for evidence in (pdf, jpeg):
        assert ".html" not in evidence.file.name and "evil" not in evidence.file.name
        assert "\\" not in evidence.original_name and "/" not in evidence.original_name
    if client_name.startswith(".."):
        assert pdf.original_name == "evil.html"  # shown as typed, minus the folders


def test_an_objection_that_is_not_saved_leaves_no_evidence_file(
    published: Scene, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = media_files(tmp_path)

    def audit_fails(**_kwargs: Any) -> None:
        raise RuntimeError("the database went away after the evidence was written")

    monkeypatch.setattr(services, "audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        object_to(published.refreshed(0), files=(SimpleUploadedFile("a.pdf", letter_pdf()),))
    assert media_files(tmp_path) == before
    assert not Objection.objects.exists() and not ObjectionEvidence.objects.exists()


def test_a_refused_objection_writes_no_evidence_at_all(published: Scene, tmp_path: Path) -> None:
    before = media_files(tmp_path)
    evidence = (SimpleUploadedFile("a.pdf", letter_pdf()),)
    with refused("reason_too_short"):
        object_to(published.refreshed(0), reason="Salah.", files=evidence)
    assert media_files(tmp_path) == before
    object_to(published.refreshed(0), reason=REASON, files=evidence)
    assert len(media_files(tmp_path) - before) == 1


def test_the_reasons_made_once_are_not_made_again_and_keep_the_committees_edits(
    scene: Scene,
) -> None:
    services.reasons_ensure(scene.selection)
    RejectionReason.objects.filter(selection=scene.selection, code="ipk").delete()
    RejectionReason.objects.create(selection=scene.selection, code="khusus", text="Khusus")
    services.reasons_ensure(scene.selection)
    codes = set(
        RejectionReason.objects.filter(selection=scene.selection).values_list("code", flat=True)
    )
    assert "ipk" not in codes and "khusus" in codes
