"""Queueing e-mails: the one way Seleksi sends mail.

A message is stored (its body encrypted) in the caller's transaction; once that commits, a
task that holds only the message id (or, for a bulk queue, nothing) sends it, retrying with
back-off. A rolled-back request therefore sends nothing, and a link never sits in clear in
the task queue.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from seleksi.core.bulk import rows_insert
from seleksi.core.crypto import encrypt_text

from .models import Message
from .tasks import message_send, queued_send

INSERT_BATCH_SIZE = 500
BULK_COLUMNS = (
    "to",
    "subject",
    "body_encrypted",
    "status",
    "attempts",
    "next_attempt_at",
    "claim",
    "sent_at",
    "last_error",
    "created_at",
)


def _subject(subject: str) -> str:
    return " ".join(subject.split())[:255]


def _message(*, to: str, subject: str, body: str, now: datetime) -> Message:
    return Message(
        to=to.strip(),
        subject=_subject(subject),
        body_encrypted=encrypt_text(body),
        next_attempt_at=now,
    )


def email_queue(*, to: str, subject: str, body: str) -> Message:
    """Store one message and send it after the current transaction commits."""
    message = _message(to=to, subject=subject, body=body, now=timezone.now())
    message.save()
    message_id = message.pk
    transaction.on_commit(lambda: message_send.enqueue(message_id=message_id))
    return message


def email_queue_batch(messages: Sequence[tuple[str, str, str]]) -> list[int]:
    """Store one batch of (to, subject, body) messages with one INSERT and, after the commit,
    enqueue one task that sends what is due. Returns the new messages' ids in the order given,
    for a caller that keeps a link to each (notices); `email_queue_many` is for larger sets."""
    now = timezone.now()
    stored = Message.objects.bulk_create(
        [_message(to=to, subject=subject, body=body, now=now) for to, subject, body in messages]
    )
    if stored:
        transaction.on_commit(queued_send.enqueue)
    return [message.pk for message in stored]


def email_queue_many(messages: Iterable[tuple[str, str, str]]) -> int:
    """Store many (to, subject, body) messages with batched inserts and, after the commit,
    enqueue one task that sends them in batches. Returns how many were queued."""
    now = timezone.now()
    rows = (
        (to.strip(), _subject(subject), encrypt_text(body), "queued", 0, now, "", None, "", now)
        for to, subject, body in messages
    )
    count = rows_insert(Message, BULK_COLUMNS, rows, batch_size=INSERT_BATCH_SIZE)
    if count:
        transaction.on_commit(queued_send.enqueue)
    return count
