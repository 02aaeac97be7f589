"""Account e-mails go through the outbox: the task store never holds a link, and plain-text
mail shows names as typed."""

import json
import re
from typing import Any

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from seleksi.accounts.models import User
from seleksi.core.crypto import decrypt_text
from seleksi.outbox.models import Message
from tests.accounts.helpers import CommitClient, make_applicant, registration_form

pytestmark = pytest.mark.django_db

DATABASE_TASKS = "django_tasks_db.DatabaseBackend"
NAME = 'O\'Neil & <Sons> "Gayo"'


def test_a_registration_leaves_no_activation_link_in_the_task_store(tasks_backend: Any) -> None:
    tasks_backend(DATABASE_TASKS)
    form = registration_form(nik="", kk="", mitra_only="on")
    assert CommitClient().post("/akun/daftar/", form).status_code == 302
    assert mail.outbox == []
    stored = json.dumps([task.args_kwargs for task in DBTaskResult.objects.all()])
    message = Message.objects.get()
    assert json.loads(stored) == [{"args": [], "kwargs": {"message_id": message.pk}}]
    assert "aktivasi" not in stored and "satu@contoh.invalid" not in stored

    # what the worker does with the stored task (the worker itself closes the test's connection)
    stored_task = DBTaskResult.objects.get().task_result
    stored_task.task.call(*stored_task.args, **stored_task.kwargs)

    [sent] = mail.outbox
    assert sent.to == ["satu@contoh.invalid"] and "/akun/aktivasi/" in sent.body
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.body_encrypted == ""


def test_a_password_reset_link_is_queued_encrypted(tasks_backend: Any) -> None:
    make_applicant()
    tasks_backend(DATABASE_TASKS)
    response = CommitClient().post("/akun/lupa-sandi/", {"email": "satu@contoh.invalid"})
    assert response.status_code == 302
    message = Message.objects.get()
    link = re.search(r"https?://\S+", decrypt_text(message.body_encrypted))
    assert link is not None and message.status == Message.Status.QUEUED
    token = link.group(0).rstrip("/").rsplit("/", 1)[-1]
    assert token not in message.body_encrypted
    stored = json.dumps([task.args_kwargs for task in DBTaskResult.objects.all()])
    assert stored == json.dumps([{"args": [], "kwargs": {"message_id": message.pk}}])


def test_plain_text_mail_shows_a_name_as_typed() -> None:
    form = registration_form(nik="", kk="", mitra_only="on", full_name=NAME)
    response = CommitClient().post("/akun/daftar/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get().full_name == NAME
    [sent] = mail.outbox
    assert NAME in sent.body
    assert "&amp;" not in sent.body and "&lt;" not in sent.body and "&#x27;" not in sent.body
