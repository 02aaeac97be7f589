"""Benchmark: proposing mitra for a survey activity, and the honorarium recap of a year, as the
pure rules compute them, each beside a bound measured in the same run.

Generates (random.Random, fixed seed, not timed):

- a pool of 20,000 mitra over 500 regencies, spread like a province's (a few large regencies,
  many small ones: weights falling as 1/rank^0.8); four in five rated (Decimal, three places,
  5 to 10), the rest unrated; what each already earns in the activity's two months, so that
  some would go over the cap; one in fifty already assigned to the activity;
- an activity over 50 of the regencies needing 500 mitra: in each, 1 PML supervisor (a lump
  sum) and 9 PPL enumerators (paid per document), over two months, against the shipped cap
  table mitra-bps-2024;
- three assignments a year for every mitra of the pool (60,000 in all, mixed pay units).

Times, best of `--repeat`:

- `propose` for the activity (validation, the preference keys, the cap checks included), beside
  a bound: one pass over the pool keeping the mitra of the activity's regencies and Python's
  `sorted` of their preference keys (built beforehand), the least a proposal by area must do;
  and, for scale, `sorted` of all 20,000 keys;
- the recap: `monthly_earnings` of every mitra of the pool, beside the same sums in plain
  integer arithmetic (divmod per assignment, no checks), whose result must be equal.

Prints figures and ratios; asserts nothing about time.

    .venv/bin/python bench/proposals.py [--pool 20000] [--regencies 500] [--seed 16]
"""

import argparse
import random
import time
from collections.abc import Callable
from decimal import Decimal

from seleksi.rules.honorarium import (
    Assignment,
    PayUnit,
    Role,
    YearMonth,
    load_cap_table,
    monthly_earnings,
)
from seleksi.rules.proposals import Candidate, Slot, preference_key, propose

YEAR = 2024
ACTIVITY_MONTHS: tuple[YearMonth, ...] = ((YEAR, 5), (YEAR, 6))
ACTIVITY_REGENCIES = 50
PML_PER_REGENCY = 1
PPL_PER_REGENCY = 9


def best[R](repeat: int, work: Callable[[], R]) -> tuple[float, R]:
    timings = []
    result = work()
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def line(label: str, seconds: float) -> None:
    print(f"  {label:<52} {seconds * 1000:8.2f} ms")


def regency_codes(count: int) -> list[str]:
    """Four-digit codes like BPS's: province then regency."""
    return [f"{11 + index // 40:02d}{index % 40 + 1:02d}" for index in range(count)]


def make_pool(rng: random.Random, size: int, regencies: list[str]) -> list[Candidate]:
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(regencies))]
    homes = rng.choices(regencies, weights=weights, k=size)
    pool = []
    for number, home in enumerate(homes, start=1):
        rating = None if rng.random() < 0.2 else Decimal(rng.randint(5000, 10000)) / 1000
        earned = {
            month: rng.choice((0, 0, 500_000, 1_500_000, 2_500_000)) for month in ACTIVITY_MONTHS
        }
        pool.append(
            Candidate(
                mitra=number,
                regency=home,
                rating=rating,
                earned=earned,
                assigned=rng.random() < 0.02,
            )
        )
    return pool


def make_slots(rng: random.Random, regencies: list[str]) -> list[Slot]:
    slots = []
    for regency in sorted(rng.sample(regencies, ACTIVITY_REGENCIES)):
        supervisor = Assignment(
            role=Role.PML,
            unit=PayUnit.LUMP_SUM,
            rate=2_400_000,
            quantity=1,
            months=ACTIVITY_MONTHS,
        )
        enumerator = Assignment(
            role=Role.PPL,
            unit=PayUnit.DOCUMENT,
            rate=6_000,
            quantity=250,
            months=ACTIVITY_MONTHS,
        )
        slots.append(Slot(regency=regency, needed=PML_PER_REGENCY, assignment=supervisor))
        slots.append(Slot(regency=regency, needed=PPL_PER_REGENCY, assignment=enumerator))
    return slots


