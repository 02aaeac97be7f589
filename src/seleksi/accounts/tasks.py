"""Background work for accounts. Tasks receive ids, never personal numbers.

Account e-mails go through the outbox (seleksi.outbox.services.email_queue), whose task holds
only a message id."""

from django.tasks import task

from seleksi.outbox.services import email_queue


@task()
def send_account_email(*, to: str, subject: str, body: str) -> None:
    """Deprecated: callers queue with `email_queue` directly, so that the text never sits in
    a task's arguments. Kept while older callers and already enqueued tasks remain."""
    email_queue(to=to, subject=subject, body=body)
