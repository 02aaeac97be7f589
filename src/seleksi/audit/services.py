"""The one way to write history: `audit_record`.

Every service that changes what an applicant or the public sees calls it inside the same
transaction as the change, so either both happen or neither does.
"""

from typing import Any

from django.db import models

from seleksi.agencies.permissions import role_of

from .models import AuditEvent


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
    if not action or "." not in action:
        raise ValueError("action must be a dotted code such as 'selection.updated'")
    if subject.pk is None:
        raise ValueError("the subject must be saved before it is audited")
    if agency_id is None:
        agency_id = getattr(subject, "agency_id", None)
    if agency_id is None and getattr(subject, "selection_id", None) is not None:
        agency_id = subject.selection.agency_id  # type: ignore[attr-defined]
    if selection_id is None:
        is_selection = subject._meta.label_lower == "selections.selection"
        selection_id = subject.pk if is_selection else getattr(subject, "selection_id", None)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
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
