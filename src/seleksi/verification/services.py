"""Writes for the administrative selection and the objection period.

Every step checks who may take it (agency capabilities), whether the application is in a
state that allows it (`rules.verification.can_move`), and records an audit event with the
reason; applicants are told (an inbox notice and an e-mail, `seleksi.notices`) after the
transaction commits.

Verification owns an application's administrative state (`admin_stage`, `admin_result`,
`published_result`). The columns sit on the application row, because the queue, the single
UPDATE of a publication and the ranking read them with the application; but only these
services write them, with the values of `rules.verification`, and database constraints refuse
any other spelling. Every application starts WAITING, so submission (an earlier stage) never
spells verification's state. Refusals are `VerificationRefused` with a message from REFUSALS.
"""

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import batched
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from seleksi.accounts.models import User
from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.files import check_upload
from seleksi.applications.models import Application
from seleksi.applications.storage import display_name, stored_files, stored_name
from seleksi.audit.services import AuditSubject, audit_record, audit_record_many
from seleksi.core.errors import ServiceRefused
from seleksi.core.public_cache import public_content_changed
from seleksi.notices.services import RECIPIENT_FIELDS, localized, notify, notify_many
from seleksi.rules.verification import (
    ItemMark,
    Mark,
    Stage,
    Window,
    answer_deadline,
    can_move,
    checklist_problems,
    objection_window,
    overall,
)
from seleksi.selections.models import Selection
from seleksi.selections.models import Stage as ScheduleStage

from . import selectors
from .models import (
    Objection,
    ObjectionEvidence,
    Publication,
    RejectionReason,
    Review,
    ReviewItem,
)

CLAIM_MINUTES = 30
UPDATE_CHUNK = 5000
CLAIMABLE_STAGES = frozenset({Stage.WAITING, Stage.DECIDED, Stage.CHECKED})
DATA_ITEM = selectors.DATA_ITEM
REASONS_FILE = Path(__file__).parent / "data" / "rejection_reasons.json"
DEFAULT_EVIDENCE_LIMIT_KB = 800  # seed 003: "others PDF <= 800 KB"; used without document rules
OBJECTION_REASON_MIN_CHARACTERS = 20


REFUSALS = {
    "forbidden": _("You may not do this for this agency."),
    "claimed_by_another": _(
        "Another verifier is checking this application right now; choose another one."
    ),
    "claim_required": _(
        "Take this application to check before saving; an expired hold must be taken again."
    ),
    "second_check_by_another": _("The second check must be done by another verifier."),
    "checklist": _(
        "Mark every requirement; a TMS needs a reason from the list, and the result must "
        "follow from the marks."
    ),
    "unknown_reason": _("Choose a reason from the list."),
    "not_allowed_now": _(
        "This step is not possible at this stage; a published result changes only through an "
        "objection."
    ),
    "undecided": _("Not every submitted application has been checked yet (%s left)."),
    "before_schedule": _("The schedule publishes this result on %s."),
    "already_published": _("This result has already been published."),
    "identity_claim_required": _(
        "Take this application to check before showing the full NIK and KK."
    ),
    "not_published_yet": _("Publish the administrative result first."),
    "objections_pending": _("%s objections still wait for an answer."),
    "objection_window_open": _(
        "The objection period runs until %s; publish the final result after it."
    ),
    "already_answered": _("This objection has already been answered."),
    "answer_required": _("Write the answer the applicant will read."),
    "no_verifiers": _("This agency has no verifiers yet."),
    "not_a_verifier": _("That person is not a verifier of this agency."),
    "not_submitted": _("Only submitted applications are verified."),
    "already_objected": _("You have already filed an objection; one is allowed."),
    "window_closed": _("The objection period is not open."),
    "reason_too_short": _("Explain in at least 20 characters why the result is wrong."),
    "bad_evidence": _(
        "The evidence file %(file)s is not a valid PDF or JPEG of at most %(limit)d KB; nothing "
        "was saved."
    ),
}


