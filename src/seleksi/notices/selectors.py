"""Reads for notices: a person's inbox and unread count, a selection's notices with their
delivery state (the linked outbox message's status, attempts and last error kind)."""

from typing import Any

from django.db.models import Count, QuerySet

from seleksi.outbox.models import Message

from .models import Notice

DELIVERY_STATES = ("queued", "sent", "failed", "inbox")
"""`inbox`: notices without an e-mail (the user has no address)."""


def inbox(user: Any) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user).order_by("-created_at", "-id")


def personal(user: Any) -> list[dict[str, Any]]:
    """The user's notices for their own data download: when, what, read or not."""
    return [
        {
            "created_at": created.isoformat(),
            "subject": subject,
            "message": body,
            "read_at": read.isoformat() if read else None,
        }
        for created, subject, body, read in inbox(user).values_list(
            "created_at", "subject", "body", "read_at"
        )
    ]


def unread_count(user: Any) -> int:
    """One indexed COUNT (the partial index on unread notices); 0 for anonymous visitors."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user=user, read_at=None).count()


def selection_notices(selection: Any, *, state: str = "") -> QuerySet[Notice]:
    """The selection's notices, newest first, with recipient and e-mail, filtered by delivery
    state when `state` is one of DELIVERY_STATES. The e-mail's stored body is never read."""
    notices = (
        Notice.objects.filter(selection=selection)
        .select_related("user", "email")
        .defer("email__body_encrypted", "body")
        .order_by("-created_at", "-id")
    )
    if state == "inbox":
        return notices.filter(email=None)
    if state in {Message.Status.QUEUED, Message.Status.SENT, Message.Status.FAILED}:
        return notices.filter(email__status=state)
    return notices


def delivery_counts(selection: Any) -> dict[str, int]:
    """How many of the selection's notices are in each delivery state."""
    counts = dict.fromkeys(DELIVERY_STATES, 0)
    for status, count in (
        Notice.objects.filter(selection=selection)
        .order_by()
        .values_list("email__status")
        .annotate(count=Count("id"))
    ):
        counts[status or "inbox"] = count
    return counts
