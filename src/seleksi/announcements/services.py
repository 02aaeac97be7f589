"""Writes of the announcement stage: drafting an announcement from a stage's stored result,
changing the draft, previewing it, publishing it, and the agency's body templates.

Decisions worth knowing:
- Publishing is two steps: the committee reads the preview (counts, first rows, the body as it
  will read) and publishes by typing the announcement's number again, so the act names what
  it publishes. It is one transaction: the draft is locked, its source checked again (a newer
  ranking run since the draft is refused), the rows copied in bulk (COPY on PostgreSQL) while
  their counts and fingerprint are taken, and the draft marked published with
  `UPDATE ... WHERE published_at IS NULL`, so a form sent twice publishes once and the second
  request is refused; then one `announcement.published` audit event.
- A draft keeps its body with the `$placeholders` of its template; they are filled when it is
  previewed and when it is published (number, date and counts as published), so editing the
  number or a late withdrawal never leaves a stale figure in the text.
- One announcement per kind: a second announcement of a kind already announced must be a
  correction naming the one it corrects, with the reason; both stay public. Replacements are
  the exception: each new batch of confirmed withdrawals may be announced, but not the same
  table twice.
- After `announcement_publish` returns, the caller may tell the applicants listed
  (`selectors.announced_application_ids`); this stage sends nothing itself.
"""

import re
import string
from dataclasses import dataclass
from datetime import date
from itertools import batched
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from seleksi.accounts.models import User
from seleksi.agencies.models import Agency
from seleksi.agencies.permissions import Capability, user_can
from seleksi.audit.services import audit_record
from seleksi.core.bulk import rows_insert
from seleksi.core.public_cache import public_content_changed
from seleksi.notices.services import RECIPIENT_FIELDS, notify_many
from seleksi.selections.models import Selection

from . import selectors
from .models import Announcement, AnnouncementRow, AnnouncementTemplate, Kind
from .sources import AnnouncementRefused, Source, source_check, source_for
from .tables import CHUNK_SIZE, PASSING_CODES, PREVIEW_ROWS, Row, table_for

__all__ = [
    "AnnouncementRefused",
    "Preview",
    "announcement_draft",
    "announcement_preview",
    "announcement_publish",
    "announcement_rows",
    "announcement_template_save",
    "announcement_update",
]

NUMBER_MAX = 128
TEXT_MAX = 255
BODY_MAX = 20000
NIP_DIGITS = 18
ROW_COLUMNS = (
    "announcement_id",
    "order",
    "application_id",
    "formation_code",
    "number",
    "name",
    "figures",
    "total",
    "rank",
    "code",
    "note",
)
EDITABLE = (
    "number",
    "dated_on",
    "title",
    "body",
    "signatory_name",
    "signatory_title",
    "signatory_nip",
    "correction_reason",
)
"""The fields of a draft the committee may change, in the order its form shows them."""


@dataclass(frozen=True)
class Preview:
    """What publishing the draft now would publish, without writing anything."""

    source: Source
    columns: tuple[str, ...]
    formations: list[list[Any]]
    """[code, label, first order, row count, counts per code], as the announcement keeps it"""
    counts: dict[str, int]
    rows: list[tuple[int, Row]]
    """the first rows with their order"""
    row_count: int
    fingerprint: str
    rule_version: str
    title: str
    body: str
    """the body with its placeholders filled"""

    @property
    def passed(self) -> int:
        return sum(self.counts.get(code, 0) for code in PASSING_CODES[self.source.kind])


# Checks -----------------------------------------------------------------------------------------


def _require_committee(actor: Any, selection: Selection) -> None:
    if not user_can(actor, Capability.DECIDE_RESULTS, selection.agency_id):
        raise AnnouncementRefused(
            "forbidden", _("Only the committee of this agency may prepare announcements.")
        )