class VerificationRefused(ServiceRefused):
    """A verification step the rules do not allow now; `detail` fills the message's
    placeholders, or says for a test or a log which item or move was refused. A refused
    checklist also names its `problems`, (problem, item) pairs, so the page can mark each
    field that needs the verifier's attention."""

    messages = REFUSALS

    def __init__(
        self,
        code: str,
        detail: object = "",
        *,
        problems: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(code, params=detail)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class LongDate:
    """A date in a refusal, written the reader's way ("4 Desember 2026", "4 December 2026")
    when the message is shown rather than when the service refused."""

    day: date

    def __str__(self) -> str:
        return date_format(self.day, "j F Y")


def _stage(application: Application) -> Stage:
    return Stage(application.admin_stage)


def _move(application: Application, target: Stage) -> None:
    if not can_move(_stage(application), target):
        raise VerificationRefused("not_allowed_now", f"{application.admin_stage}->{target}")
    application.admin_stage = target


def _require(user: Any, capability: Capability, selection: Selection) -> None:
    if not user_can(user, capability, selection.agency_id):
        raise VerificationRefused("forbidden")


@cache
def default_reasons(kind: str) -> tuple[tuple[str, str], ...]:
    """The TMS reasons (code, text) a selection of this kind starts with: a civil-servant
    selection's differ from a mitra recruitment's, whose announcement asks for other
    documents and only prefers most criteria. Data in `data/rejection_reasons.json`."""
    lists = json.loads(REASONS_FILE.read_text(encoding="utf-8"))
    return tuple((code, text) for code, text in lists[kind])


def reasons_ensure(selection: Selection) -> None:
    """Give a selection without a list of TMS reasons the defaults of its kind. Called by the
    writes that start verification (assignment, a claim); idempotent when two run at once,
    because the unique (selection, code) constraint drops the second insert."""
    if RejectionReason.objects.filter(selection=selection).exists():
        return
    RejectionReason.objects.bulk_create(
        (
            RejectionReason(selection=selection, code=code, text=text, order=order)
            for order, (code, text) in enumerate(default_reasons(selection.kind), start=1)
        ),
        ignore_conflicts=True,
    )


def checklist(application: Application) -> list[tuple[str, str]]:
    """The requirements a verifier marks: the applicant's data, then each document slot,
    with their labels in the active language."""
    return [(code, str(label)) for code, label in selectors.checklist(application.selection)]


# --- assignment and claims ---------------------------------------------------------------


def _update_in_chunks(pks: Sequence[int], **values: Any) -> int:
    """One UPDATE per chunk of primary keys (a statement's parameters are bounded)."""
    updated = 0
    for chunk in batched(pks, UPDATE_CHUNK):
        updated += Application.objects.filter(pk__in=chunk).update(**values)
    return updated


@transaction.atomic
def application_assign(*, applications: Iterable[Application], verifier: User, actor: Any) -> int:
    """Hand the chosen applications to one verifier: one UPDATE and one batch of audit
    events, however many were chosen."""
    rows = list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk__in=[application.pk for application in applications])
        .order_by("pk")
        .values_list("pk", "number", "selection_id", "selection__agency_id", "admin_stage")
    )
    selections = sorted({(selection_id, agency_id) for _, _, selection_id, agency_id, _ in rows})
    for _selection_id, agency_id in selections:
        if not user_can(actor, Capability.DECIDE_RESULTS, agency_id):
            raise VerificationRefused("forbidden")
        if not user_can(verifier, Capability.VERIFY_APPLICATIONS, agency_id):
            raise VerificationRefused("not_a_verifier")
    for _pk, _number, _selection_id, _agency_id, admin_stage in rows:
        if Stage(admin_stage) not in CLAIMABLE_STAGES:
            raise VerificationRefused("not_allowed_now", admin_stage)
    _update_in_chunks([row[0] for row in rows], assigned_to=verifier)
    for selection_id, agency_id in selections:
        audit_record_many(
            actor=actor,
            action="verification.assigned",
            model=Application,
            subjects=(
                AuditSubject(pk, number, {"verifier": verifier.pk})
                for pk, number, row_selection_id, _agency_id, _stage in rows
                if row_selection_id == selection_id
            ),
            agency_id=agency_id,
            selection_id=selection_id,
        )
    return len(rows)


