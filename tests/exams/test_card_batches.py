"""A stage's exam cards as one ZIP, made by the task worker: the request, the task, its
progress, failures and a second run."""

import io
import logging
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.exams import tasks
from seleksi.exams.models import Booking, CardBatch
from seleksi.exams.services import ExamsRefused, booking_move, card_batch_request
from tests.exams.card_scene import give_photo, pdf_text, seated_scene
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db


def zip_of(batch: CardBatch) -> zipfile.ZipFile:
    with default_storage.open(batch.archive.name, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def test_the_task_makes_a_zip_with_one_valid_pdf_per_booking(
    media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    scene = seated_scene(participants=5, capacities=(2, 3))
    give_photo(scene.applications[1])
    with django_capture_on_commit_callbacks(execute=True):
        batch = card_batch_request(selection=scene.selection, stage="skd", actor=scene.committee)
    batch.refresh_from_db()
    assert batch.status == CardBatch.Status.DONE
    assert batch.total == batch.done == 5
    assert batch.finished_at is not None
    archive = zip_of(batch)
    assert archive.namelist() == [f"P0000{n}.pdf" for n in range(1, 6)]
    for name in archive.namelist():
        content = archive.read(name)
        assert len(PdfReader(io.BytesIO(content)).pages) == 1
        assert name.removesuffix(".pdf") in pdf_text(content)


def test_the_request_is_audited_without_personal_data(
    media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    scene = seated_scene()
    with django_capture_on_commit_callbacks(execute=True):
        batch = card_batch_request(selection=scene.selection, stage="skd", actor=scene.committee)
    event = AuditEvent.objects.get(action="exams.cards_requested")
    assert event.actor == scene.committee
    assert event.details == {"stage": "skd", "batch": batch.pk, "cards": 4}


def test_the_task_is_enqueued_only_when_the_request_commits(media: Path) -> None:
    scene = seated_scene()
    batch = card_batch_request(selection=scene.selection, stage="skd", actor=scene.committee)
    batch.refresh_from_db()
    assert batch.status == CardBatch.Status.QUEUED and batch.done == 0


def test_a_stage_without_bookings_is_refused(media: Path) -> None:
    scene = seated_scene()
    with pytest.raises(ExamsRefused) as refused:
        card_batch_request(selection=scene.selection, stage="skb", actor=scene.committee)
    assert refused.value.code == "no_bookings"
    assert not CardBatch.objects.exists()


@pytest.mark.parametrize("who", ["verifier", "site_staff", "stranger", "applicant"])
def test_only_the_agencys_test_managers_may_ask_for_cards(media: Path, who: str) -> None:
    scene = seated_scene()
    actor = {
        "verifier": lambda: make_staff("verifikator-kartu", scene.selection.agency, Role.VERIFIER),
        "site_staff": lambda: scene.site_staff,
        "stranger": lambda: make_staff("panitia-lain", make_agency("lain"), Role.COMMITTEE),
        "applicant": lambda: scene.applications[0].applicant,
    }[who]()
    with pytest.raises(ExamsRefused) as refused:
        card_batch_request(selection=scene.selection, stage="skd", actor=actor)
    assert refused.value.code == "forbidden"
    assert not CardBatch.objects.exists()


def test_progress_is_saved_after_each_document(
    media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene = seated_scene(participants=5, capacities=(2, 3))
    batch = card_batch_request(selection=scene.selection, stage="skd", actor=scene.committee)
    seen: list[tuple[str, int]] = []
    real = tasks.card_pdfs

    def watched(bookings: Any, **kwargs: Any) -> Any:
        for printed in real(bookings, per_document=2, **kwargs):
            current = CardBatch.objects.get(pk=batch.pk)
            seen.append((current.status, current.done))
            yield printed

    monkeypatch.setattr(tasks, "card_pdfs", watched)
    tasks.card_batch_make.call(batch_id=batch.pk)
    assert seen == [("running", 0), ("running", 2), ("running", 4)]
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("done", 5, 5)


def test_a_batch_already_done_is_left_alone(
    media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    scene = seated_scene()
    with django_capture_on_commit_callbacks(execute=True):
        batch = card_batch_request(selection=scene.selection, stage="skd", actor=scene.committee)
    batch.refresh_from_db()
    first = batch.archive.name
    assert tasks.card_batch_make.call(batch_id=batch.pk) == "done"
    batch.refresh_from_db()
    assert batch.archive.name == first
    assert batch.done == batch.total == 4


def test_a_failure_marks_the_batch_failed_and_logs_no_personal_data(
    media: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    scene = seated_scene()
    batch = card_batch_request(selection=scene.selection, stage="skd", actor=scene.committee)
    name = scene.applications[0].applicant.full_name

    def broken(bookings: Any, **kwargs: Any) -> Any:
        raise ValueError(f"cannot print {name}")

    monkeypatch.setattr(tasks, "card_pdfs", broken)
    caplog.set_level(logging.ERROR)
    assert tasks.card_batch_make.call(batch_id=batch.pk) == "failed"
    batch.refresh_from_db()
    assert batch.status == CardBatch.Status.FAILED
    assert batch.error == "ValueError" and not batch.archive
    assert f"exam card batch {batch.pk} failed: ValueError" in caplog.text
    assert name not in caplog.text and name not in batch.error


def test_a_batch_files_the_cards_of_moved_participants_under_their_new_session(
    media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    scene = seated_scene(participants=3, capacities=(2, 3))
    booking_move(
        booking=Booking.objects.get(application=scene.applications[0]),
        session_id=scene.sessions[1].pk,
        actor=scene.committee,
        reason="Kursi di ruang 1 rusak, dipindah.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = card_batch_request(selection=scene.selection, stage="skd", actor=scene.committee)
    batch.refresh_from_db()
    archive = zip_of(batch)
    assert archive.namelist() == ["P00002.pdf", "P00001.pdf", "P00003.pdf"]
    assert "sesi-2" in pdf_text(archive.read("P00001.pdf"))
