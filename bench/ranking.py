"""Benchmark: ranking a national SKD stage (1,000,000 results over 1,048 formations) in file
mode and in database mode, beside a lower bound measured in the same run.

Figures for the same generated data (numpy default_rng, fixed seed):

- lower bound: a vectorised numpy version of the same output (pass marks per formation type,
  np.lexsort on formation, met/failed/absent, -total, -tkp, -tiu, -twk, nomor peserta, then
  competition ranks and the 3 x quota cut), best of three;
- engine: `rank_skd` (cpns-2021) over in-memory `SkdScore` rows, validation included, and
  `run_fingerprint` over the same rows;
- rank-file: the whole `seleksi rank-file --stage skd` path in a subprocess, on FORMASI.csv and
  NILAI.csv written to a temporary directory (interpreter and Django start-up, parsing,
  ranking, writing OUT.csv); the start-up alone is measured on a one-row file;
- database mode: the same stage loaded into a throwaway database (one selection, its
  formations, one applicant, application and SKD score per row, bulk loaded and not timed),
  then `ranking_run(stage="skd")` as `seleksi rank` calls it, split into reading the inputs,
  ranking, the fingerprint, building the `RankingRow`s and writing them, each with the time
  spent inside `cursor.execute` (on SQLite a SELECT's rows are made while they are fetched,
  which counts as Python). A throwaway SQLite file by default, or the empty database in
  DATABASE_URL as for the other database benchmarks; `--postgres` starts a throwaway
  PostgreSQL cluster with scripts/throwaway-postgres (durability off, as for the tests: writes
  are quicker than on a production server) and removes it afterwards.

Every output is checked row by row against the numpy one (order, peringkat, kode), so the lower
bound is known to compute the same thing, and every mode's fingerprint against the in-memory
one. Prints figures and the ratios to the lower bound; asserts nothing about time.

    .venv/bin/python bench/ranking.py [--rows 1000000] [--formations 1048] [--seed 6]
    .venv/bin/python bench/ranking.py --postgres [--no-file] [--profile]
    .venv/bin/python bench/ranking.py --rows 20000      # quick run
"""

import argparse
import cProfile
import csv
import functools
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from benchdb import bulk_load, reset_sequences, setup_django, throwaway_postgres
from seleksi.rules.fingerprint import run_fingerprint
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


def rank_file(folder: Path, formations: Path, scores: Path, output: Path) -> tuple[float, str]:
    """Seconds for one `seleksi rank-file` in a subprocess, and the fingerprint it printed."""
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
    return seconds, finished.stderr.rsplit("sidik jari ", 1)[-1].strip()


def file_mode(
    data: Data,
    formations: list[Formation],
    expected: tuple[np.ndarray, ...],
    fingerprint: str,
    seed: int,
) -> tuple[float, float]:
    """Seconds for the start-up alone and for the whole rank-file path."""
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

        tiny = Data(1, 1, seed)
        (folder / "tiny").mkdir()
        tiny_paths = write_files(tiny, folder / "tiny", tiny.formation_objects())
        startup, _ = rank_file(folder, *tiny_paths, folder / "tiny" / "OUT.csv")
        output = folder / "OUT.csv"
        whole, printed = rank_file(folder, formation_path, score_path, output)
        with output.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            check("rank-file", [(row[0], row[6], row[7]) for row in reader], expected)
    if printed != fingerprint:
        raise SystemExit(f"rank-file: fingerprint {printed}, in memory {fingerprint}")
    print(f"rank-file start-up alone (one-row file): {startup:.2f} s")
    print(f"rank-file, whole path in a subprocess: {whole:.2f} s ({data.rows / whole:,.0f} rows/s)")
    return startup, whole


