"""The load test, end to end: for 1, 2 and 4 app processes, start the local production profile,
prepare, measure the bounds and the opening-day mix with locust, stop; then the special runs
the goals name (cached public pages alone, all public pages, registration alone, uploads
alone) at the largest process count; then one table. Run through `scripts/load-test`.

Decisions worth knowing:

- locust runs headless on this machine against nginx on 127.0.0.1 only, with a fixed number
  of users and a time limit; its statistics are reset once every user is spawned, so the
  figures are those of the steady run. Users send their next request as soon as the last is
  answered: the rate is the most the profile gives at that many users, and p50/p99 are the
  latencies at that rate.
- The client shares the machine's cores with the server. CPU time is read around every run
  for the whole machine, for locust (its own and its children's) and for the portal's own
  processes (found by their working directory or command line naming this checkout): "server
  cores" is the portal's CPU time divided by the run's length, and the per-core figures
  (registrations, uploads) divide by it. locust's share and any other work on the machine
  are printed beside it, with the load average.
- Bounds in the same run, so the ratios survive a noisy machine: nginx serving a static file
  and /healthz (one query through an app process), each with the same client and users as
  the mix; one Argon2 hash's CPU time (the prepare step measures it in the portal's
  environment), which caps registration: three hashes each (the password and two security
  answers).
- Per-address limits are raised for the run (every request comes from 127.0.0.1): the
  environment variables in LIMITS, exported before the profile starts. No code is changed.

    python bench/load/run.py [--processes 1,2,4] [--users 48] [--seconds 60]
        [--special-seconds 30] [--bound-seconds 10] [--out DIR] [--target URL]
"""

import argparse
import csv
import datetime
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PROFILE = ROOT / "scripts" / "prod-local"
LIMITS = {
    "SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000000",
    "SELEKSI_LOGIN_SLOW_AFTER_PER_ADDRESS": "1000000",
    "SELEKSI_NIK_CHECKS_PER_ADDRESS": "1000000",
    "SELEKSI_IDENTITY_TRIES_PER_ADDRESS": "1000000",
}
MIX = ["PublicReader", "Registrant", "SigningIn", "Applying", "Uploading", "Booking", "Answering"]
SPECIALS = {
    # label: classes, users (scaled with --special-users when given)
    "cached public pages": (["CachedReader"], 64),
    "public pages alone": (["PublicReader"], 64),
    "registration alone": (["Registrant"], 12),
    "uploads alone": (["Uploading"], 24),
}
GROUPS = {
    "public pages": "public: ",
    "registration": "register: submit",
    "sign-in": "sign-in: submit",
    "uploads": "upload: file",
    "booking": "booking: confirm",
    "answer saves": "answers: save",
}


def say(message: str) -> None:
    print(f"load-test: {message}", file=sys.stderr, flush=True)


# --- one locust run ---------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    count: int
    failures: int
    rps: float
    p50: float
    p99: float

    @property
    def error_percent(self) -> float:
        return 100.0 * self.failures / self.count if self.count else 0.0


@dataclass
class Run:
    label: str
    seconds: float
    rows: dict[str, Row] = field(default_factory=dict)
    machine_busy: float = 0.0  # core-seconds of the whole machine
    locust_cpu: float = 0.0  # core-seconds of locust and its children
    portal_cpu: float = 0.0  # core-seconds of the portal's processes
    load: tuple[float, float] = (0.0, 0.0)  # load average before and after
    cache: dict[str, int] = field(default_factory=dict)  # public pages by X-Cache-Status

    @property
    def server_cores(self) -> float:
        return self.portal_cpu / self.seconds

    @property
    def other_cores(self) -> float:
        """Everything else on the machine: neither the portal nor locust."""
        return max(self.machine_busy - self.locust_cpu - self.portal_cpu, 0.0) / self.seconds

    @property
    def locust_cores(self) -> float:
        return self.locust_cpu / self.seconds

    def total(self, prefix: str = "") -> Row:
        chosen = [
            r for n, r in self.rows.items() if n.startswith(prefix) and not n.startswith("pool")
        ]
        count = sum(r.count for r in chosen)
        return Row(
            prefix or "all",
            count,
            sum(r.failures for r in chosen),
            sum(r.rps for r in chosen),
            max((r.p50 for r in chosen), default=0.0),
            max((r.p99 for r in chosen), default=0.0),
        )


