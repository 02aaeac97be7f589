"""Limits on guessing counted in Redis (the production profile), as the table counts them,
and in the table whenever Redis fails: a limit is never lifted, and counts resume in Redis
once it answers."""

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from seleksi.accounts import throttle
from seleksi.accounts.models import Throttle
from seleksi.audit.models import AuditEvent
from tests.accounts.helpers import PASSWORD, SATU, CommitClient, make_applicant, seconds_later
from tests.redisserver import RedisPlace, use_redis

pytestmark = pytest.mark.django_db

WINDOW = timedelta(minutes=15)


@pytest.fixture
def place(settings: Any) -> Iterator[RedisPlace]:
    throttle.fallback_forget()
    redis = use_redis(settings)
    yield redis
    redis.remove()
    throttle.fallback_forget()


def sign_in(client: Client, identifier: str, password: str) -> Any:
    return client.post("/akun/masuk/", {"identifier": identifier, "password": password})


def counters_in_redis(place: RedisPlace) -> dict[bytes, int]:
    client = place.direct("counters")
    return {key: int(client.hget(key, "c")) for key in place.keys("counters")}


def script(operations: list[tuple[str, int]]) -> list[tuple[int, bool]]:
    """Runs peeks, adds (with lock_at 3) and clears at moments (seconds from now), and what
    each answered: the count, and whether its window ends after the moment asked."""
    answers = []
    for operation, second in operations:
        with seconds_later(second):
            if operation == "peek":
                count = throttle.peek("sign_in", "account:1")
            elif operation == "add":
                count = throttle.add("sign_in", "account:1", window=WINDOW, lock_at=3)
            else:
                throttle.clear("sign_in", "account:1")
                continue
            later = seconds_later(second + 14 * 60)
            with later:
                ends_after_14_minutes = count.window_ends is not None and (
                    count.window_ends > timezone.now()
                )
            answers.append((count.count, ends_after_14_minutes))
    return answers


OPERATIONS = [
    ("peek", 0),
    ("add", 0),
    ("add", 60),
    ("peek", 120),
    ("add", 600),  # the third: locks, and its window restarts from here
    ("add", 660),
    ("peek", 1000),  # 15 minutes after the first add, but the lock restarted the window
    ("peek", 1560),  # the window that began at 600 s has ended
    ("add", 1560),
    ("clear", 1570),
    ("peek", 1570),
    ("add", 1580),
]


def test_redis_counts_exactly_as_the_table_does(place: RedisPlace, settings: Any) -> None:
    in_redis = script(OPERATIONS)
    assert Throttle.objects.count() == 0 and len(counters_in_redis(place)) == 1
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    in_table = script(OPERATIONS)
    assert in_redis == in_table
    assert [count for count, _ends in in_table] == [0, 1, 2, 2, 3, 4, 4, 0, 1, 0, 1]


def test_failed_sign_ins_count_and_lock_in_redis_under_hashed_keys(place: RedisPlace) -> None:
    user = make_applicant()
    statuses = [sign_in(CommitClient(), SATU["nik"], f"tebakan-{n}").status_code for n in range(7)]
    assert statuses == [400] * 4 + [429] * 3
    assert sign_in(CommitClient(), "satu@contoh.invalid", PASSWORD).status_code == 429
    assert Throttle.objects.count() == 0
    counts = counters_in_redis(place)
    assert sorted(counts.values()) == [5, 5]  # the account, and the address (127.0.0.1)
    names = b" ".join(counts)
    for clear_text in (SATU["nik"].encode(), b"satu@", b"127.0.0.1", b"account:"):
        assert clear_text not in names
    locked = AuditEvent.objects.filter(action="account.sign_in_locked", subject_id=str(user.pk))
    assert locked.count() == 1


def test_many_adds_at_once_lose_no_count(place: RedisPlace) -> None:
    def adds() -> None:
        for _ in range(25):
            throttle.add("nik-check", "203.0.113.0", window=WINDOW)

    workers = [threading.Thread(target=adds) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert throttle.peek("nik-check", "203.0.113.0").count == 200


def test_with_redis_down_failures_count_in_the_table_and_still_lock(place: RedisPlace) -> None:
    make_applicant()
    place.gate.close()
    statuses = [sign_in(CommitClient(), SATU["nik"], f"tebakan-{n}").status_code for n in range(6)]
    assert statuses == [400] * 4 + [429] * 2
    assert sign_in(CommitClient(), SATU["nik"], PASSWORD).status_code == 429
    assert sorted(Throttle.objects.values_list("count", flat=True)) == [5, 5]  # locked: not tried
    # Another address's visitor is not locked out with the guessed account.
    assert (
        sign_in(CommitClient(REMOTE_ADDR="198.51.100.4"), "lain@contoh.invalid", "x").status_code
        == 400
    )


def test_once_redis_answers_counts_resume_there_and_the_outages_still_count(
    place: RedisPlace,
) -> None:
    make_applicant()
    place.gate.close()
    for n in range(3):
        assert sign_in(CommitClient(), SATU["nik"], f"tebakan-{n}").status_code == 400
    place.gate.open()
    assert sign_in(CommitClient(), SATU["nik"], "tebakan-3").status_code == 400
    assert sorted(counters_in_redis(place).values()) == [1, 1]
    assert sorted(Throttle.objects.values_list("count", flat=True)) == [3, 3]  # not counted again
    locking = sign_in(CommitClient(), SATU["nik"], "tebakan-4")  # the fifth: 3 + 2
    assert locking.status_code == 429 and "15" in locking.content.decode()
    assert sign_in(CommitClient(), SATU["nik"], PASSWORD).status_code == 429
    assert AuditEvent.objects.filter(action="account.sign_in_locked").count() == 1


def test_a_clear_that_missed_redis_is_done_when_it_answers(place: RedisPlace) -> None:
    for _ in range(4):
        throttle.add("sign_in", "account:1", window=WINDOW, lock_at=5)
    place.gate.close()
    throttle.clear("sign_in", "account:1")  # a new password while Redis was cut off
    assert throttle.peek("sign_in", "account:1").count == 0
    place.gate.open()
    assert list(counters_in_redis(place).values()) == [4]  # still there, until...
    assert throttle.peek("sign_in", "account:1").count == 0
    assert counters_in_redis(place) == {}


def test_a_full_counters_redis_that_refuses_writes_sends_the_counts_to_the_table(
    place: RedisPlace,
) -> None:
    server = place.direct("counters")
    before = server.config_get("maxmemory*")
    server.config_set("maxmemory-policy", "noeviction")
    server.config_set("maxmemory", 1)  # every write is refused (OOM)
    try:
        counted = throttle.add("nik-check", "203.0.113.0", window=WINDOW)
    finally:
        server.config_set("maxmemory", before["maxmemory"])
        server.config_set("maxmemory-policy", before["maxmemory-policy"])
    assert counted.count == 1 and counters_in_redis(place) == {}
    assert Throttle.objects.get().count == 1
    assert throttle.peek("nik-check", "203.0.113.0").count == 1