def _clean_fields(selection: Selection, fields: dict[str, Any], *, exclude: int | None) -> None:
    """Strip and check the draft's fields in place; raises AnnouncementRefused."""
    for name in ("number", "title", "signatory_name", "signatory_title", "signatory_nip"):
        if name in fields:
            fields[name] = " ".join(str(fields[name] or "").split())
    for name in ("body", "correction_reason"):
        if name in fields:
            fields[name] = str(fields[name] or "").strip()
    if "number" in fields:
        _check_number(selection, fields["number"], exclude=exclude)
    if "dated_on" in fields and not isinstance(fields["dated_on"], date):
        raise AnnouncementRefused("date_required", _("Give the announcement's date."))
    if "title" in fields:
        if not fields["title"]:
            raise AnnouncementRefused("title_required", _("Give the announcement a title."))
        if len(fields["title"]) > TEXT_MAX:
            raise AnnouncementRefused(
                "title_too_long",
                _("Shorten the title to at most %(max)d characters."),
                {"max": TEXT_MAX},
            )
    if "body" in fields:
        _check_body(fields["body"])
    if "signatory_name" in fields and not fields["signatory_name"]:
        raise AnnouncementRefused(
            "signatory_name_required", _("Give the name of the official who signs.")
        )
    if "signatory_title" in fields and not fields["signatory_title"]:
        raise AnnouncementRefused(
            "signatory_title_required",
            _("Give the position of the official who signs, for example Ketua Panitia."),
        )
    for name in ("signatory_name", "signatory_title"):
        if len(fields.get(name, "")) > TEXT_MAX:
            raise AnnouncementRefused(
                "signatory_too_long",
                _("Shorten the signatory's name and position to at most %(max)d characters."),
                {"max": TEXT_MAX},
            )
    nip = fields.get("signatory_nip", "").replace(" ", "")
    if "signatory_nip" in fields:
        if nip and not (nip.isdigit() and len(nip) == NIP_DIGITS):
            raise AnnouncementRefused(
                "nip_invalid",
                _("A NIP has %(digits)d digits; leave it empty if the signatory has none."),
                {"digits": NIP_DIGITS},
            )
        fields["signatory_nip"] = nip


def _check_number(selection: Selection, number: str, *, exclude: int | None) -> None:
    if not number:
        raise AnnouncementRefused(
            "number_required",
            _("Give the announcement's number, as on the signed letter."),
        )
    if len(number) > NUMBER_MAX:
        raise AnnouncementRefused(
            "number_too_long",
            _("Shorten the number to at most %(max)d characters."),
            {"max": NUMBER_MAX},
        )
    taken = Announcement.objects.published().filter(selection=selection, number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise AnnouncementRefused(
            "number_taken",
            _(
                "Announcement number %(number)s is already published in this selection; "
                "give this one its own number."
            ),
            {"number": number},
        )


def _check_body(body: str) -> None:
    if not body:
        raise AnnouncementRefused("body_required", _("Write the announcement's text."))
    if len(body) > BODY_MAX:
        raise AnnouncementRefused(
            "body_too_long",
            _("Shorten the text to at most %(max)d characters."),
            {"max": BODY_MAX},
        )
    template = string.Template(body)
    if not template.is_valid():
        raise AnnouncementRefused(
            "placeholder_invalid",
            _(
                "A $ sign must start a placeholder such as $selection; write $$ for a dollar "
                "sign itself."
            ),
        )
    unknown = sorted(set(template.get_identifiers()) - set(selectors.PLACEHOLDERS))
    if unknown:
        raise AnnouncementRefused(
            "placeholder_unknown",
            _("Unknown placeholder: %(names)s. Use only the placeholders listed under the text."),
            {"names": ", ".join(f"${name}" for name in unknown)},
        )


def _check_correction(
    selection: Selection, kind: str, corrects: Announcement | None, reason: str
) -> None:
    if corrects is None:
        return
    if corrects.selection_id != selection.pk or corrects.kind != kind:
        raise AnnouncementRefused(
            "correction_mismatch",
            _("A correction replaces an announcement of the same selection and the same kind."),
        )
    if not corrects.is_published:
        raise AnnouncementRefused(
            "correction_of_draft",
            _("Only a published announcement can be corrected; change the draft instead."),
        )
    later = (
        Announcement.objects.published()
        .filter(corrects=corrects)
        .values_list("number", flat=True)
        .first()
    )
    if later is not None:
        raise AnnouncementRefused(
            "already_corrected",
            _(
                "Announcement %(number)s has already been corrected by %(later)s; correct "
                "that one instead."
            ),
            {"number": corrects.number, "later": later},
        )
    if not reason:
        raise AnnouncementRefused("reason_required", _("Say what the correction changes and why."))


def _check_once(
    selection: Selection,
    kind: str,
    corrects: Announcement | None,
    source: Source,
    *,
    fingerprint: str = "",
) -> None:
    """One announcement per kind, unless it corrects the last one; replacements once per
    table (`fingerprint`, when known)."""
    if corrects is not None:
        return
    published = Announcement.objects.published().filter(selection=selection, kind=kind)
    if kind == Kind.REPLACEMENT:
        if fingerprint and published.filter(run=source.run, fingerprint=fingerprint).exists():
            raise AnnouncementRefused(
                "nothing_new",
                _(
                    "These replacements are already announced; confirm a new withdrawal "
                    "before announcing again, or draft a correction."
                ),
            )
        return
    number = published.order_by("-published_at").values_list("number", flat=True).first()
    if number is not None:
        raise AnnouncementRefused(
            "already_announced",
            _(
                "This result is already announced (announcement %(number)s). To change it, "
                "draft a correction of that announcement."
            ),
            {"number": number},
        )


# Drafts -----------------------------------------------------------------------------------------


def _title(kind: str, selection: Selection) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Announcement: %(kind)s, %(selection)s") % {
            "kind": Kind(kind).label,
            "selection": selection.title,
        }
        return str(title)[:TEXT_MAX]


