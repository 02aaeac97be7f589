"""Writes for the administrative selection and the objection period.

Every step checks who may take it (agency capabilities), whether the application is in a
state that allows it (`rules.verification.can_move`), and records an audit event with the
reason; applicants are told by e-mail after the transaction commits.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.accounts.tasks import send_account_email
from seleksi.agencies.permissions import Capability, user_can
from seleksi.applications.files import check_upload
from seleksi.applications.models import Application
from seleksi.audit.services import audit_record
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

from .models import (
    Objection,
    ObjectionEvidence,
    Publication,
    RejectionReason,
    Review,
    ReviewItem,
)

CLAIM_MINUTES = 30
DATA_ITEM = "data"
DEFAULT_REASONS = (
    ("ijazah-tidak-sesuai", "Ijazah tidak sesuai kualifikasi pendidikan formasi"),
    ("str-tidak-berlaku", "STR tidak berlaku pada saat pendaftaran"),
    ("akreditasi", "Akreditasi program studi tidak memenuhi pada saat kelulusan"),
    ("ipk", "IPK di bawah ketentuan"),
    ("usia", "Usia tidak memenuhi ketentuan"),
    ("dokumen-tidak-terbaca", "Dokumen tidak terbaca atau tidak jelas"),
    ("dokumen-salah", "Dokumen yang diunggah bukan dokumen yang diminta"),
    ("tidak-bermeterai", "Surat lamaran/pernyataan tidak ditandatangani di atas meterai"),
    ("pas-foto", "Pas foto tidak sesuai ketentuan (4×6, latar merah)"),
    ("swafoto", "Swafoto tidak memperlihatkan wajah, KTP dan kartu informasi akun"),
    ("data-tidak-sesuai", "Data yang diisi tidak sesuai dengan dokumen"),
    ("lainnya", "Lainnya (lihat keterangan)"),
)
DEFAULT_EVIDENCE_LIMIT_KB = 800  # seed 003: "others PDF <= 800 KB"; used without document rules
OBJECTION_REASON_MIN_CHARACTERS = 20


class VerificationRefused(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def _stage(application: Application) -> Stage:
    return Stage(application.admin_stage or Stage.WAITING)


def _move(application: Application, target: Stage) -> None:
    if not can_move(_stage(application), target):
        raise VerificationRefused("not_allowed_now", f"{application.admin_stage}->{target}")
    application.admin_stage = target


def _require(user: Any, capability: Capability, selection: Selection) -> None:
    if not user_can(user, capability, selection.agency_id):
        raise VerificationRefused("forbidden")


def reasons_for(selection: Selection) -> QuerySet[RejectionReason]:
    """The selection's TMS reasons; a selection without a list gets the common ones."""
    if not RejectionReason.objects.filter(selection=selection).exists():
        RejectionReason.objects.bulk_create(
            RejectionReason(selection=selection, code=code, text=text, order=order)
            for order, (code, text) in enumerate(DEFAULT_REASONS, start=1)
        )
    return RejectionReason.objects.filter(selection=selection, is_active=True)


def checklist(application: Application) -> list[tuple[str, str]]:
    """The requirements a verifier marks: the applicant's data, then each document slot."""
    items = [(DATA_ITEM, "Data pelamar sesuai dokumen dan persyaratan formasi")]
    items += [(rule.code, rule.name) for rule in application.selection.document_rules.all()]
    return items


# --- assignment and claims ---------------------------------------------------------------


@transaction.atomic
def assign(*, applications: Iterable[Application], verifier: User, actor: Any) -> int:
    count = 0
    for application in applications:
        _require(actor, Capability.DECIDE_RESULTS, application.selection)
        if not user_can(verifier, Capability.VERIFY_APPLICATIONS, application.selection.agency_id):
            raise VerificationRefused("not_a_verifier")
        if _stage(application) not in {Stage.WAITING, Stage.DECIDED, Stage.CHECKED}:
            raise VerificationRefused("not_allowed_now", str(application.admin_stage))
        application.assigned_to = verifier
        application.save(update_fields=["assigned_to"])
        audit_record(
            actor=actor,
            action="verification.assigned",
            subject=application,
            details={"verifier": verifier.pk},
        )
        count += 1
    return count


