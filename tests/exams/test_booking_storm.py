"""Booking under contention, over real HTTP against the live server: 2,000 applicants with a
final MS press "book" at the same moment for one session of 100 seats, and one applicant
books from two tabs at once.

This module sits outside tests/e2e on purpose: scripts/test runs the browser tests on SQLite
only, while everything else runs twice, on SQLite and on a throwaway PostgreSQL. On
PostgreSQL the live server gives each request thread its own connection, so the requests
meet in the database and only the seat's compare-and-swap and the one-booking constraint
keep the count exact. On the in-memory SQLite test database the live server runs one request
at a time (tests/live.py), so there the test pins the answers and the counts, not the race;
bench/booking.py storms a SQLite file with a real multi-threaded server.

Applicants are signed in without 2,000 logins: their sessions are written straight into the
session table, and every client sends the same CSRF secret as cookie and form field.
"""

import http.client
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.html import escape
from pytest_django.live_server_helper import LiveServer

from seleksi.accounts.models import User
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.exams.models import Booking, Room, SessionRoom, TestSession
from seleksi.exams.services import REFUSALS
from seleksi.rules.verification import Mark
from seleksi.rules.verification import Stage as AdminStage
from seleksi.selections.models import Formation
from tests.exams.scene import TestScene, make_session, make_test_scene

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

APPLICANTS = 2000
ROOM_SEATS = (60, 40)
SEATS = sum(ROOM_SEATS)
WORKERS = 64
CSRF_SECRET = "c" * 32


@dataclass(frozen=True)
class Answer:
    number: str
    status: int
    body: str


def applicants(scene: TestScene, count: int) -> list[Application]:
    """`count` applicants with a final MS, their users and applications inserted in bulk
    (an unusable password: nobody signs in with one)."""
    selection = scene.selection
    password = make_password(None)
    prefix = f"storm-{selection.pk}-"
    User.objects.bulk_create(
        (User(username=f"{prefix}{n:05d}", password=password) for n in range(count)),
        batch_size=1000,
    )
    users = User.objects.filter(username__startswith=prefix).order_by("username")
    formation = Formation.objects.filter(selection=selection).order_by("code").first()
    now = timezone.now()
    Application.objects.bulk_create(
        (
            Application(
                applicant=user,
                selection=selection,
                formation=formation,
                number=f"B{selection.pk:03d}{n:05d}",
                status=Application.Status.SUBMITTED,
                submitted_at=now,
                admin_stage=AdminStage.FINAL,
                admin_result=Mark.MS,
                published_result=Mark.MS,
            )
            for n, user in enumerate(users)
        ),
        batch_size=1000,
    )
    return list(
        Application.objects.filter(selection=selection, number__startswith="B")
        .select_related("applicant")
        .order_by("number")
    )


