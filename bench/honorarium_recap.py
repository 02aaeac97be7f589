"""Benchmark: the honorarium recap of a year for a statistics office's pool, read from the
database (`pool.documents.honorarium_recap`) and written as the finance workbook, each beside
a bound measured in the same run.

Loads (random.Random, fixed seed, bulk loaded, not timed):

- an office with the cap table of the year and a pool of 20,000 mitra over 20 regencies;
- 24 activities over the year (one to three months each), each with a PPL role (per
  document, per person-month or lump sum) and a PML role in every regency;
- two or three assignments for every mitra in distinct activities (one in ten as PML), and
  the earnings the office recorded month by month for two in five of them.

Times, best of `--repeat`, each measure and its bound run in turns:

- the recap rows (`honorarium_recap`: the assignments, the recorded earnings, the cap table
  and the regency names, then the arithmetic), beside a bound: the two plain queries a recap
  cannot do without (every assignment's id, amount and months; every earning row of the year)
  through the raw cursor, fetched whole;
- the workbook (`recap_sheets` + `write_xlsx_sheets`) from those rows, beside a bound: a
  workbook of the same sheets, rows and empty cells, every other cell a constant of its kind
  (text, number, yes/no).

Prints figures and ratios; asserts nothing about time.

    .venv/bin/python bench/honorarium_recap.py --postgres [--pool 20000] [--seed 16]
"""

import argparse
import json
import os
import random
import shutil
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, timedelta

from benchdb import bulk_load, reset_sequences, setup_django, throwaway_postgres

YEAR = 2026
ACTIVITIES = 24
REGENCIES = 20


def best_of_pair[A, B](
    repeat: int, work: Callable[[], A], bound: Callable[[], B]
) -> tuple[float, A, float, B]:
    """The best time of `work` and of `bound`, run in turns so that a machine busy with
    something else for a while slows both alike."""
    work_times, bound_times = [], []
    result, limit = work(), bound()
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        work_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        limit = bound()
        bound_times.append(time.perf_counter() - started)
    return min(work_times), result, min(bound_times), limit


def line(label: str, seconds: float) -> None:
    print(f"  {label:<60} {seconds * 1000:9.1f} ms")


