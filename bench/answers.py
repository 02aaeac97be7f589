"""Benchmark: answer saves during a computer-assisted test. P participants sit the SKD at once,
each saving one answer every I seconds, over real HTTP against a real server, for D seconds;
then as many saves as the server takes, with no pause between them.

Decisions worth knowing:

- The server and the client are bench/httpbench.py's (separate server processes, a fixed pool
  of threads each, a new connection per request, as from separate phones).
- The participants are made directly in the database (a selection, an SKD bank of 110+
  questions, one session, a checked-in booking each) and their sittings are started with
  `sitting_start`, so each has its own draw. They are signed in by a session row each.
- Paced run: participant p saves at p/P·I + k·I seconds (k = 0, 1, …), the k-th answer to
  the k-th question of their own draw, with sequence k+1, one answer per request, as the test
  page sends it. The offered rate is P/I saves per second. A client thread waits for the
  moment of its next save; "lag" says how late the sends were, when the clients fell behind.
- Saturation run: the next round of saves for every participant, sent by all client threads
  as fast as the server answers: the most saves per second this server gives.
- Beside them, /healthz (one query) and a static file are measured with the same client, once
  before and once after (bounds): ratios survive a noisy machine better than the figures.
- After each run every answer is checked: each request answered 200 with "saved", and each
  participant's stored answers hold the last sequence sent for each question. A wrong count
  ends the run with an error. Nothing is asserted about time.
- Each database in its own child process: a throwaway SQLite file (WAL, as settings.py
  configures it) and a throwaway PostgreSQL cluster when PostgreSQL is installed.

Goal (issue 14): 500 saves per second on two cores with p99 under 100 ms.

    .venv/bin/python bench/answers.py [--participants 1000] [--interval 2] [--seconds 20]
        [--clients 64] [--processes 2] [--threads 16] [--database sqlite|postgres|both]
"""

import argparse
import json
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass

from httpbench import (
    BOUNDS,
    Answer,
    Request,
    Servers,
    bound,
    database_opened,
    each_database,
    final_ms_applicants,
    fire,
    line,
    request,
    signed_in,
)

CSRF_SECRET = "d" * 32
KEYS = "abcde"


@dataclass(frozen=True)
class Participant:
    number: str
    cookie: str
    questions: tuple[tuple[int, tuple[str, ...]], ...]
    """(question id, option keys) in the participant's order"""


def scene(tag: str, participants: int) -> list[Participant]:
    """A selection with an SKD bank, one session and `participants` checked-in participants
    with a started sitting each, signed in."""

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from seleksi.accounts.models import User
    from seleksi.exams.models import Booking, Room, SessionRoom, TestSession, TestSite
    from seleksi.rules.cat import load_blueprint
    from seleksi.sittings.models import BankQuestion, StageTest
    from seleksi.sittings.sittings import sitting_start

    now = timezone.now()
    made = final_ms_applicants(tag, participants)
    selection = made.selection
    password = make_password(None)
    staff = User.objects.create(username=f"{tag}-staff", password=password)
    blueprint = load_blueprint("skd-2021")
    questions = []
    for component in blueprint.components:
        for n in range(component.questions + 10):
            if component.code == "tkp":
                points = [(n + i) % 5 + 1 for i in range(5)]
            else:
                points = [5 if i == n % 5 else 0 for i in range(5)]
            questions.append(
                BankQuestion(
                    selection=selection,
                    blueprint=blueprint.code,
                    component=component.code,
                    text=f"{component.code} {n}",
                    options=[
                        {"key": key, "text": f"opsi {key}", "points": p}
                        for key, p in zip(KEYS, points, strict=True)
                    ],
                    source_name="bench",
                    source_sha256="0" * 64,
                    source_line=n + 2,
                    imported_at=now,
                    imported_by=staff,
                )
            )
    BankQuestion.objects.bulk_create(questions)
    StageTest.objects.create(
        selection=selection, stage="skd", blueprint=blueprint.code, set_at=now, set_by=staff
    )
    site = TestSite.objects.create(selection=selection, code="lab", name="Lab")
    session = TestSession.objects.create(
        selection=selection,
        stage="skd",
        code="sesi-1",
        site=site,
        starts_at=now,
        duration_minutes=100,
    )
    room = Room.objects.create(site=site, code="r1", name="R1", seats=participants)
    session_room = SessionRoom.objects.create(
        session=session, room=room, order=0, capacity=participants, taken=participants
    )
    Booking.objects.bulk_create(
        (
            Booking(
                selection=selection,
                application=application,
                stage="skd",
                session=session,
                session_room=session_room,
                booked_at=now,
                booked_by=staff,
                attendance=Booking.Attendance.PRESENT,
                checked_in_at=now,
                checked_in_by=staff,
            )
            for application in made.applications
        ),
        batch_size=2000,
    )
    bookings = Booking.objects.filter(selection=selection).select_related(
        "application", "session", "selection"
    )
    drawn = {}
    for booking in bookings:
        sitting = sitting_start(booking=booking, actor=booking.application.applicant)
        drawn[booking.application.number] = tuple(
            (item["question"], tuple(item["options"])) for item in sitting.drawn
        )
    keys = signed_in(made.users)
    cookie = f"{settings.SESSION_COOKIE_NAME}=%s; {settings.CSRF_COOKIE_NAME}={CSRF_SECRET}"
    return [
        Participant(f"{tag}-{n:06d}", cookie % key, drawn[f"{tag}-{n:06d}"])
        for n, key in enumerate(keys)
    ]


