"""`seleksi backup` and `seleksi restore`: a round trip brings every row and document back; a
damaged backup, another migration state or a non-empty installation is refused untouched.

The "empty installation" is this test database with every table emptied except what migrate
makes (content types, permissions, reference data), inside the test's transaction."""

import hashlib
import json
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection
from django.utils import translation

from seleksi.accounts.models import User
from seleksi.agencies.models import Agency, Membership
from seleksi.applications.models import Application, Document
from seleksi.audit.models import AuditEvent
from seleksi.core.backup import BackupRefused, backup, dumped_models, restore
from seleksi.scoring.demo import demo_scores_load
from seleksi.scoring.models import RankingRun
from seleksi.selections.demo import demo_load
from seleksi.selections.models import DocumentRule
from tests.factories import make_agency

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a scanned diploma\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
KEPT_TABLES = {"django_content_type", "auth_permission", "django_migrations"}


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    return location


def loaded_installation(content: bytes = PDF, name: str = "ijazah.pdf") -> Document:
    """Accounts with an encrypted NIK, applications, reviews, scores, two ranking runs, audit
    rows, and one uploaded document (in the default storage)."""
    demo_load()
    demo_scores_load()
    application = Application.objects.order_by("pk").first()
    assert application is not None
    rule = DocumentRule.objects.filter(selection=application.selection).order_by("pk").first()
    assert rule is not None
    return Document.objects.create(
        application=application,
        rule=rule,
        file=ContentFile(content, name=name),
        original_name=name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


@pytest.fixture
def installation(media: Path) -> Document:
    return loaded_installation()


def row_counts() -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.count() for model in dumped_models()}


def empty_installation(media: Path) -> None:
    """What migrate leaves: content types, permissions and reference data; no documents."""
    reference = {
        model._meta.db_table for model in dumped_models() if model._meta.app_label == "reference"
    }
    tables = [
        table
        for table in connection.introspection.django_table_names(only_existing=True)
        if table not in KEPT_TABLES | reference
    ]
    connection.check_constraints()  # PostgreSQL truncates no table with pending FK checks
    with connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables):
            cursor.execute(statement)
    shutil.rmtree(media)