def busy_jiffies() -> float:
    """Core-seconds the machine spent not idle since boot."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in fields]
    idle = values[3] + values[4]  # idle, iowait
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(values[:8]) - idle) / hz


def portal_cpu() -> float:
    """Core-seconds used so far by the portal's processes: those whose working directory is
    under this checkout or whose command line names it (nginx, the app processes, the worker,
    PostgreSQL, Redis, SeaweedFS of the local profile), with their reaped children; not this
    script nor locust. Other work on the machine is left out."""
    hz = os.sysconf("SC_CLK_TCK")
    mine = str(ROOT)
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                cwd = ""
            if "locust" in command or "bench/load/run.py" in command:
                continue
            if not (cwd == mine or cwd.startswith(mine + "/") or mine + "/" in command):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the command name.
        total += sum(int(value) for value in fields[11:15])
    return total / hz


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def locust(
    options: argparse.Namespace,
    label: str,
    classes: list[str],
    users: int,
    seconds: int,
    prepared: Path,
    out: Path,
    part: int = 0,
) -> Run:
    prefix = out / label.replace(" ", "-")
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--host",
        options.host,
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(users, 1)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--reset-stats",
        "--only-summary",
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
        *(["--processes", str(options.locust_processes)] if options.locust_processes > 1 else []),
        *classes,
    ]
    environment = {
        **os.environ,
        "LOAD_PREPARED": str(prepared),
        "LOAD_PROCESSES": str(options.locust_processes),
        "LOAD_PART": str(part),
        "LOAD_CACHE_FILE": str(out / f"{prefix.name}.cache"),
        "LOAD_PARTS": str(1 + len(SPECIALS)),
    }
    say(f"{label}: {users} users, {seconds} s ({' '.join(classes)})")
    log = (out / f"{prefix.name}.log").open("w")
    load_before = os.getloadavg()[0]
    cpu_before, busy_before, portal_before = children_cpu(), busy_jiffies(), portal_cpu()
    started = time.monotonic()
    # Our own locust file, with numbers we chose.
    subprocess.run(command, env=environment, stdout=log, stderr=log, check=False)  # noqa: S603
    elapsed = time.monotonic() - started
    run = Run(label, max(elapsed, 1.0))
    run.machine_busy = busy_jiffies() - busy_before
    run.locust_cpu = children_cpu() - cpu_before
    run.portal_cpu = portal_cpu() - portal_before
    run.load = (load_before, os.getloadavg()[0])
    for written in out.glob(f"{prefix.name}.cache.*"):
        for status, count in json.loads(written.read_text()).items():
            run.cache[status] = run.cache.get(status, 0) + count
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        say(f"{label}: locust wrote no statistics; see {log.name}")
        return run
    with stats.open(newline="") as file:
        for record in csv.DictReader(file):
            if record["Name"] == "Aggregated":
                continue
            row = Row(
                record["Name"],
                int(record["Request Count"]),
                int(record["Failure Count"]),
                float(record["Requests/s"]),
                float(record["50%"] or 0),
                float(record["99%"] or 0),
            )
            # One name may come with two types (a POST, and the FORM error of a page that had
            # no form to post): one row, the latencies of the requests sent.
            seen = run.rows.get(row.name)
            if seen is not None:
                sent = seen if seen.p50 or not row.p50 else row
                row = Row(
                    row.name,
                    seen.count + row.count,
                    seen.failures + row.failures,
                    seen.rps + row.rps,
                    sent.p50,
                    sent.p99,
                )
            run.rows[row.name] = row
    # The statistics cover the steady run (reset after spawning); the CPU window a bit more.
    return run


# --- the profile ------------------------------------------------------------------------------


def profile(*arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    # Our own script.
    return subprocess.run(  # noqa: S603
        [str(PROFILE), *arguments], check=check, text=True, stdout=sys.stderr
    )


def prepare(options: argparse.Namespace, out: Path) -> tuple[Path, dict[str, float]]:
    prepared = out / "prepared.json"
    bound = out / "argon2.json"
    command = [
        sys.executable,
        str(HERE / "prepare.py"),
        "--out",
        str(prepared),
        "--argon2",
        str(bound),
        *options.prepare,
    ]
    if not options.target:
        command = [str(PROFILE), "run", "python", *command[1:]]
    say("prepare")
    # Our own scripts.
    subprocess.run(command, check=True, stdout=sys.stderr)  # noqa: S603
    return prepared, json.loads(bound.read_text())


# --- the table --------------------------------------------------------------------------------


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            int(line.split()[1]) // 1024 // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return (
        f"{os.cpu_count()} cores ({model}), {memory} GiB memory, Python {platform.python_version()}"
    )


def cell(row: Row | None) -> str:
    if row is None or not row.count:
        return f"{'-':>7} {'':>6} {'':>6} {'':>5}"
    flag = "!" if row.error_percent >= 1 else " "
    return f"{row.rps:7.1f} {row.p50:6.0f} {row.p99:6.0f} {row.error_percent:4.1f}{flag}"


def cached(run: Run) -> str:
    """The share of public pages nginx served from its cache (X-Cache-Status HIT)."""
    total = sum(run.cache.values())
    if not total:
        return "-"
    return f"{100 * run.cache.get('HIT', 0) / total:.0f} % HIT of {total:,}"


def table(runs: list[tuple[str, Run]]) -> list[str]:
    names = sorted({name for _label, run in runs for name in run.rows})
    width = max((len(name) for name in names), default=10) + 1
    head = "".join(f" | {label:^27}" for label, _run in runs)
    unit = "".join(f" | {'req/s':>7} {'p50':>6} {'p99':>6} {'err%':>5}" for _ in runs)
    lines = [f"{'request':<{width}}{head}", f"{'':<{width}}{unit}"]
    lines.append("-" * len(lines[-1]))
    for name in names:
        lines.append(
            f"{name:<{width}}" + "".join(f" | {cell(run.rows.get(name))}" for _label, run in runs)
        )
    lines.append("-" * len(lines[1]))
    lines.append(f"{'all':<{width}}" + "".join(f" | {cell(run.total())}" for _label, run in runs))
    lines.append(
        f"{'server cores busy':<{width}}"
        + "".join(f" | {run.server_cores:7.2f}{'':>20}" for _label, run in runs)
    )
    lines.append(
        f"{'locust cores busy':<{width}}"
        + "".join(f" | {run.locust_cores:7.2f}{'':>20}" for _label, run in runs)
    )
    lines.append(
        f"{'other work, cores':<{width}}"
        + "".join(f" | {run.other_cores:7.2f}{'':>20}" for _label, run in runs)
    )
    lines.append(
        f"{'public pages cached':<{width}}"
        + "".join(f" | {cached(run):>27}" for _label, run in runs)
    )
    lines.append(
        f"{'load average':<{width}}"
        + "".join(f" | {run.load[0]:7.1f} {run.load[1]:6.1f}{'':>13}" for _label, run in runs)
    )
    return lines


def report(
    options: argparse.Namespace,
    mixes: list[tuple[int, Run]],
    bounds: dict[int, dict[str, Run]],
    specials: dict[str, Run],
    argon2: dict[str, float],
) -> None:
    out = []
    out.append(
        f"Seleksi load test, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {machine()}"
    )
    out.append(
        f"locust {options.users} users ({options.locust_processes} process), "
        f"{options.seconds} s per mix run, {options.special_seconds} s per special run, "
        "no wait between requests; times in ms; ! marks 1 % errors or more"
    )
    out.append("")
    out.append("== the opening-day mix, by app processes")
    out.extend(table([(f"{n} app process{'es' if n > 1 else ''}", run) for n, run in mixes]))
    out.append("")
    out.append("== throughput as app processes grow (req/s; ratio to 1 process)")
    first = {group: mixes[0][1].total(prefix).rps for group, prefix in GROUPS.items()}
    first["all"] = mixes[0][1].total().rps
    for group, prefix in [*GROUPS.items(), ("all", "")]:
        cells = []
        for _n, run in mixes:
            rate = run.total(prefix).rps
            ratio = rate / first[group] if first[group] else 0.0
            cells.append(f"{rate:8.1f} ({ratio:4.2f}x)")
        out.append(f"  {group:<14}" + "".join(cells))
    out.append("")
    out.append("== bounds measured in the same run (same client, same users)")
    for n, measured in bounds.items():
        parts = []
        for label, run in measured.items():
            row = run.total()
            parts.append(
                f"{label} {row.rps:,.0f} req/s p50 {row.p50:.0f} p99 {row.p99:.0f} ms "
                f"(locust {run.locust_cores:.2f} cores)"
            )
        out.append(f"  {n} app process{'es' if n > 1 else ''}: " + "; ".join(parts))
    per_hash = argon2.get("cpu_seconds", 0.0)
    if per_hash:
        wall = argon2.get("wall_seconds", 0.0)
        out.append(
            f"  one Argon2 hash: {per_hash * 1000:.0f} ms of CPU ({wall * 1000:.0f} ms wall); "
            "a registration hashes 3 times (password, two security answers), so one core "
            f"registers at most {1 / (3 * per_hash):.1f} per second"
        )
    if specials:
        out.append("")
        largest = mixes[-1][0] if mixes else 0
        out.append(f"== special runs at {largest} app processes")
        out.extend(table(list(specials.items())))
        out.append("")
        out.append("== against the goals")
        public = specials.get("cached public pages")
        if public:
            row = public.total("public: ")
            out.append(
                f"  cached public pages: {row.rps:,.0f} req/s, worst p99 {row.p99:.0f} ms, "
                f"errors {row.error_percent:.2f} % (goal 2,000 req/s, p99 < 100 ms); "
                f"locust used {public.locust_cores:.2f} cores of {os.cpu_count()}"
            )
        registration = specials.get("registration alone")
        if registration:
            row = registration.total("register: submit")
            cores = registration.server_cores or 1.0
            out.append(
                f"  registration: {row.rps:.1f}/s on {cores:.2f} server cores = "
                f"{row.rps / cores:.1f}/s per core, p99 {row.p99:.0f} ms, errors "
                f"{row.error_percent:.2f} % (goal 30/s per core, p99 < 500 ms)"
            )
        uploads = specials.get("uploads alone")
        if uploads:
            row = uploads.total("upload: file")
            cores = uploads.server_cores or 1.0
            out.append(
                f"  uploads: {row.rps:.1f} files/s on {cores:.2f} server cores = "
                f"{row.rps / cores:.1f} files/s per core, p99 {row.p99:.0f} ms, errors "
                f"{row.error_percent:.2f} % (goal 100 files/s per core)"
            )
    pools = sorted(
        {n for _n, run in mixes for n in run.rows if n.startswith("pool")}
        | {n for run in specials.values() for n in run.rows if n.startswith("pool")}
    )
    if pools:
        out.append("")
        out.append(f"  !! prepared data ran out during a run: {', '.join(pools)}")
    text = "\n".join(out)
    print(text)
    (options.out / "table.txt").write_text(text + "\n")
    summary = {
        "mixes": {str(n): {k: vars(v) for k, v in run.rows.items()} for n, run in mixes},
        "specials": {
            label: {k: vars(v) for k, v in run.rows.items()} for label, run in specials.items()
        },
        "cores": {
            **{f"mix {n}": [run.server_cores, run.locust_cores] for n, run in mixes},
            **{label: [run.server_cores, run.locust_cores] for label, run in specials.items()},
        },
        "argon2": argon2,
    }
    (options.out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")


# --- the whole run ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--processes",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[1, 2, 4],
        help="app process counts, one profile start each (default 1,2,4)",
    )
    parser.add_argument("--users", type=int, default=48, help="locust users in the mix")
    parser.add_argument("--seconds", type=int, default=60, help="length of each mix run")
    parser.add_argument(
        "--special-users",
        type=int,
        default=0,
        help="users of every special run (default 64 "
        "for public pages, 12 for registration, 24 for uploads)",
    )
    parser.add_argument("--special-seconds", type=int, default=30)
    parser.add_argument("--bound-seconds", type=int, default=10)
    parser.add_argument("--no-specials", action="store_true")
    parser.add_argument("--locust-processes", type=int, default=1)
    parser.add_argument("--port", type=int, default=8088, help="the profile's nginx port")
    parser.add_argument(
        "--target", default="", help="an already running portal (development): no profile"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "load-test")
    parser.add_argument(
        "--prepare", nargs=argparse.REMAINDER, default=[], help="the rest goes to prepare.py"
    )
    options = parser.parse_args()
    options.host = options.target or f"https://127.0.0.1:{options.port}"
    options.out = options.out.resolve()
    shutil.rmtree(options.out, ignore_errors=True)
    options.out.mkdir(parents=True)
    os.environ.update(LIMITS)
    say(f"{machine()}; results in {options.out}")

    mixes: list[tuple[int, Run]] = []
    bounds: dict[int, dict[str, Run]] = {}
    specials: dict[str, Run] = {}
    argon2: dict[str, float] = {}
    counts = options.processes if not options.target else options.processes[:1]
    for index, processes in enumerate(counts):
        out = options.out / f"web-{processes}"
        out.mkdir()
        if not options.target:
            say(f"starting the profile with {processes} app process(es)")
            profile("stop", check=False)
            profile("start", "--web", str(processes), "--port", str(options.port))
        try:
            prepared, argon2 = prepare(options, out)
            bounds[processes] = {
                name: locust(
                    options, name, [cls], options.users, options.bound_seconds, prepared, out
                )
                for name, cls in (("static", "StaticFile"), ("healthz", "Health"))
            }
            mixes.append(
                (
                    processes,
                    locust(options, "mix", MIX, options.users, options.seconds, prepared, out),
                )
            )
            if index == len(counts) - 1 and not options.no_specials:
                for part, (label, (classes, users)) in enumerate(SPECIALS.items(), start=1):
                    specials[label] = locust(
                        options,
                        label,
                        classes,
                        options.special_users or users,
                        options.special_seconds,
                        prepared,
                        out,
                        part,
                    )
        finally:
            if not options.target:
                say("stopping the profile")
                profile("stop", check=False)
    report(options, mixes, bounds, specials, argon2)


if __name__ == "__main__":
    main()
