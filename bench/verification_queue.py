"""Benchmark: the verification queue with 100,000 submitted applications in one selection,
then the publication of the administrative result to all of them.

The publication is printed with its statement count beside two bounds measured in the same
run and rolled back: one UPDATE of every application (the least any publication writes) and
loading one audit row per application through a temporary table (COPY on PostgreSQL).

Seeds its own data, prints timings, asserts nothing. Meant for PostgreSQL:

    DATABASE_URL=postgres://user@127.0.0.1:5432/empty_db \
        .venv/bin/python bench/verification_queue.py

Without DATABASE_URL it uses a throwaway SQLite file. The database must be empty.
"""

import argparse
import statistics
import time
from typing import Any

from benchdb import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()

    setup_django("seleksi-bench-queue-")
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from seleksi.accounts.models import User
    from seleksi.agencies.models import Membership, Role
    from seleksi.applications.models import Application
    from seleksi.selections.demo import demo_load
    from seleksi.selections.models import Formation, Selection

    started = time.perf_counter()
    demo_load()
    selection = Selection.objects.get(code="aceh-tengah-casn-2021")
    formations = list(Formation.objects.filter(selection=selection).values_list("pk", flat=True))
    verifiers = [
        m.user for m in Membership.objects.filter(agency=selection.agency, role=Role.VERIFIER)
    ]
    password = make_password(None)
    count = options.applications
    User.objects.bulk_create(
        (
            User(username=f"bench{n:07d}", email=f"bench{n:07d}@contoh.invalid", password=password)
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
    stages = ["waiting", "waiting", "waiting", "checked", "decided"]
    Application.objects.bulk_create(
        (
            Application(
                applicant_id=user_pk,
                selection=selection,
                formation_id=formations[n % len(formations)],
                number=f"{selection.pk:03d}{n + 1:07d}",
                status=Application.Status.SUBMITTED,
                submitted_at=now,
                admin_stage=stages[n % len(stages)],
                admin_result="MS" if stages[n % len(stages)] else "",
                assigned_to=verifiers[n % len(verifiers)] if verifiers and n % 3 else None,
                verification_token=f"bench-{n}",
            )
            for n, user_pk in enumerate(users)
        ),
        batch_size=5000,
    )
    seed_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    client = Client()
    client.force_login(User.objects.get(username="panitia.acehtengah"))
    url = f"/panitia/{selection.code}/verifikasi/"
    some_formation = Formation.objects.get(pk=formations[7]).code
    cases = {
        "no filter, page 1": {},
        "waiting": {"tahap": "waiting"},
        "one formation": {"formasi": some_formation},
        "unassigned": {"verifikator": "none"},
        "one verifier": {"verifikator": str(verifiers[0].pk)} if verifiers else {},
        "page 1000": {"page": "1000"},
    }
    print(
        f"database: {connection.vendor}; {count:,} submitted applications, seeded in "
        f"{seed_seconds:.1f} s"
    )
    print(f"{'case':<20} {'median ms':>10} {'p95 ms':>8}")
    for name, params in cases.items():
        timings = []
        for _ in range(options.requests):
            started = time.perf_counter()
            response = client.get(url, params)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{name:<20} {statistics.median(timings):>10.1f} {p95:>8.1f}")

    publication(selection, count)


def publication(selection: Any, count: int) -> None:
    """Every application checked, then published at once; the bounds are rolled back."""
    from django.db import connection, transaction
    from django.db.models import F
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from benchdb import bulk_load
    from seleksi.accounts.models import User
    from seleksi.applications.models import Application
    from seleksi.audit.models import AuditEvent
    from seleksi.verification.services import result_publish

    applications = Application.objects.filter(selection=selection)
    applications.update(admin_stage="checked", admin_result="MS")
    applications.filter(number__endswith="7").update(admin_result="TMS")
    pks = list(applications.values_list("pk", "number"))

    class Rollback(Exception):
        pass

    def rolled_back(work: Any) -> float:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                work()
                raise Rollback
        except Rollback:
            pass
        return time.perf_counter() - started

    update_seconds = rolled_back(
        lambda: applications.update(
            admin_stage="published", published_result=F("admin_result"), published_at=timezone.now()
        )
    )
    audit_seconds = rolled_back(
        lambda: bulk_load(
            AuditEvent,
            ["subject_id", "subject_label"],
            ((str(pk), number) for pk, number in pks),
            fixed={
                "action": "verification.published",
                "actor_role": "committee",
                "subject_type": "applications.application",
                "agency_id": selection.agency_id,
                "selection_id": selection.pk,
                "details": {"result": "MS"},
            },
        )
    )
    committee = User.objects.get(username="panitia.acehtengah")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        published = result_publish(selection=selection, actor=committee, site_url="https://bench")
    seconds = time.perf_counter() - started
    copy = (
        " and two COPYs (the audit rows, the e-mails)" if connection.vendor == "postgresql" else ""
    )
    print(
        f"publish {count:,} applications: {seconds:.2f} s, {len(queries.captured_queries)} "
        f"statements{copy} (counts {published.counts})"
    )
    print(f"  bound: one UPDATE of every application {update_seconds:.2f} s")
    print(f"  bound: one audit row per application through a temporary table {audit_seconds:.2f} s")


if __name__ == "__main__":
    main()
