"""Writes for notices: tell one applicant, or many, that something changed; the committee's
broadcast to the applicants of a formation or stage.

Decisions worth knowing:
- A notice is stored and its e-mail queued in the caller's transaction, so a rolled-back
  change tells nobody (the outbox sends after the commit), and a repeated call for the same
  (user, event) adds nothing: the existing row is looked up first, and a race that slips past
  the look-up is caught by the unique constraint inside a savepoint, which drops that call's
  e-mail with it.
- Texts are rendered once per recipient in the recipient's language (`User.language`), from
  the template edited in the console or else the shipped file, with
  `string.Template.safe_substitute`: an unknown `$placeholder` stays as it is instead of
  failing a publication. Context values that depend on the language (dates, stage names) are
  passed as `localized(...)` and evaluated while the recipient's language is active.
- `$url` in a text is the absolute link (the site's address and the notice's relative `url`);
  the inbox keeps the relative `url` for its own link.
- Notices never carry secrets: activation, reset and e-mail-change links stay on the outbox
  alone (seleksi.accounts), they are not notifications.
- The broadcast's recipients are chosen by the caller (the committee page composes the stages'
  selectors: this ground app knows nothing of applications or tests). The preview issues a
  one-time key, the send uses it as the event ("broadcast:<key>"), so a double submit of the
  form sends once; broadcasts of one selection are serialised by a lock on the selection row.
"""

import re
import string
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import batched
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from seleksi.accounts.models import User
from seleksi.agencies.permissions import Capability, user_can
from seleksi.audit.services import audit_record
from seleksi.core.errors import ServiceRefused
from seleksi.outbox.services import email_queue, email_queue_batch
from seleksi.selections.models import Selection

from .models import Notice, NoticeTemplate

TEMPLATES_DIR = Path(__file__).parent / "data" / "templates"
BATCH_SIZE = 500
RECIPIENT_FIELDS = ("email", "language", "full_name", "first_name", "last_name", "username")
"""The user fields a notice reads: load recipients with `User.objects.only(*RECIPIENT_FIELDS)`."""
BROADCAST_TEMPLATE = "broadcast"
SUBJECT_MAX = 255
EVENT_MAX = 200
BODY_MAX = 5000
KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")

TEMPLATES: dict[str, Any] = {
    "application_submitted": _("Application submitted"),
    "administrative_result": _("Administrative result announced"),
    "objection_decided": _("Objection answered"),
    "objection_result": _("Result after objections announced"),
    "seat_booked": _("Test seat booked"),
    "seat_assigned": _("Test seat assigned by the committee"),
    "seat_moved": _("Test seat moved by the committee"),
    "absent": _("Recorded absent (TH)"),
    "sitting_extended": _("Test time extended"),
    "withdrawal_confirmed": _("Withdrawal (APS/DIS) confirmed"),
    "replacement_confirmed": _("Replacement confirmed"),
    "announcement_published": _("Result announcement published"),
}
"""The notices the stages send, by template code, with the label the console shows."""

REFUSALS = {
    "forbidden": _("You may not message the applicants of this selection."),
    "not_yours": _("This message is not yours."),
    "subject_required": _("Write a subject of at most %(max)d characters."),
    "body_required": _("Write the message, at most %(max)d characters."),
    "nobody": _("Nobody matches these choices; choose another formation or stage."),
    "stale_key": _("This preview has expired; preview the message again."),
    "already_sent": _("This message has already been sent; it was not sent again."),
}


class NoticeRefused(ServiceRefused):
    messages = REFUSALS


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


Recipient = tuple[User, str, Mapping[str, object], str]
"""(user, event, context, url) for `notify_many`."""


def localized(function: Callable[..., str], *args: Any, **kwargs: Any) -> Any:
    """A context value computed when the text is rendered, in the recipient's language (a
    date written with month names, a stage's label)."""
    return lazy(function, str)(*args, **kwargs)


# --- texts ----------------------------------------------------------------------------------


def _language(code: str) -> str:
    available = {language for language, _name in settings.LANGUAGES}
    return code if code in available else settings.LANGUAGE_CODE


