"""notify and notify_many: one notice and one e-mail per event, whatever retries or the worker
do; nothing when the change rolls back; delivered after an SMTP failure; in the user's
language, from the console's text when there is one; never a secret."""

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.notices.models import Notice, NoticeTemplate
from seleksi.notices.services import notify, notify_many, template_default
from seleksi.outbox.delivery import messages_deliver
from seleksi.outbox.models import Message
from seleksi.outbox.tasks import message_send, queued_send
from tests.notices.mailers import FAILURES
from tests.notices.world import World

DUMMY = "django.tasks.backends.dummy.DummyBackend"


def told(world: World, index: int = 0, event: str = "uji:1") -> Notice | None:
    application = world.applications[index]
    return notify(
        user=application.applicant,
        event=event,
        template="administrative_result",
        context={"number": application.number},
        url=f"/lamaran/{application.number}/",
        selection=world.selection,
        site_url="https://seleksi.test",
    )


def test_a_notice_is_stored_and_mailed_after_the_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notice = told(world)
        assert mail.outbox == []
    assert notice is not None
    application = world.applications[0]
    assert notice.subject == "Hasil seleksi administrasi telah diumumkan"
    assert application.number in notice.body and world.selection.title in notice.body
    assert f"https://seleksi.test/lamaran/{application.number}/" in notice.body
    assert notice.url == f"/lamaran/{application.number}/" and notice.language == "id"
    [sent] = mail.outbox
    assert sent.to == [application.applicant.email]
    assert (sent.subject, sent.body) == (notice.subject, notice.body)
    notice.refresh_from_db()
    assert notice.email is not None and notice.email.status == Message.Status.SENT


