"""Delivery tasks. Their stored arguments are a message id or nothing: never an address, a
body or a link."""

from typing import Any

from django.tasks import task

from .delivery import Delivery, messages_deliver


@task()
def message_send(*, message_id: int) -> dict[str, int]:
    """Send one stored message if it is still due; a sent message is not sent again."""
    return _retry_later(messages_deliver(ids=[message_id]))


@task()
def queued_send() -> dict[str, int]:
    """Send every due queued message in batches (after a bulk queue, and to retry failures)."""
    return _retry_later(messages_deliver())


def _retry_later(delivery: Delivery) -> dict[str, Any]:
    """Ask the worker to come back when the earliest failed message is due again. A backend
    that cannot defer work (the immediate one) leaves that to `seleksi send-queued-email`."""
    if delivery.retry_at is not None and queued_send.get_backend().supports_defer:
        queued_send.using(run_after=delivery.retry_at).enqueue()
    return {"sent": delivery.sent, "retrying": delivery.retrying, "failed": delivery.failed}