@transaction.atomic
def application_assign_evenly(
    *, selection: Selection, verifiers: Sequence[User], actor: Any
) -> Counter[int]:
    """Share the unassigned, undecided applications out in turn, fewest-loaded first: one
    UPDATE per verifier (per chunk of applications), not one per application."""
    _require(actor, Capability.DECIDE_RESULTS, selection)
    if not verifiers:
        raise VerificationRefused("no_verifiers")
    for verifier in verifiers:
        if not user_can(verifier, Capability.VERIFY_APPLICATIONS, selection.agency_id):
            raise VerificationRefused("not_a_verifier")
    reasons_ensure(selection)
    waiting = list(
        Application.objects.select_for_update(of=("self",))
        .filter(selection=selection, status=Application.Status.SUBMITTED, assigned_to=None)
        .filter(admin_stage=Stage.WAITING)
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)
    )
    load: Counter[int] = Counter({verifier.pk: 0 for verifier in verifiers})
    for row in (
        Application.objects.filter(selection=selection, assigned_to__in=list(load))
        .exclude(admin_stage__in=[Stage.PUBLISHED, Stage.FINAL])
        .values("assigned_to")
        .annotate(n=Count("id"))
    ):
        load[row["assigned_to"]] = row["n"]
    handed: dict[int, list[int]] = {verifier_pk: [] for verifier_pk in load}
    for application_pk in waiting:
        verifier_pk = min(load, key=lambda pk: (load[pk], pk))
        handed[verifier_pk].append(application_pk)
        load[verifier_pk] += 1
    for verifier_pk, pks in handed.items():
        _update_in_chunks(pks, assigned_to_id=verifier_pk)
    counts = Counter({verifier_pk: len(pks) for verifier_pk, pks in handed.items() if pks})
    audit_record(
        actor=actor,
        action="verification.assigned",
        subject=selection,
        details={"handed": {str(k): v for k, v in counts.items()}},
    )
    return counts


@transaction.atomic
def application_claim(*, application: Application, verifier: User) -> Review:
    """Take an application to check (an explicit action, never a page view); another
    verifier's live claim refuses it. With a second check required, a decided application is
    confirmed by someone other than its decider."""
    _require(verifier, Capability.VERIFY_APPLICATIONS, application.selection)
    locked = (
        Application.objects.select_for_update().select_related("selection").get(pk=application.pk)
    )
    if locked.status != Application.Status.SUBMITTED:
        raise VerificationRefused("not_submitted")
    stage = _stage(locked)
    if stage not in CLAIMABLE_STAGES:
        raise VerificationRefused("not_allowed_now", str(locked.admin_stage))
    reasons_ensure(locked.selection)
    now = timezone.now()
    until = now + timedelta(minutes=CLAIM_MINUTES)
    open_review = Review.objects.filter(application=locked, finished_at=None).first()
    if open_review is not None:
        if open_review.verifier_id != verifier.pk and open_review.claimed_until > now:
            raise VerificationRefused("claimed_by_another")
        if open_review.kind == Review.Kind.CONFIRMATION:
            latest = selectors.latest_decision(locked)
            if latest is not None and latest.verifier_id == verifier.pk:
                raise VerificationRefused("second_check_by_another")
        # Renew one's own claim, or take over an expired one: nothing was decided in it yet.
        open_review.verifier = verifier
        open_review.claimed_until = until
        open_review.save(update_fields=["verifier", "claimed_until"])
        return open_review
    confirmation = stage == Stage.DECIDED and locked.selection.require_second_check
    if confirmation:
        latest = selectors.latest_decision(locked)
        if latest is not None and latest.verifier_id == verifier.pk:
            raise VerificationRefused("second_check_by_another")
    last_round = (
        Review.objects.filter(application=locked).order_by("-round").values_list("round", flat=True)
    ).first() or 0
    return Review.objects.create(
        application=locked,
        round=last_round + 1,
        kind=Review.Kind.CONFIRMATION if confirmation else Review.Kind.DECISION,
        verifier=verifier,
        claimed_until=until,
    )


IDENTITY_VIEW_PURPOSE = "pemeriksaan administrasi"


@dataclass(frozen=True)
class Identity:
    nik: str
    kk: str


