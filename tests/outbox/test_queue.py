"""The outbox: stored messages sent by the worker, retried with back-off, never a link in a
task's stored arguments, never sent twice."""

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from seleksi.core.crypto import decrypt_text
from seleksi.outbox.delivery import BATCH_SIZE, CLAIM_SECONDS, messages_claim, messages_deliver
from seleksi.outbox.models import Message
from seleksi.outbox.services import email_queue, email_queue_batch, email_queue_many
from seleksi.outbox.tasks import message_send, queued_send
from tests.outbox.mailers import REFUSED_DOMAIN

pytestmark = pytest.mark.django_db

LINK = "https://seleksi.example/akun/aktivasi/Zm9vYmFy-secret-token/"
DUMMY = "django.tasks.backends.dummy.DummyBackend"


def queued(to: str = "pelamar@contoh.invalid", body: str = f"Buka {LINK}") -> Message:
    """A message stored but not yet handed to the worker (its transaction has not committed)."""
    return email_queue(to=to, subject="Aktivasi", body=body)


def test_a_message_is_sent_only_after_its_transaction_commits(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = queued()
        assert mail.outbox == []
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["pelamar@contoh.invalid"], "Aktivasi", f"Buka {LINK}")
    ]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 1


def test_a_rolled_back_request_stores_and_sends_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queued()
        raise RuntimeError("the request failed")
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_the_task_holds_only_the_message_id(
    tasks_backend: Any, django_capture_on_commit_callbacks: Any
) -> None:
    backend = tasks_backend(DUMMY)
    with django_capture_on_commit_callbacks(execute=True):
        message = queued()
    [result] = backend.results
    assert result.task.module_path == message_send.module_path
    assert not result.args
    assert result.kwargs == {"message_id": message.pk}
    stored = json.dumps([list(result.args), result.kwargs])
    assert LINK not in stored and "pelamar@contoh.invalid" not in stored


def test_a_bulk_queue_enqueues_one_task_without_arguments(
    tasks_backend: Any, django_capture_on_commit_callbacks: Any
) -> None:
    backend = tasks_backend(DUMMY)
    with django_capture_on_commit_callbacks(execute=True):
        count = email_queue_many(
            (f"p{i}@contoh.invalid", "Hasil", f"{LINK}{i}") for i in range(1000)
        )
    assert count == 1000
    assert Message.objects.filter(status=Message.Status.QUEUED).count() == 1000
    [result] = backend.results
    assert result.task.module_path == queued_send.module_path
    assert not result.args and not result.kwargs


def test_a_batch_returns_its_ids_in_order_and_enqueues_one_task_without_arguments(
    tasks_backend: Any, django_capture_on_commit_callbacks: Any
) -> None:
    backend = tasks_backend(DUMMY)
    with django_capture_on_commit_callbacks(execute=True):
        ids = email_queue_batch([(f"p{i}@contoh.invalid", f"S{i}", f"{LINK}{i}") for i in range(3)])
        assert email_queue_batch([]) == []
    stored = Message.objects.in_bulk(ids)
    assert [stored[pk].to for pk in ids] == [f"p{i}@contoh.invalid" for i in range(3)]
    assert decrypt_text(stored[ids[2]].body_encrypted) == f"{LINK}2"
    [result] = backend.results
    assert result.task.module_path == queued_send.module_path
    assert not result.args and not result.kwargs


def test_the_body_is_encrypted_at_rest_and_erased_once_sent() -> None:
    message = queued()
    stored = Message.objects.get(pk=message.pk)
    assert "aktivasi" not in stored.body_encrypted and "secret-token" not in stored.body_encrypted
    assert decrypt_text(stored.body_encrypted) == f"Buka {LINK}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM outbox_message")
        assert "secret-token" not in repr(cursor.fetchall())

    message_send.call(message_id=message.pk)

    stored.refresh_from_db()
    assert stored.status == Message.Status.SENT and stored.sent_at is not None
    assert stored.body_encrypted == ""
    assert (stored.to, stored.subject) == ("pelamar@contoh.invalid", "Aktivasi")
    assert LINK in mail.outbox[0].body


def test_a_sent_message_is_not_sent_again() -> None:
    message = queued()
    message_send.call(message_id=message.pk)
    message_send.call(message_id=message.pk)
    queued_send.call()
    assert messages_deliver(now=timezone.now() + timedelta(days=30)).sent == 0
    assert len(mail.outbox) == 1
    assert Message.objects.get().attempts == 1


def test_two_workers_never_hold_one_message() -> None:
    message = queued()
    now = timezone.now()
    first = messages_claim(ids=[message.pk], now=now)
    second = messages_claim(ids=[message.pk], now=now)
    assert [m.pk for m in first] == [message.pk]
    assert second == []
    # the worker that claimed it died: once its lease ends, another worker may send it
    later = now + timedelta(seconds=CLAIM_SECONDS + 1)
    assert [m.pk for m in messages_claim(ids=[message.pk], now=later)] == [message.pk]


def test_a_drain_does_not_send_a_message_another_worker_is_sending() -> None:
    message = queued()
    messages_claim(ids=[message.pk], now=timezone.now())
    assert messages_deliver().sent == 0
    assert mail.outbox == []


