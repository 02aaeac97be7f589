"""A backup of the whole installation (every table and the document store) and its restore.

Decisions worth knowing:

- The archive is a directory, not one file: the database is written as it is read (one JSON
  Lines file per model, in dependency order) and each document is copied on its own, so
  neither needs memory or a second copy on disk; an operator's tools (tar, rsync, age, restic)
  take a directory as it is. `manifest.json` lists every other file with its size and SHA-256,
  the Seleksi version, the database vendor, the migration state and the time. Directories are
  created 0700 and files 0600: the archive holds personal data (encrypted NIK, documents).
- Consistency: the database is read inside one transaction, REPEATABLE READ and READ ONLY on
  PostgreSQL (one snapshot); on SQLite one transaction, which keeps writers waiting while it
  runs. Documents are copied after the rows, so every document a row names is there (a
  document stored meanwhile is copied too and names no row, which is harmless).
- What is not in the dump: content types and permissions (migrate makes them; rows that point
  at them name them by natural key) and sessions (people sign in again). Reference data
  (provinces, regencies, education levels), which migrate loads into every installation, is
  dumped and replaces the rows of the empty installation on restore.
- Restore goes into an empty installation only: no row in any table it loads other than
  reference data, and none of the archive's documents in the storage. It first checks every
  checksum, that no file was added, and that the migration state is the same; then loads
  every row in one transaction (several rows per statement), copies the documents, and resets
  PostgreSQL's sequences. A refusal writes nothing; a failure after documents were copied
  removes them again.
- Nothing here logs or prints a row's content: only counts and file names.
"""

import datetime
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from django.apps import apps
from django.core import serializers
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext_lazy as _

import seleksi
from seleksi.core.errors import ServiceRefused

FORMAT: Final = "seleksi-backup/1"
MANIFEST: Final = "manifest.json"
DATABASE_DIR: Final = "database"
DOCUMENTS_DIR: Final = "documents"
SKIPPED: Final = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session"})
REPLACED_APPS: Final = frozenset({"reference"})
CHUNK: Final = 1 << 20
# Rows inserted per statement on restore (SQLite allows 32,766 parameters in one statement).
INSERT_BATCH: Final = 500


class BackupRefused(ServiceRefused):
    messages = {
        "output_not_empty": _("The backup folder %s exists and is not empty."),
        "no_manifest": _("%s is not a Seleksi backup: it has no readable manifest.json."),
        "wrong_format": _("%s is not a backup this version of Seleksi can restore."),
        "missing_file": _("The backup is damaged: the file %s is missing."),
        "unlisted_file": _("The backup was changed: the file %s is not in its manifest."),
        "bad_checksum": _("The backup is damaged: the checksum of %s does not match."),
        "migrations_differ": _(
            "The backup was made with a different database version (migrations of %s); "
            "restore it into an installation at the same version."
        ),
        "not_empty": _(
            "This installation is not empty (%s has data); restore only into an empty one."
        ),
        "document_exists": _("This installation already stores the document %s."),
    }


@dataclass(frozen=True)
class Summary:
    rows: int
    models: int
    documents: int
    document_bytes: int

    def described(self, done: str) -> str:
        """The line the commands print: what was moved, then `done` ("written to …")."""
        return (
            f"{self.rows} row(s) of {self.models} table(s) and {self.documents} "
            f"document(s) ({self.document_bytes} bytes) {done}"
        )


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def dumped_models() -> list[type[models.Model]]:
    """Every concrete model whose rows a backup holds, each after the models it refers to."""
    app_list: dict[Any, list[type[models.Model]] | None] = {
        config: None for config in apps.get_app_configs() if config.models_module is not None
    }
    ordered = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    return [
        model
        for model in ordered
        if not model._meta.proxy
        and model._meta.managed
        and _label(model) not in SKIPPED
        and model._meta.app_label not in {"contenttypes", "sessions"}
    ]


