"""Killing a task worker in the middle of a task: the task runs again, nothing is doubled.

A real `seleksi db_worker` process sends a real queued e-mail to an SMTP server in this
test. The server holds the message's final reply back, the test kills the worker with
SIGKILL right then, and the e-mail's task is left RUNNING with no worker. Twenty minutes
pass (the test moves the task's start and the message's claim back: a worker does not heed
the clock of the test); `requeue-stalled-tasks` puts the task back, a new worker
sends the message, and the SMTP server has accepted exactly one e-mail.

The installation is a database of its own, a copy of the migrated test database: a file
for SQLite (the suite's is in memory), a new database on the test server for PostgreSQL
(the suite's own tests run inside transactions that other processes cannot see)."""

import json
import os
import signal
import socketserver
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

SEND_TIMEOUT = 60
SELEKSI = (sys.executable, "-m", "seleksi")


class SmtpServer(socketserver.ThreadingTCPServer):
    """Just enough SMTP for Django's backend. A message counts as delivered when the server
    answers its data with 250, as real servers do; with `hold` set, the first message's data
    is read and the answer withheld until the client goes away."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.delivered: list[bytes] = []
        self.hold = False
        self.holding = threading.Event()


class SmtpHandler(socketserver.StreamRequestHandler):
    server: SmtpServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 localhost ESMTP")
        while line := self.rfile.readline():
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250 localhost")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.reply("250 OK")
            elif verb == b"DATA":
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                if self.server.hold:
                    self.server.hold = False
                    self.server.holding.set()
                    self.rfile.read()  # until the client is gone: the message is not accepted
                    return
                self.server.delivered.append(data)
                self.reply("250 accepted")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def installation(
    tmp_path: Path, django_db_setup: None, django_db_blocker: Any
) -> Iterator[dict[str, str]]:
    """The environment of an installation of its own, copied from the migrated test database
    (see the module docstring): SQLite's backup of it into a file, or a PostgreSQL database
    made from it as a template; `seleksi migrate` when the template is busy."""
    database = settings.DATABASES["default"]
    dropped = ""
    migrated = False
    with django_db_blocker.unblock():
        connection = connections["default"]
        if connection.vendor == "sqlite":
            path = tmp_path / "seleksi.sqlite3"
            connection.ensure_connection()
            with sqlite3.connect(path) as copy:
                connection.connection.backup(copy)
            url = f"sqlite:///{path}"
            migrated = True
        else:
            import psycopg

            template = connection.settings_dict["NAME"]
            connections.close_all()
            name = f"faults_{uuid.uuid4().hex[:12]}"
            server = {
                "host": database["HOST"] or "127.0.0.1",
                "port": database["PORT"] or 5432,
                "user": database["USER"],
                "password": database["PASSWORD"] or None,
            }
            with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
                try:
                    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                    migrated = True
                except psycopg.errors.ObjectInUse:
                    admin.execute(f'CREATE DATABASE "{name}"')
            dropped = name
            credentials = database["USER"] + (
                f":{database['PASSWORD']}" if database["PASSWORD"] else ""
            )
            url = f"postgres://{credentials}@{server['host']}:{server['port']}/{name}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SELEKSI_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "seleksi.settings",
        "SELEKSI_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    if not migrated:
        seleksi(env, "migrate", "--verbosity", "0")
    yield env
    if dropped:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE "{dropped}" WITH (FORCE)')


def seleksi(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [*SELEKSI, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def inside(env: dict[str, str], code: str) -> Any:
    """Run `code` in the installation (a shell of its own); it assigns its answer to `out`."""
    program = "import json\nout = None\n" + code + "\nprint(json.dumps(out, default=str))"
    return json.loads(seleksi(env, "shell", "--no-imports", "-c", program).strip().splitlines()[-1])


def worker(env: dict[str, str], smtp: SmtpServer, *extra: str) -> subprocess.Popen[str]:
    mail = {
        "SELEKSI_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.server_address[1]),
    }
    return subprocess.Popen(
        [*SELEKSI, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2", *extra],
        env={**env, **mail},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


QUEUE = """
from django.db import transaction
from seleksi.outbox.services import email_queue
with transaction.atomic():
    out = email_queue(to="pelamar@example.invalid", subject="Aktivasi akun", body="Tautan").pk
"""

STATE = """
from django_tasks_db.models import DBTaskResult
from seleksi.outbox.models import Message
def state():
    task = DBTaskResult.objects.get()
    message = Message.objects.get()
    return {"task": task.status, "workers": len(task.worker_ids), "message": message.status,
            "attempts": message.attempts}
"""

REQUEUE = """
import io
from django.core.management import call_command
def requeue():
    printed = io.StringIO()
    call_command("requeue_stalled_tasks", "--older-than", "15", stdout=printed)
    return printed.getvalue().strip()
"""

AFTER_THE_KILL = (
    STATE
    + REQUEUE
    + """
from datetime import timedelta
from django.db.models import F
out = {"stranded": state(), "at_once": requeue()}
# twenty minutes pass
later = timedelta(minutes=20)
DBTaskResult.objects.filter(status="RUNNING").update(started_at=F("started_at") - later)
Message.objects.update(next_attempt_at=F("next_attempt_at") - later)
out["later"] = requeue()
"""
)

AFTER_THE_SECOND_WORKER = (
    STATE
    + REQUEUE
    + """
out = {"state": state(), "again": requeue()}
"""
)


def test_a_killed_worker_s_task_runs_again_and_sends_its_e_mail_once(
    installation: dict[str, str], smtp: SmtpServer
) -> None:
    inside(installation, QUEUE)
    smtp.hold = True
    first = worker(installation, smtp)
    try:
        assert smtp.holding.wait(SEND_TIMEOUT), "the worker never reached the SMTP server"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    assert smtp.delivered == []
    recovery = inside(installation, AFTER_THE_KILL)
    assert recovery == {
        "stranded": {"task": "RUNNING", "workers": 1, "message": "queued", "attempts": 1},
        "at_once": "0 stalled task(s) requeued, 0 failed",  # only just started: left alone
        "later": "1 stalled task(s) requeued, 0 failed",
    }

    second = worker(installation, smtp, "--batch")
    output, _ = second.communicate(timeout=SEND_TIMEOUT)
    assert second.returncode == 0, output[-3000:]
    assert inside(installation, AFTER_THE_SECOND_WORKER) == {
        "state": {"task": "SUCCESSFUL", "workers": 2, "message": "sent", "attempts": 2},
        "again": "0 stalled task(s) requeued, 0 failed",  # nothing left to run again
    }
    assert len(smtp.delivered) == 1
    assert b"Aktivasi akun" in smtp.delivered[0]
