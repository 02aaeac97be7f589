"""Benchmark: `seleksi rank-file` on a national stage (1,000,000 rows over 1,048 formations) for
SKD, the final ranking (akhir) and PPPK, each beside a columnar bound measured in the same run;
and the SKD stage in database mode.

Per stage, on data generated with numpy (default_rng, fixed seed) and written to FORMASI.csv and
NILAI.csv in a temporary directory (not timed):

- bound: `bench/ranking_bound.py`, the same work done with polars in a process of its own (read
  both files, pass marks, the stage's exact arithmetic in scaled integers, competition ranks
  with the stage's tie-breaks, the cut or quota, the same OUT.csv), whole process timed with
  interpreter start and imports, best of `--repeat`;
- rank-file: `python -m seleksi rank-file` on the same files, whole process (Django start-up,
  parsing, ranking, writing OUT.csv, the fingerprint and committee notes), best of
  `--file-repeat`.

For both: wall time, CPU time (user + system, so the bound's second core shows) and peak
resident memory (the highest of the runs), read with `os.wait4` on the child, so each figure
is that process's own.
Every line of rank-file's OUT.csv is compared with the bound's; the first difference is printed
and the run exits non-zero. The ratios rank-file / bound are printed beside their goals: time
at most 3x, peak memory at most 2x. The start-up alone of both (a one-row SKD file) is printed
first, since it is in every figure.

The data (formation f is f"F{f:05d}", participant n is f"{n:010d}"):

- SKD: subtests in steps of 5 (TKP in steps of 1), 3 % absent, 10 % of the formations
  disabilitas with their own pass marks (cpns-2021); about a tenth meet the marks, so shared
  ranks come with size: none at 20,000 rows (two ranked rows a formation), hundreds at a
  million;
- final (akhir): SKB participants' subtests at or above the umum marks, SKB with up to two
  decimals, IPK with two (10 % none), birth dates over 15 years; a quarter of the rows copy the
  scores of the row before them in the same formation, then keep them (an exact tie: shared
  rank), or differ in IPK, in birth date, or move 5 points from TKP to TIU, so every tie-break
  is used. Every formation has its own position (jabatan), so optimalisasi has nothing to do
  (the bound refuses files where it could);
- PPPK (pppk-guru-2021): `ambang_teknis` per formation, participants with one to three rounds
  (tahap; 70 %, 20 %, 10 %) shuffled through the file, 5 % of the rounds absent, the four
  affirmation columns (Y/N), ties copied as for the final stage.

Database mode (SKD only, as `seleksi rank` runs it): the stage loaded into a throwaway database
(one selection, its formations, one applicant, application and SKD score per row, bulk loaded
and not timed), then `ranking_run(stage="skd")`, split into reading the inputs, ranking and
the fingerprint (side by side in two threads: their wall time, then each one's own),
building the `RankingRow`s and writing them, each with the time spent inside
`cursor.execute` (on SQLite a SELECT's rows are made while they are fetched, which counts as
Python). A throwaway SQLite file by default, or the empty database in DATABASE_URL as for the
other database benchmarks; `--postgres` starts a throwaway PostgreSQL cluster with
scripts/throwaway-postgres (durability off, as for the tests: writes are quicker than on a
production server) and removes it afterwards. Its rows are checked against the SKD bound's
(order, peringkat, kode) and its fingerprint against rank-file's; its time is printed as a
ratio to the SKD bound (goal at most 10x).

Prints figures; asserts nothing about time.

    .venv/bin/python bench/ranking.py [--rows 1000000] [--formations 1048] [--seed 6]
    .venv/bin/python bench/ranking.py --postgres [--stages skd,akhir,pppk] [--profile]
    .venv/bin/python bench/ranking.py --rows 20000 --no-database --repeat 1 --file-repeat 1
                                                                       # quick run
"""

import argparse
import contextlib
import cProfile
import functools
import gc
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from benchdb import bulk_load, reset_sequences, setup_django, throwaway_postgres
from seleksi.rules.ranking import Affirmation, Formation, load_ranking_policy

ROOT = Path(__file__).resolve().parents[1]
BOUND = Path(__file__).resolve().parent / "ranking_bound.py"