@cache
def template_default(code: str, language: str) -> Text:
    """The shipped text of `code` in `language` (Indonesian when that file is missing)."""
    path = TEMPLATES_DIR / f"{code}.{language}.txt"
    if not path.exists():
        path = TEMPLATES_DIR / f"{code}.{settings.LANGUAGE_CODE}.txt"
    subject, _newline, body = path.read_text(encoding="utf-8").partition("\n")
    return Text(subject.strip(), body.strip("\n") + "\n")


def template_text(code: str, language: str) -> Text:
    """The text the console stores for `code` in `language`, or else the shipped one."""
    language = _language(language)
    stored = NoticeTemplate.objects.filter(code=code, language=language).first()
    if stored is not None:
        return Text(stored.subject, stored.body)
    return template_default(code, language)


def render(text: Text, context: Mapping[str, object], language: str) -> Text:
    """`text` with its placeholders filled in, in `language`; unknown placeholders are kept."""
    with translation.override(_language(language)):
        subject = string.Template(text.subject).safe_substitute(context)
        body = string.Template(text.body).safe_substitute(context)
    return Text(" ".join(subject.split())[:SUBJECT_MAX], body)


def _context(
    user: User, context: Mapping[str, object], url: str, site_url: str, selection: Any
) -> dict[str, object]:
    site = (site_url or settings.SELEKSI_SITE_URL).rstrip("/")
    base: dict[str, object] = {"name": user.display_name}
    if selection is not None:
        base["selection"] = selection.title
    return {**base, **context, "url": site + url if url else site + "/"}


# --- notify -----------------------------------------------------------------------------------


def notify(
    *,
    user: User,
    event: str,
    template: str,
    context: Mapping[str, object],
    url: str = "",
    selection: Selection | None = None,
    site_url: str = "",
) -> Notice | None:
    """Tell `user` about `event` once: an inbox notice and, when the user has an e-mail
    address, an e-mail sent after the commit. Returns None when this event was already told."""
    event = event[:EVENT_MAX]
    if Notice.objects.filter(user=user, event=event).exists():
        return None
    language = _language(user.language)
    text = render(
        template_text(template, language),
        _context(user, context, url, site_url, selection),
        language,
    )
    return _insert_one((user, event, url, language, text), template, selection)


def notify_many(
    *,
    recipients: Iterable[Recipient],
    template: str,
    selection: Selection | None = None,
    site_url: str = "",
) -> int:
    """`notify` for many recipients, in batches: one look-up of the batch's events, one INSERT
    of its e-mails and one of its notices. Events already told are skipped. Returns how many
    notices were added."""
    texts: dict[str, Text] = {}

    def text_for(language: str) -> Text:
        if language not in texts:
            texts[language] = template_text(template, language)
        return texts[language]

    return _notify_batches(recipients, template, text_for, selection, site_url)


def _notify_batches(
    recipients: Iterable[Recipient],
    template: str,
    text_for: Callable[[str], Text],
    selection: Selection | None,
    site_url: str,
) -> int:
    added = 0
    for batch in batched(recipients, BATCH_SIZE):
        told = set(
            Notice.objects.filter(event__in={event for _u, event, _c, _url in batch}).values_list(
                "user_id", "event"
            )
        )
        fresh: list[tuple[User, str, str, str, Text]] = []
        for user, event, context, url in batch:
            key = (user.pk, event[:EVENT_MAX])
            if key in told:
                continue
            told.add(key)
            language = _language(user.language)
            text = render(
                text_for(language), _context(user, context, url, site_url, selection), language
            )
            fresh.append((user, event[:EVENT_MAX], url, language, text))
        if fresh:
            added += _insert(fresh, template, selection, site_url)
    return added


def _insert(
    fresh: Sequence[tuple[User, str, str, str, Text]],
    template: str,
    selection: Selection | None,
    site_url: str,
) -> int:
    """One batch: the e-mails, then the notices linked to them, in a savepoint. When another
    transaction told one of these events meanwhile, the batch is undone (its e-mails too)
    and each recipient is told alone, skipping the ones already told."""
    try:
        with transaction.atomic():
            ids = iter(
                email_queue_batch(
                    [
                        (u.email, text.subject, text.body)
                        for u, _e, _url, _l, text in fresh
                        if u.email
                    ]
                )
            )
            Notice.objects.bulk_create(
                Notice(
                    user=user,
                    selection=selection,
                    event=event,
                    template=template,
                    language=language,
                    subject=text.subject,
                    body=text.body,
                    url=url,
                    email_id=next(ids) if user.email else None,
                )
                for user, event, url, language, text in fresh
            )
            return len(fresh)
    except IntegrityError:
        return sum(_insert_one(row, template, selection) is not None for row in fresh)