@transaction.atomic
def announcement_draft(
    *,
    selection: Selection,
    kind: str,
    actor: Any,
    number: str,
    dated_on: date | None,
    signatory_name: str,
    signatory_title: str,
    signatory_nip: str = "",
    corrects: Announcement | None = None,
    correction_reason: str = "",
) -> Announcement:
    """A draft announcement of `kind` from the selection's current source of that kind, its
    title and body from the agency's template (or the shipped text)."""
    _require_committee(actor, selection)
    if kind not in Kind.values:
        raise AnnouncementRefused("unknown_kind", _("There is no such kind of announcement."))
    source = source_for(selection, kind)
    fields: dict[str, Any] = {
        "number": number,
        "dated_on": dated_on,
        "signatory_name": signatory_name,
        "signatory_title": signatory_title,
        "signatory_nip": signatory_nip,
        "correction_reason": correction_reason if corrects is not None else "",
    }
    _clean_fields(selection, fields, exclude=None)
    _check_correction(selection, kind, corrects, fields["correction_reason"])
    fingerprint = ""
    if kind == Kind.REPLACEMENT and corrects is None:
        table = table_for(source)
        for row in table.rows:
            table.tally.add(row)
        fingerprint = table.tally.fingerprint
    _check_once(selection, kind, corrects, source, fingerprint=fingerprint)
    return Announcement.objects.create(
        selection=selection,
        kind=kind,
        title=_title(kind, selection),
        body=selectors.template_body(selection.agency_id, kind),
        run=source.run,
        publication=source.publication,
        corrects=corrects,
        created_by=actor,
        **fields,
    )


def _locked_draft(announcement: Announcement) -> Announcement:
    locked = (
        Announcement.objects.select_for_update(of=("self",))
        .select_related("selection__agency", "run", "publication__selection", "corrects")
        .get(pk=announcement.pk)
    )
    return locked


def _refuse_published(announcement: Announcement) -> None:
    if announcement.is_published:
        raise AnnouncementRefused(
            "already_published",
            _(
                "Announcement %(number)s is already published and cannot change; draft a "
                "correction instead."
            ),
            {"number": announcement.number},
        )


