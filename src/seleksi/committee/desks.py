"""Which selections a staff member works on, and what their roles let them open there: the
staff menu on every page and the workspace (`/panitia/`) are both drawn from `staff_desks`.

Decisions worth knowing:

- A desk is one selection seen with the person's capabilities in its agency
  (`seleksi.agencies.permissions`); a superuser has every capability everywhere.
- The menu shows a link only to someone who can use the page behind it: the queue to anyone
  of the agency who reads applications, check-in to site staff and the committee, objections
  to the committee, ranking and replacements to the committee and the administrator (who
  reads them), the mitra pool to those who read the data of a statistics office or of an
  agency running a mitra selection, the console's selection, formations and audit trail to
  the administrator. The pages themselves still check, so a hidden link is a convenience,
  never the lock.
- Site staff (`Role.SITE_STAFF`) get a desk for each selection of their agency, with the
  check-in pages only: they read no application, ranking or console page.
"""

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from seleksi.agencies.models import Agency, Membership, Role
from seleksi.agencies.permissions import (
    CAPABILITY_ROLES,
    Capability,
    user_can,
    user_is_staff_anywhere,
)
from seleksi.selections.models import Selection

DESKS_ATTRIBUTE = "_seleksi_staff_desks"


@dataclass(frozen=True)
class Desk:
    selection: Selection
    roles: list[str]
    """the user's roles in the selection's agency, as labels"""
    can_view: bool
    """reads the agency's applications: the verification queue (verifier, committee,
    administrator)"""
    can_verify: bool
    """checks applications (verifier, committee)"""
    can_decide: bool
    """answers objections, starts and confirms rankings (committee)"""
    can_manage: bool
    """edits the selection and its formations in the console (administrator)"""
    can_test: bool
    """runs the test desk: sites, sessions, booking windows, moves (committee, administrator)"""
    can_check_in: bool
    """checks participants in on the test day (site staff, committee)"""

    @property
    def reads_ranking(self) -> bool:
        return self.can_decide or self.can_manage

    @property
    def reads_pool(self) -> bool:
        """the agency's mitra pool, for those who read its data where mitra are recruited: a
        statistics office, or any agency running a mitra selection"""
        return self.can_view and (
            self.selection.kind == Selection.Kind.MITRA
            or self.selection.agency.kind == Agency.Kind.STATISTICS_OFFICE
        )


def is_staff_member(user: Any) -> bool:
    """Whoever may open the workspace: a staff account or a member of an agency."""
    return bool(
        user.is_authenticated and user.is_active and (user.is_staff or user_is_staff_anywhere(user))
    )


def staff_desks(user: Any) -> list[Desk]:
    """The selections of the user's agencies (every selection for a superuser), by agency
    and newest first, each with the user's roles and what they may do in it."""
    if not user.is_authenticated or not user.is_active:
        return []
    selections = Selection.objects.select_related("agency").order_by(
        "agency__name", "-announced_on", "title"
    )
    if user.is_superuser:
        label = [str(_("Platform administrator"))]
        return [
            Desk(
                selection,
                label,
                can_view=True,
                can_verify=True,
                can_decide=True,
                can_manage=True,
                can_test=True,
                can_check_in=True,
            )
            for selection in selections
        ]
    roles: dict[int, set[Role]] = {}
    for agency_id, role in Membership.objects.filter(user=user).values_list("agency_id", "role"):
        roles.setdefault(agency_id, set()).add(Role(role))

    def holds(agency_id: int, capability: Capability) -> bool:
        return bool(roles.get(agency_id, set()) & CAPABILITY_ROLES[capability])

    return [
        Desk(
            selection,
            roles=[str(role.label) for role in Role if role in roles[selection.agency_id]],
            can_view=holds(selection.agency_id, Capability.VIEW_AGENCY_DATA),
            can_verify=holds(selection.agency_id, Capability.VERIFY_APPLICATIONS),
            can_decide=holds(selection.agency_id, Capability.DECIDE_RESULTS),
            can_manage=holds(selection.agency_id, Capability.MANAGE_SELECTIONS),
            can_test=holds(selection.agency_id, Capability.MANAGE_TESTS),
            can_check_in=holds(selection.agency_id, Capability.CHECK_IN),
        )
        for selection in selections.filter(agency_id__in=roles)
        if holds(selection.agency_id, Capability.VIEW_AGENCY_DATA)
        or holds(selection.agency_id, Capability.CHECK_IN)
    ]


def request_desks(request: HttpRequest) -> list[Desk]:
    """`staff_desks` of the signed-in user, read once per request (the menu and the page
    both ask)."""
    desks: list[Desk] | None = getattr(request, DESKS_ATTRIBUTE, None)
    if desks is None:
        desks = staff_desks(request.user)
        setattr(request, DESKS_ATTRIBUTE, desks)
    return desks


def selection_for(request: HttpRequest, code: str, capability: Capability) -> Selection:
    """The selection `code` for someone who holds `capability` in its agency; anyone else
    gets a 404, as if it did not exist (a committee page never tells a stranger what is
    there)."""
    selection = get_object_or_404(Selection.objects.select_related("agency"), code=code)
    if not user_can(request.user, capability, selection.agency_id):
        raise Http404("no such selection")
    return selection
