"""Benchmark: ranking a national SKD stage (1,000,000 results over 1,048 formations) in file
mode, beside a lower bound measured in the same run.

Three figures for the same generated data (numpy default_rng, fixed seed):

- engine: `rank_skd` (cpns-2021) over in-memory `SkdScore` rows, validation included;
- rank-file: the whole `seleksi rank-file --stage skd` path in a subprocess, on FORMASI.csv and
  NILAI.csv written to a temporary directory (interpreter and Django start-up, parsing,
  ranking, writing OUT.csv); the start-up alone is measured on a one-row file;
- lower bound: a vectorised numpy version of the same output (pass marks per formation type,
  np.lexsort on formation, met/failed/absent, -total, -tkp, -tiu, -twk, nomor peserta, then
  competition ranks and the 3 x quota cut), best of three.

Both engine outputs are checked row by row against the numpy one (order, peringkat, kode), so
the lower bound is known to compute the same thing. Prints figures and the ratios to the lower
bound; asserts nothing about time. DB mode comes with `seleksi rank`.

    .venv/bin/python bench/ranking.py [--rows 1000000] [--formations 1048] [--seed 6]
    .venv/bin/python bench/ranking.py --rows 20000      # quick run
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from seleksi.rules.ranking import Formation, Outcome, SkdScore, load_ranking_policy, rank_skd

ROOT = Path(__file__).resolve().parents[1]

POLICY = "cpns-2021"
ABSENT_SHARE = 0.03
DISABILITY_SHARE = 0.10
OUTCOMES = (Outcome.WITHIN_CUT, Outcome.OUTSIDE_CUT, Outcome.FAILED_MARKS, Outcome.ABSENT)


class Data:
    """Columns of the generated stage; row n is participant f"{n:010d}" (so that the number's
    text order is its numeric order) and formation code f"F{i:05d}" likewise."""

    def __init__(self, rows: int, formations: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.types = np.where(rng.random(formations) < DISABILITY_SHARE, 1, 0)  # 1 disabilitas
        self.quota = rng.integers(1, 4, size=formations)  # 1..3
        self.formation = rng.integers(0, formations, size=rows)
        self.present = rng.random(rows) >= ABSENT_SHARE
        self.twk = np.where(self.present, 5 * rng.integers(0, 31, size=rows), 0)  # 0..150
        self.tiu = np.where(self.present, 5 * rng.integers(0, 36, size=rows), 0)  # 0..175
        self.tkp = np.where(self.present, rng.integers(0, 226, size=rows), 0)  # 0..225
        self.type_names = ("umum", "disabilitas")

    @property
    def rows(self) -> int:
        return len(self.formation)

    def formation_objects(self) -> list[Formation]:
        return [
            Formation(
                code=formation_code(i),
                position=f"Jabatan {i % 150}",
                placement_unit=f"Unit Kerja {i % 400}",
                formation_type=self.type_names[kind],
                quota=int(quota),
            )
            for i, (kind, quota) in enumerate(zip(self.types, self.quota, strict=True))
        ]

    def score_objects(self) -> list[SkdScore]:
        columns = (self.formation, self.present, self.twk, self.tiu, self.tkp)
        return [
            SkdScore(participant_number(n), formation_code(f), p, w, i, k)
            for n, (f, p, w, i, k) in enumerate(zip(*(c.tolist() for c in columns), strict=True))
        ]


def formation_code(index: int) -> str:
    return f"F{index:05d}"


def participant_number(index: int) -> str:
    return f"{index:010d}"


def lower_bound(data: Data) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row order, peringkat (0 = none) and outcome index into OUTCOMES, vectorised."""
    rules = load_ranking_policy(POLICY).skd_rules()
    marks = np.array(
        [
            [mark.twk or 0, mark.tiu or 0, mark.tkp or 0, mark.total]
            for mark in (rules.pass_mark(name) for name in data.type_names)
        ]
    )
    row_marks = marks[data.types[data.formation]]
    twk, tiu, tkp = data.twk, data.tiu, data.tkp
    total = twk + tiu + tkp
    met = (
        data.present
        & (twk >= row_marks[:, 0])
        & (tiu >= row_marks[:, 1])
        & (tkp >= row_marks[:, 2])
        & (total >= row_marks[:, 3])
    )
    group = np.where(met, 0, np.where(data.present, 1, 2))  # met, failed, absent
    keys = [np.where(met, -column, 0) for column in (total, tkp, tiu, twk)]
    nomor = np.arange(data.rows)
    order = np.lexsort((nomor, keys[3], keys[2], keys[1], keys[0], group, data.formation))

    formation = data.formation[order]
    sorted_group = group[order]
    changed = [formation, sorted_group, *(key[order] for key in keys)]
    new_formation = np.empty(data.rows, dtype=bool)
    new_formation[0] = True
    new_formation[1:] = formation[1:] != formation[:-1]
    new_key = new_formation.copy()
    for column in changed[1:]:
        new_key[1:] |= column[1:] != column[:-1]
    position = np.arange(data.rows)
    formation_start = np.maximum.accumulate(np.where(new_formation, position, 0))
    key_start = np.maximum.accumulate(np.where(new_key, position, 0))
    rank = np.where(sorted_group == 0, key_start - formation_start + 1, 0)
    cut = rules.cut_multiplier * data.quota[formation]
    outcome = np.where(sorted_group == 0, np.where(rank <= cut, 0, 1), sorted_group + 1)
    return order, rank, outcome