def constant(cell: object) -> object:
    """A constant of the cell's kind: what the workbook bound writes in its place."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        return True
    return "Mitra Contoh" if isinstance(cell, str) else 1_000_000


def month_list(first: date, last: date) -> list[list[int]]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append([year, month])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def load(pool: int, seed: int) -> tuple[object, int, int]:
    """The agency, the number of assignments and the number of earnings, once loaded."""
    from django.db import connection, transaction
    from django.db.models import Max

    from seleksi.accounts.models import User
    from seleksi.agencies.models import Agency
    from seleksi.pool.models import (
        Activity,
        ActivityRole,
        Assignment,
        CapTable,
        Earning,
        PoolMember,
    )
    from seleksi.reference.models import Regency

    rng = random.Random(seed)
    with transaction.atomic():
        agency = Agency.objects.create(
            code="bps-bench", name="BPS Kabupaten Bench", kind=Agency.Kind.STATISTICS_OFFICE
        )
        CapTable.objects.create(
            agency=agency,
            year=YEAR,
            code=f"bench-{YEAR}",
            version=1,
            data={
                "code": f"bench-{YEAR}",
                "version": 1,
                "year": YEAR,
                "source": "bench",
                "caps": {
                    "ppl": {str(month): 3_000_000 for month in range(1, 13)},
                    "pml": {str(month): 4_000_000 for month in range(1, 13)},
                },
            },
        )
        regencies = list(Regency.objects.order_by("code").values_list("code", flat=True))
        regencies = rng.sample(regencies, REGENCIES)

        activities = []
        for number in range(ACTIVITIES):
            first = date(YEAR, 1, 1) + timedelta(days=rng.randint(0, 330))
            last = min(first + timedelta(days=rng.randint(20, 80)), date(YEAR, 12, 31))
            activities.append(
                Activity.objects.create(
                    agency=agency,
                    name=f"Survei Bench {number + 1:02d}",
                    starts_on=first,
                    ends_on=last,
                    regencies=regencies,
                )
            )
        roles: dict[tuple[int, str, str], ActivityRole] = {}
        for activity in activities:
            unit = rng.choice(("document", "person_month", "lump_sum"))
            rate = {"document": 6_000, "person_month": 1_500_000, "lump_sum": 1_200_000}[unit]
            for regency in regencies:
                roles[activity.pk, "ppl", regency] = ActivityRole(
                    activity=activity,
                    role="ppl",
                    regency=regency,
                    needed=pool,
                    unit=unit,
                    rate=rate,
                )
                roles[activity.pk, "pml", regency] = ActivityRole(
                    activity=activity,
                    role="pml",
                    regency=regency,
                    needed=pool,
                    unit="lump_sum",
                    rate=2_000_000,
                )
        ActivityRole.objects.bulk_create(roles.values())

        first_user = (User.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        bulk_load(
            User,
            ("id", "username", "full_name"),
            ((first_user + n, f"bench-mitra-{n}", f"Mitra Nomor {n} Contoh") for n in range(pool)),
        )
        homes = [rng.choice(regencies) for _ in range(pool)]
        first_member = (PoolMember.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        bulk_load(
            PoolMember,
            ("id", "user_id", "domicile_regency"),
            ((first_member + n, first_user + n, homes[n]) for n in range(pool)),
            fixed={"agency": agency.pk, "year": YEAR, "source": PoolMember.Source.SELECTED},
        )

        assignments = []
        earnings = []
        first_assignment = (Assignment.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        for n in range(pool):
            for activity in rng.sample(activities, rng.choice((2, 3, 3))):
                role = roles[activity.pk, "pml" if rng.random() < 0.1 else "ppl", homes[n]]
                quantity = {
                    "document": rng.randint(50, 300),
                    "person_month": len(month_list(activity.starts_on, activity.ends_on)),
                    "lump_sum": 1,
                }[role.unit]
                months = month_list(activity.starts_on, activity.ends_on)
                pk = first_assignment + len(assignments)
                amount = role.rate * quantity
                assignments.append(
                    (
                        pk,
                        activity.pk,
                        role.pk,
                        first_member + n,
                        quantity,
                        amount,
                        json.dumps(months),
                    )
                )
                if rng.random() < 0.4:
                    share = amount // len(months)
                    for year, month in months:
                        earnings.append((pk, year, month, share + rng.randint(-50, 50) * 1000))
        bulk_load(
            Assignment,
            ("id", "activity_id", "activity_role_id", "member_id", "quantity", "amount", "months"),
            assignments,
            fixed={"over_cap_reason": "", "cap_figures": []},
        )
        bulk_load(
            Earning,
            ("assignment_id", "year", "month", "amount"),
            ((pk, year, month, max(amount, 0)) for pk, year, month, amount in earnings),
        )
        reset_sequences(User, PoolMember, Assignment)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return agency, len(assignments), len(earnings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (best counts)")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster")
    options = parser.parse_args()

    with ExitStack() as stack:
        if options.postgres:
            os.environ["DATABASE_URL"] = stack.enter_context(throwaway_postgres())
        workdir = setup_django("seleksi-bench-recap-")
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)

        from django.db import connection
        from django.utils import translation

        from seleksi.committee.pool_document_views import recap_sheets
        from seleksi.pool.documents import honorarium_recap
        from seleksi.pool.models import Assignment, Earning
        from seleksi.selections.tables import write_xlsx_sheets

        started = time.perf_counter()
        agency, assignment_count, earning_count = load(options.pool, options.seed)
        print(
            f"{connection.vendor}: pool {options.pool:,} mitra, {assignment_count:,} assignments "
            f"in {ACTIVITIES} activities, {earning_count:,} recorded earnings; loading (not "
            f"timed) {time.perf_counter() - started:.1f} s; seed {options.seed}"
        )

        assignment_table = connection.ops.quote_name(Assignment._meta.db_table)
        earning_table = connection.ops.quote_name(Earning._meta.db_table)

        def plain_reads() -> int:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id, amount, months FROM {assignment_table}")  # noqa: S608
                rows = len(cursor.fetchall())
                cursor.execute(
                    f"SELECT assignment_id, month, amount FROM {earning_table} WHERE year = %s",  # noqa: S608
                    [YEAR],
                )
                return rows + len(cursor.fetchall())

        recap_seconds, recap, bound_seconds, read = best_of_pair(
            options.repeat, lambda: honorarium_recap(agency=agency, year=YEAR), plain_reads
        )
        over = sum(1 for mitra in recap.mitra if mitra.over_months)
        print(
            f"recap of {YEAR}: {len(recap.mitra):,} mitra, {len(recap.lines):,} month lines, "
            f"Rp {recap.total:,} in all, {over:,} mitra over the cap in some month"
        )
        line(f"honorarium_recap (best of {options.repeat})", recap_seconds)
        line(f"bound, two plain queries fetching {read:,} rows", bound_seconds)
        print(f"  ratio recap / bound: {recap_seconds / bound_seconds:.1f}x")

        with translation.override("id"):
            sheets = recap_sheets(recap)
            shapes = [
                (title, list(header), [list(row) for row in rows]) for title, header, rows in sheets
            ]

            def workbook() -> bytes:
                return write_xlsx_sheets(recap_sheets(recap))

            constant_shapes = [
                (title, header, [[constant(cell) for cell in row] for row in rows])
                for title, header, rows in shapes
            ]

            def constant_workbook() -> bytes:
                return write_xlsx_sheets(constant_shapes)

            xlsx_seconds, content, constant_seconds, constant_content = best_of_pair(
                options.repeat, workbook, constant_workbook
            )
        cells = sum(len(header) * (1 + len(rows)) for _title, header, rows in shapes)
        filled = sum(
            1 for _title, _header, rows in shapes for row in rows for cell in row if constant(cell)
        )
        print(
            f"workbook: {len(shapes)} sheets, {cells:,} cells ({filled:,} filled below the "
            f"headers), {len(content) / 1e6:.1f} MB "
            f"(constant cells: {len(constant_content) / 1e6:.1f} MB)"
        )
        line(f"recap_sheets + write_xlsx_sheets (best of {options.repeat})", xlsx_seconds)
        line("bound, write_xlsx_sheets of constant cells, same shape", constant_seconds)
        print(f"  ratio workbook / bound: {xlsx_seconds / constant_seconds:.1f}x")
        line("recap and workbook together (a download, less HTTP)", recap_seconds + xlsx_seconds)


if __name__ == "__main__":
    main()