def test_a_refused_message_is_retried_with_growing_delays_then_failed(
    mailer: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    mailer("RefusingBackend")
    settings.SELEKSI_EMAIL_MAX_ATTEMPTS = 4
    settings.SELEKSI_EMAIL_RETRY_SECONDS = 60
    caplog.set_level(logging.DEBUG)
    address = f"pelamar{REFUSED_DOMAIN}"
    message = queued(to=address)
    now = timezone.now()
    delays = []
    for _attempt in range(3):
        assert messages_deliver(now=now).retrying == 1
        message.refresh_from_db()
        delays.append((message.next_attempt_at - now).total_seconds())
        early = messages_deliver(now=message.next_attempt_at - timedelta(seconds=1))
        assert early == type(early)()
        now = message.next_attempt_at
    assert delays == [60, 120, 240]

    assert messages_deliver(now=now).failed == 1
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 4
    assert message.last_error == "SMTPRecipientsRefused"
    assert messages_deliver(now=now + timedelta(days=1)).failed == 0
    assert mail.outbox == []
    assert f"e-mail message {message.pk} failed after 4 attempts" in caplog.text
    assert "pelamar" not in caplog.text and "aktivasi" not in caplog.text


def test_a_server_that_is_down_keeps_every_message_queued(mailer: Any) -> None:
    mailer("DownBackend")
    email_queue_many([(f"p{i}@contoh.invalid", "S", LINK) for i in range(3)])
    delivery = messages_deliver()
    assert (delivery.sent, delivery.retrying) == (0, 3)
    assert set(Message.objects.values_list("status", "last_error")) == {
        ("queued", "ConnectionRefusedError")
    }


def test_a_failure_asks_the_worker_to_come_back_when_the_message_is_due(
    mailer: Any, tasks_backend: Any
) -> None:
    mailer("RefusingBackend")
    backend = tasks_backend(DUMMY)
    message = queued(to=f"x{REFUSED_DOMAIN}")
    message_send.call(message_id=message.pk)
    message.refresh_from_db()
    [retry] = backend.results
    assert retry.task.module_path == queued_send.module_path
    assert retry.task.run_after == message.next_attempt_at
    assert not retry.args and not retry.kwargs


def test_one_refused_recipient_does_not_hold_back_the_others(mailer: Any) -> None:
    mailer("RefusingBackend")
    email_queue_many(
        [
            ("a@contoh.invalid", "S", "1"),
            (f"b{REFUSED_DOMAIN}", "S", "2"),
            ("c@contoh.invalid", "S", "3"),
        ]
    )
    delivery = messages_deliver()
    assert (delivery.sent, delivery.retrying) == (2, 1)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@contoh.invalid", "c@contoh.invalid"]


def test_queueing_and_sending_many_takes_statements_per_batch_not_per_message() -> None:
    def statements(count: int) -> tuple[int, int]:
        Message.objects.all().delete()
        with CaptureQueriesContext(connection) as queueing:
            email_queue_many((f"p{i}@contoh.invalid", "S", LINK) for i in range(count))
        with CaptureQueriesContext(connection) as sending:
            assert messages_deliver().sent == count
        return len(queueing), len(sending)

    queue_small, send_small = statements(10)
    queue_large, send_large = statements(1000)
    # one INSERT per batch; on PostgreSQL one COPY, which the capture does not see
    assert queue_small <= 1 and queue_large <= 1000 // 50
    batches = -(-1000 // BATCH_SIZE)
    assert send_small <= 5
    assert send_large <= 4 * batches + 1
    assert Message.objects.filter(status=Message.Status.SENT).count() == 1000


def test_the_command_sends_what_is_due_and_queues_failed_messages_again(settings: Any) -> None:
    ready = queued(to="a@contoh.invalid")
    failed = queued(to="b@contoh.invalid")
    Message.objects.filter(pk=failed.pk).update(status=Message.Status.FAILED, attempts=6)
    out = _command()
    assert "1 sent" in out
    assert [m.to for m in mail.outbox] == [["a@contoh.invalid"]]
    out = _command("--retry-failed")
    assert "1 failed message(s) queued again" in out and "1 sent" in out
    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT and failed.attempts == 1
    ready.refresh_from_db()
    assert ready.attempts == 1


def _command(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    with translation.override("en"):
        call_command("send_queued_email", *args, stdout=out)
    return out.getvalue()


def test_the_command_forgets_old_sent_and_failed_messages_but_not_queued_ones() -> None:
    old = timezone.now() - timedelta(days=100)
    sent, failed, waiting = (queued(to=f"{n}@contoh.invalid") for n in ("a", "b", "c"))
    Message.objects.filter(pk=sent.pk).update(status=Message.Status.SENT, body_encrypted="")
    Message.objects.filter(pk=failed.pk).update(status=Message.Status.FAILED)
    Message.objects.update(created_at=old)
    recent = queued(to="d@contoh.invalid")
    Message.objects.filter(pk=recent.pk).update(status=Message.Status.SENT)
    Message.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    out = _command("--forget-after", "90")
    assert "2 message(s) older than 90 days forgotten" in out
    assert set(Message.objects.values_list("pk", flat=True)) == {waiting.pk, recent.pk}
