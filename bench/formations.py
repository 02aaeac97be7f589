"""Benchmark: importing a national-size allocation and filtering it on the public page.

Prints figures; asserts nothing about time. Runs on a throwaway SQLite database under a
temporary directory, or on the database in DATABASE_URL when given (it must be empty).

    .venv/bin/python bench/formations.py [--rows 20000] [--requests 30]
"""

import argparse
import os
import statistics
import time

from benchdb import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    options = parser.parse_args()

    # The filter's cost is measured: the public page cache (bench/public_pages.py) stays off.
    os.environ.setdefault("SELEKSI_PUBLIC_CACHE_SECONDS", "0")
    setup_django("seleksi-bench-")
    from django.db import connection
    from django.test import Client

    from seleksi.agencies.models import Agency
    from seleksi.rules.formations import EXPORT_COLUMNS, parse_formation_table
    from seleksi.selections.models import Selection
    from seleksi.selections.services import formations_import

    agency = Agency.objects.create(code="bench", name="Bench", kind="central_agency")
    selection = Selection.objects.create(
        agency=agency, code="bench", kind="casn", title="Bench", is_published=True
    )
    units = [f"Unit Kerja {n}" for n in range(400)]
    positions = [f"Jabatan {n}" for n in range(150)]
    rows = [
        [
            f"B-{n:06d}",
            "PPPK" if n % 4 == 0 else "CPNS",
            "disabilitas" if n % 50 == 0 else "umum",
            positions[n % len(positions)],
            f"S-1 Program {n % 90}; D-IV Program {n % 40}",
            units[n % len(units)],
            str(1 + n % 5),
            "guru" if n % 4 == 0 else "teknis",
        ]
        for n in range(options.rows)
    ]
    started = time.perf_counter()
    parsed = parse_formation_table(EXPORT_COLUMNS, rows)
    parse_seconds = time.perf_counter() - started
    started = time.perf_counter()
    formations_import(selection=selection, parsed=parsed, actor=None, source="bench")
    import_seconds = time.perf_counter() - started

    client = Client()
    url = "/seleksi/bench/formasi/"
    cases = {
        "no filter": {},
        "type + category": {"jenis_pengadaan": "CPNS", "kategori_jabatan": "teknis"},
        "qualification": {"kualifikasi": "S-1 Program 7"},
        "unit + position": {"unit": "Unit Kerja 3", "jabatan": "Jabatan 3"},
        "free text": {"q": "program 12"},
        "page 40": {"jenis_pengadaan": "CPNS", "page": "40"},
        "htmx fragment": {"jenis_formasi": "disabilitas"},
    }
    print(f"database: {connection.vendor}; {options.rows} formation lines")
    print(f"parse+validate: {parse_seconds:.2f} s ({options.rows / parse_seconds:,.0f} rows/s)")
    print(f"import (write): {import_seconds:.2f} s ({options.rows / import_seconds:,.0f} rows/s)")
    print(f"{'case':<18} {'median ms':>10} {'p95 ms':>8}")
    for name, params in cases.items():
        headers = {"HTTP_HX_REQUEST": "true"} if name == "htmx fragment" else {}
        timings = []
        for _ in range(options.requests):
            started = time.perf_counter()
            response = client.get(url, params, **headers)
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{name:<18} {statistics.median(timings):>10.1f} {p95:>8.1f}")
    started = time.perf_counter()
    csv_response = client.get("/seleksi/bench/formasi.csv")
    print(
        f"full CSV download: {(time.perf_counter() - started) * 1000:.0f} ms, "
        f"{len(csv_response.content) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
