"""Gunicorn settings for Seleksi's web processes: `gunicorn -c deploy/gunicorn.conf.py
--bind ADDRESS:PORT seleksi.wsgi` (deploy/systemd/seleksi-web@.service, scripts/prod-local).

Decisions worth knowing:

- Worker processes come from SELEKSI_WEB_WORKERS (default: one per core), each with
  SELEKSI_WEB_THREADS threads (default 4, gthread workers): a thread waiting on PostgreSQL or
  the document store lets another run, and gthread keeps nginx's upstream connections alive,
  which sync workers cannot.
- The app is loaded once before forking (preload): workers start fast and share its memory.
  Nothing opens a database connection at import time, so no connection is shared by forks.
- No access log: the app writes one line per request itself (seleksi.request, with the request
  id and without the query string). Gunicorn's own messages go to stderr, i.e. the journal.
- With PROMETHEUS_MULTIPROC_DIR set, each worker writes its figures into that directory and a
  scrape sums them; a worker that exits is marked dead there so its gauges stop counting.
- keepalive (75 s) is longer than nginx's upstream keepalive_timeout (60 s): nginx closes idle
  connections first, so it never sends a request on a connection gunicorn is closing.
"""

import os
from typing import Any


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "seleksi.wsgi:application"
workers = _int("SELEKSI_WEB_WORKERS", os.cpu_count() or 1)
worker_class = "gthread"
threads = _int("SELEKSI_WEB_THREADS", 4)
preload_app = True
keepalive = 75
timeout = _int("SELEKSI_WEB_TIMEOUT", 60)
graceful_timeout = _int("SELEKSI_WEB_GRACEFUL_TIMEOUT", 30)
# Restart each worker now and then (jittered, so not all at once): bounds any slow leak.
max_requests = _int("SELEKSI_WEB_MAX_REQUESTS", 20000)
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"
loglevel = os.environ.get("SELEKSI_WEB_LOG_LEVEL", "info")
proc_name = "seleksi-web"
# Heartbeat files on tmpfs: a worker blocked on a slow disk is not taken for a dead one.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# The app itself decides which proxies to believe (SELEKSI_TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("SELEKSI_TRUSTED_PROXIES", "127.0.0.1") or "127.0.0.1"


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