def make_year(rng: random.Random, size: int) -> list[list[Assignment]]:
    """Three assignments a year for each of `size` mitra."""
    year = []
    for _ in range(size):
        assignments = []
        for _ in range(3):
            first = rng.randint(1, 10)
            months = tuple((YEAR, month) for month in range(first, first + rng.randint(1, 3)))
            unit = rng.choice(tuple(PayUnit))
            if unit is PayUnit.DOCUMENT:
                rate, quantity = rng.choice((4_000, 5_000, 6_000)), rng.randint(50, 300)
            elif unit is PayUnit.PERSON_MONTH:
                rate, quantity = rng.choice((1_500_000, 2_000_000)), len(months)
            else:
                rate, quantity = rng.randint(500_000, 3_000_000), 1
            role = rng.choice((Role.PPL, Role.PPL, Role.PML))
            assignments.append(
                Assignment(role=role, unit=unit, rate=rate, quantity=quantity, months=months)
            )
        year.append(assignments)
    return year


def plain_recap(year: list[list[Assignment]]) -> list[dict[YearMonth, int]]:
    """The recap in plain integer arithmetic: no checks, no intermediate dicts per assignment."""
    recap = []
    for assignments in year:
        totals: dict[YearMonth, int] = {}
        for assignment in assignments:
            months = assignment.months
            share, remainder = divmod(assignment.rate * assignment.quantity, len(months))
            for index, month in enumerate(sorted(months)):
                totals[month] = totals.get(month, 0) + share + (index < remainder)
        recap.append(dict(sorted(totals.items())))
    return recap


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--regencies", type=int, default=500)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs (best counts)")
    options = parser.parse_args()

    rng = random.Random(options.seed)
    started = time.perf_counter()
    regencies = regency_codes(options.regencies)
    pool = make_pool(rng, options.pool, regencies)
    slots = make_slots(rng, regencies)
    year = make_year(rng, options.pool)
    table = load_cap_table("mitra-bps-2024")
    keys = [preference_key(candidate, ACTIVITY_MONTHS) for candidate in pool]
    print(f"build inputs (not timed below): {time.perf_counter() - started:.2f} s")

    needed = sum(slot.needed for slot in slots)
    in_area = sum(1 for candidate in pool if candidate.regency in {s.regency for s in slots})

    print(
        f"pool {len(pool):,} mitra over {len(regencies)} regencies (largest "
        f"{max(map([c.regency for c in pool].count, regencies)):,}); activity needs {needed} "
        f"mitra over {ACTIVITY_REGENCIES} regencies holding {in_area:,} of the pool; "
        f"seed {options.seed}"
    )

    area = {slot.regency for slot in slots}
    pairs = list(zip(keys, pool, strict=True))
    whole, _ = best(options.repeat, lambda: sorted(keys))
    bound, _ = best(
        options.repeat, lambda: sorted(key for key, mitra in pairs if mitra.regency in area)
    )
    seconds, proposal = best(
        options.repeat, lambda: propose(table=table, slots=slots, candidates=pool)
    )
    over = sum(len(slot.over_cap) for slot in proposal.slots)
    reasons = [slot.shortfall for slot in proposal.slots if slot.shortfall]
    open_slots = ", ".join(f"{reasons.count(r)} slots {r}" for r in sorted(set(reasons)))
    print(
        f"proposal: {proposal.proposed} proposed, {proposal.unfilled} places open "
        f"({open_slots or 'none'}), {over} listed as over the cap"
    )
    line(f"propose (best of {options.repeat})", seconds)
    line(f"bound, one pass + sorted() of the {in_area:,} in the area", bound)
    line(f"sorted() of all {len(keys):,} keys", whole)
    print(f"  ratio propose / bound: {seconds / bound:.1f}x")

    assignments = sum(len(assignments) for assignments in year)
    plain_seconds, plain = best(options.repeat, lambda: plain_recap(year))
    recap_seconds, recap = best(
        options.repeat, lambda: [monthly_earnings(assignments) for assignments in year]
    )
    if recap != plain:
        raise SystemExit("monthly_earnings and the plain recap differ")
    total = sum(sum(months.values()) for months in recap)
    print(
        f"recap of a year: {len(year):,} mitra, {assignments:,} assignments, "
        f"Rp {total:,} in all (equal to the plain recap)"
    )
    line(f"monthly_earnings (best of {options.repeat})", recap_seconds)
    line("bound, plain integer recap", plain_seconds)
    print(f"  ratio monthly_earnings / bound: {recap_seconds / plain_seconds:.1f}x")


if __name__ == "__main__":
    main()