def application_identity_reveal(*, application: Application, verifier: User) -> Identity:
    """The applicant's full NIK and KK, for a verifier comparing them with the identity
    documents: only for the one who holds the application to check, and every showing is
    audited with its purpose (the numbers themselves are never recorded)."""
    _require(verifier, Capability.VERIFY_APPLICATIONS, application.selection)
    claim = selectors.live_claim(application)
    if claim is None or claim.verifier_id != verifier.pk:
        raise VerificationRefused("identity_claim_required")
    applicant = application.applicant
    audit_record(
        actor=verifier,
        action="application.identity_viewed",
        subject=application,
        reason=IDENTITY_VIEW_PURPOSE,
        details={"fields": ["nik", "kk"], "round": claim.round},
    )
    return Identity(nik=applicant.nik, kk=applicant.kk)


@dataclass(frozen=True)
class MarkInput:
    item: str
    mark: str
    reason_code: str = ""
    note: str = ""


def _validated_marks(
    marks: Sequence[MarkInput], items: list[str], reasons: dict[str, RejectionReason]
) -> list[ItemMark]:
    seen: set[str] = set()
    for mark in marks:
        if mark.item not in items or mark.item in seen or mark.mark not in {Mark.MS, Mark.TMS}:
            raise VerificationRefused("checklist", mark.item, problems=[("unmarked", mark.item)])
        seen.add(mark.item)
        if mark.reason_code and mark.reason_code not in reasons:
            raise VerificationRefused(
                "unknown_reason", mark.reason_code, problems=[("unknown_reason", mark.item)]
            )
    return [ItemMark(m.item, Mark(m.mark), m.reason_code) for m in marks]


@transaction.atomic
def application_decide(
    *,
    application: Application,
    verifier: User,
    marks: Sequence[MarkInput],
    claimed_result: str | None = None,
    note: str = "",
) -> Application:
    """Record a verifier's checklist. The result follows from the marks; a TMS needs a reason
    from the list. A confirmation that agrees makes the result final (checked); one that
    disagrees becomes the decision, to be confirmed by yet another verifier."""
    _require(verifier, Capability.VERIFY_APPLICATIONS, application.selection)
    locked = (
        Application.objects.select_for_update().select_related("selection").get(pk=application.pk)
    )
    if _stage(locked) not in {Stage.WAITING, Stage.DECIDED, Stage.CHECKED}:
        raise VerificationRefused("not_allowed_now", str(locked.admin_stage))
    review = Review.objects.filter(application=locked, finished_at=None).first()
    if review is None or review.verifier_id != verifier.pk or review.claimed_until < timezone.now():
        raise VerificationRefused("claim_required")
    reasons = {r.code: r for r in selectors.reasons(locked.selection)}
    items = [code for code, _label in checklist(locked)]
    pure = _validated_marks(marks, items, reasons)
    if claimed_result is not None and claimed_result not in {Mark.MS, Mark.TMS}:
        raise VerificationRefused("checklist", "result")
    problems = checklist_problems(items, pure, Mark(claimed_result) if claimed_result else None)
    if problems:
        raise VerificationRefused(
            "checklist",
            "; ".join(f"{p}:{i}" for p, i in problems),
            problems=[(str(p), i) for p, i in problems],
        )
    result = overall(pure)
    confirming = review.kind == Review.Kind.CONFIRMATION
    agrees = confirming and result == Mark(locked.admin_result)
    final = agrees or not locked.selection.require_second_check
    _move(locked, Stage.CHECKED if final else Stage.DECIDED)
    for mark in marks:
        ReviewItem.objects.create(
            review=review,
            item=mark.item,
            mark=mark.mark,
            reason=reasons.get(mark.reason_code) if mark.mark == Mark.TMS else None,
            note=mark.note,
        )
    now = timezone.now()
    review.result = result
    review.note = note
    review.finished_at = now
    review.claimed_until = now  # the claim ends with the decision
    review.save()
    locked.admin_result = result
    locked.save(update_fields=["admin_stage", "admin_result"])
    if confirming:
        action = (
            "verification.second_check_agreed" if agrees else "verification.second_check_disagreed"
        )
    else:
        action = "verification.decided"
    with translation.override(settings.LANGUAGE_CODE):
        labels = dict(checklist(locked))
    audit_record(
        actor=verifier,
        action=action,
        subject=locked,
        reason="; ".join(
            f"{labels[m.item]}: {reasons[m.reason_code].text}" + (f" ({m.note})" if m.note else "")
            for m in marks
            if m.mark == Mark.TMS and m.reason_code in reasons
        ),
        rule_version=locked.selection.policy_code,
        details={
            "result": str(result),
            "round": review.round,
            "marks": {m.item: m.mark for m in marks},
        },
    )
    return locked


