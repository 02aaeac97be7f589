"""Benchmark: the seat-booking storm. N applicants with a final MS press "book" at the same
moment for one SKD session of S seats, over real HTTP against a real server; then the exam
cards (bench/exam_cards.py, when it is there).

Decisions worth knowing:

- The server and the client are bench/httpbench.py's: separate server processes with a
  fixed pool of threads each, as gunicorn's gthread worker runs it.
- Every applicant is signed in beforehand (a session row written directly), and each request
  comes on a new connection, as from separate phones. The clients are threads of this
  process, released together.
- Beside the storm, the same client sends the same number of requests to a static file (the
  least the HTTP stack costs) and to /healthz (a Django view with one query) on the same
  server, once just before the storm and once just after it: the ratios survive a noisy
  machine better than the figures. The load average is printed beside them.
- After each storm the counts are checked (bookings = seats, the rest answered "penuh",
  no 5xx, seats taken = bookings per room); a wrong count ends the run with an error. Nothing
  is asserted about time.
- Each database runs in its own child process of this script (Django is set up once per
  process): a throwaway SQLite file (WAL, busy timeout, as settings.py configures it) and a
  throwaway PostgreSQL cluster (scripts/throwaway-postgres: durability off, as for the
  tests) when PostgreSQL is installed. With DATABASE_URL set, only that database is used.

    .venv/bin/python bench/booking.py [--applicants 2000] [--seats 100,1000] [--clients 64]
        [--processes 2] [--threads 16] [--database sqlite|postgres|both] [--no-cards]
"""

import argparse
import importlib
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

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
    milliseconds,
    signed_in,
)

ROOM_SEATS = (60, 40)  # rooms of a session take turns at these sizes until the seats are made
CSRF_SECRET = "b" * 32


# --- the data --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    session_id: int
    rooms: int
    requests: list[Request]


def rooms_for(seats: int) -> list[int]:
    sizes: list[int] = []
    while sum(sizes) < seats:
        sizes.append(min(ROOM_SEATS[len(sizes) % len(ROOM_SEATS)], seats - sum(sizes)))
    return sizes


def scene(tag: str, applicants: int, seats: int) -> Scene:
    """A selection with one formation, one SKD session of `seats` seats tomorrow, an open
    self-booking window and `applicants` final-MS applicants, each signed in; the confirmed
    booking request of each."""
    from datetime import timedelta

    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone

    from seleksi.exams.models import BookingWindow, Room, SessionRoom, TestSession, TestSite

    now = timezone.now()
    made = final_ms_applicants(tag, applicants)
    selection, users = made.selection, made.users
    site = TestSite.objects.create(selection=selection, code="gor", name="GOR")
    session = TestSession.objects.create(
        selection=selection,
        stage="skd",
        code="sesi-1",
        site=site,
        starts_at=now + timedelta(days=1),
        duration_minutes=100,
    )
    sizes = rooms_for(seats)
    for order, size in enumerate(sizes):
        room = Room.objects.create(
            site=site, code=f"r{order + 1}", name=f"R{order + 1}", seats=size
        )
        SessionRoom.objects.create(session=session, room=room, order=order, capacity=size)
    BookingWindow.objects.create(
        selection=selection,
        stage="skd",
        mode=BookingWindow.Mode.SELF,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=12),
    )
    keys = signed_in(users)
    body = urlencode({"session": session.pk, "confirmed": "1", "csrfmiddlewaretoken": CSRF_SECRET})
    requests = [
        Request(
            "POST",
            reverse("applicant:booking", args=[f"{tag}-{n:06d}", "skd"]),
            body,
            f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={CSRF_SECRET}",
        )
        for n, key in enumerate(keys)
    ]
    return Scene(session.pk, len(sizes), requests)


def counts_checked(session_id: int, seats: int, answers: list[Answer]) -> list[str]:
    """What is wrong with the storm's outcome, if anything."""
    from django.db.models import Count

    from seleksi.exams.models import Booking, SessionRoom

    problems = []
    booked = sum(1 for a in answers if a.status == 302)
    full = sum(1 for a in answers if a.status == 200 and b"penuh" in a.body)
    expected = min(seats, len(answers))
    others = Counter(a.status for a in answers if a.status not in (200, 302))
    if others:
        problems.append(f"answers other than 302 and 200: {dict(others)}")
    if booked != expected or full != len(answers) - expected:
        problems.append(f"{booked} booked and {full} full, expected {expected} booked")
    bookings = Booking.objects.filter(session_id=session_id)
    per_room = dict(bookings.values_list("session_room").annotate(n=Count("pk")))
    if bookings.count() != booked:
        problems.append(f"{bookings.count()} bookings stored, {booked} answered")
    for room in SessionRoom.objects.filter(session_id=session_id):
        if room.taken != per_room.get(room.pk, 0) or room.taken > room.capacity:
            problems.append(
                f"room {room.pk}: taken {room.taken}, {per_room.get(room.pk, 0)} bookings, "
                f"capacity {room.capacity}"
            )
    return problems


# --- one database ----------------------------------------------------------------------


