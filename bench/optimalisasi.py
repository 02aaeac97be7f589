"""Benchmark: the final stage with optimalisasi (cpns-2021) on N participants over 1,000
formations, for several N, in the reference engine (`rank_final`) and the columnar one
(`rank_columns`), beside the earlier quadratic loop as the "before" figure.

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
the growth of `rank_final` from the smallest N to each larger one beside what n log n and n^2
predict.

For each N also the columnar engine (`ranking_columns.rank_columns`, what `seleksi rank-file`
and `seleksi rank` rank with): the frame is built from the same score objects outside the
timing (`scores_frame`, its time printed aside), then `rank_columns` with optimalisasi on, off
and with the same `qualifies`, best of three each; its growth is printed beside the
reference's. Its rows are checked against the reference's of the same N, every field
(participant, formation, presence, rank, outcome, placed formation, tie at the cut, and the
three figures against `format_score` of the reference's Fractions); a difference is printed
and the script exits with status 1, as it does when a "before" below differs.

For the smallest N only, the "before" figures: the same stage through the earlier loop (every
empty seat rescanning every ranked participant) and the same plan through the earlier search
(every withdrawal rescanning every standing), the references kept in
tests/rules/test_optimalisasi.py, once each, checked equal to today's rows and plan.
Times are the process's CPU time, user plus system, from getrusage(RUSAGE_SELF): it counts
every thread of the process (polars sorts and joins on a thread pool), and other work on the
machine weighs less in it than in wall time; the columnar engine's wall time (best of three
too) is printed beside. Prints figures; asserts nothing about time.

    .venv/bin/python bench/optimalisasi.py [--sizes 10000,20000,50000,100000] [--seed 18]
    .venv/bin/python bench/optimalisasi.py --sizes 5000,10000 --no-before    # quick run
"""

import argparse
import math
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.rules.test_optimalisasi import earlier_propose_replacements, earlier_rank_final

from seleksi.rules.ranking import (
    FinalResult,
    FinalScore,
    Formation,
    Outcome,
    RankingPolicy,
    Stage,
    format_score,
    load_ranking_policy,
    rank_final,
)
from seleksi.rules.ranking_columns import rank_columns, result_schema, scores_frame
from seleksi.rules.replacement import Reason, Withdrawal, propose_replacements

POLICY = "cpns-2021"
FORMATIONS = 1000
POSITIONS = 200
TYPES = ("umum", "disabilitas", "cumlaude")
TYPE_SHARES = (0.75, 0.15, 0.10)
SHORT_SHARE = 0.25
ABSENT_SHARE = 0.03
SEATED = (Outcome.PASSED, Outcome.PASSED_OPTIMALISASI)