# --- publication -------------------------------------------------------------------------


OUTCOMES = {
    Objection.Status.ACCEPTED: _("accepted"),
    Objection.Status.REJECTED: _("rejected"),
}
EVENTS: dict[str, str] = {
    Publication.Kind.ADMINISTRATIVE: "verification.published",
    Publication.Kind.POST_OBJECTION: "verification.objection_answered",
}


def _notify_many(
    template: str,
    publication: Publication,
    site_url: str,
    recipients: Iterable[tuple[int, int, str]],
) -> int:
    """Tell each (application id, applicant id, registration number) that `publication`
    concerns them: an inbox notice and an e-mail in their language, sent after the commit."""
    rows = list(recipients)
    users = User.objects.only(*RECIPIENT_FIELDS).in_bulk(
        {applicant_id for _, applicant_id, _ in rows}
    )
    return notify_many(
        recipients=(
            (
                users[applicant_id],
                f"{EVENTS[publication.kind]}:{application_id}:{publication.pk}",
                {"number": number},
                reverse("applicant:detail", args=[number]),
            )
            for application_id, applicant_id, number in rows
        ),
        template=template,
        selection=publication.selection,
        site_url=site_url,
    )


def _schedule_dates(selection: Selection, kind: str) -> tuple[Any, Any]:
    stage = selection.stages.filter(kind=kind).first()
    return (stage.starts_on, stage.ends_on) if stage else (None, None)


def _published(selection: Selection, kind: str) -> bool:
    return Publication.objects.filter(selection=selection, kind=kind).exists()


def _refuse_moves(stages: Iterable[str], target: Stage) -> None:
    for stage in set(stages):
        if not can_move(Stage(stage), target):
            raise VerificationRefused("not_allowed_now", f"{stage}->{target}")


def publication_preview(
    *, selection: Selection, actor: Any, after_objections: bool = False
) -> dict[str, int]:
    """What a publication would announce (`total`, `ms`, `tms`), for the committee to confirm
    before an act that cannot be undone. Refuses at once what the publication would refuse
    (who asks, already published, applications not checked or objections not answered); the
    publication checks the rest (the schedule, the objection period)."""
    _require(actor, Capability.DECIDE_RESULTS, selection)
    if after_objections and not selectors.is_published(selection, after_objections=False):
        raise VerificationRefused("not_published_yet")
    if selectors.is_published(selection, after_objections=after_objections):
        raise VerificationRefused("already_published")
    preview = selectors.publication_preview(selection, after_objections=after_objections)
    if preview["waiting"]:
        code = "objections_pending" if after_objections else "undecided"
        raise VerificationRefused(code, str(preview["waiting"]))
    return preview