def storm_round(servers: Servers, options: argparse.Namespace, seats: int) -> list[str]:
    """One storm of `options.applicants` on `seats` seats, with the bounds measured just
    before and just after it; prints the figures and returns what went wrong."""
    from django.db import connection

    started = time.perf_counter()
    built = scene(f"storm-{seats}", options.applicants, seats)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    setup_seconds = time.perf_counter() - started
    count = len(built.requests)
    clients = options.clients
    # Warm every server thread's connection, and every process's templates and URLs.
    warm = options.processes * options.threads * 2
    for path in BOUNDS:
        fire(servers.port, [Request("GET", path)] * warm, clients)
    fire(
        servers.port,
        [Request("GET", r.path, cookie=r.cookie) for r in built.requests[:warm]],
        clients,
    )

    load_before = os.getloadavg()[0]
    before = {path: bound(servers.port, path, count, clients) for path in BOUNDS}
    answers, released = fire(servers.port, built.requests, clients)
    storm_seconds = max(a.ended for a in answers) - released
    after = {path: bound(servers.port, path, count, clients) for path in BOUNDS}
    load_after = os.getloadavg()[0]
    bounds = {
        path: (before[path][0] + after[path][0], before[path][1] + after[path][1])
        for path in BOUNDS
    }
    booked = [a for a in answers if a.status == 302]
    full = [a for a in answers if a.status == 200 and b"penuh" in a.body]
    filled_seconds = max((a.ended for a in booked), default=released) - released

    print(
        f"{count:,} applicants, {seats:,} seats in {built.rooms} rooms; data made in "
        f"{setup_seconds:.1f} s (not timed); load average {load_before:.1f} before, "
        f"{load_after:.1f} after; bounds: half just before the storm, half just after"
    )
    for path, (bound_answers, seconds) in bounds.items():
        print(line(f"bound: {path}", bound_answers, seconds))
    print(line("booking storm, every answer", answers, storm_seconds))
    print(line("  booked (302)", booked))
    print(line('  full (200, "penuh")', full))
    if booked:
        print(
            f"  {len(booked):,} seats taken within {filled_seconds:.2f} s of the start: "
            f"{len(booked) / filled_seconds:,.0f} bookings per second"
        )
    storm_rate = count / storm_seconds
    storm_p50 = milliseconds(answers)[0]
    for path, (bound_answers, seconds) in bounds.items():
        print(
            f"  ratio to {path}: {len(bound_answers) / seconds / storm_rate:,.1f}x fewer "
            f"answers per second, p50 {storm_p50 / milliseconds(bound_answers)[0]:,.1f}x longer"
        )
    problems = counts_checked(built.session_id, seats, answers)
    failures = sum(1 for answers, _ in bounds.values() for a in answers if a.status != 200)
    if failures:
        problems.append(f"{failures} bound requests were not answered 200")
    for problem in problems:
        print(f"  !! {problem}")
    if not problems:
        print("  checked: bookings = seats, the rest told penuh, no 5xx, no room over capacity")
    return problems


def one_database(options: argparse.Namespace) -> None:
    from contextlib import ExitStack

    with ExitStack() as stack:
        database = database_opened(stack, options.database, "seleksi-bench-booking-")
        from django.db import connection

        servers = Servers(options.processes, options.threads)
        stack.callback(servers.stop)
        # Server threads keep connections; the server's database must be free of ours.
        connection.close()
        servers.wait_ready()
        print(
            f"\n== {database}: server {options.processes} process(es) x "
            f"{options.threads} threads, {options.clients} client threads, "
            f"{os.cpu_count()} cores"
        )
        problems = []
        for seats in options.seats:
            problems += storm_round(servers, options, seats)
    if problems:
        raise SystemExit(1)


# --- the run ---------------------------------------------------------------------------


def exam_cards() -> None:
    """THE PLACE for the exam-card throughput (PDFs per second per core, goal 20 or more):
    bench/exam_cards.py, run with its own defaults when it is there."""
    try:
        module = importlib.import_module("exam_cards")
    except ModuleNotFoundError as error:
        if error.name != "exam_cards":
            raise
        print("\n== exam cards: bench/exam_cards.py is not here yet; skipped")
        return
    print("\n== exam cards (bench/exam_cards.py)", flush=True)
    arguments = sys.argv
    sys.argv = [str(Path(module.__file__ or "exam_cards.py"))]
    try:
        main_of: Callable[[], object] = module.main
        main_of()
    finally:
        sys.argv = arguments


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=2000)
    parser.add_argument(
        "--seats",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[100, 1000],
        help="seat counts, one storm each (default 100,1000)",
    )
    parser.add_argument("--clients", type=int, default=64, help="client threads")
    parser.add_argument("--processes", type=int, default=2, help="server processes")
    parser.add_argument("--threads", type=int, default=16, help="threads per server process")
    parser.add_argument(
        "--database", choices=["sqlite", "postgres", "both"], default="both", help="default both"
    )
    parser.add_argument("--no-cards", action="store_true", help="leave out the exam cards")
    options = parser.parse_args()

    if options.database != "both" or "DATABASE_URL" in os.environ:
        one_database(options)
        return
    forwarded = [
        f"--applicants={options.applicants}",
        f"--seats={','.join(str(s) for s in options.seats)}",
        f"--clients={options.clients}",
        f"--processes={options.processes}",
        f"--threads={options.threads}",
    ]
    failed = each_database(__file__, forwarded)
    if not options.no_cards:
        exam_cards()
    if failed:
        raise SystemExit(f"the storm went wrong on {', '.join(failed)}")


if __name__ == "__main__":
    main()