def test_one_event_is_told_once_even_when_called_twice(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = told(world)
        second = told(world)
    with django_capture_on_commit_callbacks(execute=True):
        third = told(world)
    assert first is not None and second is None and third is None
    assert Notice.objects.count() == 1 and Message.objects.count() == 1
    assert len(mail.outbox) == 1
    # another event is another notice
    with django_capture_on_commit_callbacks(execute=True):
        assert told(world, event="uji:2") is not None
    assert len(mail.outbox) == 2


def test_the_worker_running_the_send_twice_sends_one_e_mail(
    world: World, tasks_backend: Any, django_capture_on_commit_callbacks: Any
) -> None:
    backend = tasks_backend(DUMMY)
    with django_capture_on_commit_callbacks(execute=True):
        notice = told(world)
    assert notice is not None and notice.email_id is not None
    [result] = backend.results
    assert result.kwargs == {"message_id": notice.email_id}
    message_send.call(message_id=notice.email_id)
    message_send.call(message_id=notice.email_id)
    queued_send.call()
    assert messages_deliver(now=timezone.now() + timedelta(days=30)).sent == 0
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_tells_nobody(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert told(world) is not None
        notify_many(
            recipients=[(a.applicant, f"banyak:{a.pk}", {}, "") for a in world.applications],
            template="administrative_result",
            selection=world.selection,
        )
        raise RuntimeError("the publication failed")
    assert not Notice.objects.exists() and not Message.objects.exists()
    assert mail.outbox == []


def test_it_is_sent_after_a_smtp_failure_once_the_retry_is_due(
    world: World, mailer: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mailer("FlakyBackend")
    settings.SELEKSI_EMAIL_RETRY_SECONDS = 60
    FAILURES["left"] = 1
    with django_capture_on_commit_callbacks(execute=True):
        notice = told(world)
    assert notice is not None and notice.email is not None
    message = Message.objects.get(pk=notice.email.pk)
    assert message.status == Message.Status.QUEUED and message.attempts == 1
    assert message.last_error == "SMTPServerDisconnected"
    assert mail.outbox == []

    assert messages_deliver(now=message.next_attempt_at - timedelta(seconds=1)).sent == 0
    assert messages_deliver(now=message.next_attempt_at).sent == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2
    assert [m.to for m in mail.outbox] == [[world.applicant(0).email]]
    assert messages_deliver(now=timezone.now() + timedelta(days=1)).sent == 0
    assert len(mail.outbox) == 1


def test_english_speakers_get_the_english_text(world: World) -> None:
    User.objects.filter(pk=world.applicant(0).pk).update(language="en")
    world.applications[0].applicant.refresh_from_db()
    notice = told(world)
    assert notice is not None and notice.language == "en"
    assert notice.subject == "The administrative selection result has been announced"
    assert "registration number" in notice.body


def test_the_console_text_replaces_the_shipped_one(world: World) -> None:
    NoticeTemplate.objects.create(
        code="administrative_result",
        language="id",
        subject="Pengumuman untuk $number",
        body="Yth. $name, hasil $selection sudah terbit: $url ($unknown tetap)\n",
    )
    notice = told(world)
    application = world.applications[0]
    assert notice is not None
    assert notice.subject == f"Pengumuman untuk {application.number}"
    assert notice.body.startswith(f"Yth. {application.applicant.display_name}, hasil ")
    assert "$unknown tetap" in notice.body


def test_a_user_without_e_mail_gets_the_inbox_notice_only(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=world.applicant(1).pk).update(email="")
    world.applications[1].applicant.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notice = told(world, index=1)
    assert notice is not None and notice.email is None
    assert mail.outbox == [] and not Message.objects.exists()


def test_notify_many_skips_events_already_told_and_links_each_e_mail(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=world.applicant(3).pk).update(email="", language="en")
    told(world, index=0, event=f"banyak:{world.applications[0].pk}")
    recipients = [
        (
            User.objects.get(pk=a.applicant_id),
            f"banyak:{a.pk}",
            {"number": a.number},
            f"/lamaran/{a.number}/",
        )
        for a in world.applications
    ]
    with django_capture_on_commit_callbacks(execute=True):
        added = notify_many(
            recipients=recipients + recipients[:1],
            template="administrative_result",
            selection=world.selection,
        )
    assert added == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_many(recipients=recipients, template="administrative_result") == 0
    assert Notice.objects.count() == 4
    for notice in Notice.objects.exclude(user=world.applicant(3)).select_related("email"):
        assert notice.email is not None and notice.email.to == notice.user.email
        number = notice.url.split("/")[2]
        assert number in notice.body and number in notice.email.subject + notice.body
    english = Notice.objects.get(user=world.applicant(3))
    assert english.email is None and english.language == "en"
    assert english.subject == "The administrative selection result has been announced"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        world.applicant(i).email for i in range(3)
    )


def test_notify_many_takes_statements_per_batch_not_per_recipient(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    users = [world.applicant(i) for i in range(4)]

    def statements(count: int, prefix: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            notify_many(
                recipients=(
                    (users[i % 4], f"{prefix}:{i}", {"number": str(i)}, "") for i in range(count)
                ),
                template="absent",
            )
        return len(queries)

    assert statements(8, "kecil") == statements(400, "besar")


def test_no_secret_reaches_a_notice_or_a_task(
    world: World, tasks_backend: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from seleksi.accounts.services import activation_send, answer_reset_send
    from seleksi.core.crypto import decrypt_text

    backend = tasks_backend(DUMMY)
    user = world.applicant(0)
    with django_capture_on_commit_callbacks(execute=True):
        activation_send(user=user, site_url="https://seleksi.test")
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        answer_reset_send(email=user.email, site_url="https://seleksi.test")
        told(world)
    assert Notice.objects.count() == 1  # account e-mails are not notices
    links = [
        link
        for message in Message.objects.exclude(pk=Notice.objects.get().email_id)
        for link in re.findall(r"https://seleksi\.test/\S+", decrypt_text(message.body_encrypted))
    ]
    tokens = [link.rstrip("/").rsplit("/", 1)[1] for link in links]
    assert len(tokens) == 2 and all(len(token) > 20 for token in tokens)
    rows = json.dumps([list(row) for row in Notice.objects.values_list()], default=str)
    arguments = json.dumps([[list(r.args), r.kwargs] for r in backend.results])
    for token in tokens:
        assert token not in rows and token not in arguments
    assert "@" not in arguments


def test_every_shipped_template_exists_in_both_languages() -> None:
    from seleksi.notices.services import TEMPLATES

    for code in TEMPLATES:
        for language in ("id", "en"):
            text = template_default(code, language)
            assert text.subject and "\n" not in text.subject and text.body.strip()
        assert template_default(code, "id") != template_default(code, "en")


def test_a_race_past_the_look_up_still_tells_once(
    world: World, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """Another transaction tells the same event between the look-up and the insert: the
    unique constraint refuses the second notice and its e-mail goes with it."""
    from seleksi.notices import services

    original = services.render
    users = [world.applicant(i) for i in range(3)]

    def racing(*args: Any, **kwargs: Any) -> Any:
        for user in users:
            Notice.objects.get_or_create(
                user=user,
                event=f"balapan:{user.pk}",
                defaults={"template": "absent", "language": "id", "subject": "-", "body": "-"},
            )
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "render", racing)
    with django_capture_on_commit_callbacks(execute=True):
        alone = notify(user=users[0], event=f"balapan:{users[0].pk}", template="absent", context={})
        many = notify_many(
            recipients=[(u, f"balapan:{u.pk}", {}, "") for u in users]
            + [(world.applicant(3), "balapan:lain", {}, "")],
            template="absent",
        )
    assert alone is None and many == 1
    assert Notice.objects.count() == 4
    assert [m.to for m in mail.outbox] == [[world.applicant(3).email]]
    assert Message.objects.count() == 1
