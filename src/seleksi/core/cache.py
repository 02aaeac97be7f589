"""A Redis cache the portal survives losing: Django's own Redis backend, made tolerant.

Decisions worth knowing:

- What Redis holds is a copy (pages, sessions whose truth is the database) or a counter with
  a database fallback (`seleksi.accounts.throttle`), so an operation that fails on a Redis
  error acts as a miss (`get` answers the default, `add` as if the key was absent) or a no-op
  (`set`, `delete`). It logs one warning per cache at most every `LOG_EVERY` seconds (the
  operation and the error's class, never a key) and counts in `seleksi_cache_failures`.
- Timeouts are short (a quarter second to connect and to answer, set in the settings) and,
  after a failure, the cache does not try Redis again for `RETRY_AFTER` seconds: a Redis that
  hangs costs a process one slow request per pause, not every request all its calls.
- A write that did not reach Redis may leave an older copy there: a logout whose delete
  failed would find the signed-in session again once Redis answers. The process remembers
  the keys of its failed writes and deletes them first thing when Redis answers again (past
  `STALE_KEYS_KEPT` keys, or after a failed `clear`, everything under the cache's key
  prefix, except for the counters). A process restarted in between, or another process
  reading first, can still meet such a copy: `MAX_TIMEOUT` (the sessions cache) caps how long
  any copy lives.
- `clear` deletes the keys under the cache's own prefix, not the whole Redis database, so a
  cache sharing a database with another never empties the other.
- `redis_call` lends the counters the same client, timeouts, pause, log and figure, with the
  caller's fallback (the database) run when Redis fails; `ping` raises too, for
  `/readyz`, which must see Redis down even though the pages do not.
"""

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from seleksi.core.metrics import cache_failed

logger = logging.getLogger("seleksi.cache")

T = TypeVar("T")
F = TypeVar("F")

RETRY_AFTER = 1.0
LOG_EVERY = 60.0
STALE_KEYS_KEPT = 1000
CONNECTION_TIMEOUT = 0.25


