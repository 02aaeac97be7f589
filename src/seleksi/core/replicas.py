"""Read replicas for the public pages: an optional database router.

Decisions worth knowing:

- Only views that opt in read from a replica (`reads_from_replica`): the public pages a crowd
  reads on opening day. Everything a person does after signing in reads the primary, so an
  applicant never sees their own write missing because a replica lags behind.
- A replica lags by a moment; the public pages already tolerate that much, since their
  rendered copies are cached for longer.
- Writes always go to the primary, and migrations run only there (the replicas copy its schema
  by streaming replication).
- A replica that fails (down, or refusing a query during a restart) is not an outage: the view
  runs once more on the primary. A public GET page changes nothing, so running it twice is
  safe; the failure is logged without the query or its parameters.
- The session and the signed-in account are always read from the primary: a visitor who has
  just signed in must not look signed out on a public page because the replica has not yet
  received their session.
- Which replica: one chosen at random per request, so several spread the load without a
  shared counter.
"""

import contextlib
import functools
import logging
import random
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("seleksi.replicas")

PRIMARY = "default"
# Read from the primary even inside a replica block (see the module's docstring).
PRIMARY_ONLY_APPS = frozenset({"sessions", "accounts", "auth", "contenttypes"})
_replica: ContextVar[str | None] = ContextVar("seleksi_replica", default=None)


def replica_aliases() -> list[str]:
    """The database aliases that are read replicas, in settings order."""
    return [alias for alias in settings.DATABASES if alias != PRIMARY]


@contextlib.contextmanager
def replica_reads() -> Iterator[str | None]:
    """Within this block, reads go to one replica (None when none is configured)."""
    aliases = replica_aliases()
    alias = random.choice(aliases) if aliases else None  # noqa: S311 - spreading load, not a secret
    token = _replica.set(alias)
    try:
        yield alias
    finally:
        _replica.reset(token)


def reads_from_replica(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Run a public GET view with its reads on a replica, and again on the primary if the
    replica fails."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not replica_aliases():
            return view(request, *args, **kwargs)
        with replica_reads() as alias:
            try:
                return view(request, *args, **kwargs)
            except (OperationalError, InterfaceError) as error:
                logger.warning(
                    "replica %s failed (%s); reading the primary", alias, type(error).__name__
                )
        return view(request, *args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Sends the reads of an opted-in view to its replica; everything else to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return _replica.get()

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database copied, not separate ones

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
