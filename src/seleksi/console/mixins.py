"""Behaviour the console's pages share and that knows nothing of agencies: the audit of every
change made in the console, and rows it shows but never writes."""

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from seleksi.audit.services import audit_record
from seleksi.core.public_cache import public_content_changed


class AuditedAdminMixin:
    """Writes an audit event for every add, change and delete made in the console, with the
    console's own description of what changed and the reason the editor gave."""

    def _audit(self, request: HttpRequest, obj: Model, verb: str, message: Any) -> None:
        reason = getattr(request, "_seleksi_change_reason", "")
        audit_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.{verb}",
            subject=obj,
            reason=reason,
            details={"changes": message} if message else {},
        )
        public_content_changed()

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._audit(request, obj, "created", message)
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._audit(request, obj, "updated", message)
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            self._audit(request, obj, "deleted", None)
        return super().log_deletions(request, queryset)  # type: ignore[misc]


class ReadOnlyAdminMixin:
    """Rows that the console shows but never writes: they come from services or data files."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
