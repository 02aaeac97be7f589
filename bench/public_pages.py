"""Benchmark: the public pages a crowd reads on opening day (the home page, a selection's page,
its openings with and without a filter) rendered from the database (cold) and answered from
Django's cache (warm), beside the bound of a static file served by WhiteNoise in the same run.

Decisions worth knowing:

- Requests are WSGI calls into the project's application in this process, one after another:
  every middleware runs, nothing of HTTP or of a server's threads is measured. The figures
  are what one Python process can answer per second on one core; the HTTP figures of the
  production profile come from the load test.
- Two bounds: a static file through WhiteNoise (answered by the third middleware, read
  from its file, no view) and /healthz (every middleware and a view with one query). A warm
  page runs every middleware but no view and no query, and reads no file: it lands near
  the first bound, far above the second.
- Cold is the page with SELEKSI_PUBLIC_CACHE_SECONDS=0 (every request renders from the
  database); warm is the same page with the cache on, after one request has kept it. The
  cache is Django's default local-memory cache of this process, unless the environment
  names another (with Redis, each warm request also crosses the loopback twice).
- The visitor is not signed in and sends no cookie; the access log is off (the proxy keeps
  one in the production profile).
- Answers are checked: every request 200 with the same body as the first, and a warm
  request makes no database query (counted, not timed).

    .venv/bin/python bench/public_pages.py [--requests 2000] [--database sqlite|postgres|both]
"""

import argparse
import io
import os
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from httpbench import Answer, database_opened, each_database, line

STATIC_FILE = "/static/seleksi/seleksi.css"
ACEH = "aceh-tengah-casn-2021"
PAGES = {
    "home": "/",
    "selection page": f"/seleksi/{ACEH}/",
    "openings": f"/seleksi/{ACEH}/formasi/",
    "openings, filtered": f"/seleksi/{ACEH}/formasi/?jenis_pengadaan=PPPK&page=2",
}


def wsgi_get(application: Callable[..., Any], path: str) -> tuple[int, bytes]:
    """The status and body of a GET of `path`, called straight into the WSGI application."""
    path_info, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    started: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        started.append(status)

    result = application(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return int(started[0].split()[0]), body


def measure(
    application: Callable[..., Any], path: str, count: int
) -> tuple[list[Answer], float, bytes]:
    """`count` requests for `path` in a row: their answers, the seconds they took in all and
    the first body."""
    answers = []
    first = b""
    begun = time.perf_counter()
    for number in range(count):
        started = time.perf_counter()
        status, body = wsgi_get(application, path)
        ended = time.perf_counter()
        if status != 200:
            raise SystemExit(f"{path}: HTTP {status}")
        if number == 0:
            first = body
        elif body != first and not path.startswith("/static/"):
            raise SystemExit(f"{path}: a later answer differs from the first")
        answers.append(Answer(status, b"", ended - started, ended))
    return answers, time.perf_counter() - begun, first


def run(options: argparse.Namespace) -> None:
    os.environ["SELEKSI_ACCESS_LOG"] = "0"
    with ExitStack() as stack:
        database = database_opened(stack, options.database, "seleksi-public-bench-")
        from django.conf import settings
        from django.db import connection
        from django.test.utils import CaptureQueriesContext, override_settings

        from seleksi.selections.demo import demo_load
        from seleksi.wsgi import application

        demo_load()
        count = options.requests
        print(f"database: {database}; cache: {settings.CACHES['default']['BACKEND']}")
        print(f"{count:,} requests per figure (cold: {count // 4:,}), one after another")
        print("bound:")
        for label, path in (("static file (WhiteNoise)", STATIC_FILE), ("/healthz", "/healthz")):
            measure(application, path, 20)
            answers, seconds, _body = measure(application, path, count)
            print(line(label, answers, seconds))
        rates: dict[str, tuple[float, float]] = {}
        for label, path in PAGES.items():
            with override_settings(SELEKSI_PUBLIC_CACHE_SECONDS=0):
                measure(application, path, 5)
                cold, cold_seconds, cold_body = measure(application, path, count // 4)
            with override_settings(SELEKSI_PUBLIC_CACHE_SECONDS=300):
                measure(application, path, 1)
                with CaptureQueriesContext(connection) as queries:
                    wsgi_get(application, path)
                warm, warm_seconds, warm_body = measure(application, path, count)
            if warm_body != cold_body:
                raise SystemExit(f"{path}: the kept page differs from the rendered one")
            if len(queries):
                raise SystemExit(f"{path}: a warm request made {len(queries)} queries")
            print(f"{label} ({path}, {len(warm_body) / 1024:.0f} KiB):")
            print(line("cold (rendered)", cold, cold_seconds))
            print(line("warm (kept), 0 queries", warm, warm_seconds))
            rates[label] = (len(cold) / cold_seconds, len(warm) / warm_seconds)
        print("warm / cold:")
        for label, (cold_rate, warm_rate) in rates.items():
            print(f"  {label:<36} {warm_rate / cold_rate:7.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    options = parser.parse_args()
    if options.database == "both":
        forwarded = [f"--requests={options.requests}"]
        failed = each_database(__file__, forwarded)
        if failed:
            raise SystemExit(f"failed on: {', '.join(failed)}")
        return
    run(options)


if __name__ == "__main__":
    main()