def load_database(data: Data, formations: list[Formation]) -> tuple[Any, Any]:
    """The selection and the user who ranks it, once the stage is in the database."""
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from seleksi.accounts.models import User
    from seleksi.agencies.models import Agency
    from seleksi.applications.models import Application
    from seleksi.rules.formations import ProcurementType
    from seleksi.scoring.models import Score
    from seleksi.selections.models import Formation as FormationRecord
    from seleksi.selections.models import Selection

    with transaction.atomic():
        agency = Agency.objects.create(code="bench", name="Bench", kind=Agency.Kind.CENTRAL_AGENCY)
        selection = Selection.objects.create(
            agency=agency, code="bench-skd", kind=Selection.Kind.CASN, title="Bench SKD"
        )
        FormationRecord.objects.bulk_create(
            FormationRecord(
                selection=selection,
                code=formation.code,
                procurement_type=ProcurementType.CPNS,
                formation_type=formation.formation_type,
                position=formation.position,
                qualifications_text="S-1 Semua Jurusan",
                placement_unit=formation.placement_unit,
                quota=formation.quota,
            )
            for formation in formations
        )
        by_code = dict(
            FormationRecord.objects.filter(selection=selection).values_list("code", "pk")
        )
        formation_ids = [by_code[formation_code(index)] for index in range(len(formations))]
        actor = User.objects.create(username="bench-panitia")
        first_user = (User.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        bulk_load(
            User,
            ("id", "username"),
            ((first_user + n, f"bench-{participant_number(n)}") for n in range(data.rows)),
        )
        first_application = (Application.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        bulk_load(
            Application,
            ("id", "applicant_id", "formation_id", "number", "verification_token"),
            (
                (
                    first_application + n,
                    first_user + n,
                    formation_ids[f],
                    participant_number(n),
                    f"bench-{n}",
                )
                for n, f in enumerate(data.formation.tolist())
            ),
            fixed={
                "selection": selection.pk,
                "status": Application.Status.SUBMITTED,
                "submitted_at": timezone.now(),
            },
        )
        columns = (data.present, data.twk, data.tiu, data.tkp)
        bulk_load(
            Score,
            ("application_id", "attendance", "twk", "tiu", "tkp"),
            (
                (first_application + n, "H", w, i, k)
                if p
                else (first_application + n, "TH", None, None, None)
                for n, (p, w, i, k) in enumerate(zip(*(c.tolist() for c in columns), strict=True))
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


class Split:
    """Wall time inside some functions of `seleksi.scoring.ranking_runs` (and the stage's engine
    in `seleksi.scoring.engine`) during one run, and the part of it inside `cursor.execute`. A
    function that is not there is not measured."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.sql: dict[str, float] = defaultdict(float)
        self.marks: dict[str, tuple[float, float]] = {}
        self.current = "other"

    def timed[**P, R](self, name: str, function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            outer, self.current = self.current, name
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                ended = time.perf_counter()
                self.seconds[name] += ended - started
                self.marks[name] = (started, ended)
                self.current = outer

        return wrapper

    def execute(self, execute: Callable[..., Any], *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(*args)
        finally:
            self.sql[self.current] += time.perf_counter() - started

    @contextmanager
    def watching(self) -> Iterator[None]:
        from django.db import connection

        from seleksi.scoring import engine, ranking_runs
        from seleksi.scoring.models import RankingRun

        functions = (
            (ranking_runs, "ranking_inputs"),
            (engine, "rank_skd"),
            (ranking_runs, "run_fingerprint"),
            (ranking_runs, "_write_rows"),
            (ranking_runs, "audit_record"),
        )
        methods = ((RankingRun.objects, "create"),)
        originals = {
            (module, name): getattr(module, name)
            for module, name in functions
            if hasattr(module, name)
        }
        try:
            for (module, name), function in originals.items():
                setattr(module, name, self.timed(name, function))
            for manager, name in methods:
                setattr(manager, name, self.timed(name, getattr(manager, name)))
            connection.commit = self.timed("commit", connection.commit)
            with connection.execute_wrapper(self.execute):
                yield
        finally:
            for (module, name), function in originals.items():
                setattr(module, name, function)
            for manager, name in methods:
                manager.__dict__.pop(name, None)
            connection.__dict__.pop("commit", None)


def database_mode(
    data: Data,
    formations: list[Formation],
    expected: tuple[np.ndarray, ...],
    fingerprint: str,
    profile: bool,
) -> float:
    """Seconds for one `ranking_run` of the stage, after printing its split."""
    from django.db import connection

    from seleksi.scoring.models import RankingRow
    from seleksi.scoring.ranking_runs import ranking_run

    started = time.perf_counter()
    selection, actor = load_database(data, formations)
    load_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        version = f"{connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        version = getattr(connection.Database, "sqlite_version", "")
    print(
        f"database mode on {connection.vendor} {version}: {data.rows:,} applicants, "
        f"applications and SKD scores loaded in {load_seconds:.1f} s (not timed below)"
    )

    split = Split()
    with split.watching():
        started = time.perf_counter()
        outcome = ranking_run(selection=selection, stage="skd", actor=actor)
        total = time.perf_counter() - started
    run = outcome.run
    rows = RankingRow.objects.filter(run=run).order_by("order")
    check(
        "ranking_run",
        [
            (number, "" if rank is None else str(rank), code)
            for number, rank, code in rows.values_list("application__number", "rank", "outcome")
        ],
        expected,
    )
    if run.fingerprint != fingerprint:
        raise SystemExit(f"ranking_run: fingerprint {run.fingerprint}, in memory {fingerprint}")

    def line(label: str, seconds: float, sql: float | None = None) -> None:
        parts = f" (SQL {sql:.2f} s, Python {seconds - sql:.2f} s)" if sql is not None else ""
        print(f"  {label:<44} {seconds:7.2f} s{parts}")

    measured = sum(split.seconds.values())
    print(f'ranking_run(stage="skd"), whole: {total:.2f} s ({data.rows / total:,.0f} rows/s)')
    line(
        "read inputs (ranking_inputs)", split.seconds["ranking_inputs"], split.sql["ranking_inputs"]
    )
    line("rank (rank_skd)", split.seconds["rank_skd"])
    line("fingerprint (run_fingerprint)", split.seconds["run_fingerprint"])
    line("create the run (RankingRun.objects.create)", split.seconds["create"], split.sql["create"])
    # The rows are built as tuples while they are written; COPY bypasses Django's cursor
    # wrapper, so on PostgreSQL this line has no separate SQL figure.
    line("build and write rows (_write_rows)", split.seconds["_write_rows"])
    line("audit event", split.seconds["audit_record"], split.sql["audit_record"])
    line("commit (deferred foreign key checks)", split.seconds["commit"])
    line("the rest (tally, identical-run query)", total - measured, split.sql["other"])
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(ranking_run, selection=selection, stage="skd", actor=actor)
        print("profile of a second ranking_run (cumulative, top 30):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
        print("profile of a second ranking_run (own time, top 20):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(20)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formations", type=int, default=1048)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3, help="lower bound runs (best counts)")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="database mode on a throwaway PostgreSQL cluster instead of SQLite",
    )
    parser.add_argument("--no-file", action="store_true", help="leave out rank-file")
    parser.add_argument("--no-database", action="store_true", help="leave out the database mode")
    parser.add_argument(
        "--profile", action="store_true", help="profile a second ranking_run and print it"
    )
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

    policy = load_ranking_policy(POLICY)
    started = time.perf_counter()
    results = rank_skd(policy, formations, scores)
    engine = time.perf_counter() - started
    print(f"engine, rank_skd in memory: {engine:.2f} s ({data.rows / engine:,.0f} rows/s)")
    check(
        "rank_skd",
        [(r.participant, "" if r.rank is None else str(r.rank), r.outcome.value) for r in results],
        expected,
    )
    started = time.perf_counter()
    fingerprint = run_fingerprint(policy, "skd", formations, scores)
    print(f"run_fingerprint in memory: {time.perf_counter() - started:.2f} s")
    del results, scores

    ratios = [("engine", engine)]
    if not options.no_file:
        _, whole = file_mode(data, formations, expected, fingerprint, options.seed)
        ratios.append(("rank-file", whole))
    if not options.no_database:
        with ExitStack() as stack:
            if options.postgres:
                os.environ["DATABASE_URL"] = stack.enter_context(throwaway_postgres())
            workdir = setup_django("seleksi-bench-ranking-db-")
            stack.callback(shutil.rmtree, workdir, ignore_errors=True)
            ratios.append(
                (
                    "database mode",
                    database_mode(data, formations, expected, fingerprint, options.profile),
                )
            )
    print("every output matches the lower bound row for row (order, peringkat, kode)")
    print("every fingerprint matches the in-memory one")
    for name, seconds in ratios:
        print(f"ratio {name} / lower bound: {seconds / bound:,.0f}x")


if __name__ == "__main__":
    main()
