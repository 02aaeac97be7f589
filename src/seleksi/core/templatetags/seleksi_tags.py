from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ counts|get_item:stage }}`: a dictionary value by a variable key."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
