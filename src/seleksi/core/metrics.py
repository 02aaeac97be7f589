"""Figures for Prometheus: requests by view, the task queue, bookings and answer saves.

Decisions worth knowing:

- Requests are counted and timed by the view's name (`public:home`), never by path: a path
  holds identifiers, so labelling by it would make a new series for every applicant. A request
  that resolved to no view (404s, redirects to HTTPS) counts as `unresolved`. Statuses are
  grouped by class (`2xx`, `4xx`) for the same reason.
- The stages do not import prometheus_client: they call `booking_made()` and
  `answer_saved()` here, after their write succeeded.
- The task queue is read from django-tasks-db's table when /metrics is scraped (tasks waiting
  to run, tasks failed), so every process reports the same figures and nothing is counted twice.
- Gunicorn runs several processes, each with its own counters. With PROMETHEUS_MULTIPROC_DIR
  set (an empty directory, emptied at each start, the same for all processes) prometheus_client
  writes each process's figures there and a scrape sums them; without it a scrape sees only the
  process that answered it, which is right for one process only.
"""

import os
from collections.abc import Iterable

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# A `_created` series beside every counter only doubles what each scrape reads.
disable_created_metrics()  # type: ignore[no-untyped-call]

REQUESTS = Counter(
    "seleksi_requests", "Requests answered, by view name and status class.", ["view", "status"]
)
LATENCY = Histogram(
    "seleksi_request_duration_seconds",
    "Time from the request reaching the application to its response, by view and status class.",
    ["view", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BOOKINGS = Counter("seleksi_bookings", "Test seats booked by applicants.")
ANSWER_SAVES = Counter("seleksi_answer_saves", "Answers saved during computer-assisted tests.")
CACHE_FAILURES = Counter(
    "seleksi_cache_failures",
    "Cache operations that did not reach Redis (it failed, or was paused after a failure), "
    "by cache.",
    ["cache"],
)


def request_observed(*, view: str, status: int, seconds: float) -> None:
    status_class = f"{status // 100}xx"
    REQUESTS.labels(view, status_class).inc()
    LATENCY.labels(view, status_class).observe(seconds)


def booking_made() -> None:
    BOOKINGS.inc()


def answer_saved() -> None:
    ANSWER_SAVES.inc()


def cache_failed(cache: str) -> None:
    CACHE_FAILURES.labels(cache).inc()


class TaskQueueCollector(Collector):
    """Tasks waiting to run and tasks failed, read from django-tasks-db when scraped."""

    def collect(self) -> Iterable[Metric]:
        if not str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db."):
            return []
        from django_tasks_db.models import DBTaskResult

        statuses = {"READY": 0, "FAILED": 0}
        try:
            rows = (
                DBTaskResult.objects.filter(status__in=list(statuses))
                .order_by()
                .values_list("status")
                .annotate(count=Count("id"))
            )
            statuses.update(dict(rows))
        except DatabaseError:
            return []
        ready = GaugeMetricFamily("seleksi_tasks_ready", "Tasks enqueued and not yet started.")
        ready.add_metric([], statuses["READY"])
        failed = GaugeMetricFamily("seleksi_tasks_failed", "Tasks that ended in an error.")
        failed.add_metric([], statuses["FAILED"])
        return [ready, failed]


def exposition() -> tuple[bytes, str]:
    """The text a Prometheus scrape reads, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_figures = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_figures)  # type: ignore[no-untyped-call]
    else:
        process_figures = REGISTRY
    queue = CollectorRegistry(auto_describe=False)
    queue.register(TaskQueueCollector())
    return generate_latest(process_figures) + generate_latest(queue), CONTENT_TYPE_LATEST
