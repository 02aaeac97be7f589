from typing import Any

from django import template

from ..selectors import unread_count

register = template.Library()

CACHE_ATTRIBUTE = "_seleksi_unread_notices"


@register.simple_tag(takes_context=True)
def unread_notices(context: dict[str, Any]) -> int:
    """The signed-in person's unread notices, counted once per request; nothing is asked of
    the database for anonymous visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    count: int | None = getattr(request, CACHE_ATTRIBUTE, None)
    if count is None:
        count = unread_count(user)
        setattr(request, CACHE_ATTRIBUTE, count)
    return count
