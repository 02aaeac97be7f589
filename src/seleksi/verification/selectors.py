"""Reads for the verification queue, the applicant's timeline and the public results."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.rules.verification import Mark, Stage
from seleksi.selections.models import Selection

from .models import Objection, Publication, RejectionReason, Review, ReviewItem

DATA_ITEM = "data"
NOT_CHECKED = ~Q(admin_stage=Stage.CHECKED)
DATA_ITEM_LABEL = _("The applicant's data match the documents and the formation's requirements")
STAGE_LABELS = {
    Stage.WAITING: _("Waiting for verification"),
    Stage.DECIDED: _("Decided, waiting for the second check"),
    Stage.CHECKED: _("Checked, not yet published"),
    Stage.PUBLISHED: _("Result published"),
    Stage.OBJECTED: _("Objection filed"),
    Stage.ANSWERED: _("Objection answered, not yet published"),
    Stage.FINAL: _("Final result published"),
}


def reasons(selection: Selection) -> QuerySet[RejectionReason]:
    """The selection's TMS reasons in use; the list is created by `services.reasons_ensure`."""
    return RejectionReason.objects.filter(selection=selection, is_active=True)


def checklist(selection: Selection) -> list[tuple[str, Any]]:
    """The requirements a verifier marks, code and label: the applicant's data, then each
    document slot of the selection. Pages show the label, never the code."""
    items: list[tuple[str, Any]] = [(DATA_ITEM, DATA_ITEM_LABEL)]
    items += [(rule.code, rule.name) for rule in selection.document_rules.all()]
    return items


def latest_decision(application: Application) -> Review | None:
    """The last finished review: the marks a reopened application shows."""
    return (
        Review.objects.filter(application=application, finished_at__isnull=False)
        .order_by("-round")
        .first()
    )


def latest_marks(application: Application) -> dict[str, ReviewItem]:
    """Per requirement, the mark, reason and note of the last finished review (empty when
    nobody has decided yet)."""
    review = latest_decision(application)
    if review is None:
        return {}
    return {item.item: item for item in review.items.select_related("reason")}


def publication_preview(selection: Selection, *, after_objections: bool) -> dict[str, int]:
    """What a publication would announce, for the committee to confirm: `total`, `ms` and
    `tms` among every checked application for the administrative result, or those published
    or answered for the result after objections; `waiting`, those that would stop it (not
    checked yet, or an objection not answered). The publication itself checks every rule."""
    if after_objections:
        waiting = Q(admin_stage=Stage.OBJECTED)  # an objection still to answer
        scope = Q(admin_stage__in=[Stage.PUBLISHED, Stage.ANSWERED]) | waiting
    else:
        waiting = NOT_CHECKED  # the same as to_check_before_publication
        scope = Q(status=Application.Status.SUBMITTED)
    applications = Application.objects.filter(scope, selection=selection)
    included = ~waiting
    counts = applications.aggregate(
        total=Count("id", filter=included),
        ms=Count("id", filter=included & Q(admin_result=Mark.MS)),
        tms=Count("id", filter=included & Q(admin_result=Mark.TMS)),
        waiting=Count("id", filter=waiting),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def is_published(selection: Selection, *, after_objections: bool) -> bool:
    kind = Publication.Kind.POST_OBJECTION if after_objections else Publication.Kind.ADMINISTRATIVE
    return Publication.objects.filter(selection=selection, kind=kind).exists()


def live_claim(application: Application) -> Review | None:
    """The open review whose claim has not expired: who is checking the application now."""
    return (
        Review.objects.filter(
            application=application, finished_at=None, claimed_until__gt=timezone.now()
        )
        .select_related("verifier")
        .first()
    )


def queue(
    *, selection: Selection, stage: str = "", formation: str = "", verifier: str = ""
) -> QuerySet[Application]:
    applications = Application.objects.filter(
        selection=selection, status=Application.Status.SUBMITTED
    ).select_related("formation", "assigned_to")
    if stage:
        applications = applications.filter(admin_stage=stage)
    if formation:
        applications = applications.filter(formation__code=formation)
    if verifier == "none":
        applications = applications.filter(assigned_to=None)
    elif verifier.isdigit():
        applications = applications.filter(assigned_to_id=int(verifier))
    return applications.order_by("submitted_at", "pk")


def to_check_before_publication(selection: Selection) -> QuerySet[Application]:
    """The submitted applications whose administrative check is not finished: every stage
    but CHECKED. The administrative result is published only when there are none; the
    publication refuses with their number and the queue shows the same number beside its
    button, so the two cannot disagree. (Once published, every one of them has moved on.)"""
    return Application.objects.filter(
        NOT_CHECKED, selection=selection, status=Application.Status.SUBMITTED
    )


def administrative_publication(selection: Selection) -> Publication | None:
    return Publication.objects.filter(
        selection=selection, kind=Publication.Kind.ADMINISTRATIVE
    ).first()


def stage_counts(selection: Selection) -> dict[str, int]:
    rows = (
        Application.objects.filter(selection=selection, status=Application.Status.SUBMITTED)
        .values("admin_stage")
        .annotate(n=Count("id"))
    )
    counts = {str(stage): 0 for stage in Stage}
    for row in rows:
        counts[row["admin_stage"]] += row["n"]
    return counts


def _tms_reasons(review: Review, labels: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "item": str(labels.get(item.item, item.item)),
            "reason": item.reason.text if item.reason else "",
            "note": item.note,
        }
        for item in review.items.select_related("reason").filter(mark=Mark.TMS).order_by("pk")
    ]


