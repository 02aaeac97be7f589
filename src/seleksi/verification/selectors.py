"""Reads for the verification queue, the applicant's timeline and the public results."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.rules.verification import Mark, Stage
from seleksi.selections.models import Selection

from .models import RejectionReason, Review

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


def published_reasons(application: Application) -> list[dict[str, str]]:
    """The TMS reasons the applicant reads: those of the decision that was published."""
    if not application.published_result:
        return []
    review = (
        Review.objects.filter(application=application, finished_at__isnull=False)
        .order_by("-round")
        .first()
    )
    if review is None:
        return []
    return [
        {"item": item.item, "reason": item.reason.text if item.reason else "", "note": item.note}
        for item in review.items.select_related("reason").filter(mark=Mark.TMS)
    ]


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
    "superuser": _("platform administrator"),
    "system": _("system"),
}


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: Any
    role: Any
    reason: str


def timeline(application: Application) -> list[TimelineEntry]:
    """Every step of the application as the applicant may see it: the role, never the name;
    internal steps are shown only once the result they led to is published."""
    events = AuditEvent.objects.filter(
        subject_type=application._meta.label_lower, subject_id=str(application.pk)
    ).order_by("occurred_at", "id")
    entries = []
    for event in events:
        internal = event.action in DECISION_ACTIONS
        if internal and not application.published_at:
            continue
        label = TIMELINE_LABELS.get(event.action)
        if label is None:
            continue
        shows_reason = internal or event.action.startswith(("objection.", "ranking."))
        entries.append(
            TimelineEntry(
                event.occurred_at,
                label,
                ROLE_LABELS.get(event.actor_role, event.actor_role),
                event.reason if shows_reason else "",
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


def public_result_counts(selection: Selection) -> QuerySet[Application, dict[str, Any]]:
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
