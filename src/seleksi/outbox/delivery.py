"""Sending stored messages: claim, send, record, in batches.

Decisions worth knowing:
- A claim is one compare-and-swap UPDATE over a batch of due rows (`status = queued` and
  `next_attempt_at <= now`); it pushes `next_attempt_at` a lease ahead and stamps a claim token,
  and only the rows that carry this worker's token are sent. A second worker finds nothing due.
- Attempts grow the delay exponentially (SELEKSI_EMAIL_RETRY_SECONDS, doubled each time) up to
  SELEKSI_EMAIL_MAX_ATTEMPTS, then the message is failed and logged by id, without address or text.
- Outcomes are written per batch (one UPDATE for the sent rows, one per kind of failure), so
  the statements grow with the batches, not with the messages.
"""

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.db.models import F
from django.utils import timezone

from seleksi.core.crypto import decrypt_text

from .models import Message

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
CLAIM_SECONDS = 600
"""How long a claimed message is left to its worker before another may try it."""


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    retry_at: datetime | None = None
    """The earliest next attempt of a message that failed this time and will be tried again."""

    def __add__(self, other: "Delivery") -> "Delivery":
        retry_times = [t for t in (self.retry_at, other.retry_at) if t is not None]
        return Delivery(
            sent=self.sent + other.sent,
            retrying=self.retrying + other.retrying,
            failed=self.failed + other.failed,
            retry_at=min(retry_times) if retry_times else None,
        )


def retry_delay(attempts: int) -> timedelta:
    """The wait after the given number of failed attempts: the base delay, doubled each time."""
    base: int = settings.SELEKSI_EMAIL_RETRY_SECONDS
    return timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def error_kind(error: Exception) -> str:
    """What went wrong, without what the server echoed back (addresses, message text)."""
    code = getattr(error, "smtp_code", None)
    kind = type(error).__name__
    return f"{kind} {code}" if isinstance(code, int) else kind


def messages_claim(*, ids: Sequence[int], now: datetime) -> list[Message]:
    """Take the due rows among `ids` for this worker; rows another worker took are left out."""
    token = uuid.uuid4().hex
    Message.objects.filter(
        pk__in=ids, status=Message.Status.QUEUED, next_attempt_at__lte=now
    ).update(
        claim=token,
        attempts=F("attempts") + 1,
        next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS),
    )
    return list(Message.objects.filter(claim=token).order_by("id"))


def messages_deliver(*, ids: Sequence[int] | None = None, now: datetime | None = None) -> Delivery:
    """Send every due queued message (or the due ones among `ids`), a batch at a time.

    `now` fixes the clock (operators and tests); by default each batch reads the time."""
    total = Delivery()
    after = 0
    while True:
        moment = now or timezone.now()
        due = Message.objects.filter(
            status=Message.Status.QUEUED, next_attempt_at__lte=moment, pk__gt=after
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        batch = list(due.order_by("id").values_list("pk", flat=True)[:BATCH_SIZE])
        if not batch:
            return total
        after = batch[-1]
        total += _batch_send(messages_claim(ids=batch, now=moment), moment)


def _batch_send(messages: list[Message], now: datetime) -> Delivery:
    if not messages:
        return Delivery()
    sent: list[int] = []
    failures: list[tuple[Message, str]] = []
    mailer = mail.mailers.default
    try:
        mailer.open()
    except Exception as error:
        failures = [(message, error_kind(error)) for message in messages]
    else:
        try:
            for message in messages:
                try:
                    email = mail.EmailMessage(
                        subject=message.subject,
                        body=decrypt_text(message.body_encrypted),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[message.to],
                    )
                    if mailer.send_messages([email]) != 1:
                        raise RuntimeError("not accepted")
                except Exception as error:
                    failures.append((message, error_kind(error)))
                else:
                    sent.append(message.pk)
        finally:
            mailer.close()
    if sent:
        Message.objects.filter(pk__in=sent).update(
            status=Message.Status.SENT,
            sent_at=timezone.now(),
            body_encrypted="",
            claim="",
            last_error="",
        )
    return Delivery(sent=len(sent)) + _failures_record(failures, now)


def _failures_record(failures: list[tuple[Message, str]], now: datetime) -> Delivery:
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for message, kind in failures:
        groups[(message.attempts, kind)].append(message.pk)
    outcome = Delivery()
    max_attempts: int = settings.SELEKSI_EMAIL_MAX_ATTEMPTS
    for (attempts, kind), pks in groups.items():
        if attempts >= max_attempts:
            Message.objects.filter(pk__in=pks).update(
                status=Message.Status.FAILED, claim="", last_error=kind[:200]
            )
            for pk in pks:
                logger.warning(
                    "e-mail message %s failed after %s attempts (%s)", pk, attempts, kind
                )
            outcome += Delivery(failed=len(pks))
        else:
            retry_at = now + retry_delay(attempts)
            Message.objects.filter(pk__in=pks).update(
                next_attempt_at=retry_at, claim="", last_error=kind[:200]
            )
            logger.info(
                "%s e-mail message(s) not sent (%s), attempt %s; next try at %s",
                len(pks),
                kind,
                attempts,
                retry_at.isoformat(),
            )
            outcome += Delivery(retrying=len(pks), retry_at=retry_at)
    return outcome
