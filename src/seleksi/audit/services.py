"""The one way to write history: `audit_record`, and `audit_record_many` for one action
taken on many subjects at once (publishing a result to every applicant).

Every service that changes what an applicant or the public sees calls it inside the same
transaction as the change, so either both happen or neither does.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from seleksi.agencies.permissions import role_of
from seleksi.core.bulk import rows_insert

from .models import AuditEvent

SUBJECT_COLUMNS = ("subject_id", "subject_label", "reason", "details")


def _checked_action(action: str) -> None:
    if not action or "." not in action:
        raise ValueError("action must be a dotted code such as 'selection.updated'")


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def audit_record(
    *,
    actor: Any,
    action: str,
    subject: models.Model,
    reason: str = "",
    rule_version: str = "",
    details: dict[str, Any] | None = None,
    agency_id: int | None = None,
    selection_id: int | None = None,
) -> AuditEvent:
    """Append one audit event: who (`actor`, None for the system), what, on what, and why."""
    _checked_action(action)
    if subject.pk is None:
        raise ValueError("the subject must be saved before it is audited")
    if agency_id is None:
        agency_id = getattr(subject, "agency_id", None)
    if agency_id is None and getattr(subject, "selection_id", None) is not None:
        agency_id = subject.selection.agency_id  # type: ignore[attr-defined]
    if selection_id is None:
        is_selection = subject._meta.label_lower == "selections.selection"
        selection_id = subject.pk if is_selection else getattr(subject, "selection_id", None)
    return AuditEvent.objects.create(
        actor=_user(actor),
        actor_role=role_of(actor, agency_id),
        action=action,
        agency_id=agency_id,
        selection_id=selection_id,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:255],
        reason=reason,
        rule_version=rule_version,
        details=details or {},
    )


@dataclass(frozen=True)
class AuditSubject:
    """One subject of `audit_record_many`: its primary key and label, and what is recorded
    about it in particular."""

    pk: int | str
    label: str
    details: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


def audit_record_many(
    *,
    actor: Any,
    action: str,
    model: type[models.Model],
    subjects: Iterable[AuditSubject],
    agency_id: int | None,
    selection_id: int | None,
    rule_version: str = "",
) -> int:
    """Append one event per subject, as `audit_record` would, in bulk: the actor's role is
    read once, and the rows go in with one COPY on PostgreSQL (batched inserts elsewhere),
    so the statements do not grow with the subjects. The subjects are rows of `model`
    belonging to the given agency and selection."""
    _checked_action(action)
    user = _user(actor)
    shared = {
        "occurred_at": timezone.now(),
        "actor_id": user.pk if user is not None else None,
        "actor_role": role_of(actor, agency_id),
        "action": action,
        "agency_id": agency_id,
        "selection_id": selection_id,
        "subject_type": model._meta.label_lower,
        "rule_version": rule_version,
    }
    values = tuple(shared.values())
    rows = (
        (*values, str(subject.pk), subject.label[:255], subject.reason, subject.details)
        for subject in subjects
    )
    return rows_insert(AuditEvent, (*shared, *SUBJECT_COLUMNS), rows)
