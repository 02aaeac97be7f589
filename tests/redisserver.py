"""A real Redis for the tests of the Redis caches and counters, and a gate to cut it off.

`scripts/test` starts a throwaway redis-server and exports SELEKSI_TEST_REDIS_URL. Without it
(pytest run by hand), the first test that needs Redis starts one from PATH for this run; with
neither, that test fails and says what to install. Each test keeps its keys under a prefix of
its own and deletes them at the end, so runs and tests sharing the server do not meet.

Redis down is a `Gate`: a loopback port that forwards to the real server until it is closed
(then connections are refused, and open ones cut), as when the network to Redis fails while
Redis itself keeps what it holds, the case where a stale copy could come back.
"""

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis

from seleksi.core.cache import health_forget
from seleksi.settings import redis_caches


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@cache
def redis_url() -> str:
    """The server's URL (database 0): SELEKSI_TEST_REDIS_URL, or one started from PATH."""
    configured = os.environ.get("SELEKSI_TEST_REDIS_URL", "").strip()
    if configured:
        return configured
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "These tests need Redis: set SELEKSI_TEST_REDIS_URL (scripts/test does) or install "
            "redis-server (apt-get install redis-server)."
        )
    directory = tempfile.mkdtemp(prefix="seleksi-redis-")
    port = _free_port()
    server = subprocess.Popen(
        [
            *(binary, "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
            *("--dir", directory, "--logfile", os.path.join(directory, "redis.log")),
        ],
        stdin=subprocess.DEVNULL,
    )

    def stop() -> None:
        server.terminate()
        server.wait(10)
        shutil.rmtree(directory, ignore_errors=True)

    atexit.register(stop)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _attempt in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return url


class Gate:
    """A loopback port forwarding to the Redis server, which a test can close and open."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.port = _free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.open()

    def url(self, database: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, []
        for sock in [listener, *sockets]:
            if sock is None:
                continue
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class RedisPlace:
    """The three Redis caches of the production profile for one test, behind a gate."""

    def __init__(self) -> None:
        self.gate = Gate(redis_url())
        self.prefix = f"test-{uuid.uuid4().hex[:12]}"
        self.caches = redis_caches(
            cache_url=self.gate.url(1),
            sessions_url=self.gate.url(2),
            counters_url=self.gate.url(3),
            timeout=0.25,
            retry_after=0,  # a test sees Redis back at once; production pauses a second
            session_seconds=300,
        )
        for alias, config in self.caches.items():
            config["KEY_PREFIX"] = f"{self.prefix}-{alias}"

    def direct(self, alias: str) -> Any:
        """A client straight to the server (not through the gate), on the alias's database."""
        database = {"default": 1, "sessions": 2, "counters": 3}[alias]
        base = redis_url().rsplit("/", 1)[0]
        return redis.Redis.from_url(f"{base}/{database}")

    def keys(self, alias: str) -> list[bytes]:
        return sorted(self.direct(alias).scan_iter(match=f"{self.prefix}-{alias}:*"))

    def remove(self) -> None:
        self.gate.close()
        for alias in self.caches:
            keys = self.keys(alias)
            if keys:
                self.direct(alias).delete(*keys)
        health_forget()


def use_redis(settings: Any) -> Any:
    """Settings of the production profile pointed at a RedisPlace (the caller removes it)."""
    health_forget()
    place = RedisPlace()
    settings.CACHES = place.caches
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    return place