def published_reasons(application: Application) -> list[dict[str, str]]:
    """The TMS reasons the applicant reads: those of the decision that was published, each
    with the requirement's label."""
    if not application.published_result:
        return []
    review = latest_decision(application)
    if review is None:
        return []
    return _tms_reasons(review, dict(checklist(application.selection)))


TIMELINE_LABELS = {
    "application.started": _("Application started"),
    "document.uploaded": _("Document uploaded"),
    "application.submitted": _("Registration finished (submitted)"),
    "verification.decided": _("Documents verified"),
    "verification.second_check_agreed": _("Verification checked a second time"),
    "verification.second_check_disagreed": _("Documents verified"),
    "verification.published": _("Administrative result published"),
    "objection.filed": _("Objection filed"),
    "objection.accepted": _("Objection accepted"),
    "objection.rejected": _("Objection rejected"),
    "verification.published_after_objection": _("Result after the objection published"),
    "ranking.withdrawn": _("Final result: recorded as withdrawn (APS) or disqualified (DIS)"),
    "ranking.replaced_in": _("Final result: passed as a replacement"),
}
DECISION_ACTIONS = frozenset(
    {
        "verification.decided",
        "verification.second_check_agreed",
        "verification.second_check_disagreed",
    }
)
ROLE_LABELS = {
    "applicant": _("you"),
    "verifier": _("verifier"),
    "committee": _("committee"),
    "admin": _("agency administrator"),
    "site_staff": _("test-site staff"),
    "superuser": _("platform administrator"),
    "system": _("system"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: Any
    role: Any
    reason: str


def _decision_reason(event: AuditEvent, reviews: dict[int, Review], labels: dict[str, Any]) -> str:
    """A decision's reasons from the review it recorded, each with the requirement's label
    (the audit text of older decisions names the requirement by its code)."""
    review = reviews.get(event.details.get("round", 0)) if isinstance(event.details, dict) else None
    if review is None:
        return event.reason
    return "; ".join(
        f"{reason['item']}: {reason['reason']}" + (f" ({reason['note']})" if reason["note"] else "")
        for reason in _tms_reasons(review, labels)
    )


def timeline(application: Application) -> list[TimelineEntry]:
    """Every step of the application as the applicant may see it: the role, never the name;
    internal steps are shown only once the result they led to is published."""
    events = AuditEvent.objects.filter(
        subject_type=application._meta.label_lower, subject_id=str(application.pk)
    ).order_by("occurred_at", "id")
    reviews: dict[int, Review] = {}
    labels: dict[str, Any] = {}
    if application.published_at:
        reviews = {
            review.round: review
            for review in Review.objects.filter(application=application, finished_at__isnull=False)
        }
        labels = dict(checklist(application.selection))
    entries = []
    for event in events:
        internal = event.action in DECISION_ACTIONS
        if internal and not application.published_at:
            continue
        label = TIMELINE_LABELS.get(event.action)
        if label is None:
            continue
        if internal:
            reason = _decision_reason(event, reviews, labels)
        elif event.action.startswith(("objection.", "ranking.")):
            reason = event.reason
        else:
            reason = ""
        entries.append(
            TimelineEntry(
                event.occurred_at,
                label,
                ROLE_LABELS.get(event.actor_role, event.actor_role),
                reason,
            )
        )
    return entries


# The public result page, paginated: formations first, numbers per formation -------------------


def public_results_published(selection: Selection) -> bool:
    """Whether any administrative result of the selection is public yet."""
    return Application.objects.filter(selection=selection).exclude(published_result="").exists()


def selections_with_public_results(*, selection_ids: list[int]) -> set[int]:
    """Of these selections, those with a public administrative result (one query)."""
    return set(
        Application.objects.filter(selection_id__in=selection_ids)
        .exclude(published_result="")
        .values_list("selection_id", flat=True)
        .distinct()
    )


def public_result_counts(selection: Selection) -> QuerySet[Any, Any]:
    """One row per formation with a published result: its code, position, placement unit and
    the counts of MS and TMS, ordered by formation code; a page of it is what the public sees."""
    return (
        Application.objects.filter(selection=selection)
        .exclude(published_result="")
        .values(
            "formation_id", "formation__code", "formation__position", "formation__placement_unit"
        )
        .annotate(
            ms=Count("id", filter=Q(published_result=Mark.MS)),
            tms=Count("id", filter=Q(published_result=Mark.TMS)),
        )
        .order_by("formation__code", "formation_id")
    )


def public_ms_numbers(*, selection: Selection, formation_id: int) -> QuerySet[Application, str]:
    """The MS registration numbers of one formation, in order. TMS numbers are never public."""
    return (
        Application.objects.filter(
            selection=selection, formation_id=formation_id, published_result=Mark.MS
        )
        .order_by("number")
        .values_list("number", flat=True)
    )


def public_ms_numbers_first(
    *, selection: Selection, formation_ids: list[int], limit: int
) -> dict[int, list[str]]:
    """Formation id → its first `limit` MS registration numbers, in order: one query for a
    whole page of formations (a window numbers each formation's rows)."""
    ranked = (
        Application.objects.filter(
            selection=selection, formation_id__in=formation_ids, published_result=Mark.MS
        )
        .annotate(
            position=Window(RowNumber(), partition_by=F("formation_id"), order_by=F("number").asc())
        )
        .filter(position__lte=limit)
        .order_by("formation_id", "number")
        .values_list("formation_id", "number")
    )
    numbers: dict[int, list[str]] = {formation_id: [] for formation_id in formation_ids}
    for formation_id, number in ranked:
        numbers[formation_id].append(number)
    return numbers


@dataclass(frozen=True)
class PublicResultMatch:
    number: str
    formation_code: str
    position: str
    placement_unit: str


def public_result_lookup(*, selection: Selection, number: str) -> PublicResultMatch | None:
    """The MS listing of `number`, or None. A TMS or unpublished number answers None as well,
    so the public page cannot tell whether it exists."""
    row = (
        Application.objects.filter(
            selection=selection, number__iexact=number, published_result=Mark.MS
        )
        .values_list(
            "number", "formation__code", "formation__position", "formation__placement_unit"
        )
        .first()
    )
    return PublicResultMatch(*row) if row else None


@dataclass(frozen=True)
class QueueWork:
    """What waits in one selection's administrative selection, as the staff workspace shows
    it. The counts are those of `queue` with the matching filters."""

    waiting: int
    """submitted, nobody has decided yet (`tahap=waiting`)"""
    waiting_mine: int
    """of those, assigned to the person asking"""
    waiting_unassigned: int
    """of those, assigned to nobody"""
    second_check: int
    """decided, waiting for the second check (`tahap=decided`)"""
    objections_open: int
    """objections the committee has not answered yet"""
    objections_next: list[Any]
    """the open objections whose answer is due first"""
    objections_overdue: int
    next_publication: str = ""
    """"administrative" or "after_objections": the publication still to come, if any"""
    to_check: int = 0
    """applications that still stop the administrative result (`to_check_before_publication`)"""
    checked: int = 0
    """checked applications the administrative result would announce"""


def queue_work(
    *, selections: list[Selection], user: Any, objections_shown: int = 5
) -> dict[int, QueueWork]:
    """Selection id → what waits in it for `user`: two queries for the counts, and two more
    for each selection with open objections (the nearest deadlines, the overdue ones), and
    two for the publications still to come."""

    counts = (
        Application.objects.filter(
            selection__in=selections,
            status=Application.Status.SUBMITTED,
            admin_stage__in=[Stage.WAITING, Stage.DECIDED],
        )
        .values("selection_id")
        .annotate(
            waiting=Count("id", filter=Q(admin_stage=Stage.WAITING)),
            mine=Count("id", filter=Q(admin_stage=Stage.WAITING, assigned_to=user)),
            unassigned=Count("id", filter=Q(admin_stage=Stage.WAITING, assigned_to=None)),
            decided=Count("id", filter=Q(admin_stage=Stage.DECIDED)),
        )
    )
    by_selection: dict[int, dict[str, int]] = {
        row["selection_id"]: {key: row[key] for key in ("waiting", "mine", "unassigned", "decided")}
        for row in counts
    }
    open_objections = (
        Objection.objects.filter(
            application__selection__in=selections, status=Objection.Status.FILED
        )
        .values("application__selection_id")
        .annotate(n=Count("id"))
    )
    objections = {row["application__selection_id"]: row["n"] for row in open_objections}
    published = set(
        Publication.objects.filter(selection__in=selections).values_list("selection_id", "kind")
    )
    readiness: dict[int, dict[str, Any]] = {
        row["selection_id"]: dict(row)
        for row in Application.objects.filter(
            selection__in=selections, status=Application.Status.SUBMITTED
        )
        .values("selection_id")
        .annotate(
            to_check=Count("id", filter=NOT_CHECKED),
            checked=Count("id", filter=Q(admin_stage=Stage.CHECKED)),
        )
    }
    work = {}
    for selection in selections:
        row = by_selection.get(selection.pk, {})
        ready: dict[str, Any] = readiness.get(selection.pk, {})
        if (selection.pk, Publication.Kind.ADMINISTRATIVE) not in published:
            next_publication = "administrative" if ready else ""
        elif (selection.pk, Publication.Kind.POST_OBJECTION) not in published:
            next_publication = "after_objections"
        else:
            next_publication = ""
        open_count = objections.get(selection.pk, 0)
        nearest: list[Any] = []
        overdue = 0
        if open_count:
            filed = Objection.objects.filter(
                application__selection=selection, status=Objection.Status.FILED
            )
            nearest = list(
                filed.select_related("application").order_by("answer_due_on", "pk")[
                    :objections_shown
                ]
            )
            overdue = filed.filter(answer_due_on__lt=selection.agency.today()).count()
        work[selection.pk] = QueueWork(
            waiting=row.get("waiting", 0),
            waiting_mine=row.get("mine", 0),
            waiting_unassigned=row.get("unassigned", 0),
            second_check=row.get("decided", 0),
            objections_open=open_count,
            objections_next=nearest,
            objections_overdue=overdue,
            next_publication=next_publication,
            to_check=ready.get("to_check", 0),
            checked=ready.get("checked", 0),
        )
    return work
