"""Read replicas: which database a public page reads, and what happens when a replica fails.

The settings are read once per process, so each case runs in a fresh interpreter with
SELEKSI_REPLICA_URLS set, against a real SQLite primary (migrated there) and a replica that is
either a second connection to the same file (as a streaming replica holds the same rows) or a
PostgreSQL address where nothing listens.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROBE = textwrap.dedent(
    """
    import json, logging, django
    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.http import HttpResponse
    from django.test import RequestFactory
    from seleksi.accounts.models import User
    from seleksi.core import replicas
    from seleksi.selections.models import Selection
    from django.conf import settings

    call_command("migrate", verbosity=0, interactive=False)
    seen = []

    @replicas.reads_from_replica
    def page(request):
        alias = Selection.objects.all().db
        count = Selection.objects.count()
        seen.append(alias)
        return HttpResponse(str(count))

    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logging.getLogger("seleksi.replicas").addHandler(handler)

    factory = RequestFactory()
    with replicas.replica_reads() as alias:
        inside = {
            "alias": alias,
            "selection": Selection.objects.all().db,
            "user": User.objects.all().db,
        }
    outside = Selection.objects.all().db
    get = page(factory.get("/"))
    post_seen = len(seen)
    page(factory.post("/"))
    print(json.dumps({
        "aliases": sorted(settings.DATABASES),
        "routers": settings.DATABASE_ROUTERS,
        "inside": inside,
        "outside": outside,
        "get_status": get.status_code,
        "get_seen": seen[:post_seen],
        "post_seen": seen[post_seen:],
        "messages": messages,
        "replica_migrations": replicas.ReplicaRouter().allow_migrate("replica1", "selections"),
        "write_alias": replicas.ReplicaRouter().db_for_write(Selection),
    }))
    """
)


def _probe(tmp_path: Path, replica_url: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SELEKSI_REPLICA_URLS"}
    }
    env |= {
        "SELEKSI_DATA_DIR": str(tmp_path),
        "SELEKSI_REPLICA_URLS": replica_url,
        "DJANGO_SETTINGS_MODULE": "seleksi.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def same_file(tmp_path_factory: pytest.TempPathFactory) -> dict:
    data = tmp_path_factory.mktemp("replica")
    return _probe(data, f"sqlite:///{data / 'seleksi.sqlite3'}")


def test_it_adds_one_alias_per_replica_url_and_routes_through_the_router(same_file):
    assert same_file["aliases"] == ["default", "replica1"]
    assert same_file["routers"] == ["seleksi.core.replicas.ReplicaRouter"]


def test_it_reads_public_data_from_the_replica_only_inside_a_replica_block(same_file):
    assert same_file["inside"]["alias"] == "replica1"
    assert same_file["inside"]["selection"] == "replica1"
    assert same_file["outside"] == "default"


def test_it_reads_the_account_from_the_primary_even_inside_a_replica_block(same_file):
    assert same_file["inside"]["user"] == "default"


def test_it_writes_and_migrates_on_the_primary_only(same_file):
    assert same_file["write_alias"] == "default"
    assert same_file["replica_migrations"] is False


def test_an_opted_in_get_page_reads_the_replica_and_a_post_the_primary(same_file):
    assert same_file["get_status"] == 200
    assert same_file["get_seen"] == ["replica1"]
    assert same_file["post_seen"] == ["default"]
    assert same_file["messages"] == []


def test_a_page_whose_replica_is_down_is_served_from_the_primary(tmp_path):
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    result = _probe(tmp_path, "postgres://seleksi@127.0.0.1:9/seleksi?connect_timeout=2")
    assert result["get_status"] == 200
    assert result["get_seen"] == ["default"]  # the first run failed before it recorded
    assert len(result["messages"]) == 1
    assert result["messages"][0].startswith("replica replica1 failed (OperationalError)")
    assert "127.0.0.1" not in result["messages"][0]