class Timing(NamedTuple):
    """The best CPU time (user + system of every thread) and the best wall time, in seconds,
    each the least of its own over the runs."""

    cpu: float
    wall: float


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
    parser.add_argument(
        "--sizes",
        type=size_list,
        nargs="+",
        default=[[10_000, 20_000, 50_000, 100_000]],
        help="numbers of participants, comma or space separated",
    )
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each engine (best counts)")
    parser.add_argument("--no-before", action="store_true", help="leave out the earlier loop")
    options = parser.parse_args()
    policy = load_ranking_policy(POLICY)
    switched_off = replace(policy, final=replace(policy.final_rules(), optimalisasi=False))
    sizes = sorted({size for group in options.sizes for size in group})
    repeat = options.repeat
    print(
        f"final stage with optimalisasi, policy {POLICY}, {FORMATIONS:,} formations over "
        f"{POSITIONS} positions, seed {options.seed}; CPU time (user + system, all threads), "
        f"best of {repeat}"
    )
    seconds: dict[int, float] = {}
    columnar: dict[int, Timing] = {}
    failures = 0
    for size in sizes:
        formations, scores = stage(size, options.seed)
        empty = sum(f.quota for f in formations) - sum(
            min(f.quota, count)
            for f, count in zip(formations, present_counts(formations, scores), strict=True)
        )
        timing, results = best_of(repeat, rank_final, policy, formations, scores)
        seconds[size] = timing.cpu
        without, results_off = best_of(repeat, rank_final, switched_off, formations, scores)
        checked, checked_results = best_of(
            repeat, rank_final, policy, formations, scores, qualifies=one_in_three
        )
        print(
            f"N {size:>7,}: rank_final {seconds[size]:6.3f} s "
            f"({seconds[size] / n_log_n(size) * 1e9:,.0f} ns per n log2 n), "
            f"{empty:,} empty seats after L, {placements(results):,} L-2 placements"
        )
        line = (
            f"{'':11}optimalisasi off {without.cpu:.3f} s "
            f"(on / off {seconds[size] / without.cpu:.2f}); "
            f"with qualifies {checked.cpu:.3f} s ({placements(checked_results):,} L-2)"
        )
        if size == sizes[0] and not options.no_before:
            once, before = best_of(1, earlier_rank_final, policy, formations, scores)
            same = before == results
            failures += not same
            line += (
                f"; before (earlier loop, once) {once.cpu:.2f} s, "
                f"{'same rows' if same else 'ROWS DIFFER'}"
            )
        print(line)

        leaving = [
            Withdrawal(row.participant, Reason.WITHDREW, "bench")
            for row in results
            if row.outcome in SEATED and int(row.participant) % 10 == 0
        ]
        replacing, plan = best_of(
            repeat,
            propose_replacements,
            results,
            leaving,
            policy=policy,
            formations=formations,
            scores=scores,
        )
        line = (
            f"{'':11}propose_replacements for {len(leaving):,} withdrawals {replacing.cpu:.3f} s "
            f"({sum(step.code is Outcome.PASSED for step in plan.steps):,} L, "
            f"{sum(step.code is Outcome.PASSED_OPTIMALISASI for step in plan.steps):,} L-2)"
        )
        if size == sizes[0] and not options.no_before:
            once, earlier_plan = best_of(
                1,
                earlier_propose_replacements,
                results,
                leaving,
                policy=policy,
                formations=formations,
                scores=scores,
            )
            same = earlier_plan == plan
            failures += not same
            line += (
                f"; before (earlier search, once) {once.cpu:.2f} s, "
                f"{'same plan' if same else 'PLANS DIFFER'}"
            )
        print(line)

        timed, failed = columnar_engine(
            policy,
            switched_off,
            formations,
            scores,
            repeat,
            {"on": results, "optimalisasi off": results_off, "with qualifies": checked_results},
            bound=seconds[size],
        )
        failures += failed
        if timed is not None:
            columnar[size] = timed
    small = sizes[0]
    for large in sizes[1:]:
        print(
            f"growth {small:,} -> {large:,}: rank_final {seconds[large] / seconds[small]:.1f}x"
            + (
                f", columnar {columnar[large].cpu / columnar[small].cpu:.1f}x "
                f"({columnar[large].wall / columnar[small].wall:.1f}x wall)"
                if small in columnar and large in columnar
                else ""
            )
            + f"; n log n predicts {n_log_n(large) / n_log_n(small):.1f}x, "
            f"n^2 {(large / small) ** 2:.0f}x"
        )
    if failures:
        print(f"{failures} check(s) failed: the engines' rows or plans differ")
        sys.exit(1)


