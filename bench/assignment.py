"""Benchmark: the committee's seat assignment of one stage for many participants (seed 003):
the preview, then the confirmation that writes every booking, audit event and e-mail.

Seeds its own selection (formations, two test sites with rooms, sessions enough for nine in
ten participants, a chosen location for a third of them), prints the timings and statement
counts, asserts nothing:

    .venv/bin/python bench/assignment.py --participants 12000
    DATABASE_URL=postgres://user@127.0.0.1:5432/empty_db .venv/bin/python bench/assignment.py

Without DATABASE_URL it uses a throwaway SQLite file. The database must be empty.
"""

import argparse
import time
from datetime import timedelta

from benchdb import setup_django

ROOM_SEATS = 40
SESSIONS_PER_SITE = 20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=12_000)
    options = parser.parse_args()

    setup_django("seleksi-bench-assignment-")
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from seleksi.accounts.models import User
    from seleksi.agencies.models import Agency, Membership, Role
    from seleksi.applications.models import Application
    from seleksi.exams.assignment import assignment_confirm, assignment_preview
    from seleksi.exams.models import Room, SessionRoom, SiteChoice, TestSession, TestSite
    from seleksi.outbox.models import Message
    from seleksi.selections.models import Formation, Selection

    count = options.participants
    started = time.perf_counter()
    agency = Agency.objects.create(code="bench", name="Bench", kind=Agency.Kind.REGIONAL_GOVERNMENT)
    selection = Selection.objects.create(
        agency=agency, code="bench-2026", kind=Selection.Kind.CASN, title="Bench"
    )
    formations = Formation.objects.bulk_create(
        Formation(
            selection=selection,
            code=f"F-{n:03d}",
            position=f"Jabatan {n}",
            placement_unit="Dinas",
            procurement_type="CPNS",
            quota=5,
        )
        for n in range(30)
    )
    committee = User.objects.create_user(username="panitia.bench", is_staff=True)
    Membership.objects.create(agency=agency, user=committee, role=Role.COMMITTEE)
    password = make_password(None)
    User.objects.bulk_create(
        (
            User(
                username=f"bench{n:07d}",
                email=f"bench{n:07d}@contoh.invalid",
                full_name=f"Peserta {n}",
                password=password,
            )
            for n in range(count)
        ),
        batch_size=5000,
    )
    users = list(
        User.objects.filter(username__startswith="bench")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    Application.objects.bulk_create(
        (
            Application(
                applicant_id=user_pk,
                selection=selection,
                formation=formations[n % len(formations)],
                number=f"B{n + 1:07d}",
                status=Application.Status.SUBMITTED,
                submitted_at=now - timedelta(seconds=count - n),
                admin_stage="final",
                admin_result="MS",
                published_result="MS",
                verification_token=f"bench-{n}",
            )
            for n, user_pk in enumerate(users)
        ),
        batch_size=5000,
    )
    sites = [
        TestSite.objects.create(selection=selection, code=code, name=code.upper())
        for code in ("gor", "aula")
    ]
    seats_wanted = count * 9 // 10
    per_session = ROOM_SEATS * 3
    sessions = -(-seats_wanted // per_session)
    for index in range(sessions):
        site = sites[index % len(sites)]
        session = TestSession.objects.create(
            selection=selection,
            stage="skd",
            code=f"sesi-{index + 1:03d}",
            site=site,
            starts_at=now + timedelta(days=1 + index // SESSIONS_PER_SITE, hours=index % 8),
            duration_minutes=100,
        )
        SessionRoom.objects.bulk_create(
            SessionRoom(
                session=session,
                room=Room.objects.get_or_create(
                    site=site, code=f"r{order}", defaults={"name": f"R{order}", "seats": ROOM_SEATS}
                )[0],
                order=order,
                capacity=ROOM_SEATS,
            )
            for order in range(3)
        )
    applications = list(
        Application.objects.filter(selection=selection).order_by("pk").values_list("pk", flat=True)
    )
    SiteChoice.objects.bulk_create(
        (
            SiteChoice(application_id=pk, site=sites[n % 2], chosen_at=now)
            for n, pk in enumerate(applications)
            if n % 3 == 0
        ),
        batch_size=5000,
    )
    seeded = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    admitted = Application.objects.filter(
        selection=selection, admin_stage="final", published_result="MS"
    ).values_list("pk", flat=True)
    print(
        f"database: {connection.vendor}; {count:,} participants, {sessions} sessions of "
        f"{per_session} seats; seeded in {seeded:.1f} s"
    )

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        preview = assignment_preview(
            selection=selection, stage="skd", application_ids=admitted, actor=committee
        )
        elapsed = time.perf_counter() - started
    print(
        f"preview:  {elapsed:6.2f} s, {len(queries):3d} statements; "
        f"{len(preview.placements):,} seated, {len(preview.unplaced):,} without a seat"
    )
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        assignment_confirm(
            selection=selection,
            stage="skd",
            application_ids=admitted,
            fingerprint=preview.fingerprint,
            actor=committee,
        )
        elapsed = time.perf_counter() - started
    print(
        f"confirm:  {elapsed:6.2f} s, {len(queries):3d} statements; "
        f"{Message.objects.count():,} e-mails queued"
    )


if __name__ == "__main__":
    main()
