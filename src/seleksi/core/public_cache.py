"""The generation of public content: a number in the cache that every service changing what
a public page shows (a selection, its openings, a published announcement or result) moves
on, so that the pages kept under the old number are never read again.

Decisions worth knowing:
- No signals: a service that changes public content calls `public_content_changed()`
  itself, as it records its audit event. Writes made elsewhere (the console's generic
  admin pages are hooked too, but a shell or a migration is not) show once the kept pages
  expire, after `SELEKSI_PUBLIC_CACHE_SECONDS`: the safety net.
- The number moves on when the transaction commits, not before: a page rendered between
  the change and the commit would otherwise read the old rows and be kept under the new
  number until it expires.
- A missing number (never set, evicted, a cache restarted) starts again at a random one,
  never at 0 or 1, so an old page kept under a number used before is never read again.
- The cache is an optimisation: when it fails (Redis down), the generation reads as None
  and the pages are rendered from the database; a failed bump is logged, and the pages
  kept before it expire after `SELEKSI_PUBLIC_CACHE_SECONDS`.
- Only Django's cache API (get, add, incr), so the local-memory cache of the embedded
  portal and Redis of the production profile behave the same. With the local-memory cache
  each process has its own number: a change made by the task worker reaches a web process
  only when its pages expire.
"""

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)

GENERATION_KEY = "public-content:generation"


def cache_seconds() -> int:
    """How long a rendered public page is kept (0 turns the page cache off)."""
    return max(0, int(settings.SELEKSI_PUBLIC_CACHE_SECONDS))


def generation() -> int | None:
    """The current generation of public content, or None when the cache cannot be read."""
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            cache.add(GENERATION_KEY, _fresh(), timeout=None)
            value = cache.get(GENERATION_KEY)
    except Exception:
        log.warning("public page cache unavailable: pages are rendered from the database")
        return None
    return int(value) if value is not None else None


def public_content_changed() -> None:
    """Make the public pages read the database again once the current transaction commits
    (at once when no transaction is open)."""
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.add(GENERATION_KEY, _fresh(), timeout=None)
    except Exception:
        log.warning(
            "public page cache not invalidated; kept pages expire after %s s", cache_seconds()
        )


def _fresh() -> int:
    return secrets.randbits(48) + 2
