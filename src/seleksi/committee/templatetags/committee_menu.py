"""`{% staff_menu %}`: the staff menu in the page header, by role (see `..desks`)."""

from typing import Any

from django import template

from seleksi.agencies.permissions import user_checks_in_only

from ..desks import Desk, is_staff_member, request_desks

register = template.Library()


@register.inclusion_tag("committee/_staff_menu.html", takes_context=True)
def staff_menu(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not is_staff_member(user):
        return {"show": False}
    return {
        "show": True,
        "desks": request_desks(request),
        "console": not user_checks_in_only(user),
        "request": request,
    }


@register.simple_tag(takes_context=True)
def staff_desks(context: Any) -> list[Desk]:
    """`{% staff_desks as desks %}`: the signed-in staff member's selections, for the
    console's home page."""
    request = context.get("request")
    if request is None or not is_staff_member(request.user):
        return []
    return request_desks(request)
