"""Restarting PostgreSQL under load: requests fail cleanly, then recover; nothing is half written.

A throwaway PostgreSQL cluster of its own (scripts/throwaway-postgres), the portal served by
gunicorn (two worker processes) against it, and parallel applicants, each signed in, who apply
for an opening and withdraw the draft again, over and over, while the cluster is restarted
with `pg_ctl restart -m fast`. Applying writes the application, its number and its
`application.started` audit row in one transaction; withdrawing deletes the application and
writes `application.cancelled`.

What must hold:
- every answer is a redirect (302) or the outage page (503 with Retry-After, in Indonesian):
  no bare 500, no dropped connection;
- after the restart, applying and withdrawing succeed again;
- no half-written application: none still carries its temporary number, every one has its
  `application.started` row, and for each applicant the applications started minus those
  withdrawn (by their audit rows) is the number of applications they hold.

Run it alone with `scripts/fault-postgres-restart`, which prints the summary; scripts/test runs
it as the `faults` step (root, PostgreSQL's tools run as the postgres user)."""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

ROOT = Path(__file__).resolve().parents[2]
ACEH = "aceh-tengah-casn-2021"
CSRF = "faultsfaultsfaultsfaultsfaults12"  # a CSRF secret both cookie and header carry
OUTAGE_MARKERS = ('<html lang="id">',)
OUTAGE_HEADING = "The portal cannot be reached for a moment"

SEED = """
import json, random
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.conf import settings
from django.utils import timezone
from django.utils.crypto import get_random_string
from seleksi.accounts.demo import demo_person_add
from seleksi.accounts.models import Education, Profile, User
from seleksi.accounts.services import Registration, account_activate, applicant_register
from seleksi.selections.demo import demo_load
from seleksi.selections.models import Formation, Stage

demo_load()
today = timezone.localdate()
Stage.objects.filter(selection__code=ACEH, kind=Stage.Kind.REGISTRATION).update(
    starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=10)
)
model = User.objects.get(email="pelamar.teknis@demo.seleksi.invalid")
model_profile = Profile.objects.get(user=model)
model_education = Education.objects.filter(user=model).values().first()
draws = random.Random(17)
sessions = []
# The applicants sign in with sessions made here, never with their passwords: no need for Argon2.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
for n in range(CLIENTS):
    person = demo_person_add(draws=draws)
    user = applicant_register(
        registration=Registration(
            email=f"beban{n}@example.invalid", password=get_random_string(20),
            full_name=person.full_name, phone="0812 0000 9999", birth_date=person.birth_date,
            sex=str(person.sex), nik=person.nik, kk=person.kk,
            questions=(("mother", "beban"), ("first_teacher", "beban")), registry_checked=True,
        ),
        site_url="", send_activation=False,
    )
    account_activate(user=user)
    Profile.objects.filter(user=user).update(
        place_of_birth=model_profile.place_of_birth, address=model_profile.address,
        domicile_regency_id=model_profile.domicile_regency_id,
    )
    education = {k: v for k, v in model_education.items() if k not in ("id", "user_id")}
    Education.objects.create(user=user, **education)
    user.refresh_from_db()
    key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
    Session.objects.create(
        session_key=key,
        session_data=SessionStore().encode({
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }),
        expire_date=timezone.now() + timedelta(hours=2),
    )
    sessions.append(key)
formation = Formation.objects.filter(
    selection__code=ACEH, position="Pranata Komputer Ahli Pertama", formation_type="umum"
).order_by("code")[0]
out = {"sessions": sessions, "formation": formation.code}
"""

CHECK = """
from collections import Counter
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
ours = {"actor__email__startswith": "beban"}
applications = list(
    Application.objects.filter(selection__code=ACEH, applicant__email__startswith="beban")
)
started = AuditEvent.objects.filter(action="application.started", **ours)
cancelled = AuditEvent.objects.filter(action="application.cancelled", **ours)
started_ids = set(started.values_list("subject_id", flat=True))
net = Counter(started.values_list("actor_id", flat=True))
net.subtract(cancelled.values_list("actor_id", flat=True))
held = Counter(application.applicant_id for application in applications)
problems = [
    f"application {a.pk} has its temporary number"
    for a in applications if a.number.startswith("tmp-")
]
problems += [
    f"application {a.pk} has no application.started row"
    for a in applications if str(a.pk) not in started_ids
]
problems += [
    f"applicant {user}: {net[user]} started and not withdrawn, {held[user]} held"
    for user in set(net) | set(held) if net[user] != held[user]
]
problems += [
    f"withdrawal of {subject} without its start"
    for subject in set(cancelled.values_list("subject_id", flat=True)) - started_ids
]
out = {"problems": problems, "started": started.count(), "withdrawn": cancelled.count(),
       "held": len(applications)}
"""


