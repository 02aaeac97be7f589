"""Benchmark: the final stage with optimalisasi (`rank_final`, cpns-2021) on N participants over
1,000 formations, for several N, beside the earlier quadratic loop as the "before" figure.

The generated stage (numpy default_rng, fixed seed): 1,000 formations sharing 200 positions
(jabatan, written with case and space variants that optimalisasi treats as equal), 75 % umum,
15 % disabilitas, 10 % cumlaude; quotas grow with N (1 to N / 5,000, at least 2) so that the
seats grow with the participants. A quarter of the formations draw fewer applicants than their
quota, so their seats stay empty after the L passes and optimalisasi fills them (L-2) from the
other formations of the position; the others share the rest of the participants. 3 % are
absent; SKD subtests are drawn so that many, not all, meet the umum marks optimalisasi asks.

For each N: `rank_final` in memory, best of three (validation, ranking, optimalisasi), its
seconds per n log2 n and the L-2 placements made. Beside it, `rank_final` with optimalisasi
off, the bound measured in the same run: what optimalisasi adds is the difference, and a ratio
on / off that stays flat as N grows says optimalisasi grows as the ranking does, whatever the
load of the machine. Then `rank_final` with a `qualifies` that refuses about a third of the
(participant, seat) pairs, as the database mode passes one, and `propose_replacements` (with
the policy, so that a formation with nobody left falls back to optimalisasi) for the
withdrawal (APS) of every tenth seat holder by participant number, best of three each. Last,
the growth of `rank_final` from the smallest N to the largest beside what n log n and n^2
predict.

For the smallest N only, the "before" figures: the same stage through the earlier loop (every
empty seat rescanning every ranked participant) and the same plan through the earlier search
(every withdrawal rescanning every standing), the references kept in
tests/rules/test_optimalisasi.py, once each, checked equal to today's rows and plan.
Times are the process's CPU time (time.process_time), so that other work on the machine
weighs less. Prints figures; asserts nothing about time.

    .venv/bin/python bench/optimalisasi.py [--sizes 10000 20000 50000 100000] [--seed 18]
    .venv/bin/python bench/optimalisasi.py --sizes 5000 10000 --no-before    # quick run
"""

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.rules.test_optimalisasi import earlier_propose_replacements, earlier_rank_final

from seleksi.rules.ranking import (
    FinalResult,
    FinalScore,
    Formation,
    Outcome,
    load_ranking_policy,
    rank_final,
)
from seleksi.rules.replacement import Reason, Withdrawal, propose_replacements

POLICY = "cpns-2021"
FORMATIONS = 1000
POSITIONS = 200
TYPES = ("umum", "disabilitas", "cumlaude")
TYPE_SHARES = (0.75, 0.15, 0.10)
SHORT_SHARE = 0.25
ABSENT_SHARE = 0.03
SEATED = (Outcome.PASSED, Outcome.PASSED_OPTIMALISASI)