def columnar_engine(
    policy: RankingPolicy,
    switched_off: RankingPolicy,
    formations: list[Formation],
    scores: list[FinalScore],
    repeat: int,
    expected: dict[str, tuple[FinalResult, ...]],
    *,
    bound: float,
) -> tuple[Timing | None, int]:
    """Times `rank_columns` on, off and with `qualifies` (the frame built outside the timing),
    prints its lines, and checks each result against the reference's rows in `expected`.
    Returns the timing with optimalisasi on (None when the frame is refused) and the number of
    failed checks."""
    size = len(scores)
    building, frame = best_of(1, scores_frame, Stage.FINAL, scores)
    if frame is None:
        print(f"{'':11}columnar: scores_frame refused the stage, ROWS DIFFER")
        return None, 1
    timed, ranked = best_of(repeat, rank_columns, policy, Stage.FINAL, formations, frame)
    off, ranked_off = best_of(repeat, rank_columns, switched_off, Stage.FINAL, formations, frame)
    checked, ranked_checked = best_of(
        repeat, rank_columns, policy, Stage.FINAL, formations, frame, qualifies=one_in_three
    )
    got = {"on": ranked, "optimalisasi off": ranked_off, "with qualifies": ranked_checked}
    differences = [text for name in got if (text := difference(name, got[name], expected[name]))]
    print(
        f"{'':11}columnar {timed.cpu:6.3f} s ({timed.wall:.3f} s wall; "
        f"{timed.cpu / n_log_n(size) * 1e9:,.0f} ns per n log2 n; "
        f"rank_final / columnar {bound / timed.cpu:.1f}x), "
        f"{columnar_placements(ranked):,} L-2 placements; frame built in "
        f"{building.cpu:.2f} s, not timed"
    )
    print(
        f"{'':11}columnar optimalisasi off {off.cpu:.3f} s (on / off {timed.cpu / off.cpu:.2f}); "
        f"with qualifies {checked.cpu:.3f} s ({columnar_placements(ranked_checked):,} L-2); "
        + ("; ".join(differences) or "same rows as rank_final (on, off, with qualifies)")
    )
    return (timed if ranked is not None else None), len(differences)


def size_list(text: str) -> list[int]:
    """ "10000,20000" or "10_000": numbers of participants."""
    return [int(part) for part in text.split(",") if part.strip()]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def best_of[**P, R](
    repeat: int, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> tuple[Timing, R]:
    """The best times of `repeat` calls, and the last result."""
    cpu, wall = [], []
    for _ in range(max(1, repeat)):
        started, clock = cpu_seconds(), time.perf_counter()
        result = function(*args, **kwargs)
        wall.append(time.perf_counter() - clock)
        cpu.append(cpu_seconds() - started)
    return Timing(min(cpu), min(wall)), result


def columnar_placements(results: pl.DataFrame | None) -> int:
    if results is None:
        return 0
    return results.filter(pl.col("outcome") == Outcome.PASSED_OPTIMALISASI.value).height


def reference_frame(results: tuple[FinalResult, ...]) -> pl.DataFrame:
    """The reference's rows as a results frame: Fractions as `format_score` shows them."""

    def shown(value: Fraction | None) -> str | None:
        return None if value is None else format_score(value)

    rows = [
        (
            row.participant,
            row.formation,
            row.present,
            shown(row.skd_score),
            shown(row.skb_score),
            shown(row.final_score),
            row.rank,
            row.outcome.value,
            row.placed_formation,
            row.tied_at_cut,
        )
        for row in results
    ]
    return pl.DataFrame(rows, schema=result_schema(Stage.FINAL), orient="row")


def difference(name: str, got: pl.DataFrame | None, results: tuple[FinalResult, ...]) -> str:
    """ "" when the columnar rows equal the reference's, field for field and in order; else what
    differs, the first differing row shown."""
    if got is None:
        return f"columnar {name}: refused (None), ROWS DIFFER"
    expected = reference_frame(results)
    if got.columns != expected.columns or got.height != expected.height:
        return (
            f"columnar {name}: {got.height:,} rows of {got.columns}, expected "
            f"{expected.height:,} of {expected.columns}, ROWS DIFFER"
        )
    if got.equals(expected):
        return ""
    unequal = (
        got.with_row_index("row")
        .join(expected.with_row_index("row"), on="row", suffix="_expected")
        .filter(
            pl.any_horizontal(
                pl.col(c).ne_missing(pl.col(f"{c}_expected")) for c in expected.columns
            )
        )
    )
    first = unequal.row(0, named=True)
    fields = ", ".join(
        f"{c} {first[c]!r} (expected {first[f'{c}_expected']!r})"
        for c in expected.columns
        if first[c] != first[f"{c}_expected"]
    )
    return (
        f"columnar {name}: {unequal.height:,} rows differ, first row {first['row']:,} "
        f"(participant {first['participant_expected']}): {fields}, ROWS DIFFER"
    )


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
