"""Request ids, JSON logs, /readyz and /metrics (seleksi.core.logs, metrics, readiness)."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.test.client import RequestFactory

from seleksi.core import logs
from seleksi.core.metrics import TaskQueueCollector
from seleksi.exams.services import booking_make
from seleksi.sittings.sittings import answer_save
from tests.exams.scene import make_test_scene
from tests.sittings.scene import make_cat_scene
from tests.sittings.test_sittings import start

NIK = "3201010101900001"
HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def captured() -> Any:
    """Records as the console handler sees them: through the project's filters."""

    class Keep(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.records: list[logging.LogRecord] = []
            self.addFilter(logs.RequestContextFilter())
            self.addFilter(logs.MaskNumbersFilter())

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    keep = Keep()
    root = logging.getLogger()
    root.addHandler(keep)
    yield keep
    root.removeHandler(keep)


# Request id


@pytest.mark.django_db
def test_each_request_gets_a_new_id_in_its_response(client: Client) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second)
    assert first != second


@pytest.mark.django_db
def test_a_trusted_proxys_request_id_is_kept(client: Client, settings: Any) -> None:
    settings.SELEKSI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = client.get(
        "/healthz", headers={"X-Request-ID": "edge-4f2a9c1b"}, REMOTE_ADDR="10.0.0.5"
    )
    assert response["X-Request-ID"] == "edge-4f2a9c1b"


@pytest.mark.django_db
def test_a_request_id_from_an_untrusted_client_is_replaced(client: Client, settings: Any) -> None:
    settings.SELEKSI_TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = client.get(
        "/healthz", headers={"X-Request-ID": "edge-4f2a9c1b"}, REMOTE_ADDR="203.0.113.7"
    )
    assert response["X-Request-ID"] != "edge-4f2a9c1b"
    assert HEX_ID.fullmatch(response["X-Request-ID"])


@pytest.mark.parametrize(
    "offered",
    ["short", "has space in it", "x" * 65, "bad\nline-injected", "-leading-dash", "id;drop", NIK],
)
@pytest.mark.django_db
def test_a_malformed_request_id_from_a_trusted_proxy_is_replaced(
    client: Client, settings: Any, offered: str
) -> None:
    settings.SELEKSI_TRUSTED_PROXIES = ["127.0.0.1"]
    request = RequestFactory().get("/", headers={"X-Request-ID": offered})
    assert logs.request_id_for(request) != offered
    assert HEX_ID.fullmatch(logs.request_id_for(request))


@pytest.mark.django_db
def test_every_log_record_of_a_request_carries_its_id(client: Client, captured: Any) -> None:
    response = client.get("/tidak-ada/?nik=" + NIK)
    request_id = response["X-Request-ID"]
    mine = [record for record in captured.records if record.request_id == request_id]
    loggers = {record.name for record in mine}
    assert {"django.request", "seleksi.request"} <= loggers
    access = next(record for record in mine if record.name == "seleksi.request")
    assert access.status == 404 and access.view == "unresolved"
    assert access.path == "/tidak-ada/" and access.method == "GET"
    assert all(NIK not in record.getMessage() for record in captured.records)
    assert all("?" not in record.getMessage() for record in mine)


@pytest.mark.django_db
def test_a_record_logged_by_a_view_names_the_view(client: Client, captured: Any) -> None:
    def problems() -> list[str]:
        logging.getLogger("seleksi.core.readiness").warning("checking %s", NIK)
        return []

    with mock.patch("seleksi.core.views.readiness_problems", problems):
        response = client.get("/readyz")
    record = next(record for record in captured.records if record.name == "seleksi.core.readiness")
    assert record.view == "readyz"
    assert record.request_id == response["X-Request-ID"]
    assert record.getMessage() == "checking " + "*" * 16


@pytest.mark.django_db
def test_the_request_line_in_json_has_every_field(client: Client, captured: Any) -> None:
    response = client.get("/healthz?token=secret")
    access = next(record for record in captured.records if record.name == "seleksi.request")
    entry = json.loads(logs.JsonFormatter().format(access))
    assert set(entry) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "path",
        "view",
        "status",
        "duration_ms",
    }
    assert entry["request_id"] == response["X-Request-ID"]
    assert (entry["method"], entry["path"], entry["view"], entry["status"]) == (
        "GET",
        "/healthz",
        "healthz",
        200,
    )
    assert isinstance(entry["duration_ms"], float)
    assert "secret" not in json.dumps(entry)


def test_a_record_outside_a_request_has_no_id(captured: Any) -> None:
    logging.getLogger("seleksi.test").warning("outside")
    assert captured.records[-1].request_id == "-"


