"""Console (Django admin) pieces that know nothing of agencies or the audit trail."""

from typing import Any

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Rows that the console shows but never writes: they come from services or data files."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
