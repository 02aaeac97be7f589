"""Benchmark: the public page of a 100,000-row result announcement over ~1,000 formations, with
the table cache on and off; and how long its downloads and its PDF take to make.

Decisions worth knowing:

- The server and the client are bench/httpbench.py's (separate server processes, a fixed pool
  of threads each, a new connection per request). The server is started twice on the same
  data: once with SELEKSI_ANNOUNCEMENT_CACHE_SECONDS=3600, once with 0. Each server process
  has its own cache (Django's default local-memory cache), so a round of warm-up requests
  comes before the measured ones.
- Three pages: the first page of the whole table; the second page of one large formation (a
  range of `order` in the middle of the table); and a number search, each request for another
  of 1,000 numbers, so with the cache on most searches are still misses (a number's answer is
  cached only once someone asked for it in that process).
- /healthz (one query) is measured with the same client before and after: ratios survive a
  noisy machine better than the figures.
- The data is loaded in bulk (COPY on PostgreSQL): users, applications, the announcement and
  its rows in printed order with `formations` as publishing writes it. Formation sizes vary
  from 20 to 180 rows.
- Files: the CSV (streamed) and the XLSX of all rows are timed in this process, and the PDF of
  a second announcement of `--pdf-rows` rows (WeasyPrint lays out every page: see the README
  for why the PDF is made once and kept).
- Answers are checked: every request 200 and holding its expected participant number.

    .venv/bin/python bench/announcements.py [--rows 100000] [--formations 1000]
        [--requests 2000] [--clients 32] [--processes 2] [--threads 8] [--pdf-rows 10000]
        [--files-only] [--database postgres|sqlite|both]
"""

import argparse
import json
import os
import random
import time
from contextlib import ExitStack
from dataclasses import dataclass

from benchdb import bulk_load
from httpbench import (
    TRIVIAL_PAGE,
    Answer,
    Request,
    Servers,
    bound,
    database_opened,
    each_database,
    fire,
    line,
)

COLUMNS = ["twk", "tiu", "tkp", "skd_score"]


@dataclass(frozen=True)
class Made:
    code: str
    announcement_id: int
    pdf_announcement_id: int
    big_formation: str
    big_first_on_page_two: str
    numbers: list[str]


def formation_sizes(rows: int, formations: int) -> list[int]:
    """`formations` sizes between 20 and 180 adding up to `rows`."""
    generator = random.Random(15)
    sizes = [generator.randint(20, 180) for _ in range(formations)]
    scale = rows / sum(sizes)
    sizes = [max(1, int(size * scale)) for size in sizes]
    sizes[-1] += rows - sum(sizes)
    return sizes


