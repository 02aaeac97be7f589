"""Stand-ins for the outside mail server: one that refuses some recipients, one that is down.

Both echo the address back in their errors, as real servers do, so the tests can check that
the outbox does not store or log it."""

import smtplib
from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend

REFUSED_DOMAIN = "@refused.invalid"


class RefusingBackend(EmailBackend):
    """Delivers like Django's test backend, but refuses every address at REFUSED_DOMAIN."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        for message in messages:
            for address in message.to:
                if address.endswith(REFUSED_DOMAIN):
                    raise smtplib.SMTPRecipientsRefused(
                        {address: (550, f"5.1.1 <{address}>: user unknown".encode())}
                    )
        return super().send_messages(messages)


class DownBackend(EmailBackend):
    """A server that cannot be reached."""

    def open(self) -> Any:
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        raise AssertionError("nothing is sent without a connection")