@dataclass
class Answer:
    at: float
    kind: str
    status: int  # 0: no answer (connection refused, reset, timed out)
    outage_page: bool = False
    detail: str = ""


@dataclass
class Outcome:
    answers: list[Answer] = field(default_factory=list)
    restart_began: float = 0.0
    restart_ended: float = 0.0
    outage_body: str = ""
    check: dict[str, object] = field(default_factory=dict)

    def by_status(self) -> Counter[str]:
        return Counter(
            f"{a.status} outage page" if a.outage_page else str(a.status or "no answer")
            for a in self.answers
        )

    def unclean(self) -> list[Answer]:
        return [a for a in self.answers if not (a.status in (200, 302, 303) or a.outage_page)]

    def writes_after_restart(self) -> list[Answer]:
        return [
            a
            for a in self.answers
            if a.at > self.restart_ended and a.kind in ("apply", "withdraw") and a.status == 302
        ]

    def outages(self) -> list[Answer]:
        return [a for a in self.answers if a.outage_page]

    def recovery_seconds(self) -> float | None:
        """From the last outage page to the next successful write, or from the restart's end
        when there was none."""
        outages = self.outages()
        since = max((a.at for a in outages), default=self.restart_ended)
        after = [a.at for a in self.answers if a.at > since and a.status == 302]
        return min(after) - self.restart_began if after else None

    def summary(self) -> list[str]:
        statuses = ", ".join(f"{key}: {count}" for key, count in sorted(self.by_status().items()))
        recovery = self.recovery_seconds()
        outages = self.outages()
        offsets = [a.at - self.restart_began for a in outages]
        window = (
            f"{len(outages)}, to requests begun {min(offsets):+.2f} s to {max(offsets):+.2f} s "
            "from the restart's start"
            if outages
            else "none"
        )
        return [
            f"requests: {len(self.answers)} ({statuses})",
            f"restart (pg_ctl restart -m fast): {self.restart_ended - self.restart_began:.2f} s",
            f"outage pages: {window}",
            "recovered (restart began to the first write after the last outage page): "
            + (f"{recovery:.2f} s" if recovery is not None else "never"),
            f"writes after the restart: {len(self.writes_after_restart())}",
            f"unclean answers (bare 500, no answer, other): {len(self.unclean())}",
            f"applications started {self.check.get('started')}, withdrawn "
            f"{self.check.get('withdrawn')}, held {self.check.get('held')}; half-written: "
            f"{len(self.check.get('problems', []))}",  # type: ignore[arg-type]
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def throwaway_cluster() -> Iterator[tuple[str, str]]:
    """(data directory, DATABASE_URL) of a new cluster, stopped and removed afterwards."""
    started = subprocess.run(
        [str(ROOT / "scripts" / "throwaway-postgres"), "start"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHON": sys.executable},
    )
    if started.returncode != 0:
        raise RuntimeError(f"PostgreSQL did not start:\n{started.stderr}")
    values = dict(line.split("=", 1) for line in started.stdout.split())
    try:
        yield values["PG_TMP"], values["DATABASE_URL"]
    finally:
        subprocess.run(
            [str(ROOT / "scripts" / "throwaway-postgres"), "stop", values["PG_TMP"]],
            capture_output=True,
            check=False,
        )


def pg_restart(pg_tmp: str) -> None:
    pg_ctl = (
        Path(
            subprocess.run(
                ["bash", "-c", f"source {ROOT / 'scripts' / 'throwaway-postgres'}; find_pg_bin"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
        / "pg_ctl"
    )
    # The server pg_ctl starts keeps the output it was given: a log file, never a pipe.
    command = [str(pg_ctl), "-D", f"{pg_tmp}/data", "-l", f"{pg_tmp}/postgres.log"]
    command += ["-m", "fast", "-w", "-t", "60", "restart"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(
        command,
        cwd=pg_tmp,
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=90,
    )


def seleksi(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "seleksi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return done.stdout


def inside(env: dict[str, str], code: str, **values: object) -> dict[str, object]:
    names = "".join(f"{name} = {value!r}\n" for name, value in values.items())
    program = "import json\nout = None\n" + names + code + "\nprint(json.dumps(out))"
    printed = seleksi(env, "shell", "--no-imports", "-c", program)
    answer: dict[str, object] = json.loads(printed.strip().splitlines()[-1])
    return answer


@contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "seleksi.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "60",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz", "")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def request(
    port: int, method: str, path: str, session: str, body: str = ""
) -> tuple[int, str, str, str]:
    """(status, Location, Retry-After, body) of one request on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return (
            response.status,
            response.getheader("Location", ""),
            response.getheader("Retry-After", ""),
            text,
        )
    finally:
        connection.close()


def applicant_loop(
    port: int, session: str, formation: str, stop: threading.Event, answers: list[Answer]
) -> None:
    """Apply, withdraw, again; after an outage page, start over by applying (which leads to
    the draft if the lost answer's write did commit)."""
    statements = "&".join(
        f"statement_{name}=on"
        for name in ("not_asn", "no_conviction", "not_in_party", "willing_10_years")
    )
    number = ""
    while not stop.is_set():
        if number:
            kind, path, body = "withdraw", f"/lamaran/{number}/batalkan/", "confirmed=1"
        else:
            kind, path, body = "apply", f"/seleksi/{ACEH}/melamar/{formation}/", statements
        began = time.monotonic()
        try:
            status, location, retry_after, text = request(port, "POST", path, session, body)
        except OSError as error:
            answers.append(Answer(began, kind, 0, detail=type(error).__name__))
            number = ""
            time.sleep(0.2)
            continue
        outage = status == 503 and retry_after != "" and all(m in text for m in OUTAGE_MARKERS)
        detail = ""
        if kind == "apply" and status == 302:
            found = re.search(r"/lamaran/([^/]+)/", location)
            number = found.group(1) if found else ""
            detail = "" if found else f"redirected to {location}"
        elif kind == "withdraw" and status == 302:
            number = ""
        else:
            number = ""
            detail = text[:300] if not outage else ""
        answers.append(Answer(began, kind, status, outage, text if outage else detail))
        if outage:
            time.sleep(0.2)


def run(*, clients: int = 12, seconds: float = 12.0, restart_at: float = 3.0) -> Outcome:
    """Start everything, load it, restart PostgreSQL `restart_at` seconds in, keep loading
    until `seconds`, then check the database."""
    outcome = Outcome()
    with ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="seleksi-faults-"))
        stack.callback(shutil.rmtree, work, ignore_errors=True)
        pg_tmp, url = stack.enter_context(throwaway_cluster())
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SELEKSI_DATA_DIR": str(work / "data"),
            "DJANGO_SETTINGS_MODULE": "seleksi.settings",
            "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SELEKSI_LOG_FORMAT": "text",
        }
        phase = time.monotonic()
        seleksi(env, "migrate", "--verbosity", "0")
        seeded = inside(env, SEED, CLIENTS=clients, ACEH=ACEH)
        print(f"set up in {time.monotonic() - phase:.1f} s", file=sys.stderr)
        sessions = seeded["sessions"]
        assert isinstance(sessions, list)
        port = free_port()
        stack.enter_context(gunicorn(env, port, work / "gunicorn.log"))
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=applicant_loop,
                args=(port, session, seeded["formation"], stop, outcome.answers),
            )
            for session in sessions
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        try:
            time.sleep(restart_at)
            outcome.restart_began = time.monotonic()
            pg_restart(pg_tmp)
            outcome.restart_ended = time.monotonic()
            time.sleep(max(seconds - (time.monotonic() - began), 1.0))
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        outcome.check = inside(env, CHECK, ACEH=ACEH)
    outcome.answers.sort(key=lambda answer: answer.at)
    outcome.outage_body = next((a.detail for a in outcome.answers if a.outage_page), "")
    for answer in outcome.answers:
        if answer.outage_page:
            answer.detail = ""
    return outcome


@pytest.mark.faults
def test_a_postgres_restart_under_load_fails_cleanly_recovers_and_writes_nothing_by_half() -> None:
    outcome = run()
    print("\n".join(outcome.summary()))
    assert not outcome.unclean(), [vars(a) for a in outcome.unclean()[:5]]
    assert outcome.outages(), "the restart was not felt: no request met the outage page"
    with translation.override("id"):
        assert gettext(OUTAGE_HEADING) in outcome.outage_body
    assert len(outcome.writes_after_restart()) >= 12, "writes did not succeed after the restart"
    assert outcome.check["problems"] == []
    assert outcome.check["started"] and outcome.check["withdrawn"]


def main() -> int:
    outcome = run()
    for line in outcome.summary():
        print(line)
    for answer in outcome.unclean()[:10]:
        print(f"  unclean: {answer.kind} {answer.status} {answer.detail[:200]!r}")
    for problem in outcome.check.get("problems", [])[:10]:  # type: ignore[union-attr]
        print(f"  half-written: {problem}")
    failed = bool(outcome.unclean() or outcome.check.get("problems") or not outcome.outages())
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