def signed_in(applications: list[Application]) -> dict[str, str]:
    """The session cookie of each application's applicant, by participant number: one
    session row each, as a sign-in would have written, inserted in one go."""
    store = SessionStore()
    expires = timezone.now() + timedelta(hours=1)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    keys = {
        a.number: get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        for a in applications
    }
    Session.objects.bulk_create(
        Session(
            session_key=keys[a.number],
            session_data=store.encode(
                {
                    SESSION_KEY: str(a.applicant.pk),
                    BACKEND_SESSION_KEY: backend,
                    HASH_SESSION_KEY: a.applicant.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for a in applications
    )
    return keys


def storm(
    live_server: LiveServer, requests: list[tuple[str, str, int]], workers: int
) -> list[Answer]:
    """POSTs a confirmed booking for each (number, session key, session id) from `workers`
    threads released together; each request on a new connection, as separate phones."""
    address = urlsplit(live_server.url)
    pending: Iterator[tuple[str, str, int]] = iter(requests)
    taking = threading.Lock()
    answers: list[Answer] = []
    barrier = threading.Barrier(workers)

    def post(number: str, session_key: str, session_id: int) -> Answer:
        path = reverse("applicant:booking", args=[number, "skd"])
        body = urlencode(
            {"session": session_id, "confirmed": "1", "csrfmiddlewaretoken": CSRF_SECRET}
        )
        cookies = (
            f"{settings.SESSION_COOKIE_NAME}={session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}"
        )
        client = http.client.HTTPConnection(
            address.hostname or "localhost", address.port, timeout=120
        )
        try:
            client.request(
                "POST",
                path,
                body=body,
                headers={"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"},
            )
            response = client.getresponse()
            return Answer(number, response.status, response.read().decode())
        except OSError as error:
            return Answer(number, 0, repr(error))
        finally:
            client.close()

    def work() -> None:
        mine = []
        barrier.wait()
        while True:
            with taking:
                request = next(pending, None)
            if request is None:
                break
            mine.append(post(*request))
        with taking:
            answers.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return answers


def client_threads() -> int:
    """WORKERS, but on PostgreSQL no more than half its connections: each request in flight
    holds one of the live server's, and a thread may still be closing its previous one."""
    if connection.vendor != "postgresql":
        return WORKERS
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        (limit,) = cursor.fetchone()
    return min(WORKERS, int(limit) // 2)


def refusal(code: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return escape(str(REFUSALS[code]))


def test_two_thousand_applicants_at_once_fill_a_hundred_seats_and_the_rest_hear_penuh(
    live_server: LiveServer,
) -> None:
    scene = make_test_scene(participants=0, capacities=(), code="storm-2026")
    rooms = [
        Room.objects.create(site=scene.site, code=f"r{seats}", name=f"Aula {seats}", seats=seats)
        for seats in ROOM_SEATS
    ]
    session = make_session(
        scene.selection,
        scene.site,
        "sesi-storm",
        seats=tuple(zip(rooms, ROOM_SEATS, strict=True)),
    )
    applications = applicants(scene, APPLICANTS)
    keys = signed_in(applications)
    requests = [(a.number, keys[a.number], session.pk) for a in applications]

    started = time.perf_counter()
    answers = storm(live_server, requests, client_threads())
    seconds = time.perf_counter() - started
    print(f"{APPLICANTS} booking attempts on {connection.vendor}: {seconds:.1f} s")

    statuses = Counter(answer.status for answer in answers)
    assert len(answers) == APPLICANTS
    assert not [a for a in answers if a.status == 0 or a.status >= 500], statuses
    booked = {a.number for a in answers if a.status == 302}
    full = [a for a in answers if a.status == 200 and "penuh" in a.body]
    assert len(booked) == SEATS, statuses
    assert len(full) == APPLICANTS - SEATS, statuses
    assert all(refusal("full") in a.body for a in full)

    bookings = Booking.objects.filter(session=session)
    assert set(bookings.values_list("application__number", flat=True)) == booked
    per_room = dict(bookings.values_list("session_room").annotate(n=Count("pk")))
    for room in SessionRoom.objects.filter(session=session):
        assert room.taken == per_room.get(room.pk, 0) <= room.capacity
    assert sum(SessionRoom.objects.filter(session=session).values_list("taken", flat=True)) == SEATS
    assert not Booking.objects.values("application").annotate(n=Count("pk")).filter(n__gt=1)
    assert AuditEvent.objects.filter(action="exams.booked").count() == SEATS


def test_one_applicant_in_two_tabs_gets_one_seat_and_the_other_tab_is_told(
    live_server: LiveServer,
) -> None:
    """Two tabs confirm two different sessions at the same moment; repeated for several
    applicants in one burst, so on PostgreSQL some pairs meet inside the database."""
    scene = make_test_scene(participants=20, capacities=(30, 30), code="tabs-2026")
    keys = signed_in(
        list(Application.objects.filter(selection=scene.selection).select_related("applicant"))
    )
    first, second = scene.sessions
    requests = [
        (number, key, target.pk) for number, key in keys.items() for target in (first, second)
    ]

    answers = storm(live_server, requests, min(len(requests), client_threads()))

    told = refusal("already_booked")
    by_number: dict[str, list[Answer]] = {}
    for answer in answers:
        by_number.setdefault(answer.number, []).append(answer)
    assert len(by_number) == len(keys)
    for number, pair in by_number.items():
        assert sorted(a.status for a in pair) == [200, 302], (number, [a.status for a in pair])
        refused = next(a for a in pair if a.status == 200)
        assert told in refused.body
        assert Booking.objects.filter(application__number=number).count() == 1
    taken = sum(
        SessionRoom.objects.filter(session__in=[first, second]).values_list("taken", flat=True)
    )
    assert taken == len(keys) == Booking.objects.filter(selection=scene.selection).count()
    assert TestSession.objects.filter(selection=scene.selection).count() == 2
