"""Benchmark: `seleksi backup` and `seleksi restore` of a large audit trail, beside bounds
measured in the same run.

Loads `--rows` audit events (the table that grows fastest: one row per decision) into a
throwaway database, bulk and untimed, then times:

- backup: the whole `backup()` (one snapshot, one JSON Lines file per table, the manifest with
  every file's SHA-256);
- restore: the database emptied as `migrate` leaves it, then the whole `restore()` (checksums,
  migration state, rows inserted several per statement, constraint check, sequences);
- bound for the backup: the same rows read with one cursor, no serializing (what the database
  itself needs to hand them over);
- bound for the restore: the same rows put back by the bulk loader of the benchmarks (COPY on
  PostgreSQL, executemany on SQLite), with no parsing: what the database itself needs.

Prints figures and ratios; asserts nothing about time.

    .venv/bin/python bench/backup.py [--rows 200000]
    .venv/bin/python bench/backup.py --postgres
"""

import argparse
import os
import shutil
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from benchdb import bulk_load, reset_sequences, setup_django, throwaway_postgres


def _events(count: int) -> list[tuple[object, ...]]:
    return [
        (
            number,
            "application.submitted" if number % 3 else "verification.decided",
            "applicant",
            "applications.application",
            str(number),
            f"Lamaran {number:08d}",
        )
        for number in range(1, count + 1)
    ]


EVENT_FIELDS = ["id", "action", "actor_role", "subject_type", "subject_id", "subject_label"]


def _empty() -> None:
    """Every table but the ones migrate fills, as an installation before its restore."""
    from django.core.management.color import no_style
    from django.db import connection

    from seleksi.core.backup import dumped_models

    kept = {"django_content_type", "auth_permission", "django_migrations"} | {
        model._meta.db_table for model in dumped_models() if model._meta.app_label == "reference"
    }
    tables = [
        table
        for table in connection.introspection.django_table_names(only_existing=True)
        if table not in kept
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(no_style(), tables):
            cursor.execute(statement)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster")
    options = parser.parse_args()

    with ExitStack() as stack:
        if options.postgres:
            os.environ["DATABASE_URL"] = stack.enter_context(throwaway_postgres())
        workdir = setup_django("seleksi-bench-backup-")
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        media = Path(tempfile.mkdtemp(prefix="seleksi-bench-media-"))
        stack.callback(shutil.rmtree, media, ignore_errors=True)

        from django.core.files.storage import FileSystemStorage
        from django.db import connection

        from seleksi.audit.models import AuditEvent
        from seleksi.core.backup import backup, restore

        storage = FileSystemStorage(location=media)
        rows = _events(options.rows)
        bulk_load(AuditEvent, EVENT_FIELDS, rows)
        reset_sequences(AuditEvent)

        archive = workdir / "backup"
        started = time.perf_counter()
        summary = backup(archive, storage=storage)
        backup_seconds = time.perf_counter() - started
        written = sum(path.stat().st_size for path in archive.rglob("*") if path.is_file())

        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM audit_auditevent")
            fetched = len(cursor.fetchall())
        read_seconds = time.perf_counter() - started
        if fetched != options.rows:
            raise SystemExit("the read did not return every event")

        _empty()
        started = time.perf_counter()
        restored = restore(archive, storage=storage)
        restore_seconds = time.perf_counter() - started
        if AuditEvent.objects.count() != options.rows:
            raise SystemExit("the restore did not bring back every event")

        _empty()
        started = time.perf_counter()
        bulk_load(AuditEvent, EVENT_FIELDS, rows)
        bound_seconds = time.perf_counter() - started

        print(
            f"{connection.vendor}: {options.rows:,} audit events, "
            f"{summary.rows:,} rows in all, {written / 1e6:.1f} MB written"
        )
        print(
            f"  backup        {backup_seconds:7.2f} s  "
            f"{summary.rows / backup_seconds:10,.0f} rows/s"
        )
        print(
            f"  bound: the same rows read by one cursor {read_seconds:7.2f} s "
            f"(backup is {backup_seconds / read_seconds:.1f}x)"
        )
        print(
            f"  restore       {restore_seconds:7.2f} s  "
            f"{restored.rows / restore_seconds:10,.0f} rows/s"
        )
        print(
            f"  bound: the same rows bulk loaded {bound_seconds:7.2f} s "
            f"(restore is {restore_seconds / bound_seconds:.1f}x)"
        )


if __name__ == "__main__":
    main()