# JSON lines and masking


def _record(message: str, *args: Any, **extra: Any) -> logging.LogRecord:
    record = logging.LogRecord("seleksi.test", logging.INFO, __file__, 1, message, args, None)
    for name, value in extra.items():
        setattr(record, name, value)
    logs.RequestContextFilter().filter(record)
    logs.MaskNumbersFilter().filter(record)
    return record


def test_a_json_line_is_one_object_with_the_request_fields() -> None:
    token = logs.current.set(logs.RequestContext("abcdef0123456789", "POST", "/daftar/"))
    try:
        record = _record("%s %s", "POST", "/daftar/", status=302, duration_ms=12.5, view="x:y")
        line = logs.JsonFormatter().format(record)
    finally:
        logs.current.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "POST /daftar/"
    assert entry["level"] == "INFO" and entry["logger"] == "seleksi.test"
    assert entry["request_id"] == "abcdef0123456789"
    assert (entry["method"], entry["path"], entry["view"]) == ("POST", "/daftar/", "x:y")
    assert (entry["status"], entry["duration_ms"]) == (302, 12.5)
    assert entry["time"].endswith("+00:00")


@pytest.mark.parametrize(
    ("message", "args"),
    [
        (f"NIK {NIK} not found", ()),
        ("NIK %s not found", (NIK,)),
        ("NIK %s not found", (int(NIK),)),
        ("NIK %d not found", (int(NIK),)),
        ("NIK %(nik)s not found", ({"nik": NIK},)),
        ("kk=%s;nik=%s", ("3201010101900002", NIK)),
    ],
)
def test_a_nik_shaped_number_is_masked_in_messages_and_arguments(
    message: str, args: tuple[Any, ...]
) -> None:
    line = logs.JsonFormatter().format(_record(message, *args))
    assert NIK not in line and "3201010101900002" not in line
    assert "*" * 16 in line


def test_masking_leaves_other_numbers_alone() -> None:
    record = _record("%s rows, code %s, %s", 1234567, "32010101019000011", "320101010190")
    assert record.getMessage() == "1234567 rows, code 32010101019000011, 320101010190"


def test_a_nik_in_an_exception_is_masked_in_the_json_line() -> None:
    try:
        raise ValueError(f"bad {NIK}")
    except ValueError:
        record = _record("failed")
        record.exc_info = sys.exc_info()
    line = logs.JsonFormatter().format(record)
    assert NIK not in line and "ValueError" in json.loads(line)["exception"]
    text = logs.TextFormatter("%(message)s").format(record)
    assert NIK not in text and "ValueError: bad " + "*" * 16 in text


def _last_log_line_of_a_fresh_process(tmp_path: Path, log_format: str) -> str:
    """What a new process with SELEKSI_LOG_FORMAT=`log_format` writes for a warning that names
    a NIK."""
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('seleksi.x').warning('nik %s', '" + NIK + "')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "SELEKSI_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "seleksi.settings",
            "SELEKSI_LOG_FORMAT": log_format,
        },
        check=True,
    )
    return done.stderr.strip().splitlines()[-1]


def test_the_default_text_format_stays_the_bare_message(tmp_path: Path) -> None:
    assert _last_log_line_of_a_fresh_process(tmp_path, "") == "nik " + "*" * 16


def test_the_settings_choose_json_lines_from_the_environment(tmp_path: Path) -> None:
    entry = json.loads(_last_log_line_of_a_fresh_process(tmp_path, "json"))
    assert entry["message"] == "nik " + "*" * 16
    assert entry["request_id"] == "-"


# /readyz


@pytest.mark.django_db
def test_readyz_answers_ready_when_everything_works(client: Client, tmp_path: Path) -> None:
    with mock.patch("seleksi.core.readiness.default_storage") as storage:
        storage.save.return_value = "readyz/probe.txt"
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready\n"
    assert "no-cache" in response["Cache-Control"]
    storage.delete.assert_called_once_with("readyz/probe.txt")


