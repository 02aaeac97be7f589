"""Shared parts of the HTTP benchmarks (bench/booking.py, bench/answers.py): the project's
WSGI application served by separate processes with a fixed pool of threads each, and a
client that sends requests from threads released together and reads latencies.

Decisions worth knowing:

- The server is a separate process (or several sharing one listening socket), so the clients
  never share its interpreter lock: Django's WSGI server on the project's WSGI application
  with a fixed pool of threads, as gunicorn's gthread worker runs it. Pool threads keep their
  database connection between requests (CONN_MAX_AGE), which a thread per request would not.
- Every request comes on a new connection, as from separate phones.
- Applicants are signed in without logging in: `signed_in` writes their session rows.

    python bench/httpbench.py --serve FD --threads N    (started by Servers, not by hand)
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

STATIC_FILE = "/static/seleksi/seleksi.css"
TRIVIAL_PAGE = "/healthz"
BOUNDS = (STATIC_FILE, TRIVIAL_PAGE)
SESSION_KEY_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


# --- the server ------------------------------------------------------------------------


def serve(listener_fd: int, threads: int) -> None:
    """Serve the project's WSGI application on the inherited listening socket with a pool
    of `threads`, until terminated."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seleksi.settings")
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    from seleksi.wsgi import application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    class PooledServer(WSGIServer):
        def __init__(self) -> None:
            super().__init__(("127.0.0.1", 0), QuietHandler, bind_and_activate=False)
            self.socket.close()
            self.socket = socket.socket(fileno=listener_fd)
            self.server_address = self.socket.getsockname()
            self.server_name, self.server_port = self.server_address[:2]
            self.setup_environ()
            self.pool = ThreadPoolExecutor(threads, thread_name_prefix="request")

        def process_request(self, request: Any, client_address: Any) -> None:
            self.pool.submit(self.process_request_thread, request, client_address)

        def process_request_thread(self, request: Any, client_address: Any) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    server = PooledServer()
    server.set_app(application)
    server.serve_forever()


class Servers:
    """`processes` server processes answering on one port of 127.0.0.1."""

    def __init__(self, processes: int, threads: int) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.port = self.listener.getsockname()[1]
        fd = self.listener.fileno()
        command = [sys.executable, __file__, "--serve", str(fd), "--threads", str(threads)]
        # Our own script, with numbers we made.
        self.processes = [
            subprocess.Popen(command, pass_fds=[fd])  # noqa: S603
            for _ in range(processes)
        ]

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self.processes):
                raise SystemExit("a server process ended at start-up")
            if request(self.port, "GET", TRIVIAL_PAGE).status == 200:
                return
            time.sleep(0.2)
        raise SystemExit("the server did not answer within a minute")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.listener.close()


# --- the client ------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    seconds: float
    ended: float  # time.perf_counter() when the answer was read


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str = ""
    cookie: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def request(
    port: int,
    method: str,
    path: str,
    body: str = "",
    cookie: str = "",
    extra: dict[str, str] | None = None,
) -> Answer:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Connection": "close"}
    if cookie:
        headers["Cookie"] = cookie
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers.update(extra or {})
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        content = response.read()
        status = response.status
    except OSError as error:
        content, status = repr(error).encode(), 0
    finally:
        connection.close()
    ended = time.perf_counter()
    return Answer(status, content, ended - started, ended)


def fire(port: int, requests: list[Request], clients: int) -> tuple[list[Answer], float]:
    """Every request sent from `clients` threads released together; the answers and the
    moment they were released."""
    pending: Iterator[Request] = iter(requests)
    lock = threading.Lock()
    answers: list[Answer] = []
    barrier = threading.Barrier(clients + 1)

    def work() -> None:
        mine = []
        barrier.wait()
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                break
            mine.append(request(port, item.method, item.path, item.body, item.cookie, item.headers))
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    released = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    return answers, released


def milliseconds(answers: list[Answer]) -> tuple[float, float]:
    """p50 and p99 of the answers' latencies, in milliseconds."""
    values = sorted(answer.seconds * 1000 for answer in answers)
    if len(values) < 2:
        return (values[0], values[0]) if values else (0.0, 0.0)
    return statistics.median(values), statistics.quantiles(values, n=100)[98]


def line(label: str, answers: list[Answer], seconds: float | None = None) -> str:
    p50, p99 = milliseconds(answers)
    rate = f"in {seconds:6.2f} s {len(answers) / seconds:7,.0f}/s" if seconds else " " * 21
    return f"  {label:<36} {len(answers):>6,} {rate}  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms"


