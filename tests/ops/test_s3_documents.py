"""Documents on a real S3-compatible server (SeaweedFS): stored, read back, never overwritten,
and carried through a backup and a restore."""

from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from seleksi.applications.models import Document
from tests.ops.test_backup import empty_installation, loaded_installation, row_counts
from tests.s3server import S3Server, s3_server  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a scanned identity card\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"


@pytest.fixture
def bucket(settings: Any, s3_server: S3Server) -> Any:  # noqa: F811 - the fixture
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_server.storage_options(),
        },
    }
    options = s3_server.storage_options()
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
    )
    yield client, s3_server.bucket
    listed = client.list_objects_v2(Bucket=s3_server.bucket).get("Contents", [])
    for item in listed:
        client.delete_object(Bucket=s3_server.bucket, Key=item["Key"])


def _keys(client: Any, name: str) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])]


def _document() -> Document:
    return loaded_installation(PDF, "ktp.pdf")


def test_an_uploaded_document_is_an_object_in_the_bucket_and_reads_back(bucket) -> None:
    client, name = bucket
    document = _document()

    assert _keys(client, name) == [document.file.name]
    stored = client.get_object(Bucket=name, Key=document.file.name)["Body"].read()
    assert stored == PDF
    with Document.objects.get(pk=document.pk).file.open("rb") as again:
        assert again.read() == PDF


def test_a_second_file_of_the_same_name_gets_its_own_object(bucket) -> None:
    client, name = bucket
    first = default_storage.save("documents/ijazah.pdf", ContentFile(b"first"))
    second = default_storage.save("documents/ijazah.pdf", ContentFile(b"second"))

    assert first != second
    assert sorted(_keys(client, name)) == sorted([first, second])
    with default_storage.open(first, "rb") as kept:
        assert kept.read() == b"first"


def test_a_backup_of_an_s3_store_restores_every_document_into_an_empty_bucket(
    bucket, tmp_path: Path
) -> None:
    client, name = bucket
    document = _document()
    before = row_counts()
    archive = tmp_path / "backup"
    call_command("backup", output=archive)
    assert (archive / "documents" / document.file.name).read_bytes() == PDF

    media = tmp_path / "media"
    media.mkdir()
    empty_installation(media)  # the database as migrate leaves it
    client.delete_object(Bucket=name, Key=document.file.name)
    assert _keys(client, name) == []

    call_command("restore", str(archive))

    assert row_counts() == before
    assert _keys(client, name) == [document.file.name]
    with Document.objects.get(pk=document.pk).file.open("rb") as again:
        assert again.read() == PDF


def test_a_bucket_that_refuses_the_file_is_a_refusal_and_nothing_is_recorded(
    s3_server: S3Server,  # noqa: F811 - the fixture
) -> None:
    from storages.backends.s3 import S3Storage

    from seleksi.applications.storage import FileNotStored, stored_files

    missing = S3Storage(**{**s3_server.storage_options(), "bucket_name": "no-such-bucket"})
    with pytest.raises(FileNotStored) as refused, stored_files(missing) as store:
        store("documents/1/scan.pdf", PDF)
        Document.objects.create()  # never reached: the store refused first
    assert refused.value.code == "not_stored"
    assert not Document.objects.exists()