@pytest.mark.django_db
def test_readyz_writes_and_removes_a_probe_in_the_real_storage(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    assert client.get("/readyz").status_code == 200
    assert list((tmp_path / "readyz").iterdir()) == []


@pytest.mark.django_db
def test_readyz_answers_503_when_the_storage_cannot_be_written(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the storage's folder would have to be inside this file")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocker / "media"},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content.decode() in {
        "storage: FileExistsError\n",
        "storage: NotADirectoryError\n",
    }


@pytest.mark.django_db
def test_readyz_answers_503_while_a_migration_is_not_applied(client: Client) -> None:
    with mock.patch(
        "seleksi.core.readiness.MigrationExecutor.migration_plan", return_value=[object()] * 2
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"migrations: 2 migrations not applied\n"


@pytest.mark.django_db
def test_readyz_answers_503_when_the_database_does_not(client: Client) -> None:
    with mock.patch("seleksi.core.readiness.connection.cursor", side_effect=OperationalError):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content.decode().splitlines()[0] == "database: OperationalError"
    assert "migrations" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_checks_a_shared_cache_and_reports_it_failing(client: Client, settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with (
        mock.patch("seleksi.core.readiness.LOCAL_CACHES", ()),
        mock.patch("seleksi.core.readiness.default_storage"),
    ):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"cache: did not keep a value\n"


@pytest.mark.django_db
def test_behind_https_a_plain_http_probe_of_readyz_and_metrics_is_not_redirected(
    client: Client, settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    with mock.patch("seleksi.core.readiness.default_storage"):
        assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/readyz/").status_code == 301


# /metrics


def _metrics(client: Client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def _value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


@pytest.mark.django_db
def test_metrics_count_and_time_requests_by_view_name_not_path(client: Client) -> None:
    series = 'seleksi_requests_total{status="2xx",view="healthz"}'
    before = _value(_metrics(client), series)
    client.get("/healthz")
    client.get("/healthz?x=1")
    text = _metrics(client)
    assert _value(text, series) == before + 2
    assert 'seleksi_request_duration_seconds_bucket{le="0.1",status="2xx",view="healthz"}' in text
    assert "/healthz" not in text


@pytest.mark.django_db
def test_metrics_show_the_task_queue(client: Client, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    for status in ("READY", "READY", "FAILED", "SUCCESSFUL"):
        DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="x.y",
            backend_name="default",
            run_after="2026-01-01T00:00:00Z",
        )
    text = _metrics(client)
    assert _value(text, "seleksi_tasks_ready") == 2
    assert _value(text, "seleksi_tasks_failed") == 1


@pytest.mark.django_db
def test_the_task_queue_is_left_out_when_the_database_fails() -> None:
    with mock.patch(
        "django_tasks_db.models.DBTaskResult.objects.filter", side_effect=OperationalError
    ):
        assert list(TaskQueueCollector().collect()) == []


@pytest.mark.django_db
def test_metrics_count_a_booking_once_it_commits(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    scene = make_test_scene()
    before = _value(_metrics(client), "seleksi_bookings_total")
    application = scene.applications[0]
    with django_capture_on_commit_callbacks(execute=True):
        booking_make(
            application=application,
            session_id=scene.sessions[0].pk,
            actor=application.applicant,
        )
    assert _value(_metrics(client), "seleksi_bookings_total") == before + 1


@pytest.mark.django_db
def test_metrics_count_saved_answers_but_not_stale_ones(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    scene = make_cat_scene(stage_test=False)
    sitting = start(scene)
    applicant = scene.applications[0].applicant
    question = sitting.drawn[0]["question"]
    option = sitting.drawn[0]["options"][0]
    before = _value(_metrics(client), "seleksi_answer_saves_total")
    with django_capture_on_commit_callbacks(execute=True):
        for sequence in (2, 1, 3):
            answer_save(
                sitting=sitting,
                actor=applicant,
                question=question,
                option=option,
                sequence=sequence,
            )
    assert _value(_metrics(client), "seleksi_answer_saves_total") == before + 2


@pytest.mark.django_db
def test_metrics_are_404_for_an_address_not_allowed(client: Client) -> None:
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 404
    assert b"seleksi_requests" not in response.content


@pytest.mark.django_db
def test_metrics_through_a_trusted_proxy_count_the_client_behind_it(
    client: Client, settings: Any
) -> None:
    settings.SELEKSI_TRUSTED_PROXIES = ["127.0.0.1"]
    outsider = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert outsider.status_code == 404
    settings.SELEKSI_METRICS_ALLOW = ["10.1.0.0/16"]
    scraper = client.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
    assert scraper.status_code == 200
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_metrics_sum_the_processes_in_multiprocess_mode(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prometheus_client import Counter, values

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    values.ValueClass = values.get_value_class()
    try:
        shared = Counter("seleksi_test_shared", "A counter written to the shared directory.")
        shared.inc(3)
        text = _metrics(client)
    finally:
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
        values.ValueClass = values.get_value_class()
        from prometheus_client import REGISTRY

        REGISTRY.unregister(shared)
    assert _value(text, "seleksi_test_shared_total") == 3
    assert list(tmp_path.glob("counter_*.db"))
