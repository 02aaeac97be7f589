"""Shared start-up for the database benchmarks: a throwaway data directory and database
(SQLite unless DATABASE_URL is given), Django set up and migrated."""

import os
import sys
import tempfile
from pathlib import Path


def setup_django(prefix: str) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.setdefault("SELEKSI_DATA_DIR", str(workdir))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seleksi.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
