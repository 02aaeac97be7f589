"""Benchmark: previewing and publishing the announcement of a 100,000-row SKD result.

The stage is loaded into a throwaway database (one selection, its formations, one applicant,
application and SKD score per row, bulk loaded and not timed), ranked and confirmed with the
services the committee uses (not timed either), then an SKD announcement is drafted,
previewed (`announcement_preview`: the whole table built and counted, nothing written) and
published (`announcement_publish`: the rows copied, COPY on PostgreSQL, batched inserts
elsewhere), each timed once. Prints figures and checks the rows and the fingerprint; asserts
nothing about time.

    .venv/bin/python bench/announcement_publish.py [--rows 100000] [--formations 500]
    .venv/bin/python bench/announcement_publish.py --postgres
"""

import argparse
import os
import random
import shutil
import sys
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import bulk_load, reset_sequences, setup_django, throwaway_postgres


def load(rows: int, formations: int, seed: int) -> tuple[object, object]:
    """The selection and its committee member, once the stage is in the database."""
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from seleksi.accounts.models import User
    from seleksi.agencies.models import Agency, Membership, Role
    from seleksi.applications.models import Application
    from seleksi.rules.formations import ProcurementType
    from seleksi.scoring.models import Score
    from seleksi.selections.models import Formation, Selection

    generator = random.Random(seed)
    with transaction.atomic():
        agency = Agency.objects.create(code="bench", name="Bench", kind=Agency.Kind.CENTRAL_AGENCY)
        selection = Selection.objects.create(
            agency=agency, code="bench-skd", kind=Selection.Kind.CASN, title="Bench SKD"
        )
        Formation.objects.bulk_create(
            Formation(
                selection=selection,
                code=f"F-{index:05d}",
                procurement_type=ProcurementType.CPNS,
                formation_type="umum",
                position="Analis",
                qualifications_text="S-1 Semua Jurusan",
                placement_unit=f"Unit {index}",
                quota=generator.randint(1, 5),
            )
            for index in range(formations)
        )
        formation_ids = list(
            Formation.objects.filter(selection=selection)
            .order_by("code")
            .values_list("pk", flat=True)
        )
        actor = User.objects.create(username="bench-panitia", is_staff=True)
        Membership.objects.create(agency=agency, user=actor, role=Role.COMMITTEE)
        first_user = (User.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        bulk_load(
            User,
            ("id", "username", "full_name"),
            ((first_user + n, f"bench-{n}", f"Peserta Nomor {n} Contoh") for n in range(rows)),
        )
        first_application = (Application.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        bulk_load(
            Application,
            ("id", "applicant_id", "formation_id", "number", "verification_token"),
            (
                (
                    first_application + n,
                    first_user + n,
                    formation_ids[n % formations],
                    f"{n:010d}",
                    f"bench-{n}",
                )
                for n in range(rows)
            ),
            fixed={
                "selection": selection.pk,
                "status": Application.Status.SUBMITTED,
                "submitted_at": timezone.now(),
            },
        )
        bulk_load(
            Score,
            ("application_id", "attendance", "twk", "tiu", "tkp"),
            (
                (
                    first_application + n,
                    "H",
                    generator.randrange(40, 151, 5),
                    generator.randrange(50, 176, 5),
                    generator.randint(120, 225),
                )
                if n % 20
                else (first_application + n, "TH", None, None, None)
                for n in range(rows)
            ),
            fixed={
                "selection": selection.pk,
                "stage": Score.Stage.SKD,
                "imported_at": timezone.now(),
                "source_name": "NILAI.csv",
                "source_sha256": "0" * 64,
            },
        )
        reset_sequences(User, Application)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return selection, actor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formations", type=int, default=500)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster")
    options = parser.parse_args()

    with ExitStack() as stack:
        if options.postgres:
            os.environ["DATABASE_URL"] = stack.enter_context(throwaway_postgres())
        workdir = setup_django("seleksi-bench-announcement-")
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)

        from django.db import connection

        from seleksi.announcements import services
        from seleksi.announcements.models import AnnouncementRow, Kind
        from seleksi.scoring.confirmation import ranking_run_confirm
        from seleksi.scoring.ranking_runs import ranking_run

        started = time.perf_counter()
        selection, actor = load(options.rows, options.formations, options.seed)
        run = ranking_run(selection=selection, stage="skd", actor=actor).run
        ranking_run_confirm(run=run, actor=actor, note="bench")
        print(
            f"{connection.vendor}: {options.rows:,} SKD rows over {options.formations:,} "
            f"formations; loading and ranking (not timed below) "
            f"{time.perf_counter() - started:.1f} s"
        )
        draft = services.announcement_draft(
            selection=selection,
            kind=Kind.SKD,
            actor=actor,
            number="1/BENCH/2026",
            dated_on=date(2026, 12, 3),
            signatory_name="Ketua",
            signatory_title="Ketua Panitia",
        )
        started = time.perf_counter()
        preview = services.announcement_preview(announcement=draft)
        preview_seconds = time.perf_counter() - started
        started = time.perf_counter()
        published = services.announcement_publish(
            announcement=draft, actor=actor, confirm_number=draft.number
        )
        publish_seconds = time.perf_counter() - started
        stored = AnnouncementRow.objects.filter(announcement=published).count()
        if stored != options.rows or published.fingerprint != preview.fingerprint:
            raise SystemExit("the published table differs from the preview")
        print(
            f"preview (build and count, nothing written): {preview_seconds:.2f} s "
            f"({options.rows / preview_seconds:,.0f} rows/s)"
        )
        print(
            f"publish (build, copy the rows, mark published, audit): {publish_seconds:.2f} s "
            f"({options.rows / publish_seconds:,.0f} rows/s)"
        )
        print(f"rows stored: {stored:,}; fingerprint as previewed: {published.fingerprint[:16]}…")


if __name__ == "__main__":
    main()