def save_request(participant: Participant, k: int) -> Request:
    """The participant's k-th save: an option of their k-th question, sequence k + 1."""
    from django.urls import reverse

    question, options = participant.questions[k % len(participant.questions)]
    body = json.dumps(
        {"answers": [{"q": question, "o": options[k % len(options)], "m": False, "s": k + 1}]}
    )
    return Request(
        "POST",
        reverse("applicant:cat_answers", args=[participant.number, "skd"]),
        body,
        participant.cookie,
        {"Content-Type": "application/json", "X-CSRFToken": CSRF_SECRET},
    )


@dataclass(frozen=True)
class Paced:
    answers: list[Answer]
    lags: list[float]
    seconds: float


def paced(
    port: int, people: list[Participant], interval: float, seconds: float, clients: int
) -> tuple[Paced, int]:
    """Each participant saves every `interval` seconds for `seconds`; returns the answers and
    how many saves each participant made."""
    rounds = max(1, int(seconds / interval))
    schedule = sorted(
        (p * interval / len(people) + k * interval, p, k)
        for p in range(len(people))
        for k in range(rounds)
    )
    requests = [(at, save_request(people[p], k)) for at, p, k in schedule]
    pending = iter(requests)
    lock = threading.Lock()
    answers: list[Answer] = []
    lags: list[float] = []
    barrier = threading.Barrier(clients + 1)
    start: list[float] = []

    def work() -> None:
        mine, late = [], []
        barrier.wait()
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                break
            at, sent = item
            wait = start[0] + at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            else:
                late.append(-wait)
            mine.append(request(port, sent.method, sent.path, sent.body, sent.cookie, sent.headers))
        with lock:
            answers.extend(mine)
            lags.extend(late)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.append(time.perf_counter() + 0.05)
    barrier.wait()
    for thread in threads:
        thread.join()
    elapsed = max(a.ended for a in answers) - start[0]
    return Paced(answers, lags, elapsed), rounds


