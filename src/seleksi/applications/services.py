"""Writes for applications: start, upload, cancel, submit. Each checks the registration
window and the application's state on the server, whatever the page showed, and records
an audit event in the same transaction. Submission also tells the applicant (an inbox notice
and an e-mail sent after the commit, so a refused or rolled-back submission sends nothing)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from seleksi.accounts.models import User
from seleksi.agencies.models import Agency
from seleksi.audit.services import audit_record
from seleksi.core.errors import ServiceRefused
from seleksi.notices.services import localized, notify
from seleksi.rules.eligibility import Eligibility, EligibilityPolicy, evaluate, load_policy
from seleksi.rules.schedule import SelectionStatus
from seleksi.selections.models import DocumentRule, Formation, Selection
from seleksi.selections.models import Stage as ScheduleStage

from .facts import applicant_facts, formation_facts, reference_date
from .files import FileCheck, FileProblem, check_upload
from .models import Application, Document
from .storage import display_name, stored_files, stored_name

REFUSALS = {
    "registration_closed": _(
        "Registration for this selection is not open today; see the schedule."
    ),
    "already_submitted": _("This application has been submitted; it can no longer change."),
    "not_activated": _("Activate your account from the link in your e-mail before applying."),
    "nik_missing": _("Add your NIK and family card number before applying."),
    "already_applied": _(
        "You already have an application in this selection: one applicant, one opening."
    ),
    "not_eligible": _("You do not meet the requirements of this opening:"),
    "documents_missing": _("Upload every required document before submitting."),
    "withdrawn": _("This application has been withdrawn; nothing else was changed."),
}


class ApplicationRefused(ServiceRefused):
    """A request the rules do not allow; `code` says which rule. A refusal for eligibility
    carries the evaluation, whose reasons the page lists under the message."""

    messages = REFUSALS

    def __init__(self, code: str, eligibility: Eligibility | None = None) -> None:
        super().__init__(code)
        self.eligibility = eligibility


@cache
def policy_for(code: str) -> EligibilityPolicy:
    return load_policy(code)


def eligibility_table(
    *, user: User, selection: Selection, formations: Iterable[Formation]
) -> list[tuple[Formation, Eligibility]]:
    """Eligibility for many openings at once: the person's facts are read once."""
    policy = policy_for(selection.policy_code)
    group = policy.pppk_guru_groups[0] if policy.pppk_guru_groups else None
    facts = applicant_facts(user, statements=policy.statements, pppk_guru_group=group)
    on = reference_date(selection) or timezone.localdate()
    return [
        (formation, evaluate(policy, facts, formation_facts(formation), reference_date=on))
        for formation in formations
    ]


def eligibility_for(
    *,
    user: User,
    formation: Formation,
    statements: tuple[str, ...] | list[str] | None = None,
    pppk_guru_group: str | None = None,
) -> Eligibility:
    """Eligibility for one opening. Without statements (while browsing) the statements are
    assumed given, so the list shows what the person's data decides."""
    selection = formation.selection
    policy = policy_for(selection.policy_code)
    given = policy.statements if statements is None else tuple(statements)
    group = pppk_guru_group
    if statements is None and group is None and policy.pppk_guru_groups:
        group = policy.pppk_guru_groups[0]
    return evaluate(
        policy,
        applicant_facts(user, statements=given, pppk_guru_group=group),
        formation_facts(formation),
        reference_date=reference_date(selection) or timezone.localdate(),
    )


def _snapshot(eligibility: Eligibility, selection: Selection, on: date | None) -> dict[str, Any]:
    return {
        "eligible": eligibility.eligible,
        "reasons": [{"code": r.code, "params": dict(r.params)} for r in eligibility.reasons],
        "preference_points": eligibility.preference_points,
        "preferences_met": list(eligibility.preferences_met),
        "policy": selection.policy_code,
        "reference_date": on.isoformat() if on else None,
        "checked_at": timezone.now().isoformat(),
    }


def _require_open(selection: Selection) -> None:
    if selection.status() != SelectionStatus.OPEN:
        raise ApplicationRefused("registration_closed")


def _require_draft(application: Application) -> None:
    if application.is_submitted:
        raise ApplicationRefused("already_submitted")