@transaction.atomic
def announcement_update(*, announcement: Announcement, actor: Any, **fields: Any) -> Announcement:
    """Change a draft's number, date, title, body, signatory or correction reason."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    draft = _locked_draft(announcement)
    _require_committee(actor, draft.selection)
    _refuse_published(draft)
    if draft.corrects_id is None:
        fields.pop("correction_reason", None)
    _clean_fields(draft.selection, fields, exclude=draft.pk)
    if draft.corrects_id is not None and not fields.get("correction_reason", "-"):
        raise AnnouncementRefused("reason_required", _("Say what the correction changes and why."))
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.save(update_fields=list(fields))
    return draft


# Preview and publication ------------------------------------------------------------------------


def announcement_rows(announcement: Announcement) -> Any:
    """The rows the announcement's source gives now, in printed order (an iterator of
    `tables.Row`); a published announcement's rows are its stored `rows` instead."""
    return table_for(_source_of(announcement)).rows


def _source_of(announcement: Announcement) -> Source:
    return Source(announcement.kind, run=announcement.run, publication=announcement.publication)


def _long_date(value: date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(formats.date_format(value, "j F Y"))


def _filled(announcement: Announcement, *, participants: int, passed: int, formations: int) -> str:
    """The body with its placeholders filled, in the official language."""
    selection = announcement.selection
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "agency": selection.agency.name,
            "selection": selection.title,
            "stage": str(Kind(announcement.kind).label),
            "number": announcement.number,
            "date": _long_date(announcement.dated_on),
            "year": str(announcement.dated_on.year),
            "participants": str(participants),
            "passed": str(passed),
            "formations": str(formations),
        }
    return string.Template(announcement.body).safe_substitute(values)


def announcement_preview(*, announcement: Announcement) -> Preview:
    """What publishing would publish now: counts per code and per formation, the first rows,
    the row total, the fingerprint and the body as it will read. Writes nothing. Raises
    AnnouncementRefused when the draft's source is no longer current."""
    if announcement.is_published:
        raise AnnouncementRefused("already_published", _("This announcement is published."))
    source = _source_of(announcement)
    source_check(source, announcement.selection)
    table = table_for(source)
    first: list[tuple[int, Row]] = []
    for row in table.rows:
        order = table.tally.add(row)
        if order <= PREVIEW_ROWS:
            first.append((order, row))
    counts = table.tally.counts()
    formations = table.tally.formation_list()
    passed = sum(counts.get(code, 0) for code in PASSING_CODES[announcement.kind])
    return Preview(
        source=source,
        columns=table.columns,
        formations=formations,
        counts=counts,
        rows=first,
        row_count=table.tally.row_count,
        fingerprint=table.tally.fingerprint,
        rule_version=source.rule_version,
        title=announcement.title,
        body=_filled(
            announcement,
            participants=table.tally.row_count,
            passed=passed,
            formations=len(formations),
        ),
    )


def _numbers_match(typed: str, number: str) -> bool:
    def normal(text: str) -> str:
        return re.sub(r"\s+", "", text).casefold()

    return bool(typed) and normal(typed) == normal(number)