def migration_state(using: str = DEFAULT_DB_ALIAS) -> dict[str, str]:
    """The latest applied migration of each app (migration names start with their number)."""
    state: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        if name > state.get(app, ""):
            state[app] = name
    return dict(sorted(state.items()))


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def _private_file(path: Path) -> IO[bytes]:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(descriptor, "wb")


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (its own cuts them to milliseconds,
    and an audit trail or a booking order must come back exactly)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class _Counted:
    """The rows of a query, read in chunks, counted as they are read."""

    def __init__(self, rows: models.QuerySet[Any]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Any]:
        for row in self.rows.iterator(chunk_size=2000):
            self.count += 1
            yield row


class _Hashing:
    """A binary file that counts and hashes what is written to it (text in, UTF-8 out)."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: str | bytes) -> int:
        raw = data.encode() if isinstance(data, str) else data
        self.digest.update(raw)
        self.size += len(raw)
        self.target.write(raw)
        return len(data)

    def flush(self) -> None:
        self.target.flush()

    def entry(self, name: str) -> dict[str, Any]:
        return {"path": name, "size": self.size, "sha256": self.digest.hexdigest()}


def _storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from _storage_files(storage, f"{folder}/{directory}" if folder else directory)


def backup(
    output: Path, *, storage: Storage | None = None, using: str = DEFAULT_DB_ALIAS
) -> Summary:
    """Write a backup of the database and the document store into the new folder `output`."""
    storage = storage or default_storage
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BackupRefused("output_not_empty", params=str(output))
    _private_dir(output)
    _private_dir(output / DATABASE_DIR)
    _private_dir(output / DOCUMENTS_DIR)
    connection = connections[using]
    files: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        state = migration_state(using)
        for position, model in enumerate(dumped_models(), start=1):
            name = f"{DATABASE_DIR}/{position:03d}-{_label(model)}.jsonl"
            with _private_file(output / name) as raw:
                sink = _Hashing(raw)
                counted = _Counted(model._base_manager.using(using).order_by("pk"))
                serializers.serialize(
                    "jsonl",
                    counted,
                    stream=sink,
                    use_natural_foreign_keys=True,
                    cls=_ExactEncoder,
                )
            files.append(sink.entry(name))
            counts[_label(model)] = counted.count
    document_bytes = 0
    documents = 0
    for stored in _storage_files(storage):
        name = f"{DOCUMENTS_DIR}/{stored}"
        _private_dir((output / name).parent)
        with storage.open(stored, "rb") as source, _private_file(output / name) as raw:
            sink = _Hashing(raw)
            for block in iter(lambda: source.read(CHUNK), b""):
                sink.write(block)
        files.append(sink.entry(name))
        documents += 1
        document_bytes += sink.size
    manifest = {
        "format": FORMAT,
        "seleksi_version": seleksi.__version__,
        "database_vendor": connection.vendor,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "migrations": state,
        "rows": counts,
        "files": files,
    }
    with _private_file(output / MANIFEST) as raw:
        raw.write(json.dumps(manifest, indent=1, sort_keys=True).encode())
    return Summary(sum(counts.values()), len(counts), documents, document_bytes)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def read_verified_manifest(archive: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """The archive's manifest, once every file in it has its size and checksum, no file was
    added, and the migration state is this installation's."""
    try:
        manifest: dict[str, Any] = json.loads((archive / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupRefused("no_manifest", params=str(archive)) from None
    try:
        if manifest["format"] != FORMAT or not isinstance(manifest["migrations"], dict):
            raise KeyError("format")
        listed = {str(entry["path"]): entry for entry in manifest["files"]}
        manifest["rows"] = dict(manifest["rows"])
    except (KeyError, TypeError, ValueError):
        raise BackupRefused("wrong_format", params=str(archive)) from None
    for name, entry in sorted(listed.items()):
        path = archive / name
        if Path(name).is_absolute() or ".." in Path(name).parts or not path.is_file():
            raise BackupRefused("missing_file", params=name)
        if path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            raise BackupRefused("bad_checksum", params=name)
    present = {
        path.relative_to(archive).as_posix() for path in archive.rglob("*") if path.is_file()
    }
    unlisted = sorted(present - listed.keys() - {MANIFEST})
    if unlisted:
        raise BackupRefused("unlisted_file", params=unlisted[0])
    ours = migration_state(using)
    theirs = manifest["migrations"]
    differing = sorted(
        app for app in ours.keys() | theirs.keys() if ours.get(app) != theirs.get(app)
    )
    if differing:
        raise BackupRefused("migrations_differ", params=", ".join(differing))
    return manifest


def _refuse_unless_empty(using: str) -> None:
    for model in dumped_models():
        if model._meta.app_label in REPLACED_APPS:
            continue
        if model._base_manager.using(using).exists():
            raise BackupRefused("not_empty", params=str(model._meta.verbose_name_plural))


def restore(
    archive: Path, *, storage: Storage | None = None, using: str = DEFAULT_DB_ALIAS
) -> Summary:
    """Load a verified backup into this empty installation: every row, then every document."""
    storage = storage or default_storage
    manifest = read_verified_manifest(archive, using)
    _refuse_unless_empty(using)
    documents = [
        entry for entry in manifest["files"] if entry["path"].startswith(f"{DOCUMENTS_DIR}/")
    ]
    for entry in documents:
        stored = entry["path"].removeprefix(f"{DOCUMENTS_DIR}/")
        if storage.exists(stored):
            raise BackupRefused("document_exists", params=stored)
    copied: list[str] = []
    try:
        with transaction.atomic(using=using):
            rows = _load_rows(archive, manifest, using)
            for entry in documents:
                stored = entry["path"].removeprefix(f"{DOCUMENTS_DIR}/")
                with (archive / entry["path"]).open("rb") as source:
                    saved = storage.save(stored, File(source))
                copied.append(saved)
                if saved != stored:
                    raise BackupRefused("document_exists", params=stored)
    except BaseException:
        for saved in copied:
            storage.delete(saved)
        raise
    return Summary(
        rows, len(manifest["rows"]), len(documents), sum(entry["size"] for entry in documents)
    )


def _load_rows(archive: Path, manifest: dict[str, Any], using: str) -> int:
    connection = connections[using]
    rows = 0
    loaded: set[type[models.Model]] = set()
    for config in apps.get_app_configs():
        if config.label in REPLACED_APPS:
            for model in reversed(list(config.get_models())):
                model._base_manager.using(using).all().delete()
    deferred = []
    with connection.constraint_checks_disabled():
        for entry in manifest["files"]:
            if not entry["path"].startswith(f"{DATABASE_DIR}/"):
                continue
            batch: list[models.Model] = []
            with (archive / entry["path"]).open(encoding="utf-8") as source:
                for item in serializers.deserialize(
                    "jsonl", source, using=using, handle_forward_references=True
                ):
                    model = type(item.object)
                    loaded.add(model)
                    rows += 1
                    if item.m2m_data or item.deferred_fields or model._meta.parents:
                        # many-to-many links, forward references and inherited models need
                        # the model's own save; keep the file's order around them
                        _insert(batch, using)
                        item.save(using=using, force_insert=True)
                        if item.deferred_fields:
                            deferred.append(item)
                        continue
                    batch.append(item.object)
                    if len(batch) >= INSERT_BATCH:
                        _insert(batch, using)
            _insert(batch, using)
        for item in deferred:
            item.save_deferred_fields(using=using)
    connection.check_constraints(table_names=[model._meta.db_table for model in loaded])
    statements = connection.ops.sequence_reset_sql(no_style(), list(loaded))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    return rows


def _insert(batch: list[models.Model], using: str) -> None:
    """Insert a run of one model's rows (one file holds one model), several per statement.

    A raw insert, as the serializer's own save makes: the values are stored as dumped, so an
    `auto_now_add` time keeps its moment instead of becoming the time of the restore
    (`bulk_create` would set it anew).
    """
    if not batch:
        return
    model = type(batch[0])
    fields = [field for field in model._meta.local_concrete_fields if not field.generated]
    size = max(connections[using].ops.bulk_batch_size(fields, batch), 1)
    manager = model._base_manager.using(using)
    for start in range(0, len(batch), size):
        # QuerySet._insert is what Model.save_base(raw=True) calls; django-stubs omit it
        manager._insert(  # type: ignore[attr-defined]
            batch[start : start + size], fields=fields, using=using, raw=True
        )
    batch.clear()