STAGES = ("skd", "akhir", "pppk")
POLICIES = {"skd": "cpns-2021", "akhir": "cpns-2021", "pppk": "pppk-guru-2021"}
NAMES = {"skd": "SKD", "akhir": "final (akhir)", "pppk": "PPPK"}
TIME_GOAL, MEMORY_GOAL, DATABASE_GOAL = 3, 2, 10
ABSENT_SHARE = 0.03
DISABILITY_SHARE = 0.10
TIE_SHARE = 0.25
PPPK_ABSENT_SHARE = 0.05
PPPK_ROUNDS = (0.7, 0.2, 0.1)  # one, two, three rounds
AFFIRMATION_SHARES = {
    Affirmation.SERDIK_LINIER: 0.05,
    Affirmation.AGE_35_ACTIVE_3_YEARS: 0.25,
    Affirmation.DISABILITY: 0.03,
    Affirmation.THK2_ACTIVE_3_YEARS: 0.10,
}


def formation_code(index: int) -> str:
    return f"F{index:05d}"


def participant_number(index: int) -> str:
    return f"{index:010d}"


def copied_from(rng: np.random.Generator, formation: np.ndarray) -> np.ndarray:
    """For each row, the row whose scores it takes: itself, or (for about TIE_SHARE of them)
    the first of a run of rows of the same formation that copy the one before them."""
    order = np.argsort(formation, kind="stable")
    same = np.zeros(len(order), dtype=bool)
    same[1:] = formation[order[1:]] == formation[order[:-1]]
    copies = same & (rng.random(len(order)) < TIE_SHARE)
    position = np.arange(len(order))
    start = np.maximum.accumulate(np.where(copies, 0, position))
    source = np.empty(len(order), dtype=np.int64)
    source[order] = order[start]
    return source


class SkdData:
    """Columns of the generated stage; row n is participant n, formation code f"F{i:05d}"."""

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

    def describe(self) -> str:
        return (
            f"{self.rows:,} SKD results over {len(self.quota):,} formations "
            f"({int((self.types == 1).sum())} disabilitas, the rest umum; "
            f"total quota {int(self.quota.sum()):,})"
        )

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

    def write(self, folder: Path) -> tuple[Path, Path]:
        formation_path, score_path = folder / "FORMASI.csv", folder / "NILAI.csv"
        with formation_path.open("w", encoding="utf-8") as handle:
            handle.write("kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota\n")
            handle.writelines(
                f"{f.code},{f.position},{f.placement_unit},{f.formation_type},{f.quota}\n"
                for f in self.formation_objects()
            )
        columns = (self.formation, self.present, self.twk, self.tiu, self.tkp)
        with score_path.open("w", encoding="utf-8") as handle:
            handle.write("nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp\n")
            handle.writelines(
                f"{participant_number(n)},{formation_code(f)},H,{w},{i},{k}\n"
                if p
                else f"{participant_number(n)},{formation_code(f)},TH,,,\n"
                for n, (f, p, w, i, k) in enumerate(
                    zip(*(c.tolist() for c in columns), strict=True)
                )
            )
        return formation_path, score_path