@transaction.atomic
def assign_evenly(*, selection: Selection, verifiers: Sequence[User], actor: Any) -> Counter[int]:
    """Share the unassigned, undecided applications out in turn, fewest-loaded first."""
    _require(actor, Capability.DECIDE_RESULTS, selection)
    if not verifiers:
        raise VerificationRefused("no_verifiers")
    for verifier in verifiers:
        if not user_can(verifier, Capability.VERIFY_APPLICATIONS, selection.agency_id):
            raise VerificationRefused("not_a_verifier")
    waiting = Application.objects.filter(
        selection=selection, status=Application.Status.SUBMITTED, assigned_to=None
    ).filter(Q(admin_stage="") | Q(admin_stage=Stage.WAITING))
    load = Counter(
        {
            verifier.pk: Application.objects.filter(selection=selection, assigned_to=verifier)
            .exclude(admin_stage__in=[Stage.PUBLISHED, Stage.FINAL])
            .count()
            for verifier in verifiers
        }
    )
    handed: Counter[int] = Counter()
    for application_pk in waiting.order_by("submitted_at", "pk").values_list("pk", flat=True):
        verifier_pk = min(load, key=lambda pk: (load[pk], pk))
        Application.objects.filter(pk=application_pk).update(assigned_to_id=verifier_pk)
        load[verifier_pk] += 1
        handed[verifier_pk] += 1
    audit_record(
        actor=actor,
        action="verification.assigned",
        subject=selection,
        details={"handed": {str(k): v for k, v in handed.items()}},
    )
    return handed


def _latest_decision(application: Application) -> Review | None:
    return (
        Review.objects.filter(application=application, finished_at__isnull=False)
        .order_by("-round")
        .first()
    )


@transaction.atomic
def claim(*, application: Application, verifier: User) -> Review:
    """Take an application to check; another verifier's live claim refuses it. With a second
    check required, a decided application is confirmed by someone other than its decider."""
    _require(verifier, Capability.VERIFY_APPLICATIONS, application.selection)
    locked = (
        Application.objects.select_for_update().select_related("selection").get(pk=application.pk)
    )
    if locked.status != Application.Status.SUBMITTED:
        raise VerificationRefused("not_submitted")
    stage = _stage(locked)
    if stage not in {Stage.WAITING, Stage.DECIDED, Stage.CHECKED}:
        raise VerificationRefused("not_allowed_now", str(locked.admin_stage))
    now = timezone.now()
    until = now + timedelta(minutes=CLAIM_MINUTES)
    open_review = Review.objects.filter(application=locked, finished_at=None).first()
    if open_review is not None:
        if open_review.verifier_id != verifier.pk and open_review.claimed_until > now:
            raise VerificationRefused("claimed_by_another")
        if open_review.kind == Review.Kind.CONFIRMATION:
            latest = _latest_decision(locked)
            if latest is not None and latest.verifier_id == verifier.pk:
                raise VerificationRefused("second_check_by_another")
        # Renew one's own claim, or take over an expired one: nothing was decided in it yet.
        open_review.verifier = verifier
        open_review.claimed_until = until
        open_review.save(update_fields=["verifier", "claimed_until"])
        return open_review
    confirmation = stage == Stage.DECIDED and locked.selection.require_second_check
    if confirmation:
        latest = _latest_decision(locked)
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
            raise VerificationRefused("checklist", mark.item)
        seen.add(mark.item)
        if mark.reason_code and mark.reason_code not in reasons:
            raise VerificationRefused("unknown_reason", mark.reason_code)
    return [ItemMark(m.item, Mark(m.mark), m.reason_code) for m in marks]