@transaction.atomic
def announcement_publish(
    *,
    announcement: Announcement,
    actor: Any,
    confirm_number: str,
    expected_fingerprint: str = "",
    site_url: str = "",
) -> Announcement:
    """Publish the draft: `confirm_number` must repeat its number (as shown in the preview);
    with `expected_fingerprint`, the rows must still be those previewed. Copies the rows,
    fills the body, marks it published once and records `announcement.published`. Returns
    the published announcement; raises AnnouncementRefused."""
    draft = _locked_draft(announcement)
    selection = draft.selection
    _require_committee(actor, selection)
    _refuse_published(draft)
    if not _numbers_match(confirm_number, draft.number):
        raise AnnouncementRefused(
            "number_mismatch",
            _("Type the announcement's number exactly as shown (%(number)s) to publish it."),
            {"number": draft.number},
        )
    source = _source_of(draft)
    source_check(source, selection)
    _check_number(selection, draft.number, exclude=draft.pk)
    if draft.corrects is not None:
        _check_correction(selection, draft.kind, draft.corrects, draft.correction_reason)
    table = table_for(source)
    tally = table.tally
    pk = draft.pk
    values = (
        (
            pk,
            tally.add(row),
            row.application_id,
            row.formation_code,
            row.number,
            row.name,
            list(row.figures),
            row.total,
            row.rank,
            row.code,
            row.note,
        )
        for row in table.rows
    )
    # The rows are read with a server-side cursor on PostgreSQL: a COPY cannot run while the
    # next rows are fetched on the same connection, so each batch is read, then copied.
    written = sum(
        rows_insert(AnnouncementRow, ROW_COLUMNS, batch) for batch in batched(values, CHUNK_SIZE)
    )
    fingerprint = tally.fingerprint
    if expected_fingerprint and expected_fingerprint != fingerprint:
        raise AnnouncementRefused(
            "changed_since_preview",
            _("The result has changed since the preview; read the new preview and publish again."),
        )
    _check_once(selection, draft.kind, draft.corrects, source, fingerprint=fingerprint)
    counts = tally.counts()
    formations = tally.formation_list()
    passed = sum(counts.get(code, 0) for code in PASSING_CODES[draft.kind])
    body = _filled(draft, participants=written, passed=passed, formations=len(formations))
    now = timezone.now()
    try:
        with transaction.atomic():
            updated = Announcement.objects.filter(pk=pk, published_at__isnull=True).update(
                published_at=now,
                published_by=actor,
                body=body,
                columns=list(table.columns),
                formations=formations,
                counts=counts,
                row_count=written,
                fingerprint=fingerprint,
                rule_version=source.rule_version,
            )
    except IntegrityError as error:
        raise AnnouncementRefused(
            "published_meanwhile",
            _(
                "Another announcement with this number or correcting the same one was just "
                "published; reload the page."
            ),
        ) from error
    if updated != 1:
        raise AnnouncementRefused(
            "already_published",
            _("This announcement was published meanwhile; nothing was published twice."),
        )
    draft.refresh_from_db()
    audit_record(
        actor=actor,
        action="announcement.published",
        subject=draft,
        reason=draft.correction_reason,
        rule_version=source.rule_version,
        details={
            "kind": draft.kind,
            "number": draft.number,
            "run": draft.run_id,
            "publication": draft.publication_id,
            "rows": written,
            "counts": counts,
            "fingerprint": fingerprint,
            "corrects": draft.corrects_id,
        },
    )
    _notify_listed(draft, site_url)
    public_content_changed()
    return draft


def _notify_listed(announcement: Announcement, site_url: str) -> int:
    """Tell everyone the announcement lists, with their own code: an inbox notice and an
    e-mail each, sent after the commit (`seleksi.notices`). Read a batch at a time, so a
    national announcement does not hold every applicant in memory at once."""
    rows = AnnouncementRow.objects.filter(announcement=announcement).values_list(
        "application_id", "application__applicant_id", "number", "code"
    )
    url = reverse("applicant:dashboard")
    added = 0
    for batch in batched(rows.order_by("order").iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        users = User.objects.only(*RECIPIENT_FIELDS).in_bulk({row[1] for row in batch})
        added += notify_many(
            recipients=(
                (
                    users[applicant_id],
                    f"announcement.published:{announcement.pk}:{application_id}",
                    {
                        "number": number,
                        "code": code,
                        "announcement": announcement.number,
                        "title": announcement.title,
                    },
                    url,
                )
                for application_id, applicant_id, number, code in batch
            ),
            template="announcement_published",
            selection=announcement.selection,
            site_url=site_url,
        )
    return added


# Templates --------------------------------------------------------------------------------------


@transaction.atomic
def announcement_template_save(
    *, agency: Agency, kind: str, body: str, actor: Any
) -> AnnouncementTemplate:
    """Store the agency's body text for `kind`; later drafts of that kind start from it."""
    if not user_can(actor, Capability.DECIDE_RESULTS, agency.pk):
        raise AnnouncementRefused(
            "forbidden", _("Only the committee of this agency may change its templates.")
        )
    if kind not in Kind.values:
        raise AnnouncementRefused("unknown_kind", _("There is no such kind of announcement."))
    body = body.strip()
    _check_body(body)
    template, created = AnnouncementTemplate.objects.update_or_create(
        agency=agency, kind=kind, defaults={"body": body, "updated_by": actor}
    )
    audit_record(
        actor=actor,
        action="announcement.template_saved",
        subject=template,
        details={"kind": kind, "created": created, "characters": len(body)},
    )
    return template