@transaction.atomic
def result_publish(*, selection: Selection, actor: Any, site_url: str = "") -> Publication:
    """Publish the administrative result: every submitted application must be checked. One
    UPDATE moves them all; the statements do not grow with the number of applications
    (beyond the batches of audit events and e-mails)."""
    _require(actor, Capability.DECIDE_RESULTS, selection)
    if Publication.objects.filter(
        selection=selection, kind=Publication.Kind.ADMINISTRATIVE
    ).exists():
        raise VerificationRefused("already_published")
    start, _end = _schedule_dates(selection, ScheduleStage.Kind.ADMINISTRATIVE)
    today = selection.agency.today()
    submitted = Application.objects.filter(selection=selection, status=Application.Status.SUBMITTED)
    rows = list(
        submitted.select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", "number", "admin_stage", "admin_result", "applicant_id")
    )
    unchecked = selectors.to_check_before_publication(selection).count()
    if unchecked:
        raise VerificationRefused("undecided", str(unchecked))
    if start and today < start:
        raise VerificationRefused("before_schedule", LongDate(start))
    _refuse_moves((row[2] for row in rows), Stage.PUBLISHED)
    updated = submitted.filter(admin_stage=Stage.CHECKED).update(
        admin_stage=Stage.PUBLISHED,
        published_result=F("admin_result"),
        published_at=timezone.now(),
    )
    if updated != len(rows):
        raise VerificationRefused("not_allowed_now", "changed while publishing")
    audit_record_many(
        actor=actor,
        action="verification.published",
        model=Application,
        subjects=(
            AuditSubject(pk, number, {"result": result}) for pk, number, _, result, _ in rows
        ),
        agency_id=selection.agency_id,
        selection_id=selection.pk,
        rule_version=selection.policy_code,
    )
    publication = Publication.objects.create(
        selection=selection,
        kind=Publication.Kind.ADMINISTRATIVE,
        published_by=actor,
        counts=dict(Counter(row[3] for row in rows)),
    )
    _notify_many(
        "administrative_result",
        publication,
        site_url,
        ((pk, applicant_id, number) for pk, number, _, _, applicant_id in rows),
    )
    public_content_changed()
    return publication


def evidence_limit_kb(selection: Selection) -> int:
    """Evidence follows the selection's own document limits: the largest slot's size."""
    sizes = [rule.max_size_kb for rule in selection.document_rules.all()]
    return max(sizes) if sizes else DEFAULT_EVIDENCE_LIMIT_KB


def window_for(application: Application) -> Window | None:
    if application.published_at is None:
        return None
    return objection_window(
        application.selection.agency.date_of(application.published_at),
        days=application.selection.objection_days,
        scheduled=_schedule_dates(application.selection, ScheduleStage.Kind.OBJECTION),
    )


def objection_file(
    *, application: Application, user: User, reason: str, files: Sequence[UploadedFile[bytes]]
) -> Objection:
    """One objection per TMS application, inside the window, with a written reason. Evidence
    is stored under a name of its own type and removed again if the objection is not saved."""
    with stored_files() as store:
        locked = (
            Application.objects.select_for_update()
            .select_related("selection__agency")
            .get(pk=application.pk)
        )
        if locked.applicant_id != user.pk:
            raise VerificationRefused("forbidden")
        if Objection.objects.filter(application=locked).exists():
            raise VerificationRefused("already_objected")
        if locked.published_result != Mark.TMS or _stage(locked) != Stage.PUBLISHED:
            raise VerificationRefused("not_allowed_now", str(locked.admin_stage))
        window = window_for(locked)
        if window is None or not window.contains(locked.selection.agency.today()):
            raise VerificationRefused("window_closed")
        if len(reason.strip()) < OBJECTION_REASON_MIN_CHARACTERS:
            raise VerificationRefused("reason_too_short")
        checked = []
        limit_kb = evidence_limit_kb(locked.selection)
        for upload in files:
            content = upload.read(limit_kb * 1024 + 1)
            expected = "jpeg" if content[:3] == b"\xff\xd8\xff" else "pdf"
            check = check_upload(content, expected=expected, max_bytes=limit_kb * 1024)
            shown = display_name(upload.name, "bukti")
            if not check.ok:
                raise VerificationRefused("bad_evidence", {"file": shown, "limit": limit_kb})
            checked.append((shown, content, check))
        _move(locked, Stage.OBJECTED)
        locked.save(update_fields=["admin_stage"])
        objection = Objection.objects.create(
            application=locked, reason=reason.strip(), answer_due_on=answer_deadline(window)
        )
        for shown, content, check in checked:
            name = stored_name("sanggah", locked.selection_id, check.detected)
            ObjectionEvidence.objects.create(
                objection=objection,
                file=store(name, content),
                original_name=shown,
                size=len(content),
                sha256=check.sha256,
            )
        audit_record(
            actor=user,
            action="objection.filed",
            subject=locked,
            reason=reason.strip()[:500],
            details={"evidence": len(checked)},
        )
    return objection


