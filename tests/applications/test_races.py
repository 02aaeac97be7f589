"""Two requests on one application at once, uploads that do not commit, and stored names.

The stale copies below are what a second browser tab or a double-clicked button holds: the
row as it was when the request began, not as it is when the request writes.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from seleksi.accounts.models import User
from seleksi.applications import services
from seleksi.applications.models import Application, Document
from seleksi.applications.storage import display_name
from seleksi.audit.models import AuditEvent
from seleksi.selections.models import DocumentRule
from tests.applications.test_applications import formation, person
from tests.applications.test_files import diploma_scan_pdf, ktp_scan, letter_pdf, pas_foto
from tests.concurrency import at_once

pytestmark = pytest.mark.usefixtures("demo")

STATEMENTS = ["not_asn", "no_conviction", "not_in_party", "willing_10_years"]
FILES = {
    "ktp": ktp_scan,
    "pas-foto": pas_foto,
    "surat-lamaran": letter_pdf,
    "ijazah": diploma_scan_pdf,
    "transkrip": letter_pdf,
    "dokumen-pendukung": letter_pdf,
}


def stored_files() -> set[Path]:
    root = Path(django_settings.STORAGES["default"]["OPTIONS"]["location"])
    return {path for path in root.rglob("*") if path.is_file()}


def upload(application: Application, slot: str, content: bytes, name: str) -> Document | None:
    rule = DocumentRule.objects.get(selection=application.selection, code=slot)
    outcome = services.document_upload(
        application=application,
        rule=rule,
        upload=SimpleUploadedFile(name, content),
        user=application.applicant,
    )
    return outcome.document


def ready_draft() -> Application:
    """A draft with every document, ready to be submitted or withdrawn."""
    application = services.application_start(
        user=person(), formation=formation("Pranata Komputer Ahli Pertama"), statements=STATEMENTS
    )
    for slot, content in FILES.items():
        assert upload(application, slot, content(), f"{slot}.bin") is not None
    return Application.objects.get(pk=application.pk)


def refusal(action: Callable[[], object]) -> str:
    with pytest.raises(services.ApplicationRefused) as refused:
        action()
    return refused.value.code


def test_withdrawing_with_a_stale_draft_keeps_the_submission_that_won() -> None:
    application = ready_draft()
    user = application.applicant
    stale = Application.objects.get(pk=application.pk)
    services.application_submit(application=application, user=user)
    assert refusal(lambda: services.application_cancel(application=stale, user=user)) == (
        "already_submitted"
    )
    kept = Application.objects.get(pk=application.pk)
    assert kept.status == Application.Status.SUBMITTED and kept.documents.count() == len(FILES)
    assert not AuditEvent.objects.filter(action="application.cancelled").exists()


def test_submitting_with_a_stale_draft_after_the_withdrawal_is_a_clear_refusal() -> None:
    application = ready_draft()
    user = application.applicant
    stale = Application.objects.get(pk=application.pk)
    services.application_cancel(application=application, user=user)
    assert refusal(lambda: services.application_submit(application=stale, user=user)) == (
        "withdrawn"
    )
    assert refusal(lambda: upload(stale, "ktp", ktp_scan(), "ktp.jpg")) == "withdrawn"
    assert not Application.objects.filter(pk=application.pk).exists()
    assert not AuditEvent.objects.filter(action="application.submitted").exists()


def race(*actions: Callable[[], object]) -> list[str]:
    """Run the actions at once; each answers "ok" or its refusal."""
    return [
        outcome.code
        if isinstance(outcome, services.ApplicationRefused)
        else f"error: {outcome!r}"
        if isinstance(outcome, Exception)
        else "ok"
        for outcome in at_once(*actions)
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_withdrawal_and_submission_of_one_application_never_both_succeed() -> None:
    for _round in range(3):
        application = ready_draft()
        user: User = application.applicant
        for_submit = Application.objects.get(pk=application.pk)
        for_cancel = Application.objects.get(pk=application.pk)
        outcomes = race(
            lambda: services.application_submit(application=for_submit, user=user),  # noqa: B023
            lambda: services.application_cancel(application=for_cancel, user=user),  # noqa: B023
        )
        assert sorted(outcomes) in (["already_submitted", "ok"], ["ok", "withdrawn"]), outcomes
        row = Application.objects.filter(pk=application.pk).first()
        events = set(
            AuditEvent.objects.filter(subject_id=str(application.pk)).values_list(
                "action", flat=True
            )
        )
        if outcomes[0] == "ok":
            assert row is not None and row.status == Application.Status.SUBMITTED
            assert "application.submitted" in events and "application.cancelled" not in events
        else:
            assert row is None
            assert "application.cancelled" in events and "application.submitted" not in events
        Application.objects.filter(applicant=user).delete()  # the next round starts afresh


def test_a_failed_upload_transaction_leaves_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    application = ready_draft()
    before = stored_files()
    kept = Document.objects.get(application=application, rule__code="ijazah")

    def audit_fails(**_kwargs: Any) -> None:
        raise RuntimeError("the database went away after the file was written")

    monkeypatch.setattr(services, "audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        upload(application, "ijazah", diploma_scan_pdf(), "ijazah-baru.pdf")
    assert stored_files() == before
    assert Document.objects.get(pk=kept.pk).file.name == kept.file.name  # the old one stays


def test_an_upload_refused_inside_the_lock_leaves_no_file() -> None:
    application = ready_draft()
    stale = Application.objects.get(pk=application.pk)
    services.application_submit(application=application, user=application.applicant)
    before = stored_files()
    assert refusal(lambda: upload(stale, "ktp", ktp_scan(), "ktp.jpg")) == "already_submitted"
    assert stored_files() == before


def test_an_upload_cannot_join_a_callers_transaction_that_may_roll_back() -> None:
    application = ready_draft()
    before = stored_files()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        upload(application, "ijazah", diploma_scan_pdf(), "ijazah.pdf")
        raise RuntimeError("rolled back by the caller")
    assert stored_files() == before


@pytest.mark.parametrize(
    "client_name", ["..\\..\\evil.html", "../../evil.html", "ijazah.pdf.html", "ijazah"]
)
def test_a_stored_file_takes_the_extension_of_its_content(client_name: str) -> None:
    application = services.application_start(
        user=person(), formation=formation("Pranata Komputer Ahli Pertama"), statements=STATEMENTS
    )
    document = upload(application, "ijazah", diploma_scan_pdf(), client_name)
    assert document is not None
    assert document.file.name.endswith(".pdf") and ".html" not in document.file.name
    assert "evil" not in document.file.name and ".." not in document.file.name
    assert "/" not in document.original_name and "\\" not in document.original_name
    photo = upload(application, "pas-foto", pas_foto(), client_name)
    assert photo is not None and photo.file.name.endswith(".jpg")


def test_the_name_shown_is_the_last_part_without_control_characters() -> None:
    assert display_name("..\\..\\evil.html", "ijazah") == "evil.html"
    assert display_name("C:\\Users\\Ani\\ijazah s1.pdf", "ijazah") == "ijazah s1.pdf"
    assert display_name("a\x00b\u202eltr.pdf", "ijazah") == "abltr.pdf"
    assert display_name("../..", "ijazah") == "ijazah"
    assert display_name(None, "ijazah") == "ijazah"
    assert len(display_name("x" * 400 + ".pdf", "ijazah")) == 255
