"""What each role may do, scoped to an agency.

Every later stage asks `user_can(user, capability, agency_id)`; nothing checks role names
directly, so a new capability is one line in CAPABILITY_ROLES.
"""

from enum import StrEnum
from typing import Any

from .models import Membership, Role


class Capability(StrEnum):
    VIEW_AGENCY_DATA = "view_agency_data"
    MANAGE_SELECTIONS = "manage_selections"
    IMPORT_FORMATIONS = "import_formations"
    VERIFY_APPLICATIONS = "verify_applications"
    DECIDE_RESULTS = "decide_results"
    MANAGE_TESTS = "manage_tests"
    CHECK_IN = "check_in"


CAPABILITY_ROLES: dict[Capability, frozenset[Role]] = {
    Capability.VIEW_AGENCY_DATA: frozenset({Role.VERIFIER, Role.COMMITTEE, Role.ADMIN}),
    Capability.MANAGE_SELECTIONS: frozenset({Role.ADMIN}),
    Capability.IMPORT_FORMATIONS: frozenset({Role.ADMIN}),
    Capability.VERIFY_APPLICATIONS: frozenset({Role.VERIFIER, Role.COMMITTEE}),
    Capability.DECIDE_RESULTS: frozenset({Role.COMMITTEE}),
    Capability.MANAGE_TESTS: frozenset({Role.COMMITTEE, Role.ADMIN}),
    Capability.CHECK_IN: frozenset({Role.SITE_STAFF, Role.COMMITTEE}),
}


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def agency_ids_with(user: Any, capability: Capability) -> set[int]:
    """The agencies in which `user` holds `capability` (empty for applicants and strangers)."""
    if not _active(user):
        return set()
    roles = CAPABILITY_ROLES[capability]
    return set(
        Membership.objects.filter(user=user, role__in=roles).values_list("agency_id", flat=True)
    )


def user_can(user: Any, capability: Capability, agency_id: int | None) -> bool:
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if agency_id is None:
        return False
    return agency_id in agency_ids_with(user, capability)


def user_is_staff_anywhere(user: Any) -> bool:
    return _active(user) and (user.is_superuser or Membership.objects.filter(user=user).exists())


def role_of(user: Any, agency_id: int | None) -> str:
    """The role label recorded in audit events: the strongest role the user acts with."""
    if not _active(user):
        return "system" if user is None else "anonymous"
    if user.is_superuser:
        return "superuser"
    if agency_id is not None:
        roles = set(
            Membership.objects.filter(user=user, agency_id=agency_id).values_list("role", flat=True)
        )
        for role in (Role.ADMIN, Role.COMMITTEE, Role.VERIFIER, Role.SITE_STAFF):
            if role in roles:
                return str(role)
    return "applicant"


def user_checks_in_only(user: Any) -> bool:
    """Whether every role the user holds is limited to check-in (site staff): such a person
    reads no application, so the console and the committee's pages answer them 404."""
    if not _active(user) or user.is_superuser:
        return False
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return bool(roles) and not roles & CAPABILITY_ROLES[Capability.VIEW_AGENCY_DATA]