def check(name: str, rows: list[tuple[str, str, str]], expected: tuple[np.ndarray, ...]) -> None:
    """(nomor peserta, peringkat, kode) per output row against the lower bound's output."""
    order, rank, outcome = expected
    if len(rows) != len(order):
        raise SystemExit(f"{name}: {len(rows)} rows, the lower bound has {len(order)}")
    wanted = zip(order.tolist(), rank.tolist(), outcome.tolist(), strict=True)
    for line, (got, (n, r, o)) in enumerate(zip(rows, wanted, strict=True)):
        if got != (participant_number(n), str(r) if r else "", OUTCOMES[o].value):
            raise SystemExit(f"{name}: row {line} is {got}, the lower bound has {(n, r, o)}")


def write_files(data: Data, folder: Path, formations: list[Formation]) -> tuple[Path, Path]:
    formation_path, score_path = folder / "FORMASI.csv", folder / "NILAI.csv"
    with formation_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("kode_formasi", "jabatan", "unit_penempatan", "jenis_formasi", "kuota"))
        writer.writerows(
            (f.code, f.position, f.placement_unit, f.formation_type, f.quota) for f in formations
        )
    columns = (data.formation, data.present, data.twk, data.tiu, data.tkp)
    with score_path.open("w", newline="", encoding="utf-8") as handle:
        handle.write("nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp\n")
        handle.writelines(
            f"{participant_number(n)},{formation_code(f)},H,{w},{i},{k}\n"
            if p
            else f"{participant_number(n)},{formation_code(f)},TH,,,\n"
            for n, (f, p, w, i, k) in enumerate(zip(*(c.tolist() for c in columns), strict=True))
        )
    return formation_path, score_path


def rank_file(folder: Path, formations: Path, scores: Path, output: Path) -> float:
    environment = dict(
        os.environ,
        SELEKSI_DATA_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'unused.sqlite3'}",
        DJANGO_SETTINGS_MODULE="seleksi.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    )
    command = [sys.executable, "-m", "seleksi", "rank-file", "--policy", POLICY, "--stage"]
    command += ["skd", "--formations", str(formations), "--scores", str(scores)]
    command += ["--output", str(output)]
    started = time.perf_counter()
    # The command is made here from fixed words and our own temporary paths.
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise SystemExit(f"seleksi rank-file exited {finished.returncode}:\n{finished.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formations", type=int, default=1048)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3, help="lower bound runs (best counts)")
    options = parser.parse_args()

    started = time.perf_counter()
    data = Data(options.rows, options.formations, options.seed)
    formations = data.formation_objects()
    scores = data.score_objects()
    build_seconds = time.perf_counter() - started

    timings = []
    for _ in range(max(1, options.repeat)):
        started = time.perf_counter()
        expected = lower_bound(data)
        timings.append(time.perf_counter() - started)
    bound = min(timings)
    outcomes = np.bincount(expected[2], minlength=len(OUTCOMES))
    print(
        f"{data.rows:,} SKD results over {options.formations:,} formations "
        f"({int((data.types == 1).sum())} disabilitas, the rest umum; "
        f"total quota {int(data.quota.sum()):,}); policy {POLICY}; seed {options.seed}"
    )
    print(
        "outcomes: "
        + ", ".join(f"{o.value} {int(c):,}" for o, c in zip(OUTCOMES, outcomes, strict=True))
    )
    print(f"build rows (not timed below): {build_seconds:.2f} s")
    print(f"lower bound, numpy lexsort (best of {len(timings)}): {bound:.3f} s")

    started = time.perf_counter()
    results = rank_skd(load_ranking_policy(POLICY), formations, scores)
    engine = time.perf_counter() - started
    print(f"engine, rank_skd in memory: {engine:.2f} s ({data.rows / engine:,.0f} rows/s)")
    check(
        "rank_skd",
        [(r.participant, "" if r.rank is None else str(r.rank), r.outcome.value) for r in results],
        expected,
    )
    del results, scores

    with tempfile.TemporaryDirectory(prefix="seleksi-bench-ranking-") as name:
        folder = Path(name)
        started = time.perf_counter()
        formation_path, score_path = write_files(data, folder, formations)
        write_seconds = time.perf_counter() - started
        size = score_path.stat().st_size / 1024 / 1024
        print(
            "write FORMASI.csv + NILAI.csv (not timed below): "
            f"{write_seconds:.2f} s, NILAI.csv {size:.1f} MiB"
        )

        tiny = Data(1, 1, options.seed)
        (folder / "tiny").mkdir()
        tiny_paths = write_files(tiny, folder / "tiny", tiny.formation_objects())
        startup = rank_file(folder, *tiny_paths, folder / "tiny" / "OUT.csv")
        output = folder / "OUT.csv"
        whole = rank_file(folder, formation_path, score_path, output)
        with output.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            check("rank-file", [(row[0], row[6], row[7]) for row in reader], expected)
    print(f"rank-file start-up alone (one-row file): {startup:.2f} s")
    print(f"rank-file, whole path in a subprocess: {whole:.2f} s ({data.rows / whole:,.0f} rows/s)")
    print("both outputs match the lower bound row for row (order, peringkat, kode)")
    print(f"ratio engine / lower bound: {engine / bound:,.0f}x")
    print(f"ratio rank-file / lower bound: {whole / bound:,.0f}x")


if __name__ == "__main__":
    main()