@transaction.atomic
def objection_answer(
    *, objection: Objection, actor: Any, accepted: bool, answer: str, site_url: str = ""
) -> Objection:
    application = (
        Application.objects.select_for_update()
        .select_related("selection")
        .get(pk=objection.application_id)
    )
    _require(actor, Capability.DECIDE_RESULTS, application.selection)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != Objection.Status.FILED:
        raise VerificationRefused("already_answered")
    if not answer.strip():
        raise VerificationRefused("answer_required")
    _move(application, Stage.ANSWERED)
    if accepted:
        application.admin_result = Mark.MS
    application.save(update_fields=["admin_stage", "admin_result"])
    objection.status = Objection.Status.ACCEPTED if accepted else Objection.Status.REJECTED
    objection.answer = answer.strip()
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    audit_record(
        actor=actor,
        action="objection.accepted" if accepted else "objection.rejected",
        subject=application,
        reason=answer.strip(),
        rule_version=application.selection.policy_code,
    )
    notify(
        user=application.applicant,
        event=f"objection.answered:{objection.pk}",
        template="objection_decided",
        context={
            "number": application.number,
            "outcome": localized(str, OUTCOMES[objection.status]),
            "answer": objection.answer,
        },
        url=reverse("applicant:detail", args=[application.number]),
        selection=application.selection,
        site_url=site_url,
    )
    return objection


@transaction.atomic
def result_publish_after_objections(
    *, selection: Selection, actor: Any, site_url: str = ""
) -> Publication:
    _require(actor, Capability.DECIDE_RESULTS, selection)
    if not Publication.objects.filter(
        selection=selection, kind=Publication.Kind.ADMINISTRATIVE
    ).exists():
        raise VerificationRefused("not_published_yet")
    if Publication.objects.filter(
        selection=selection, kind=Publication.Kind.POST_OBJECTION
    ).exists():
        raise VerificationRefused("already_published")
    pending = Objection.objects.filter(
        application__selection=selection, status=Objection.Status.FILED
    ).count()
    if pending:
        raise VerificationRefused("objections_pending", str(pending))
    today = selection.agency.today()
    first_tms = (
        Application.objects.filter(selection=selection, published_result=Mark.TMS)
        .exclude(published_at=None)
        .select_related("selection__agency")
        .first()
    )
    window = window_for(first_tms) if first_tms else None
    if window is not None and today <= window.closes_on:
        raise VerificationRefused("objection_window_open", LongDate(window.closes_on))
    rows = list(
        Application.objects.select_for_update(of=("self",))
        .filter(selection=selection, admin_stage__in=[Stage.PUBLISHED, Stage.ANSWERED])
        .order_by("pk")
        .values_list(
            "pk", "number", "admin_stage", "admin_result", "published_result", "applicant_id"
        )
    )
    _refuse_moves((row[2] for row in rows), Stage.FINAL)
    in_selection = Application.objects.filter(selection=selection)
    final = {"admin_stage": Stage.FINAL, "published_result": F("admin_result")}
    updated = in_selection.filter(admin_stage=Stage.ANSWERED).update(
        **final, published_at=timezone.now()
    )
    updated += in_selection.filter(admin_stage=Stage.PUBLISHED).update(**final)
    if updated != len(rows):
        raise VerificationRefused("not_allowed_now", "changed while publishing")
    answered = [row for row in rows if row[2] == Stage.ANSWERED]
    for action, group in (
        ("verification.published_after_objection", answered),
        ("verification.final", [row for row in rows if row[2] != Stage.ANSWERED]),
    ):
        audit_record_many(
            actor=actor,
            action=action,
            model=Application,
            subjects=(
                AuditSubject(pk, number, {"result": result, "changed": before != result})
                for pk, number, _, result, before, _ in group
            ),
            agency_id=selection.agency_id,
            selection_id=selection.pk,
        )
    publication = Publication.objects.create(
        selection=selection,
        kind=Publication.Kind.POST_OBJECTION,
        published_by=actor,
        counts=dict(Counter(row[3] for row in rows)),
    )
    _notify_many(
        "objection_result",
        publication,
        site_url,
        ((pk, applicant_id, number) for pk, number, *_, applicant_id in answered),
    )
    public_content_changed()
    return publication


def overdue_objections(selection: Selection) -> QuerySet[Objection]:
    return Objection.objects.filter(
        application__selection=selection,
        status=Objection.Status.FILED,
        answer_due_on__lt=selection.agency.today(),
    )
