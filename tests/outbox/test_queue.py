"""The outbox: stored messages, sent by the worker, never a link in a task's arguments."""

import pytest
from django.core import mail

from seleksi.outbox.models import Message
from seleksi.outbox.services import email_queue, email_queue_many

pytestmark = pytest.mark.django_db


def test_a_queued_message_is_sent_after_the_commit(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = email_queue(to="a@example.org", subject="Hi", body="link https://x/y")
        assert mail.outbox == []
    assert [m.body for m in mail.outbox] == ["link https://x/y"]
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.body_encrypted == ""


def test_a_bulk_queue_is_sent(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        count = email_queue_many((f"p{i}@example.org", "S", f"B{i}") for i in range(450))
    assert count == 450
    assert len(mail.outbox) == 450
