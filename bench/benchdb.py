"""Shared start-up for the database benchmarks: a throwaway data directory and database
(SQLite unless DATABASE_URL is given), Django set up and migrated; a throwaway PostgreSQL
cluster (scripts/throwaway-postgres); and a bulk loader for a million rows."""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
THROWAWAY_POSTGRES = ROOT / "scripts" / "throwaway-postgres"


def setup_django(prefix: str) -> Path:
    """The data directory (made here, under the system's temporary directory) once Django is
    set up and the database migrated."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.setdefault("SELEKSI_DATA_DIR", str(workdir))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seleksi.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return workdir


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """The DATABASE_URL of a new PostgreSQL cluster, stopped and removed afterwards."""
    environment = dict(os.environ, PYTHON=sys.executable)
    # Fixed words and our own script; the directory passed back is one the script made.
    started = subprocess.run(  # noqa: S603
        [str(THROWAWAY_POSTGRES), "start"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        raise SystemExit(f"could not start PostgreSQL:\n{started.stderr}")
    values = dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)
    try:
        yield values["DATABASE_URL"]
    finally:
        subprocess.run(  # noqa: S603
            [str(THROWAWAY_POSTGRES), "stop", values["PG_TMP"]],
            env=environment,
            capture_output=True,
            check=False,
        )


def bulk_load(
    model: Any,
    names: Sequence[str],
    rows: Iterable[Sequence[object]],
    fixed: dict[str, object] | None = None,
) -> None:
    """Insert `rows`, the values of the fields `names` (attnames, e.g. "applicant_id"; plain
    str, int, bool or None), with the fields in `fixed` at those values and every other column
    at its default (now for auto_now fields), bypassing the ORM: the varying columns go into a
    temporary table (COPY on PostgreSQL, executemany elsewhere), then one INSERT ... SELECT adds
    the rest. Primary keys given here leave the sequence behind: `reset_sequences` after."""
    from django.db import connection
    from django.utils import timezone

    fixed = fixed or {}
    now = timezone.now()
    meta = model._meta
    by_attname = {field.attname: field for field in meta.concrete_fields}
    varying = [by_attname[name] for name in names]
    others = [
        field
        for field in meta.concrete_fields
        if field not in varying and not (field.primary_key and field.name not in fixed)
    ]

    def value(field: Any) -> object:
        if field.name in fixed:
            chosen = fixed[field.name]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            chosen = now
        else:
            chosen = field.get_default()
        return field.get_db_prep_save(chosen, connection)

    # Table and column names come from the model, values go as parameters.
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    loaded = ", ".join(quote(field.column) for field in varying)
    columns = ", ".join(quote(field.column) for field in [*varying, *others])
    postgres = connection.vendor == "postgresql"
    selected = ", ".join(
        [
            loaded,
            *(f"%s::{field.cast_db_type(connection)}" if postgres else "%s" for field in others),
        ]
    )
    placeholders = ", ".join(["%s"] * len(varying))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_load")
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_load AS SELECT {loaded} FROM {table} WHERE 1 = 0"  # noqa: S608
        )
        if postgres:
            with cursor.cursor.copy(f"COPY bench_load ({loaded}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO bench_load VALUES ({placeholders})", rows)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {selected} FROM bench_load",  # noqa: S608
            [value(field) for field in others],
        )
        cursor.execute("DROP TABLE bench_load")


def reset_sequences(*models: Any) -> None:
    """Point the primary key sequences past the rows loaded with their own keys."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)
