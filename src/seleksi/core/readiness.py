"""Readiness: whether this process can serve real work now (`/readyz`), unlike `/healthz`,
which says only that it is alive and reaches the database.

Decisions worth knowing:

- Ready means: the database answers, every migration this code knows is applied (a process
  started before `seleksi migrate` finished must not take traffic), the document storage takes
  a write and a delete (a tiny probe file under `readyz/`, removed at once), and, when a shared
  cache is configured (not local memory), the cache answers.
- Each check reports a short English phrase for the operator, not a translated page: a load
  balancer and a person at a terminal read it.
- Redis down does not make an instance unready. Every instance shares the same Redis, so
  failing readiness would take them all out of the load balancer and turn a slower site
  (caches missing, sessions and counters read from the database) into no site. `/readyz`
  still says so, in lines after "ready" ("cache sessions: down (ConnectionError)"), asking
  each tolerant cache directly (`readiness_notes`): its own answers would hide the outage.
  A shared cache that is not tolerant (`_cache`) must answer, as before.
"""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache, caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from seleksi.core.cache import TolerantRedisCache

LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return ""


def _migrations() -> str:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return f"{len(plan)} migrations not applied" if plan else ""


def _storage() -> str:
    name = default_storage.save(f"readyz/probe-{uuid.uuid4().hex}.txt", ContentFile(b"ready\n"))
    default_storage.delete(name)
    return ""


def _cache() -> str:
    if settings.CACHES["default"]["BACKEND"] in LOCAL_CACHES or isinstance(
        caches["default"], TolerantRedisCache
    ):
        return ""
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ready", 10)
    answered = cache.get(key)
    cache.delete(key)
    return "" if answered == "ready" else "did not keep a value"


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "migrations": _migrations,
    "storage": _storage,
    "cache": _cache,
}


def readiness_problems() -> list[str]:
    """One line per failed check ("storage: PermissionError"); empty when ready. The database
    check failing skips the migrations check, which would only fail the same way."""
    problems: list[str] = []
    for name, check in CHECKS.items():
        if name == "migrations" and problems:
            continue
        try:
            problem = check()
        except Exception as error:
            problem = type(error).__name__
        if problem:
            problems.append(f"{name}: {problem}")
    return problems


def readiness_notes() -> list[str]:
    """One line per tolerant Redis cache that does not answer ("cache counters: down
    (ConnectionError)"); the instance stays ready without them."""
    notes: list[str] = []
    for alias in settings.CACHES:
        backend = caches[alias]
        if not isinstance(backend, TolerantRedisCache):
            continue
        try:
            backend.ping()
        except Exception as error:
            notes.append(f"cache {alias}: down ({type(error).__name__})")
    return notes
