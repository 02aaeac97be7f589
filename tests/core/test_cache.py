"""The Redis caches of the production profile (seleksi.core.cache) on a real Redis server:
what they keep, how the portal answers while Redis is cut off, and what Redis may hold when
it comes back (no signed-out session comes back to life)."""

import logging
import os
import runpy
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client

from seleksi.core.cache import health_forget
from seleksi.core.metrics import CACHE_FAILURES
from seleksi.settings import redis_database
from tests.accounts.helpers import PASSWORD, SATU, CommitClient, make_applicant
from tests.redisserver import RedisPlace, use_redis

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(settings: Any) -> Iterator[RedisPlace]:
    redis = use_redis(settings)
    yield redis
    redis.remove()


def failures(alias: str) -> float:
    return CACHE_FAILURES.labels(alias)._value.get()  # type: ignore[no-any-return]


def settings_read(monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict[str, Any]:
    for name in ("SELEKSI_REDIS_URL", "SELEKSI_REDIS_SESSIONS_URL", "SELEKSI_REDIS_COUNTERS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(os.path.join(django_settings.BASE_DIR, "settings.py"))


def test_without_redis_the_embedded_portal_keeps_memory_cache_and_database_sessions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    embedded = settings_read(monkeypatch)
    assert embedded["CACHES"] == {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    assert embedded["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_with_redis_the_cache_sessions_and_counters_get_a_database_number_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    production = settings_read(monkeypatch, SELEKSI_REDIS_URL="redis://10.0.0.5:6379/4")
    caches_configured = production["CACHES"]
    assert {alias: config["LOCATION"] for alias, config in caches_configured.items()} == {
        "default": "redis://10.0.0.5:6379/4",
        "sessions": "redis://10.0.0.5:6379/5",
        "counters": "redis://10.0.0.5:6379/6",
    }
    assert caches_configured["sessions"]["OPTIONS"]["MAX_TIMEOUT"] == 300
    assert caches_configured["default"]["OPTIONS"]["socket_timeout"] == 0.25
    assert production["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert production["SESSION_CACHE_ALIAS"] == "sessions"
    elsewhere = settings_read(
        monkeypatch,
        SELEKSI_REDIS_URL="redis://10.0.0.5:6379",
        SELEKSI_REDIS_COUNTERS_URL="redis://10.0.0.6:6380/0",
    )
    assert elsewhere["CACHES"]["sessions"]["LOCATION"] == "redis://10.0.0.5:6379/1"
    assert elsewhere["CACHES"]["counters"]["LOCATION"] == "redis://10.0.0.6:6380/0"
    assert redis_database("rediss://:secret@host:6379/2?ssl_cert_reqs=none", 1) == (
        "rediss://:secret@host:6379/3?ssl_cert_reqs=none"
    )
    assert redis_database("unix:///run/redis/redis.sock?db=4", 2) == (
        "unix:///run/redis/redis.sock?db=6"
    )


def test_values_are_kept_in_redis_under_the_caches_own_prefix(place: RedisPlace) -> None:
    cache = caches["default"]
    cache.set("board:7", {"rows": 3}, 60)
    assert cache.get("board:7") == {"rows": 3}
    assert place.keys("default") == [f"{place.prefix}-default:1:board:7".encode()]
    assert cache.add("making:7", 1, 60) is True and cache.add("making:7", 1, 60) is False
    assert cache.incr("making:7") == 2
    place.direct("default").set("another-application:1:x", b"kept")
    cache.clear()
    assert place.keys("default") == []
    assert place.direct("default").get("another-application:1:x") == b"kept"
    place.direct("default").delete("another-application:1:x")


def test_while_redis_is_cut_off_every_operation_acts_as_a_miss_and_says_so_once(
    place: RedisPlace, caplog: pytest.LogCaptureFixture
) -> None:
    cache = caches["default"]
    cache.set("board:7", "kept", 60)
    before = failures(f"{place.prefix}-default")
    place.gate.close()
    with caplog.at_level(logging.WARNING, logger="seleksi.cache"):
        assert cache.get("board:7") is None
        assert cache.get("board:7", "default") == "default"
        cache.set("board:8", "lost", 60)
        assert cache.add("making:8", 1, 60) is True
        assert cache.delete("board:7") is False
        assert cache.get_many(["board:7", "board:8"]) == {}
        assert cache.has_key("board:7") is False
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        with pytest.raises(ValueError):
            cache.incr("making:8")
    assert failures(f"{place.prefix}-default") - before == 9
    warnings = [r.getMessage() for r in caplog.records if r.name == "seleksi.cache"]
    assert len(warnings) == 1 and "ConnectionError" in warnings[0]
    assert "board" not in warnings[0]


def test_after_a_failure_redis_is_left_alone_for_a_pause(place: RedisPlace, settings: Any) -> None:
    place.caches["default"]["OPTIONS"]["RETRY_AFTER"] = 3600
    settings.CACHES = place.caches
    cache = caches["default"]
    cache.set("board:7", "kept", 60)
    place.gate.close()
    assert cache.get("board:7") is None
    place.gate.open()
    before = failures(f"{place.prefix}-default")
    assert cache.get("board:7") is None  # not tried: the pause is not over
    assert failures(f"{place.prefix}-default") - before == 1
    health_forget()
    assert caches["default"].get("board:7") == "kept"


def test_a_copy_whose_delete_failed_is_deleted_when_redis_answers_again(
    place: RedisPlace,
) -> None:
    cache = caches["default"]
    cache.set("announcement:3", "old table", 600)
    place.gate.close()
    cache.delete("announcement:3")  # the announcement was corrected while Redis was cut off
    place.gate.open()
    assert place.direct("default").exists(f"{place.prefix}-default:1:announcement:3") == 1
    assert cache.get("announcement:3") is None
    assert place.keys("default") == []


def test_a_signed_out_session_does_not_come_back_with_redis(place: RedisPlace) -> None:
    make_applicant()
    browser = CommitClient()
    signed_in = browser.post("/akun/masuk/", {"identifier": SATU["nik"], "password": PASSWORD})
    assert signed_in.status_code == 302 and browser.get("/dasbor/").status_code == 200
    session_key = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    copy = f"{place.prefix}-sessions:1:django.contrib.sessions.cached_db{session_key}"
    assert 0 < place.direct("sessions").ttl(copy) <= 300  # copies live briefly

    def stolen_cookie_reads_dashboard() -> Any:
        """Someone who copied the cookie before the sign-out, and keeps sending it."""
        stolen = Client()
        stolen.cookies[django_settings.SESSION_COOKIE_NAME] = session_key
        return stolen.get("/dasbor/")

    place.gate.close()
    assert stolen_cookie_reads_dashboard().status_code == 200  # from the database meanwhile
    assert browser.post("/akun/keluar/").status_code == 302
    assert stolen_cookie_reads_dashboard().status_code == 302
    place.gate.open()

    assert place.direct("sessions").exists(copy) == 1  # Redis kept the signed-in copy
    page = stolen_cookie_reads_dashboard()
    assert page.status_code == 302 and page["Location"].startswith("/akun/masuk/")
    assert place.direct("sessions").exists(copy) == 0


def test_with_redis_cut_off_the_pages_answer_and_a_session_survives(place: RedisPlace) -> None:
    make_applicant()
    browser = CommitClient()
    browser.post("/akun/masuk/", {"identifier": SATU["nik"], "password": PASSWORD})
    place.gate.close()
    visitor = Client()
    assert visitor.get("/").status_code == 200
    assert visitor.get("/akun/masuk/").status_code == 200
    assert browser.get("/dasbor/").status_code == 200  # still signed in: the database knows
    newcomer = CommitClient()
    signed_in = newcomer.post("/akun/masuk/", {"identifier": SATU["nik"], "password": PASSWORD})
    assert signed_in.status_code == 302 and newcomer.get("/dasbor/").status_code == 200


def test_readyz_names_redis_down_and_stays_ready(place: RedisPlace, client: Client) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.content == b"ready\n"
    place.gate.close()
    degraded = client.get("/readyz")
    assert degraded.status_code == 200
    assert degraded.content.decode().splitlines() == [
        "ready",
        "cache default: down (ConnectionError)",
        "cache sessions: down (ConnectionError)",
        "cache counters: down (ConnectionError)",
    ]
