"""A mail server that drops the connection on its first message, then recovers."""

import smtplib
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend

FAILURES = {"left": 0}


class FlakyBackend(EmailBackend):
    """Raises SMTPServerDisconnected while FAILURES["left"] > 0, then delivers like Django's
    test backend."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if FAILURES["left"] > 0:
            FAILURES["left"] -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