def _locked(application: Application) -> Application:
    """The application's row, locked until the transaction ends (a write lock on SQLite)."""
    locked = Application.objects.select_for_update().filter(pk=application.pk).first()
    if locked is None:
        raise ApplicationRefused("withdrawn")
    return locked


def start_blockers(user: User) -> list[str]:
    """What the account itself still lacks before any application can start, as refusal
    codes in the order they are refused. The openings page lists the same codes, so it never
    offers a start that would be refused for them."""
    blockers = []
    if not user.is_activated:
        blockers.append("not_activated")
    if not user.nik_cipher:
        blockers.append("nik_missing")
    return blockers


def _require_applicant(user: User) -> None:
    blockers = start_blockers(user)
    if blockers:
        raise ApplicationRefused(blockers[0])


def already_applied(user: User, selection: Selection) -> bool:
    """The friendly early answer; the unique constraint is what really guarantees it."""
    return Application.objects.filter(applicant=user, selection=selection).exists()


def application_start(
    *,
    user: User,
    formation: Formation,
    statements: list[str],
    pppk_guru_group: str = "",
) -> Application:
    selection = formation.selection
    _require_applicant(user)
    _require_open(selection)
    if already_applied(user, selection):
        raise ApplicationRefused("already_applied")
    eligibility = eligibility_for(
        user=user, formation=formation, statements=statements, pppk_guru_group=pppk_guru_group
    )
    if not eligibility.eligible:
        raise ApplicationRefused("not_eligible", eligibility)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                applicant=user,
                selection=selection,
                formation=formation,
                number=f"tmp-{timezone.now().timestamp()}-{user.pk}",
                statements=sorted(statements),
                pppk_guru_group=pppk_guru_group,
                eligibility=_snapshot(eligibility, selection, reference_date(selection)),
                preference_points=eligibility.preference_points,
            )
            application.number = f"{selection.pk:03d}{application.pk:07d}"
            application.save(update_fields=["number"])
            audit_record(
                actor=user,
                action="application.started",
                subject=application,
                rule_version=selection.policy_code,
                details={"formation": formation.code},
            )
    except IntegrityError as error:
        # Two requests at the same instant: the database's unique constraint decides.
        raise ApplicationRefused("already_applied") from error
    return application


@transaction.atomic
def application_cancel(*, application: Application, user: User) -> None:
    """A draft can be withdrawn (to choose another opening); its files go too. The row is
    locked and checked again inside the lock, so a submission that won the race is kept."""
    locked = _locked(application)
    _require_draft(locked)
    audit_record(actor=user, action="application.cancelled", subject=locked)
    documents = list(locked.documents.all())
    deleted, _per_model = Application.objects.filter(
        pk=locked.pk, status=Application.Status.DRAFT
    ).delete()
    if not deleted:
        raise ApplicationRefused("already_submitted")
    for document in documents:
        transaction.on_commit(partial(document.file.storage.delete, document.file.name or ""))


@dataclass(frozen=True)
class UploadOutcome:
    check: FileCheck
    document: Document | None