def stage(participants: int, seed: int) -> tuple[list[Formation], list[FinalScore]]:
    """Formations and scores; participant n is f"{n:010d}", formation i f"F{i:05d}"."""
    rng = np.random.default_rng(seed)
    top = max(2, participants // 5000)
    quota = rng.integers(1, top + 1, size=FORMATIONS)
    kinds = rng.choice(len(TYPES), size=FORMATIONS, p=TYPE_SHARES)
    short = rng.random(FORMATIONS) < SHORT_SHARE
    formations = [
        Formation(
            code=f"F{i:05d}",
            position=variant(f"Jabatan Fungsional {i % POSITIONS}", i),
            placement_unit=f"Unit Kerja {i % 400}",
            formation_type=TYPES[kind],
            quota=int(q),
        )
        for i, (kind, q) in enumerate(zip(kinds.tolist(), quota.tolist(), strict=True))
    ]
    short_counts = np.where(short, rng.integers(0, quota), 0)  # 0..quota-1 applicants
    placed = [np.full(count, i) for i, count in enumerate(short_counts.tolist()) if count]
    rest = participants - int(short_counts.sum())
    others = np.flatnonzero(~short)
    formation = np.concatenate([*placed, rng.choice(others, size=rest)])
    rng.shuffle(formation)
    present = rng.random(participants) >= ABSENT_SHARE
    twk = rng.integers(55, 151, size=participants)
    tiu = rng.integers(70, 176, size=participants)
    tkp = rng.integers(150, 226, size=participants)
    skb = rng.integers(0, 101, size=participants)
    ipk = rng.integers(250, 401, size=participants)
    born = rng.integers(0, 6000, size=participants)
    columns = (formation, present, twk, tiu, tkp, skb, ipk, born)
    scores = [
        FinalScore(
            f"{n:010d}",
            f"F{f:05d}",
            p,
            w,
            i,
            k,
            Fraction(s),
            Fraction(g, 100),
            date(1985, 1, 1) + timedelta(days=b),
        )
        for n, (f, p, w, i, k, s, g, b) in enumerate(
            zip(*(c.tolist() for c in columns), strict=True)
        )
    ]
    return formations, scores


def variant(position: str, index: int) -> str:
    """Case and space variants of one jabatan, equal once normalised."""
    return (position, position.upper(), position.replace(" ", "  "), f" {position.lower()}")[
        index % 4
    ]


def n_log_n(n: int) -> float:
    return n * math.log2(n)


def placements(results: tuple[FinalResult, ...]) -> int:
    return sum(1 for row in results if row.outcome is Outcome.PASSED_OPTIMALISASI)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000, 50_000, 100_000])
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--repeat", type=int, default=3, help="rank_final runs (best counts)")
    parser.add_argument("--no-before", action="store_true", help="leave out the earlier loop")
    options = parser.parse_args()
    policy = load_ranking_policy(POLICY)
    switched_off = replace(policy, final=replace(policy.final_rules(), optimalisasi=False))
    sizes = sorted(options.sizes)
    print(
        f"final stage with optimalisasi, policy {POLICY}, {FORMATIONS:,} formations over "
        f"{POSITIONS} positions, seed {options.seed}"
    )
    seconds: dict[int, float] = {}
    for size in sizes:
        formations, scores = stage(size, options.seed)
        empty = sum(f.quota for f in formations) - sum(
            min(f.quota, count)
            for f, count in zip(formations, present_counts(formations, scores), strict=True)
        )
        seconds[size], results = best_of(options.repeat, rank_final, policy, formations, scores)
        without, _ = best_of(options.repeat, rank_final, switched_off, formations, scores)
        checked, checked_results = best_of(
            options.repeat, rank_final, policy, formations, scores, qualifies=one_in_three
        )
        print(
            f"N {size:>7,}: rank_final {seconds[size]:6.3f} s "
            f"({seconds[size] / n_log_n(size) * 1e9:,.0f} ns per n log2 n), "
            f"{empty:,} empty seats after L, {placements(results):,} L-2 placements"
        )
        line = (
            f"{'':11}optimalisasi off {without:.3f} s (on / off {seconds[size] / without:.2f}); "
            f"with qualifies {checked:.3f} s ({placements(checked_results):,} L-2)"
        )
        if size == sizes[0] and not options.no_before:
            started = time.process_time()
            before = earlier_rank_final(policy, formations, scores)
            earlier = time.process_time() - started
            same = "same rows" if before == results else "ROWS DIFFER"
            line += f"; before (earlier loop, once) {earlier:.2f} s, {same}"
        print(line)
        leaving = [
            Withdrawal(row.participant, Reason.WITHDREW, "bench")
            for row in results
            if row.outcome in SEATED and int(row.participant) % 10 == 0
        ]
        replacing, plan = best_of(
            options.repeat,
            propose_replacements,
            results,
            leaving,
            policy=policy,
            formations=formations,
            scores=scores,
        )
        line = (
            f"{'':11}propose_replacements for {len(leaving):,} withdrawals {replacing:.3f} s "
            f"({sum(step.code is Outcome.PASSED for step in plan.steps):,} L, "
            f"{sum(step.code is Outcome.PASSED_OPTIMALISASI for step in plan.steps):,} L-2)"
        )
        if size == sizes[0] and not options.no_before:
            started = time.process_time()
            earlier_plan = earlier_propose_replacements(
                results, leaving, policy=policy, formations=formations, scores=scores
            )
            earlier = time.process_time() - started
            same = "same plan" if earlier_plan == plan else "PLANS DIFFER"
            line += f"; before (earlier search, once) {earlier:.2f} s, {same}"
        print(line)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(
            f"growth {small:,} -> {large:,}: {seconds[large] / seconds[small]:.1f}x measured; "
            f"n log n predicts {n_log_n(large) / n_log_n(small):.1f}x, "
            f"n^2 {(large / small) ** 2:.0f}x"
        )


def best_of[**P, R](
    repeat: int, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> tuple[float, R]:
    """The best time of `repeat` calls, and the last result."""
    timings = []
    for _ in range(max(1, repeat)):
        started = time.process_time()
        result = function(*args, **kwargs)
        timings.append(time.process_time() - started)
    return min(timings), result


def one_in_three(participant: str, formation: str) -> bool:
    """A qualification check as the database mode passes one: refuses about a third of the
    (participant, seat formation) pairs, always the same ones."""
    return (int(participant) + int(formation[1:])) % 3 != 0


def present_counts(formations: list[Formation], scores: list[FinalScore]) -> list[int]:
    counts = dict.fromkeys((f.code for f in formations), 0)
    for score in scores:
        if score.present:
            counts[score.formation] += 1
    return [counts[f.code] for f in formations]


if __name__ == "__main__":
    main()
