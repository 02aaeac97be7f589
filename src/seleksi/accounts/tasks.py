"""Background work for accounts. Tasks receive ids, never personal numbers."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task


@task()
def send_account_email(*, to: str, subject: str, body: str) -> None:
    """Send one account e-mail (activation, recovery, confirmation). Idempotent enough: a
    retried task sends the same link again, which the recipient can use once."""
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()