def _insert_one(
    row: tuple[User, str, str, str, Text], template: str, selection: Selection | None
) -> Notice | None:
    """One notice and its e-mail in a savepoint; None when the event was told meanwhile."""
    user, event, url, language, text = row
    try:
        with transaction.atomic():
            message = (
                email_queue(to=user.email, subject=text.subject, body=text.body)
                if user.email
                else None
            )
            return Notice.objects.create(
                user=user,
                selection=selection,
                event=event,
                template=template,
                language=language,
                subject=text.subject,
                body=text.body,
                url=url,
                email=message,
            )
    except IntegrityError:
        return None


# --- reading ---------------------------------------------------------------------------------


def notice_read(*, notice: Notice, user: Any) -> Notice:
    """Mark the user's own notice read, once (a second call keeps the first time)."""
    if notice.user_id != getattr(user, "pk", None):
        raise NoticeRefused("not_yours")
    if notice.read_at is None:
        now = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at=None).update(read_at=now)
        notice.refresh_from_db(fields=["read_at"])
    return notice


# --- the committee's broadcast ------------------------------------------------------------------


@dataclass(frozen=True)
class Addressee:
    """One recipient of a broadcast: the user, the placeholders their copy fills in
    ($number, $formation ...) and the link of their notice."""

    user: User
    context: Mapping[str, object]
    url: str = ""


@dataclass(frozen=True)
class BroadcastPreview:
    key: str
    """the one-time key the send must carry"""
    count: int
    sample: Text
    """the first recipient's copy, as they will read it"""


def _broadcast_text(subject: str, body: str) -> Text:
    subject = " ".join(subject.split())
    body = body.strip().replace("\r\n", "\n")
    if not subject or len(subject) > SUBJECT_MAX:
        raise NoticeRefused("subject_required", params={"max": SUBJECT_MAX})
    if not body or len(body) > BODY_MAX:
        raise NoticeRefused("body_required", params={"max": BODY_MAX})
    return Text(subject, body + "\n")


def _require(actor: Any, selection: Selection) -> None:
    if not user_can(actor, Capability.DECIDE_RESULTS, selection.agency_id):
        raise NoticeRefused("forbidden")


def broadcast_preview(
    *,
    selection: Selection,
    actor: Any,
    count: int,
    sample: Addressee | None,
    subject: str,
    body: str,
    site_url: str = "",
) -> BroadcastPreview:
    """The message as `sample` (the first of `count` recipients) will read it, with a new
    one-time key for the send. Writes nothing; refuses an empty audience."""
    _require(actor, selection)
    text = _broadcast_text(subject, body)
    if not count or sample is None:
        raise NoticeRefused("nobody")
    shown = render(
        text,
        _context(sample.user, sample.context, sample.url, site_url, selection),
        _language(sample.user.language),
    )
    return BroadcastPreview(key=uuid.uuid4().hex, count=count, sample=shown)


@transaction.atomic
def broadcast_send(
    *,
    selection: Selection,
    actor: Any,
    key: str,
    addressees: Iterable[Addressee],
    filters: Mapping[str, str],
    subject: str,
    body: str,
    site_url: str = "",
) -> int:
    """Send the committee's message to every addressee once, as notice and e-mail, and audit
    it (`notices.broadcast`: count, filters, text). A second send with the same key sends
    nothing and is refused. Returns how many were told."""
    _require(actor, selection)
    text = _broadcast_text(subject, body)
    if not KEY_PATTERN.match(key):
        raise NoticeRefused("stale_key")
    Selection.objects.select_for_update().filter(pk=selection.pk).first()
    event = f"broadcast:{key}"
    if Notice.objects.filter(event=event).exists():
        raise NoticeRefused("already_sent")
    count = _notify_batches(
        ((a.user, event, a.context, a.url) for a in addressees),
        BROADCAST_TEMPLATE,
        lambda _language: text,
        selection,
        site_url,
    )
    if not count:
        raise NoticeRefused("nobody")
    audit_record(
        actor=actor,
        action="notices.broadcast",
        subject=selection,
        reason=text.subject,
        details={"count": count, "filters": dict(filters), "key": key, "body": text.body},
    )
    return count