@transaction.atomic
def decide(
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
    reasons = {r.code: r for r in reasons_for(locked.selection)}
    items = [code for code, _label in checklist(locked)]
    pure = _validated_marks(marks, items, reasons)
    if claimed_result is not None and claimed_result not in {Mark.MS, Mark.TMS}:
        raise VerificationRefused("checklist", "result")
    problems = checklist_problems(items, pure, Mark(claimed_result) if claimed_result else None)
    if problems:
        raise VerificationRefused("checklist", "; ".join(f"{p}:{i}" for p, i in problems))
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
    audit_record(
        actor=verifier,
        action=action,
        subject=locked,
        reason="; ".join(
            f"{m.item}: {reasons[m.reason_code].text}" + (f" ({m.note})" if m.note else "")
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


def _notify(application: Application, subject: str, body: str) -> None:
    email = application.applicant.email
    if email:
        transaction.on_commit(
            lambda: send_account_email.enqueue(to=email, subject=subject, body=body)
        )


def _schedule_dates(selection: Selection, kind: str) -> tuple[Any, Any]:
    stage = selection.stages.filter(kind=kind).first()
    return (stage.starts_on, stage.ends_on) if stage else (None, None)


def _published(selection: Selection, kind: str) -> bool:
    return Publication.objects.filter(selection=selection, kind=kind).exists()


@transaction.atomic
def publish(*, selection: Selection, actor: Any, site_url: str = "") -> Publication:
    """Publish the administrative result: every submitted application must be checked."""
    _require(actor, Capability.DECIDE_RESULTS, selection)
    if Publication.objects.filter(
        selection=selection, kind=Publication.Kind.ADMINISTRATIVE
    ).exists():
        raise VerificationRefused("already_published")
    start, _end = _schedule_dates(selection, ScheduleStage.Kind.ADMINISTRATIVE)
    today = timezone.localdate()
    submitted = Application.objects.select_for_update().filter(
        selection=selection, status=Application.Status.SUBMITTED
    )
    unchecked = submitted.exclude(admin_stage=Stage.CHECKED).count()
    if unchecked:
        raise VerificationRefused("undecided", str(unchecked))
    if start and today < start:
        raise VerificationRefused("before_schedule", start.isoformat())
    now = timezone.now()
    counts: Counter[str] = Counter()
    for application in submitted.select_related("applicant"):
        _move(application, Stage.PUBLISHED)
        application.published_result = application.admin_result
        application.published_at = now
        application.save(update_fields=["admin_stage", "published_result", "published_at"])
        counts[application.admin_result] += 1
        audit_record(
            actor=actor,
            action="verification.published",
            subject=application,
            rule_version=selection.policy_code,
            details={"result": application.admin_result},
        )
        _notify(
            application,
            "Hasil seleksi administrasi telah diumumkan",
            f"Hasil seleksi administrasi untuk nomor pendaftaran {application.number} telah "
            f"diumumkan. Lihat hasil dan alasannya di akun Anda: {site_url}/lamaran/"
            f"{application.number}/",
        )
    return Publication.objects.create(
        selection=selection,
        kind=Publication.Kind.ADMINISTRATIVE,
        published_by=actor,
        counts=dict(counts),
    )


def evidence_limit_kb(selection: Selection) -> int:
    """Evidence follows the selection's own document limits: the largest slot's size."""
    sizes = [rule.max_size_kb for rule in selection.document_rules.all()]
    return max(sizes) if sizes else DEFAULT_EVIDENCE_LIMIT_KB


def window_for(application: Application) -> Window | None:
    if application.published_at is None:
        return None
    return objection_window(
        timezone.localdate(application.published_at),
        days=application.selection.objection_days,
        scheduled=_schedule_dates(application.selection, ScheduleStage.Kind.OBJECTION),
    )


@transaction.atomic
def object_to_result(
    *, application: Application, user: User, reason: str, files: Sequence[UploadedFile[bytes]]
) -> Objection:
    """One objection per TMS application, inside the window, with a written reason."""
    locked = (
        Application.objects.select_for_update().select_related("selection").get(pk=application.pk)
    )
    if locked.applicant_id != user.pk:
        raise VerificationRefused("forbidden")
    if Objection.objects.filter(application=locked).exists():
        raise VerificationRefused("already_objected")
    if locked.published_result != Mark.TMS or _stage(locked) != Stage.PUBLISHED:
        raise VerificationRefused("not_allowed_now", str(locked.admin_stage))
    window = window_for(locked)
    if window is None or not window.contains(timezone.localdate()):
        raise VerificationRefused("window_closed")
    if len(reason.strip()) < OBJECTION_REASON_MIN_CHARACTERS:
        raise VerificationRefused("reason_too_short")
    checked = []
    limit_kb = evidence_limit_kb(locked.selection)
    for upload in files:
        content = upload.read(limit_kb * 1024 + 1)
        expected = "jpeg" if content[:3] == b"\xff\xd8\xff" else "pdf"
        check = check_upload(content, expected=expected, max_bytes=limit_kb * 1024)
        if not check.ok:
            raise VerificationRefused("bad_evidence", f"{upload.name or ''}; maks. {limit_kb} KB")
        checked.append((upload.name or "bukti", content, check.sha256))
    _move(locked, Stage.OBJECTED)
    locked.save(update_fields=["admin_stage"])
    objection = Objection.objects.create(
        application=locked, reason=reason.strip(), answer_due_on=answer_deadline(window)
    )
    for name, content, digest in checked:
        evidence = ObjectionEvidence(
            objection=objection, original_name=name[:255], size=len(content), sha256=digest
        )
        evidence.file.save(name, ContentFile(content), save=False)
        evidence.save()
    audit_record(
        actor=user,
        action="objection.filed",
        subject=locked,
        reason=reason.strip()[:500],
        details={"evidence": len(checked)},
    )
    return objection


@transaction.atomic
def answer_objection(*, objection: Objection, actor: Any, accepted: bool, answer: str) -> Objection:
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
    return objection


@transaction.atomic
def publish_after_objections(
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
    today = timezone.localdate()
    first_tms = (
        Application.objects.filter(selection=selection, published_result=Mark.TMS)
        .exclude(published_at=None)
        .select_related("selection")
        .first()
    )
    window = window_for(first_tms) if first_tms else None
    if window is not None and today <= window.closes_on:
        raise VerificationRefused("objection_window_open", window.closes_on.isoformat())
    now = timezone.now()
    counts: Counter[str] = Counter()
    applications = Application.objects.select_for_update().filter(
        selection=selection, admin_stage__in=[Stage.PUBLISHED, Stage.ANSWERED]
    )
    for application in applications.select_related("applicant"):
        answered = application.admin_stage == Stage.ANSWERED
        _move(application, Stage.FINAL)
        changed = application.published_result != application.admin_result
        application.published_result = application.admin_result
        application.published_at = now if answered else application.published_at
        application.save(update_fields=["admin_stage", "published_result", "published_at"])
        counts[application.admin_result] += 1
        audit_record(
            actor=actor,
            action="verification.published_after_objection" if answered else "verification.final",
            subject=application,
            details={"result": application.admin_result, "changed": changed},
        )
        if answered:
            _notify(
                application,
                "Jawaban atas sanggahan Anda telah diumumkan",
                f"Jawaban panitia atas sanggahan untuk nomor pendaftaran {application.number} "
                f"telah diumumkan. Lihat di akun Anda: {site_url}/lamaran/{application.number}/",
            )
    return Publication.objects.create(
        selection=selection,
        kind=Publication.Kind.POST_OBJECTION,
        published_by=actor,
        counts=dict(counts),
    )


def overdue_objections(selection: Selection) -> QuerySet[Objection]:
    return Objection.objects.filter(
        application__selection=selection,
        status=Objection.Status.FILED,
        answer_due_on__lt=timezone.localdate(),
    )