def document_upload(
    *, application: Application, rule: DocumentRule, upload: UploadedFile[bytes], user: User
) -> UploadOutcome:
    _require_draft(application)
    _require_open(application.selection)
    limit = rule.max_size_kb * 1024
    if upload.size is not None and upload.size > limit:
        # Refuse by the declared size before reading the file at all.
        too_large = FileCheck(
            problem=FileProblem.TOO_LARGE,
            params=(("size_kb", str(-(-upload.size // 1024))), ("limit_kb", str(rule.max_size_kb))),
            warnings=(),
            warning_params=(),
            detected="unknown",
            pages=None,
            width=None,
            height=None,
            sha256="",
        )
        return UploadOutcome(too_large, None)
    content = upload.read(limit + 1)
    check = check_upload(
        content,
        expected=rule.file_format,
        max_bytes=limit,
        max_pages=rule.max_pages,
        photo=rule.is_photo,
    )
    if not check.ok:
        return UploadOutcome(check, None)
    warnings = [
        {"code": str(code), "params": dict(check.warning_params)} for code in check.warnings
    ]
    with stored_files() as store:
        name = store(stored_name("dokumen", application.selection_id, check.detected), content)
        locked = _locked(application)
        _require_draft(locked)
        document = Document.objects.filter(application=locked, rule=rule).first()
        old_name = document.file.name if document else None
        document = document or Document(application=locked, rule=rule)
        document.original_name = display_name(upload.name, rule.code)
        document.size = len(content)
        document.sha256 = check.sha256
        document.pages = check.pages
        document.width = check.width
        document.height = check.height
        document.warnings = warnings
        document.file = name
        document.save()
        audit_record(
            actor=user,
            action="document.uploaded",
            subject=locked,
            details={"slot": rule.code, "size": len(content), "sha256": check.sha256[:16]},
        )
        if old_name:
            transaction.on_commit(partial(document.file.storage.delete, old_name))
    return UploadOutcome(check, document)


def missing_documents(application: Application) -> list[DocumentRule]:
    uploaded = set(application.documents.values_list("rule_id", flat=True))
    return [
        rule
        for rule in application.selection.document_rules.all()
        if rule.is_required and rule.pk not in uploaded
    ]


def agency_time(moment: datetime, agency: Agency) -> str:
    """A moment as people at the agency write it, in the active language: "12 Maret 2024
    pukul 14.05 WIB" (the hour and minutes separated by a dot, the zone's Indonesian name)."""
    local = timezone.localtime(moment, timezone=ZoneInfo(agency.time_zone))
    return gettext("%(date)s at %(time)s %(zone)s") % {
        "date": formats.date_format(local, "j F Y"),
        "time": local.strftime("%H.%M"),
        "zone": Agency.TimeZone(agency.time_zone).name,
    }


def _schedule_sentence(starts_on: date) -> str:
    sentence = gettext(
        "The schedule announces the result of the administrative selection from %(date)s."
    )
    return sentence % {"date": formats.date_format(starts_on, "j F Y")} + " "


def _submitted_notice(application: Application, user: User, site_url: str) -> None:
    """Tell the applicant what was submitted and what comes next, in their language."""
    selection = application.selection
    announced = (
        selection.stages.filter(
            kind=ScheduleStage.Kind.ADMINISTRATIVE, starts_on__gte=selection.agency.today()
        )
        .order_by("starts_on")
        .values_list("starts_on", flat=True)
        .first()
    )
    formation = application.formation
    notify(
        user=user,
        event=f"application.submitted:{application.pk}",
        template="application_submitted",
        context={
            "number": application.number,
            "formation": f"{formation.position}, {formation.placement_unit} ({formation.code})",
            "submitted": localized(
                agency_time, application.submitted_at or timezone.now(), selection.agency
            ),
            "schedule": localized(_schedule_sentence, announced) if announced else "",
        },
        url=reverse("applicant:detail", args=[application.number]),
        selection=selection,
        site_url=site_url,
    )


@transaction.atomic
def application_submit(*, application: Application, user: User, site_url: str = "") -> Application:
    """ "Akhiri pendaftaran": the last check of everything, on the locked row, so that a
    withdrawal in another tab cannot slip in between; afterwards nothing changes. The
    applicant is sent a confirmation with a link under `site_url` to the application."""
    locked = _locked(application)
    _require_draft(locked)
    _require_open(locked.selection)
    if missing_documents(locked):
        raise ApplicationRefused("documents_missing")
    eligibility = eligibility_for(
        user=user,
        formation=locked.formation,
        statements=locked.statements,
        pppk_guru_group=locked.pppk_guru_group or None,
    )
    if not eligibility.eligible:
        raise ApplicationRefused("not_eligible", eligibility)
    locked.status = Application.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.eligibility = _snapshot(eligibility, locked.selection, reference_date(locked.selection))
    locked.preference_points = eligibility.preference_points
    locked.save()
    audit_record(
        actor=user,
        action="application.submitted",
        subject=locked,
        rule_version=locked.selection.policy_code,
        details={
            "formation": locked.formation.code,
            "documents": sorted(locked.documents.values_list("rule__code", flat=True)),
            "preference_points": eligibility.preference_points,
        },
    )
    _submitted_notice(locked, user, site_url)
    return locked
