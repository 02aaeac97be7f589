"""Benchmark: proposing mitra for a survey activity needing 500 from a pool of 20,000, read from
the database (`seleksi.pool.proposing.activity_proposal`), beside bounds measured in the same
run.

Loads (random.Random, fixed seed, bulk_create, not timed) an agency with its pool of the
year over 60 regencies (a few large, many small); for four in five of them a year-before
pool membership with one or two rated assignments (the yearly rating the proposal reads);
for two in five one or two assignments of the year in other activities, some overlapping
the proposed activity's months, with the earnings of some months recorded; the shipped cap
table mitra-bps-2024; an activity over 50 of the regencies needing 1 PML (lump sum) and 9
PPL (250 documents each) in each, two months long, 3 PPL places of each regency already
assigned (so 350 places are open).

Times, best of `--repeat`:
- `activity_proposal` end to end: the open places, the cap tables, the candidates, their
  rating and load (grouped queries), `rules.proposals.propose`, the proposed and over-cap
  members read back with their names; with its number of queries;
- bound 1: reading the ids, accounts and regencies of the pool in the activity's regencies
  with one query, the least any proposal from the database must do;
- bound 2: the pure `propose` on the same candidates, already in memory.

Prints figures and ratios; asserts nothing about time.

    .venv/bin/python bench/pool_proposals.py [--pool 20000] [--seed 16]
    .venv/bin/python bench/pool_proposals.py --postgres
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import setup_django, throwaway_postgres
from proposals import best

YEAR = 2024
MONTHS = ((YEAR, 5), (YEAR, 6))
REGENCIES = 60
ACTIVITY_REGENCIES = 50
PML_PER_REGENCY = 1
PPL_PER_REGENCY = 9
DOCUMENTS = 250
ASSIGNED_PER_REGENCY = 3
BATCH = 5_000


def line(label: str, seconds: float) -> None:
    print(f"  {label:<58} {seconds * 1000:8.1f} ms")


def regency_codes(count: int) -> list[str]:
    return [f"{35 + index // 40:02d}{index % 40 + 1:02d}" for index in range(count)]


def load(size: int, seed: int) -> tuple[Any, Any]:
    """The activity and its committee member, once everything is in the database."""
    from django.db import connection, transaction

    from seleksi.accounts.models import User
    from seleksi.agencies.models import Agency, Membership, Role
    from seleksi.pool.models import (
        Activity,
        ActivityRole,
        Assignment,
        CapTable,
        Earning,
        PerformanceRating,
        PoolMember,
    )
    from seleksi.rules.honorarium import POLICY_PACKAGE
    from seleksi.rules.policy_files import read_policy

    rng = random.Random(seed)
    regencies = regency_codes(REGENCIES)
    weights = [1 / (rank + 1) ** 0.8 for rank in range(REGENCIES)]
    with transaction.atomic():
        agency = Agency.objects.create(
            code="bench-bps", name="BPS Bench", kind=Agency.Kind.STATISTICS_OFFICE
        )
        actor = User.objects.create(username="bench-panitia", is_staff=True)
        Membership.objects.create(agency=agency, user=actor, role=Role.COMMITTEE)
        data = read_policy(POLICY_PACKAGE, "mitra-bps-2024", "honorarium cap")
        CapTable.objects.create(
            agency=agency, year=YEAR, code="mitra-bps-2024", version=1, data=data
        )
        User.objects.bulk_create(
            (User(username=f"mitra-{n:06d}", full_name=f"Mitra Contoh {n}") for n in range(size)),
            batch_size=BATCH,
        )
        users = list(
            User.objects.filter(username__startswith="mitra-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        homes = rng.choices(regencies, weights=weights, k=size)
        PoolMember.objects.bulk_create(
            (
                PoolMember(
                    agency=agency,
                    user_id=user,
                    year=YEAR,
                    source=PoolMember.Source.SELECTED,
                    domicile_regency=home,
                )
                for user, home in zip(users, homes, strict=True)
            ),
            batch_size=BATCH,
        )
        rated = [
            (user, home) for user, home in zip(users, homes, strict=True) if rng.random() < 0.8
        ]
        PoolMember.objects.bulk_create(
            (
                PoolMember(
                    agency=agency,
                    user_id=user,
                    year=YEAR - 1,
                    source=PoolMember.Source.SELECTED,
                    domicile_regency=home,
                )
                for user, home in rated
            ),
            batch_size=BATCH,
        )

        def activity(name: str, months: tuple[tuple[int, int], ...], areas: list[str]) -> Any:
            first, last = months[0], months[-1]
            created = Activity.objects.create(
                agency=agency,
                name=name,
                starts_on=date(first[0], first[1], 1),
                ends_on=date(last[0], last[1], 28),
                regencies=areas,
            )
            return created

        earlier = [
            activity(f"Survei {YEAR - 1} {n}", ((YEAR - 1, 3 + n),), regencies) for n in (0, 1)
        ]
        earlier_roles = [
            ActivityRole.objects.create(
                activity=held,
                role="ppl",
                regency=regencies[0],
                needed=size,
                unit="lump_sum",
                rate=1,
            )
            for held in earlier
        ]
        last_year = dict(
            PoolMember.objects.filter(agency=agency, year=YEAR - 1).values_list("user_id", "pk")
        )
        old = []
        for user, _home in rated:
            for index in range(rng.choice((1, 1, 2))):
                old.append(
                    Assignment(
                        activity=earlier[index],
                        activity_role=earlier_roles[index],
                        member_id=last_year[user],
                        quantity=1,
                        amount=1_000_000,
                        months=[[YEAR - 1, 3 + index]],
                    )
                )
        Assignment.objects.bulk_create(old, batch_size=BATCH)
        PerformanceRating.objects.bulk_create(
            (
                PerformanceRating(
                    assignment_id=pk,
                    attitude=rng.randint(5, 10),
                    quality=rng.randint(5, 10),
                    timeliness=rng.randint(5, 10),
                )
                for pk in Assignment.objects.filter(activity__in=earlier).values_list(
                    "pk", flat=True
                )
            ),
            batch_size=BATCH,
        )

        others = [
            (activity("Survei Lain A", ((YEAR, 4), (YEAR, 5)), regencies), ((YEAR, 4), (YEAR, 5))),
            (activity("Survei Lain B", ((YEAR, 6),), regencies), ((YEAR, 6),)),
            (activity("Survei Lain C", ((YEAR, 8), (YEAR, 9)), regencies), ((YEAR, 8), (YEAR, 9))),
        ]
        other_roles = {
            held.pk: ActivityRole.objects.create(
                activity=held,
                role="ppl",
                regency=regencies[0],
                needed=size,
                unit="lump_sum",
                rate=1,
            )
            for held, _months in others
        }
        this_year = dict(
            PoolMember.objects.filter(agency=agency, year=YEAR).values_list("user_id", "pk")
        )
        busy = []
        for user in users:
            if rng.random() >= 0.4:
                continue
            for held, months in rng.sample(others, rng.choice((1, 2))):
                busy.append(
                    Assignment(
                        activity=held,
                        activity_role=other_roles[held.pk],
                        member_id=this_year[user],
                        quantity=1,
                        amount=rng.choice((500_000, 1_500_000, 3_000_000, 5_000_000)),
                        months=[list(month) for month in months],
                    )
                )
        Assignment.objects.bulk_create(busy, batch_size=BATCH)
        Earning.objects.bulk_create(
            (
                Earning(assignment_id=pk, year=YEAR, month=5, amount=rng.randint(0, 2_000_000))
                for pk in Assignment.objects.filter(activity=others[0][0]).values_list(
                    "pk", flat=True
                )
                if rng.random() < 0.5
            ),
            batch_size=BATCH,
        )

        areas = sorted(rng.sample(regencies, ACTIVITY_REGENCIES))
        target = activity("Survei Usulan", MONTHS, areas)
        ActivityRole.objects.bulk_create(
            [
                ActivityRole(
                    activity=target,
                    role="pml",
                    regency=area,
                    needed=PML_PER_REGENCY,
                    unit="lump_sum",
                    rate=2_400_000,
                )
                for area in areas
            ]
            + [
                ActivityRole(
                    activity=target,
                    role="ppl",
                    regency=area,
                    needed=PPL_PER_REGENCY,
                    unit="document",
                    rate=6_000,
                )
                for area in areas
            ]
        )
        roles = {(r.regency, r.role): r for r in ActivityRole.objects.filter(activity=target)}
        by_area: dict[str, list[int]] = {}
        for user, home in zip(users, homes, strict=True):
            by_area.setdefault(home, []).append(user)
        Assignment.objects.bulk_create(
            Assignment(
                activity=target,
                activity_role=roles[(area, "ppl")],
                member_id=this_year[user],
                quantity=DOCUMENTS,
                amount=6_000 * DOCUMENTS,
                months=[list(month) for month in MONTHS],
            )
            for area in areas
            for user in by_area.get(area, [])[:ASSIGNED_PER_REGENCY]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return target, actor


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
        workdir = setup_django("seleksi-bench-pool-proposals-")
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from seleksi.pool import figures, proposing
        from seleksi.pool.models import Assignment, PoolMember
        from seleksi.rules.honorarium import Assignment as PaidWork
        from seleksi.rules.honorarium import PayUnit, Role
        from seleksi.rules.proposals import Candidate, Slot, propose

        started = time.perf_counter()
        activity, _actor = load(options.pool, options.seed)
        roles = list(activity.roles.all())
        quantities = {role.pk: DOCUMENTS if role.unit == "document" else 1 for role in roles}
        print(
            f"{connection.vendor}: pool {options.pool:,} mitra over {REGENCIES} regencies; "
            f"{Assignment.objects.count():,} assignments in all; activity needs "
            f"{sum(role.needed for role in roles)} over {ACTIVITY_REGENCIES} regencies; "
            f"loading (not timed) {time.perf_counter() - started:.1f} s"
        )

        def proposal() -> Any:
            return proposing.activity_proposal(activity=activity, quantities=quantities)

        with CaptureQueriesContext(connection) as queries:
            found = proposal()
        seconds, found = best(options.repeat, proposal)
        over = sum(len(place.over_cap) for place in found.places)
        print(
            f"proposal: {found.proposed} proposed, {found.unfilled} places open, {over} over "
            f"the cap, from {found.candidates:,} candidates; {len(queries.captured_queries)} "
            "queries"
        )

        regencies = sorted({role.regency for role in roles})
        pool = PoolMember.objects.filter(
            agency_id=activity.agency_id, year=YEAR, domicile_regency__in=regencies
        )

        def read_pool() -> list[Any]:
            return list(pool.values_list("pk", "user_id", "domicile_regency"))

        read_seconds, members = best(options.repeat, read_pool)

        users = pool.values("user_id")
        ratings = figures.yearly_ratings(
            agency_ids=[activity.agency_id], year=YEAR - 1, user_ids=users
        )
        earned = figures.earnings(user_ids=users, months=MONTHS)
        assigned = set(
            Assignment.objects.filter(activity=activity).values_list("member__user_id", flat=True)
        )
        candidates = [
            Candidate(
                mitra=pk,
                regency=regency,
                rating=ratings.get((activity.agency_id, user)),
                earned=earned.get(user, {}),
                assigned=user in assigned,
            )
            for pk, user, regency in members
        ]
        slots = [
            Slot(
                regency=role.regency,
                needed=role.needed - role.assignments.count(),
                assignment=PaidWork(
                    role=Role(role.role),
                    unit=PayUnit(role.unit),
                    rate=role.rate,
                    quantity=quantities[role.pk],
                    months=MONTHS,
                ),
            )
            for role in roles
        ]
        tables = proposing.proposal_cap_tables(activity)[activity.agency_id]
        pure_seconds, pure = best(
            options.repeat, lambda: propose(table=tables, slots=slots, candidates=candidates)
        )
        if pure.proposed != found.proposed:
            raise SystemExit("the pure proposal and the one from the database differ")
        line(f"activity_proposal from the database (best of {options.repeat})", seconds)
        line(f"bound 1: one query reading the {len(members):,} pool rows of the area", read_seconds)
        line("bound 2: pure propose() on the same candidates in memory", pure_seconds)
        print(f"  ratio proposal / bound 1: {seconds / read_seconds:.1f}x")
        print(f"  ratio proposal / bound 2: {seconds / pure_seconds:.1f}x")
        print(f"  goal under 1 s: {'met' if seconds < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