def scene(tag: str, rows: int, formations: int, pdf_rows: int) -> Made:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from seleksi.accounts.models import User
    from seleksi.agencies.models import Agency
    from seleksi.announcements.models import Announcement, AnnouncementRow
    from seleksi.announcements.services import ROW_COLUMNS
    from seleksi.applications.models import Application
    from seleksi.core.privacy import masked_name
    from seleksi.rules.formations import EXPORT_COLUMNS, parse_formation_table
    from seleksi.selections.models import Formation, Selection
    from seleksi.selections.services import formations_import

    agency = Agency.objects.create(
        code=tag, name=f"Pemerintah Kabupaten {tag}", kind="regional_government", address="Jl. 1"
    )
    selection = Selection.objects.create(
        agency=agency, code=tag, kind="casn", title=f"Seleksi {tag}", is_published=True
    )
    table = [
        [
            f"F-{n:04d}",
            "CPNS",
            "umum",
            f"Analis {n % 40}",
            "S-1 Hukum",
            f"Unit {n % 90}",
            "1",
            "teknis",
        ]
        for n in range(1, formations + 1)
    ]
    formations_import(
        selection=selection,
        parsed=parse_formation_table(EXPORT_COLUMNS, table),
        actor=None,
        source="bench",
    )
    formation_ids = dict(Formation.objects.filter(selection=selection).values_list("code", "pk"))
    sizes = formation_sizes(rows, formations)
    password = make_password(None)
    bulk_load(
        User,
        ["username", "full_name", "password"],
        ((f"{tag}-{n:06d}", f"Peserta Nomor {n}", password) for n in range(rows)),
    )
    users = dict(User.objects.filter(username__startswith=f"{tag}-").values_list("username", "pk"))
    plan: list[tuple[str, int, str]] = []  # formation code, rank, number
    n = 0
    for index, size in enumerate(sizes, start=1):
        code = f"F-{index:04d}"
        for rank in range(1, size + 1):
            plan.append((code, rank, f"{tag}-{n:06d}"))
            n += 1
    now = timezone.now()
    bulk_load(
        Application,
        ["applicant_id", "selection_id", "formation_id", "number", "status", "verification_token"],
        (
            (users[number], selection.pk, formation_ids[code], number, "submitted", f"t{number}")
            for code, _rank, number in plan
        ),
        {"submitted_at": now},
    )
    applications = dict(Application.objects.filter(selection=selection).values_list("number", "pk"))
    actor = User.objects.create(username=f"{tag}-panitia", password=password)

    def announcement(lines: list[tuple[str, int, str]], number: str) -> int:
        parts, counts, order, total = [], {}, 1, {}
        for code, _rank, _number in lines:
            total[code] = total.get(code, 0) + 1
        for code in sorted(total):
            size = total[code]
            within = {"P/L": max(1, size // 3), "P": size - max(1, size // 3)}
            parts.append([code, f"Analis · Unit {code}", order, size, within])
            for key, value in within.items():
                counts[key] = counts.get(key, 0) + value
            order += size
        made = Announcement.objects.create(
            selection=selection,
            kind="skd",
            number=number,
            dated_on=now.date(),
            title="Hasil Seleksi Kompetensi Dasar",
            body="Berdasarkan hasil SKD,\n\nDemikian.",
            signatory_name="Kepala BKPSDM",
            signatory_title="Ketua Panitia",
            columns=COLUMNS,
            formations=parts,
            counts=counts,
            row_count=len(lines),
            created_by=actor,
        )
        sizes_of = total
        bulk_load(
            AnnouncementRow,
            list(ROW_COLUMNS),
            (
                (
                    made.pk,
                    place,
                    applications[number],
                    code,
                    number,
                    masked_name(f"Peserta Nomor {number[-6:]}"),
                    json.dumps(["100", "110", "180", "390.000"]),
                    "390.000",
                    rank,
                    "P/L" if rank <= max(1, sizes_of[code] // 3) else "P",
                    "",
                )
                for place, (code, rank, number) in enumerate(lines, start=1)
            ),
        )
        Announcement.objects.filter(pk=made.pk).update(published_at=now, published_by=actor)
        return made.pk

    big = max(range(formations), key=lambda i: sizes[i])
    big_code = f"F-{big + 1:04d}"
    big_rows = [entry for entry in plan if entry[0] == big_code]
    generator = random.Random(7)
    return Made(
        code=tag,
        announcement_id=announcement(plan, "800/1/2026"),
        pdf_announcement_id=announcement(plan[:pdf_rows], "800/2/2026"),
        big_formation=big_code,
        big_first_on_page_two=big_rows[100][2] if len(big_rows) > 100 else big_rows[-1][2],
        numbers=[plan[generator.randrange(len(plan))][2] for _ in range(1000)],
    )


def pages(made: Made, count: int) -> dict[str, tuple[list[Request], list[str]]]:
    """Per measured page: the requests and the number each answer must hold."""
    from django.urls import reverse

    url = reverse("public:announcement", args=[made.code, made.announcement_id])
    first = f"{made.code}-000000"
    searches = [made.numbers[i % len(made.numbers)] for i in range(count)]
    return {
        "first page": ([Request("GET", url)] * count, [first] * count),
        "formation, page 2": (
            [Request("GET", f"{url}?formasi={made.big_formation}&page=2")] * count,
            [made.big_first_on_page_two] * count,
        ),
        "number search (1,000 numbers)": (
            [Request("GET", f"{url}?nomor={number}") for number in searches],
            searches,
        ),
    }


def checked(answers: list[Answer], expected: list[str]) -> int:
    """How many answers are wrong: not 200, or without a participant number that was expected.
    (Answers come back in another order than sent: each is checked against the set.)"""
    wanted = set(expected)
    wrong = 0
    for answer in answers:
        body = answer.body.decode(errors="replace")
        if answer.status != 200 or not any(number in body for number in _marked(body, wanted)):
            wrong += 1
    return wrong


def _marked(body: str, wanted: set[str]) -> list[str]:
    import re

    return [number for number in re.findall(r'class="mono">([^<]+)<', body) if number in wanted]


def timed_files(made: Made) -> list[str]:
    from django.utils import translation

    from seleksi.announcements import public
    from seleksi.public import announcement_files

    found = public.announcement_published_get(code=made.code, pk=made.announcement_id)
    small = public.announcement_published_get(code=made.code, pk=made.pdf_announcement_id)
    if found is None or small is None:
        raise SystemExit("the announcements were not found")
    lines = []
    started = time.perf_counter()
    size = sum(len(chunk) for chunk in announcement_files.csv_chunks(found))
    lines.append(
        f"  CSV of {found.row_count:,} rows: {time.perf_counter() - started:.1f} s, "
        f"{size / 1e6:.1f} MB (streamed)"
    )
    started = time.perf_counter()
    size = len(announcement_files.xlsx_bytes(found))
    lines.append(
        f"  XLSX of {found.row_count:,} rows: {time.perf_counter() - started:.1f} s, "
        f"{size / 1e6:.1f} MB (made once, then kept)"
    )
    with translation.override("id"):
        started = time.perf_counter()
        pdf = announcement_files.pdf_bytes(small, page_url="http://testserver/")
    import io

    from pypdf import PdfReader

    pages_made = len(PdfReader(io.BytesIO(pdf)).pages)
    lines.append(
        f"  PDF of {small.row_count:,} rows: {time.perf_counter() - started:.1f} s, "
        f"{pages_made:,} pages, {len(pdf) / 1e6:.1f} MB (made once, then kept)"
    )
    return lines


def measured(made: Made, options: argparse.Namespace, seconds: int) -> list[str]:
    from django.db import connection

    os.environ["SELEKSI_ANNOUNCEMENT_CACHE_SECONDS"] = str(seconds)
    servers = Servers(options.processes, options.threads)
    try:
        connection.close()
        servers.wait_ready()
        clients = options.clients
        measured_pages = pages(made, options.requests)
        warm = options.processes * options.threads * 4
        fire(servers.port, [Request("GET", TRIVIAL_PAGE)] * warm, clients)
        for requests, _expected in measured_pages.values():
            fire(servers.port, requests[:warm], clients)
        half = options.requests // 2
        before = bound(servers.port, TRIVIAL_PAGE, half, clients)
        results = {}
        for label, (requests, expected) in measured_pages.items():
            answers, released = fire(servers.port, requests, clients)
            results[label] = (answers, max(a.ended for a in answers) - released, expected)
        after = bound(servers.port, TRIVIAL_PAGE, half, clients)
    finally:
        servers.stop()
    state = f"cache {'on (' + str(seconds) + ' s)' if seconds else 'off'}"
    printed = [f"{state}:"]
    printed.append(line(f"bound: {TRIVIAL_PAGE}", before[0] + after[0], before[1] + after[1]))
    for label, (answers, elapsed, expected) in results.items():
        printed.append(line(label, answers, elapsed))
        wrong = checked(answers, expected)
        if wrong:
            printed.append(f"  !! {wrong} answers wrong on {label}")
    return printed


def one_database(options: argparse.Namespace) -> None:
    with ExitStack() as stack:
        database = database_opened(stack, options.database, "seleksi-bench-announcements-")
        from django.db import connection

        started = time.perf_counter()
        made = scene("umum", options.rows, options.formations, options.pdf_rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        setup = time.perf_counter() - started
        print(
            f"\n== {database}: server {options.processes} process(es) x {options.threads} "
            f"threads, {options.clients} client threads, {os.cpu_count()} cores; an "
            f"announcement of {options.rows:,} rows over {options.formations:,} formations "
            f"made in {setup:.1f} s (not timed); {options.requests:,} requests a page"
        )
        for seconds in () if options.files_only else (3600, 0):
            for printed in measured(made, options, seconds):
                print(printed)
        print("files (in this process):")
        for printed in timed_files(made):
            print(printed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formations", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=2_000, help="requests per page")
    parser.add_argument("--clients", type=int, default=32, help="client threads")
    parser.add_argument("--processes", type=int, default=2, help="server processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument("--pdf-rows", type=int, default=10_000, help="rows of the timed PDF")
    parser.add_argument("--files-only", action="store_true", help="time the files, no HTTP")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres", "both"],
        default="postgres",
        help="default postgres",
    )
    options = parser.parse_args()
    if options.database != "both" or "DATABASE_URL" in os.environ:
        one_database(options)
        return
    forwarded = [
        f"--{name.replace('_', '-')}" if value is True else f"--{name.replace('_', '-')}={value}"
        for name, value in vars(options).items()
        if name != "database" and value is not False
    ]
    failed = each_database(__file__, forwarded)
    if failed:
        raise SystemExit(f"the announcement pages went wrong on {', '.join(failed)}")


if __name__ == "__main__":
    main()