def test_restore_into_an_empty_installation_brings_back_every_row_and_document(
    installation: Document, media: Path, tmp_path: Path
) -> None:
    before = row_counts()
    applicant = User.objects.exclude(nik_cipher="").order_by("pk").first()
    assert applicant is not None
    run = RankingRun.objects.order_by("pk").last()
    assert run is not None
    first_event = AuditEvent.objects.order_by("pk").first()
    assert first_event is not None
    assert before["audit.auditevent"] > 0 and before["scoring.score"] > 0
    membership_times = dict(Membership.objects.values_list("pk", "created_at"))  # auto_now_add
    assert membership_times

    archive = tmp_path / "backup"
    call_command("backup", output=archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o700
    manifest = json.loads((archive / "manifest.json").read_text())
    assert stat.S_IMODE((archive / "manifest.json").stat().st_mode) == 0o600
    assert manifest["database_vendor"] == connection.vendor
    assert (
        manifest["migrations"]["applications"]
        and manifest["rows"]["accounts.user"] == before["accounts.user"]
    )
    assert any(
        entry["path"] == f"documents/{installation.file.name}" for entry in manifest["files"]
    )
    assert applicant.nik not in "".join(
        path.read_text() for path in (archive / "database").iterdir()
    )

    empty_installation(media)
    assert row_counts()["accounts.user"] == 0
    call_command("restore", str(archive))

    assert row_counts() == before
    again = User.objects.get(pk=applicant.pk)
    assert (again.nik_cipher, again.nik_hash, again.password) == (
        applicant.nik_cipher,
        applicant.nik_hash,
        applicant.password,
    )
    assert again.nik == applicant.nik
    assert RankingRun.objects.get(pk=run.pk).selection_id == run.selection_id
    event = AuditEvent.objects.get(pk=first_event.pk)
    assert (event.action, event.occurred_at) == (first_event.action, first_event.occurred_at)
    assert dict(Membership.objects.values_list("pk", "created_at")) == membership_times
    document = Document.objects.get(pk=installation.pk)
    assert document.file.name == installation.file.name
    with document.file.open("rb") as stored:
        assert stored.read() == PDF
    # a row added after the restore gets a fresh id (sequences reset on PostgreSQL)
    highest = max(Agency.objects.values_list("pk", flat=True))
    assert make_agency("pemkab-baru").pk > highest


def test_a_backup_with_one_changed_byte_is_refused_and_nothing_is_written(
    installation: Document, media: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "backup"
    backup(archive)
    empty_installation(media)
    stored = archive / "documents" / installation.file.name
    changed = bytearray(stored.read_bytes())
    changed[100] ^= 1
    stored.write_bytes(bytes(changed))

    with pytest.raises(BackupRefused) as refused:
        restore(archive)
    assert refused.value.code == "bad_checksum"
    with translation.override("id"), pytest.raises(CommandError, match=installation.file.name):
        call_command("restore", str(archive))
    assert row_counts()["accounts.user"] == 0 and row_counts()["applications.document"] == 0
    assert not media.exists() or not any(media.rglob("*.pdf"))


def test_a_changed_database_file_is_refused_too(
    installation: Document, media: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "backup"
    backup(archive)
    empty_installation(media)
    users = next((archive / "database").glob("*-accounts.user.jsonl"))
    users.write_text(users.read_text().replace('"is_superuser": false', '"is_superuser": true', 1))

    with pytest.raises(BackupRefused) as refused:
        restore(archive)
    assert refused.value.code == "bad_checksum"
    assert row_counts()["accounts.user"] == 0


def test_an_added_file_is_refused(installation: Document, media: Path, tmp_path: Path) -> None:
    archive = tmp_path / "backup"
    backup(archive)
    empty_installation(media)
    (archive / "documents" / "extra.pdf").write_bytes(PDF)

    with pytest.raises(BackupRefused) as refused:
        restore(archive)
    assert refused.value.code == "unlisted_file"


def test_a_backup_of_another_migration_state_is_refused(
    installation: Document, media: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "backup"
    backup(archive)
    empty_installation(media)
    manifest = json.loads((archive / "manifest.json").read_text())
    manifest["migrations"]["applications"] = "9999_from_the_future"
    (archive / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(BackupRefused) as refused:
        restore(archive)
    assert refused.value.code == "migrations_differ" and "applications" in refused.value.message
    assert row_counts()["accounts.user"] == 0


def test_restore_into_an_installation_with_data_is_refused(
    installation: Document, tmp_path: Path
) -> None:
    archive = tmp_path / "backup"
    backup(archive)
    before = row_counts()

    with pytest.raises(BackupRefused) as refused:
        restore(archive)
    assert refused.value.code == "not_empty"
    assert row_counts() == before


def test_backup_refuses_a_folder_that_is_not_empty(media: Path, tmp_path: Path) -> None:
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "notes.txt").write_text("mine")

    with pytest.raises(CommandError):
        call_command("backup", output=tmp_path / "backup")
    assert (tmp_path / "backup" / "notes.txt").read_text() == "mine"


def test_restore_refuses_when_the_storage_already_holds_a_document_of_the_backup(
    installation: Document, media: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "backup"
    backup(archive)
    name = installation.file.name
    empty_installation(media)
    (media / name).parent.mkdir(parents=True)
    (media / name).write_bytes(b"someone else's file")

    with pytest.raises(BackupRefused) as refused:
        restore(archive)
    assert refused.value.code == "document_exists"
    assert row_counts()["applications.document"] == 0
    assert (media / name).read_bytes() == b"someone else's file"