@dataclass
class _Health:
    """What one process knows about one cache, shared by its threads (each thread has its
    own backend object)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    down_until: float = 0.0
    stale: set[str] = field(default_factory=set)
    stale_everything: bool = False
    logged_at: float = float("-inf")
    unlogged: int = 0


_HEALTH: dict[tuple[str, str], _Health] = {}
_HEALTH_LOCK = threading.Lock()


def health_forget() -> None:
    """Forgets every failure this process saw (for tests that start over)."""
    with _HEALTH_LOCK:
        _HEALTH.clear()


def _glob_escaped(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


class TolerantRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` that answers a miss when Redis fails.

    OPTIONS beyond redis-py's: RETRY_AFTER (seconds), MAX_TIMEOUT (seconds, caps every
    timeout; unset: no cap), WIPE_WHEN_FULL (True: past STALE_KEYS_KEPT failed writes, delete
    everything under the prefix on recovery; False, for counters, whose loss would lift
    limits: keep the first ones only). socket_connect_timeout and socket_timeout default to
    0.25 s."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", RETRY_AFTER))
        max_timeout = options.pop("MAX_TIMEOUT", None)
        self.max_timeout = None if max_timeout is None else int(max_timeout)
        self.wipe_when_full = bool(options.pop("WIPE_WHEN_FULL", True))
        options.setdefault("socket_connect_timeout", CONNECTION_TIMEOUT)
        options.setdefault("socket_timeout", CONNECTION_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        self.label = self.key_prefix or "default"
        self._health_key = (str(server), self.key_prefix)

    @property
    def _health(self) -> _Health:
        health = _HEALTH.get(self._health_key)
        if health is None:
            with _HEALTH_LOCK:
                health = _HEALTH.setdefault(self._health_key, _Health())
        return health

    # --- the guard ---------------------------------------------------------------------

    def redis_call(
        self,
        operation: str,
        call: Callable[[Any], T],
        *,
        fallback: Callable[[], F],
        stale_if_failed: Iterable[str] = (),
    ) -> T | F:
        """`call(client)` on a Redis client; `fallback()` when Redis fails or is paused. The
        keys in `stale_if_failed` (made keys) are deleted once Redis answers again, if it
        failed."""
        health = self._health
        if time.monotonic() < health.down_until:
            self._failed(operation, None, stale_if_failed)
            return fallback()
        try:
            client = self._cache.get_client(write=True)
            self._remove_stale(client)
            return call(client)
        except RedisError as error:
            self._failed(operation, error, stale_if_failed)
            return fallback()

    def ping(self) -> None:
        """Raises a RedisError when Redis does not answer; never paused, never hidden."""
        self._cache.get_client(write=True).ping()

    def _guarded(
        self, operation: str, call: Callable[[], T], miss: T, *, writes: Iterable[str] = ()
    ) -> T:
        return self.redis_call(
            operation, lambda _client: call(), fallback=lambda: miss, stale_if_failed=writes
        )

    def _failed(self, operation: str, error: Exception | None, stale: Iterable[str]) -> None:
        health = self._health
        now = time.monotonic()
        cache_failed(self.label)
        with health.lock:
            if error is not None:
                health.down_until = now + self.retry_after
            if not health.stale_everything:
                health.stale.update(stale)
            if len(health.stale) > STALE_KEYS_KEPT:
                if self.wipe_when_full:
                    health.stale.clear()
                    health.stale_everything = True
                else:
                    health.stale = set(list(health.stale)[:STALE_KEYS_KEPT])
            health.unlogged += 1
            if now - health.logged_at < LOG_EVERY or error is None:
                return
            unlogged, health.unlogged, health.logged_at = health.unlogged, 0, now
        logger.warning(
            "cache %s: Redis failed on %s (%s); %d operations acted as misses since the last "
            "warning",
            self.label,
            operation,
            type(error).__name__,
            unlogged,
        )

    def _remove_stale(self, client: Any) -> None:
        health = self._health
        with health.lock:
            if not health.stale and not health.stale_everything:
                return
            stale, everything = set(health.stale), health.stale_everything
        removed = self._delete_prefixed(client) if everything else client.unlink(*stale)
        with health.lock:
            health.stale -= stale
            if everything:
                health.stale_everything = False
        logger.info(
            "cache %s: Redis answers again; %d copies written while it failed were removed",
            self.label,
            removed,
        )

    def _delete_prefixed(self, client: Any) -> int:
        pattern = f"{_glob_escaped(self.key_prefix)}:*" if self.key_prefix else "*"
        removed = 0
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                removed += client.unlink(*batch)
                batch = []
        if batch:
            removed += client.unlink(*batch)
        return int(removed)

    def _capped(self, timeout: Any) -> Any:
        if self.max_timeout is None:
            return timeout
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return self.max_timeout if timeout is None else min(timeout, self.max_timeout)

    # --- Django's cache API ------------------------------------------------------------

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        made = self.make_and_validate_key(key, version=version)
        call = functools.partial(super().add, key, value, self._capped(timeout), version)
        return self._guarded("add", call, True, writes=[made])

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guarded("get", functools.partial(super().get, key, default, version), default)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        made = self.make_and_validate_key(key, version=version)
        call = functools.partial(super().set, key, value, self._capped(timeout), version)
        self._guarded("set", call, None, writes=[made])

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        call = functools.partial(super().touch, key, self._capped(timeout), version)
        return self._guarded("touch", call, False)

    def delete(self, key: Any, version: Any = None) -> Any:
        made = self.make_and_validate_key(key, version=version)
        return self._guarded(
            "delete", functools.partial(super().delete, key, version), False, writes=[made]
        )

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._guarded("get_many", functools.partial(super().get_many, keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> Any:
        return self._guarded("has_key", functools.partial(super().has_key, key, version), False)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        made = self.make_and_validate_key(key, version=version)
        missing = object()
        value = self._guarded(
            "incr", functools.partial(super().incr, key, delta, version), missing, writes=[made]
        )
        if value is missing:
            raise ValueError("Key not found.")  # what a miss answers: Django's own words
        return value

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        made = [self.make_and_validate_key(key, version=version) for key in data]
        call = functools.partial(super().set_many, data, self._capped(timeout), version)
        return self._guarded("set_many", call, list(data), writes=made)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        self._guarded(
            "delete_many", functools.partial(super().delete_many, keys, version), None, writes=made
        )

    def clear(self) -> Any:
        def everything_here(client: Any) -> bool:
            self._delete_prefixed(client)
            return True

        def later() -> bool:
            with self._health.lock:
                self._health.stale_everything = True
            return False

        return self.redis_call("clear", everything_here, fallback=later)