def bound(port: int, path: str, count: int, clients: int) -> tuple[list[Answer], float]:
    answers, released = fire(port, [Request("GET", path)] * count, clients)
    return answers, max(a.ended for a in answers) - released


def signed_in(users: Sequence[Any], hours: int = 2) -> list[str]:
    """A session key for each user, written straight into the session table."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    backend = settings.AUTHENTICATION_BACKENDS[0]
    keys = [get_random_string(32, SESSION_KEY_CHARACTERS) for _ in users]
    expires = timezone.now() + timedelta(hours=hours)
    Session.objects.bulk_create(
        (
            Session(
                session_key=key,
                session_data=store.encode(
                    {
                        SESSION_KEY: str(user.pk),
                        BACKEND_SESSION_KEY: backend,
                        HASH_SESSION_KEY: user.get_session_auth_hash(),
                    }
                ),
                expire_date=expires,
            )
            for key, user in zip(keys, users, strict=True)
        ),
        batch_size=2000,
    )
    return keys


@dataclass(frozen=True)
class Applicants:
    selection: Any
    users: list[Any]
    applications: list[Any]
    """in the order of their numbers, `<tag>-000000` onwards, each the user's at that place"""


def final_ms_applicants(tag: str, count: int) -> Applicants:
    """A published selection `tag` with one formation and `count` applicants whose
    application has a final MS result, each with their own account."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from seleksi.accounts.models import User
    from seleksi.agencies.models import Agency
    from seleksi.applications.models import Application
    from seleksi.rules.formations import EXPORT_COLUMNS, parse_formation_table
    from seleksi.rules.verification import Mark
    from seleksi.rules.verification import Stage as AdminStage
    from seleksi.selections.models import Formation, Selection
    from seleksi.selections.services import formations_import

    now = timezone.now()
    agency = Agency.objects.create(code=tag, name=f"Bench {tag}", kind="regional_government")
    selection = Selection.objects.create(
        agency=agency, code=tag, kind="casn", title=f"Bench {tag}", is_published=True
    )
    row = ["F-0001", "CPNS", "umum", "Analis", "S-1 Jurusan", "Unit", "1", "teknis"]
    formations_import(
        selection=selection,
        parsed=parse_formation_table(EXPORT_COLUMNS, [row]),
        actor=None,
        source="bench",
    )
    formation = Formation.objects.get(selection=selection)
    password = make_password(None)
    User.objects.bulk_create(
        (User(username=f"{tag}-{n:06d}", password=password) for n in range(count)),
        batch_size=2000,
    )
    users = list(User.objects.filter(username__regex=rf"^{tag}-\d+$").order_by("username"))
    Application.objects.bulk_create(
        (
            Application(
                applicant=user,
                selection=selection,
                formation=formation,
                number=f"{tag}-{n:06d}",
                status=Application.Status.SUBMITTED,
                submitted_at=now,
                admin_stage=AdminStage.FINAL,
                admin_result=Mark.MS,
                published_result=Mark.MS,
            )
            for n, user in enumerate(users)
        ),
        batch_size=2000,
    )
    applications = list(Application.objects.filter(selection=selection).order_by("number"))
    return Applicants(selection, users, applications)


def database_opened(stack: Any, database: str, prefix: str) -> str:
    """Django set up and migrated on a throwaway database: a SQLite file, or a PostgreSQL
    cluster for "postgres" (unless DATABASE_URL names one), removed when `stack` (an
    ExitStack) closes; returns the database's name and version."""
    import shutil

    from benchdb import setup_django, throwaway_postgres

    if database == "postgres" and "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = stack.enter_context(throwaway_postgres())
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    workdir = setup_django(prefix)
    stack.callback(shutil.rmtree, workdir, ignore_errors=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        version = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        version = getattr(connection.Database, "sqlite_version", "")
    return f"{connection.vendor} {version}"


def postgres_installed() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def each_database(script: str, forwarded: list[str]) -> list[str]:
    """Run `script` again for SQLite and for PostgreSQL (when installed), with the options
    `forwarded` and `--database=…`; returns the databases on which it failed."""
    failed = []
    for database in ("sqlite", "postgres"):
        if database == "postgres" and not postgres_installed():
            print("\n== postgres: not installed (apt-get install postgresql); skipped")
            continue
        command = [sys.executable, script, *forwarded, f"--database={database}"]
        # One of our own scripts, with the options given to it.
        if subprocess.run(command, check=False).returncode:  # noqa: S603
            failed.append(database)
    return failed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", type=int, required=True)
    parser.add_argument("--threads", type=int, default=16)
    options = parser.parse_args()
    serve(options.serve, options.threads)


if __name__ == "__main__":
    main()