class FinalData:
    """SKB participants of a final ranking (akhir): every formation its own jabatan."""

    def __init__(self, rows: int, formations: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.types = np.where(rng.random(formations) < DISABILITY_SHARE, 1, 0)
        self.quota = rng.integers(1, 4, size=formations)
        self.formation = rng.integers(0, formations, size=rows)
        self.present = rng.random(rows) >= ABSENT_SHARE
        twk = 5 * rng.integers(13, 31, size=rows)  # 65..150
        tiu = 5 * rng.integers(16, 36, size=rows)  # 80..175
        tkp = rng.integers(166, 226, size=rows)  # 166..225
        skb = rng.integers(4000, 10001, size=rows)  # hundredths, 40.00..100.00
        ipk = np.where(rng.random(rows) < 0.10, -1, rng.integers(250, 401, size=rows))
        born = rng.integers(0, 15 * 365, size=rows)  # days after 1985-01-01
        source = copied_from(rng, self.formation)
        twk, tiu, tkp, skb, ipk, born = (c[source] for c in (twk, tiu, tkp, skb, ipk, born))
        variant = np.where(source == np.arange(rows), -1, rng.integers(0, 4, size=rows))
        ipk = np.where(variant == 1, rng.integers(250, 401, size=rows), ipk)
        born = np.where(variant == 2, rng.integers(0, 15 * 365, size=rows), born)
        moved = (variant == 3) & (tiu <= 170) & (tkp >= 171)
        self.twk, self.tiu, self.tkp = (
            twk,
            np.where(moved, tiu + 5, tiu),
            np.where(moved, tkp - 5, tkp),
        )
        self.skb, self.ipk = skb, ipk
        self.born = (np.datetime64(date(1985, 1, 1)) + born).astype(str)
        self.short = rng.random(rows) < 0.5  # SKB written without trailing zeros

    @property
    def rows(self) -> int:
        return len(self.formation)

    def describe(self) -> str:
        return (
            f"{self.rows:,} SKB participants over {len(self.quota):,} formations, each its own "
            f"jabatan (total quota {int(self.quota.sum()):,})"
        )

    def write(self, folder: Path) -> tuple[Path, Path]:
        formation_path, score_path = folder / "FORMASI.csv", folder / "NILAI.csv"
        kinds = ("umum", "disabilitas")
        with formation_path.open("w", encoding="utf-8") as handle:
            handle.write("kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota\n")
            handle.writelines(
                f"{formation_code(i)},Jabatan {i},Unit Kerja {i % 400},{kinds[kind]},{quota}\n"
                for i, (kind, quota) in enumerate(
                    zip(self.types.tolist(), self.quota.tolist(), strict=True)
                )
            )
        columns = (
            self.formation,
            self.present,
            self.twk,
            self.tiu,
            self.tkp,
            self.skb,
            self.ipk,
            self.born,
            self.short,
        )
        with score_path.open("w", encoding="utf-8") as handle:
            handle.write("nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp,skb,ipk,tanggal_lahir\n")
            handle.writelines(
                f"{participant_number(n)},{formation_code(f)},H,{w},{i},{k},"
                f"{decimal_text(s, short)},{'' if g < 0 else decimal_text(g, False)},{b}\n"
                if p
                else f"{participant_number(n)},{formation_code(f)},TH,,,,,,\n"
                for n, (f, p, w, i, k, s, g, b, short) in enumerate(
                    zip(*(c.tolist() for c in columns), strict=True)
                )
            )
        return formation_path, score_path


def decimal_text(hundredths: int, short: bool) -> str:
    """83.50 as "83.50", or as "83.5" when short (and 83.00 as "83")."""
    whole, part = divmod(hundredths, 100)
    if not short:
        return f"{whole}.{part:02d}"
    if part == 0:
        return str(whole)
    return f"{whole}.{part // 10}" if part % 10 == 0 else f"{whole}.{part:02d}"


class PppkData:
    """Rounds (tahap) of PPPK participants, one line each, shuffled through the file."""

    def __init__(self, rows: int, formations: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.quota = rng.integers(1, 4, size=formations)
        self.threshold = 5 * rng.integers(40, 71, size=formations)  # ambang teknis 200..350
        counts = rng.choice(np.arange(1, 4), p=PPPK_ROUNDS, size=rows)
        participants = int(np.searchsorted(np.cumsum(counts), rows)) + 1
        counts = counts[:participants]
        counts[-1] -= int(counts.sum()) - rows
        self.participants = participants
        formation_of = rng.integers(0, formations, size=participants)
        grounds = rng.random((participants, len(AFFIRMATION_SHARES)))
        granted = grounds < np.array(list(AFFIRMATION_SHARES.values()))
        rounds = np.argsort(rng.random((participants, 3)), axis=1) + 1
        participant = np.repeat(np.arange(participants), counts)
        nth = np.arange(rows) - np.repeat(np.cumsum(counts) - counts, counts)
        self.participant = participant
        self.round = rounds[participant, nth]
        self.formation = formation_of[participant]
        self.granted = granted
        self.present = rng.random(rows) >= PPPK_ABSENT_SHARE
        teknis = 5 * rng.integers(20, 101, size=rows)  # 100..500
        social = rng.integers(90, 201, size=rows)  # 90..200
        interview = rng.integers(10, 41, size=rows)  # 10..40
        source = copied_from(rng, self.formation)
        self.teknis, self.social, self.interview = (c[source] for c in (teknis, social, interview))
        self.order = rng.permutation(rows)

    @property
    def rows(self) -> int:
        return len(self.participant)

    def describe(self) -> str:
        several = int((np.bincount(self.participant) > 1).sum())
        return (
            f"{self.rows:,} PPPK rounds of {self.participants:,} participants ({several:,} with "
            f"several rounds) over {len(self.quota):,} formations "
            f"(total quota {int(self.quota.sum()):,})"
        )

    def write(self, folder: Path) -> tuple[Path, Path]:
        formation_path, score_path = folder / "FORMASI.csv", folder / "NILAI.csv"
        with formation_path.open("w", encoding="utf-8") as handle:
            handle.write("kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota,ambang_teknis\n")
            handle.writelines(
                f"{formation_code(i)},Guru Kelas,Sekolah {i},umum,{quota},{threshold}\n"
                for i, (quota, threshold) in enumerate(
                    zip(self.quota.tolist(), self.threshold.tolist(), strict=True)
                )
            )
        flags = np.where(self.granted, "Y", "N")
        marks = [",".join(row) for row in flags.tolist()]
        columns = (
            self.participant,
            self.formation,
            self.round,
            self.present,
            self.teknis,
            self.social,
            self.interview,
        )
        lines = [c[self.order].tolist() for c in columns]
        header = (
            "nomor_peserta,kode_formasi,tahap,kehadiran,teknis,manajerial_sosiokultural,"
            "wawancara," + ",".join(ground.value for ground in AFFIRMATION_SHARES)
        )
        with score_path.open("w", encoding="utf-8") as handle:
            handle.write(header + "\n")
            handle.writelines(
                f"{participant_number(n)},{formation_code(f)},{r},H,{t},{s},{w},{marks[n]}\n"
                if p
                else f"{participant_number(n)},{formation_code(f)},{r},TH,,,,{marks[n]}\n"
                for n, f, r, p, t, s, w in zip(*lines, strict=True)
            )
        return formation_path, score_path


DATA = {"skd": SkdData, "akhir": FinalData, "pppk": PppkData}


@dataclass(frozen=True)
class Run:
    """One process: wall seconds, CPU seconds (user + system) and peak RSS in MiB."""

    seconds: float
    cpu: float
    peak: float
    stderr: str


def run_process(command: list[str], environment: dict[str, str], log: Path) -> Run:
    """The command as a child process, timed from start to exit, with the rusage that
    `os.wait4` gives for that child alone. stderr goes to `log` (no pipe to drain)."""
    with log.open("w+b") as errors:
        started = time.perf_counter()
        # The command is made here from fixed words and our own temporary paths.
        process = subprocess.Popen(  # noqa: S603
            command,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        text = errors.read().decode("utf-8", errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} ... exited {process.returncode}:\n{text}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def best_of(repeat: int, command: list[str], environment: dict[str, str], log: Path) -> Run:
    """The fastest of `repeat` runs, with the highest peak memory of them."""
    runs = [run_process(command, environment, log) for _ in range(max(1, repeat))]
    fastest = min(runs, key=lambda run: run.seconds)
    return Run(fastest.seconds, fastest.cpu, max(run.peak for run in runs), fastest.stderr)


def environment_for(folder: Path) -> dict[str, str]:
    """rank-file's environment: a data directory and an unused SQLite database of its own."""
    return dict(
        os.environ,
        SELEKSI_DATA_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'unused.sqlite3'}",
        DJANGO_SETTINGS_MODULE="seleksi.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    )


def bound_command(stage: str, formations: Path, scores: Path, output: Path) -> list[str]:
    return [
        sys.executable,
        str(BOUND),
        stage,
        str(formations),
        str(scores),
        str(output),
        "--policy",
        POLICIES[stage],
    ]


def rank_file_command(stage: str, formations: Path, scores: Path, output: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "seleksi",
        "rank-file",
        "--policy",
        POLICIES[stage],
        "--stage",
        stage,
        "--formations",
        str(formations),
        "--scores",
        str(scores),
        "--output",
        str(output),
    ]


def compare(stage: str, got: Path, wanted: Path) -> list[str]:
    """rank-file's OUT.csv against the bound's, line by line; its lines when they are equal,
    SystemExit naming the first difference when they are not."""
    got_lines = got.read_text(encoding="utf-8").split("\n")
    wanted_lines = wanted.read_text(encoding="utf-8").split("\n")
    for number, (mine, theirs) in enumerate(zip(got_lines, wanted_lines, strict=False), start=1):
        if mine != theirs:
            raise SystemExit(
                f"{stage}: line {number} of rank-file's OUT.csv is {mine!r}, the bound's is "
                f"{theirs!r}"
            )
    if len(got_lines) != len(wanted_lines):
        raise SystemExit(
            f"{stage}: rank-file wrote {len(got_lines) - 1:,} lines, the bound "
            f"{len(wanted_lines) - 1:,}"
        )
    return got_lines[1:-1]


def tally(lines: list[str]) -> str:
    """Outcomes, and the ranked rows that share their rank with another."""
    outcomes = Counter(line.rsplit(",", 1)[1] for line in lines)
    ranks = Counter(
        (cells[1], cells[-2]) for cells in (line.split(",") for line in lines) if cells[-2]
    )
    shared = sum(count for count in ranks.values() if count > 1)
    counted = ", ".join(f"{code} {count:,}" for code, count in sorted(outcomes.items()))
    return f"outcomes: {counted}; ranked rows sharing a rank: {shared:,}"


def figures(label: str, run: Run) -> str:
    return f"{label:<44} {run.seconds:7.2f} s (CPU {run.cpu:6.2f} s), peak RSS {run.peak:7,.0f} MiB"


def load_database(data: SkdData, formations: list[Formation]) -> tuple[Any, Any]:
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


def resident_mib(field: str) -> float | None:
    """This process's VmRSS or VmHWM (peak) in MiB, from /proc; None elsewhere."""
    try:
        for entry in Path("/proc/self/status").read_text().splitlines():
            if entry.startswith(f"{field}:"):
                return int(entry.split()[1]) / 1024
    except OSError:
        return None
    return None


def reset_peak() -> None:
    """Start VmHWM again from the current resident size (Linux: clear_refs 5)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


class Split:
    """Wall time inside some functions of `seleksi.scoring.ranking_runs` and
    `seleksi.scoring.ranking_frames` (the columnar path) during one run, and the part of it
    inside `cursor.execute`. A function that is not there is not measured."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.sql: dict[str, float] = defaultdict(float)
        self.marks: dict[str, tuple[float, float]] = {}
        self.current = "other"

    def timed[**P, R](self, name: str, function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            # the fingerprint runs in a thread of its own and touches no database: only the
            # main thread says whose SQL it is
            main = threading.current_thread() is threading.main_thread()
            outer = self.current
            if main:
                self.current = name
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                ended = time.perf_counter()
                self.seconds[name] += ended - started
                self.marks[name] = (started, ended)
                if main:
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

        from seleksi.scoring import ranking_frames, ranking_runs
        from seleksi.scoring.models import RankingRun

        functions = (
            (ranking_frames, "score_frame"),
            (ranking_frames, "rank_columns"),
            (ranking_frames, "fingerprint_columns"),
            (ranking_frames, "row_frame"),
            (ranking_runs, "frame_insert"),
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


def check(
    name: str, rows: list[tuple[str, str, str]], expected: list[tuple[str, str, str]]
) -> None:
    """(nomor peserta, peringkat, kode) per output row against the SKD bound's."""
    if len(rows) != len(expected):
        raise SystemExit(f"{name}: {len(rows):,} rows, the bound has {len(expected):,}")
    for line, (got, wanted) in enumerate(zip(rows, expected, strict=True)):
        if got != wanted:
            raise SystemExit(f"{name}: row {line} is {got}, the bound has {wanted}")


def database_mode(
    data: SkdData,
    expected: list[tuple[str, str, str]],
    fingerprint: str | None,
    profile: bool,
) -> float:
    """Seconds for one `ranking_run` of the stage, after printing its split."""
    from django.db import connection

    from seleksi.scoring.models import RankingRow
    from seleksi.scoring.ranking_runs import ranking_run

    started = time.perf_counter()
    selection, actor = load_database(data, data.formation_objects())
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
    gc.collect()
    before = resident_mib("VmRSS")
    reset_peak()
    with split.watching():
        started = time.perf_counter()
        outcome = ranking_run(selection=selection, stage="skd", actor=actor)
        total = time.perf_counter() - started
    peak = resident_mib("VmHWM")
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
    if fingerprint is None:
        print("ranking_run: fingerprint not checked (rank-file did not run on SKD)")
    elif run.fingerprint != fingerprint:
        raise SystemExit(f"ranking_run: fingerprint {run.fingerprint}, rank-file's {fingerprint}")
    else:
        print("ranking_run: every row matches the SKD bound's, the fingerprint rank-file's")

    def line(label: str, seconds: float, sql: float | None = None) -> None:
        parts = f" (SQL {sql:.2f} s, Python {seconds - sql:.2f} s)" if sql is not None else ""
        print(f"  {label:<44} {seconds:7.2f} s{parts}")

    both = [split.marks[name] for name in ("rank_columns", "fingerprint_columns")]
    beside = max(end for _, end in both) - min(start for start, _ in both)
    measured = (
        sum(split.seconds.values())
        - split.seconds["rank_columns"]
        - split.seconds["fingerprint_columns"]
        + beside
    )
    print(f'ranking_run(stage="skd"), whole: {total:.2f} s ({data.rows / total:,.0f} rows/s)')
    if peak and before:
        print(
            f"  peak RSS during the run {peak:,.0f} MiB, {peak - before:,.0f} MiB above the "
            f"{before:,.0f} MiB the bench held before it"
        )
    line(
        "read scores into a frame (score_frame)",
        split.seconds["score_frame"],
        split.sql["score_frame"],
    )
    line("rank and fingerprint, side by side (wall)", beside)
    line("  rank (rank_columns)", split.seconds["rank_columns"])
    line("  fingerprint (fingerprint_columns, thread)", split.seconds["fingerprint_columns"])
    line("create the run (RankingRun.objects.create)", split.seconds["create"], split.sql["create"])
    line("build the rows' frame (row_frame)", split.seconds["row_frame"])
    # COPY bypasses Django's cursor wrapper, so on PostgreSQL this line has no SQL figure.
    line("write the rows (frame_insert)", split.seconds["frame_insert"])
    line("audit event", split.seconds["audit_record"], split.sql["audit_record"])
    line("commit", split.seconds["commit"])
    line("the rest (tally, identical run)", total - measured, split.sql["other"])
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(ranking_run, selection=selection, stage="skd", actor=actor)
        print("profile of a second ranking_run (cumulative, top 30):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
        print("profile of a second ranking_run (own time, top 20):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(20)
    return total


@dataclass(frozen=True)
class StageFigures:
    bound: Run
    rank_file: Run | None


def start_up(folder: Path, repeat: int, seed: int, with_file: bool) -> None:
    """The start-up alone of both programs, on a one-row SKD file."""
    tiny = SkdData(1, 1, seed)
    formations, scores = tiny.write(folder)
    bound = best_of(
        repeat,
        bound_command("skd", formations, scores, folder / "bound.csv"),
        environment_for(folder),
        folder / "bound.log",
    )
    print(figures("start-up alone (one-row SKD file): bound", bound))
    if with_file:
        command = rank_file_command("skd", formations, scores, folder / "OUT.csv")
        rank_file = best_of(repeat, command, environment_for(folder), folder / "rank-file.log")
        print(figures("start-up alone (one-row SKD file): rank-file", rank_file))


def run_stage(
    stage: str, options: argparse.Namespace, folder: Path
) -> tuple[StageFigures, SkdData | None, str | None]:
    """Generate, write, run both programs and compare; the figures, the SKD data (for the
    database mode) and rank-file's fingerprint."""
    started = time.perf_counter()
    data = DATA[stage](options.rows, options.formations, options.seed)
    formations, scores = data.write(folder)
    seconds = time.perf_counter() - started
    size = scores.stat().st_size / 1024 / 1024
    print(f"\n{NAMES[stage]}: {data.describe()}; policy {POLICIES[stage]}; seed {options.seed}")
    print(
        f"generate and write FORMASI.csv + NILAI.csv (not timed): {seconds:.1f} s, "
        f"NILAI.csv {size:.1f} MiB"
    )
    environment = environment_for(folder)
    bound_output = folder / "bound.csv"
    bound = best_of(
        options.repeat,
        bound_command(stage, formations, scores, bound_output),
        environment,
        folder / "bound.log",
    )
    print(figures(f"bound, polars (best of {max(1, options.repeat)})", bound))
    fingerprint = None
    rank_file = None
    if not options.no_file:
        output = folder / "OUT.csv"
        command = rank_file_command(stage, formations, scores, output)
        rank_file = best_of(options.file_repeat, command, environment, folder / "rank-file.log")
        print(
            figures(f"rank-file, whole process (best of {max(1, options.file_repeat)})", rank_file)
        )
        lines = compare(stage, output, bound_output)
        print(f"every one of the {len(lines):,} rows of rank-file's OUT.csv equals the bound's")
        print(tally(lines))
        notes = rank_file.stderr.count("seri pada batas kuota")
        print(f"ties at the quota (rank-file's committee notes): {notes:,}")
        fingerprint = rank_file.stderr.rsplit("sidik jari ", 1)[-1].strip()
        print(ratios(rank_file, bound))
    return StageFigures(bound, rank_file), data if isinstance(data, SkdData) else None, fingerprint


def ratios(rank_file: Run, bound: Run) -> str:
    return (
        f"rank-file / bound: time {rank_file.seconds / bound.seconds:.1f}x "
        f"(goal at most {TIME_GOAL}x), peak memory {rank_file.peak / bound.peak:.1f}x "
        f"(goal at most {MEMORY_GOAL}x)"
    )


def skd_expected(folder: Path) -> list[tuple[str, str, str]]:
    """(nomor peserta, peringkat, kode) of the SKD bound's OUT.csv, in order."""
    lines = (folder / "bound.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [(cells[0], cells[6], cells[7]) for cells in (line.split(",") for line in lines)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formations", type=int, default=1048)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--stages", default=",".join(STAGES), help="of skd,akhir,pppk")
    parser.add_argument("--repeat", type=int, default=3, help="bound runs (best counts)")
    parser.add_argument("--file-repeat", type=int, default=3, help="rank-file runs (best counts)")
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
    stages = [stage.strip() for stage in options.stages.split(",") if stage.strip()]
    if unknown := set(stages) - set(STAGES):
        parser.error(f"unknown stage {', '.join(sorted(unknown))}; stages: {', '.join(STAGES)}")
    for code in set(POLICIES.values()):
        load_ranking_policy(code)

    results: dict[str, StageFigures] = {}
    database: float | None = None
    with tempfile.TemporaryDirectory(prefix="seleksi-bench-ranking-") as name:
        root = Path(name)
        (root / "start-up").mkdir()
        start_up(root / "start-up", options.repeat, options.seed, not options.no_file)
        skd_data, fingerprint = None, None
        for stage in stages:
            (root / stage).mkdir()
            results[stage], data, printed = run_stage(stage, options, root / stage)
            if stage == "skd":
                skd_data, fingerprint = data, printed
        if skd_data is None and not options.no_database:
            print("\ndatabase mode left out: it ranks the SKD stage, which --stages leaves out")
        if skd_data is not None and not options.no_database:
            expected = skd_expected(root / "skd")
            print()
            with ExitStack() as stack:
                if options.postgres:
                    os.environ["DATABASE_URL"] = stack.enter_context(throwaway_postgres())
                workdir = setup_django("seleksi-bench-ranking-db-")
                stack.callback(shutil.rmtree, workdir, ignore_errors=True)
                database = database_mode(skd_data, expected, fingerprint, options.profile)

    print(
        f"\nsummary on {options.rows:,} rows (goals: rank-file at most {TIME_GOAL}x the bound's "
        f"time and {MEMORY_GOAL}x its peak memory; database mode at most {DATABASE_GOAL}x "
        "the SKD bound's time)"
    )
    for stage, found in results.items():
        bound, rank_file = found.bound, found.rank_file
        line = f"  {NAMES[stage]:<14} bound {bound.seconds:6.2f} s {bound.peak:7,.0f} MiB"
        if rank_file is not None:
            line += (
                f"; rank-file {rank_file.seconds:7.2f} s {rank_file.peak:7,.0f} MiB: "
                f"time {rank_file.seconds / bound.seconds:5.1f}x, "
                f"memory {rank_file.peak / bound.peak:4.1f}x"
            )
        print(line)
    if database is not None:
        print(
            f"  database mode (SKD) {database:.2f} s: "
            f"{database / results['skd'].bound.seconds:.1f}x the SKD bound "
            f"(goal at most {DATABASE_GOAL}x)"
        )
    if not options.no_file:
        print("every rank-file output matches the bound's line for line")


if __name__ == "__main__":
    main()