def problems_of(answers: list[Answer], people: list[Participant], rounds: int) -> list[str]:
    """What is wrong: answers not 200/"saved", or stored sequences not the last ones sent."""
    from seleksi.sittings.models import Answer as Stored

    problems = []
    results: Counter[str] = Counter()
    for answer in answers:
        if answer.status != 200:
            results[f"HTTP {answer.status}"] += 1
            continue
        try:
            results[json.loads(answer.body)["results"][0]["r"]] += 1
        except (ValueError, KeyError, IndexError):
            results["unreadable"] += 1
    if set(results) != {"saved"}:
        problems.append(f"answers: {dict(results)}")
    expected = {}
    for person in people:
        for k in range(rounds):
            question = person.questions[k % len(person.questions)][0]
            expected[(person.number, question)] = k + 1
    stored = {
        (number, question): sequence
        for number, question, sequence in Stored.objects.filter(
            sitting__booking__application__number__in=[p.number for p in people]
        ).values_list("sitting__booking__application__number", "question", "sequence")
    }
    if stored != expected:
        wrong = sum(1 for key in expected if stored.get(key) != expected[key])
        problems.append(f"{wrong} stored answers differ from the last sent ({len(stored)} stored)")
    return problems


def one_database(options: argparse.Namespace) -> None:
    from contextlib import ExitStack

    with ExitStack() as stack:
        database = database_opened(stack, options.database, "seleksi-bench-answers-")
        from django.db import connection

        started = time.perf_counter()
        people = scene("cat", options.participants)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        setup_seconds = time.perf_counter() - started
        servers = Servers(options.processes, options.threads)
        stack.callback(servers.stop)
        connection.close()
        servers.wait_ready()
        clients = options.clients
        print(
            f"\n== {database}: server {options.processes} process(es) x "
            f"{options.threads} threads, {clients} client threads, {os.cpu_count()} cores; "
            f"{len(people):,} participants in one SKD session, data made in "
            f"{setup_seconds:.1f} s (not timed)"
        )
        warm = options.processes * options.threads * 2
        for path in BOUNDS:
            fire(servers.port, [Request("GET", path)] * warm, clients)
        count = int(options.participants * options.seconds / options.interval)
        load_before = os.getloadavg()[0]
        before = {path: bound(servers.port, path, count // 2, clients) for path in BOUNDS}
        run, rounds = paced(servers.port, people, options.interval, options.seconds, clients)
        offered = len(people) / options.interval
        # The saturation round: the next save of everybody, as fast as it goes.
        burst = [save_request(person, rounds) for person in people]
        burst_answers, released = fire(servers.port, burst, clients)
        burst_seconds = max(a.ended for a in burst_answers) - released
        after = {path: bound(servers.port, path, count // 2, clients) for path in BOUNDS}
        load_after = os.getloadavg()[0]
        print(
            f"paced: each participant saves every {options.interval:g} s for "
            f"{options.seconds:g} s (offered {offered:,.0f} saves/s); load average "
            f"{load_before:.1f} before, {load_after:.1f} after"
        )
        for path in BOUNDS:
            answers = before[path][0] + after[path][0]
            print(line(f"bound: {path}", answers, before[path][1] + after[path][1]))
        print(line("answer saves, paced", run.answers, run.seconds))
        lags = sorted(run.lags)
        late = len(lags)
        worst = lags[-1] * 1000 if lags else 0.0
        print(
            f"  {late:,} of {len(run.answers):,} saves sent late (the clients behind the "
            f"schedule); the latest by {worst:.0f} ms"
        )
        print(line("answer saves, saturation", burst_answers, burst_seconds))
        problems = problems_of(run.answers + burst_answers, people, rounds + 1)
        for problem in problems:
            print(f"  !! {problem}")
        if not problems:
            print("  checked: every save answered 'saved', every stored answer the last sent")
    if problems:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between saves")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the paced run")
    parser.add_argument("--clients", type=int, default=64, help="client threads")
    parser.add_argument("--processes", type=int, default=2, help="server processes")
    parser.add_argument("--threads", type=int, default=16, help="threads per server process")
    parser.add_argument(
        "--database", choices=["sqlite", "postgres", "both"], default="both", help="default both"
    )
    options = parser.parse_args()
    if options.database != "both" or "DATABASE_URL" in os.environ:
        one_database(options)
        return
    forwarded = [f"--{name}={value}" for name, value in vars(options).items() if name != "database"]
    failed = each_database(__file__, forwarded)
    if failed:
        raise SystemExit(f"the answer saves went wrong on {', '.join(failed)}")


if __name__ == "__main__":
    main()
