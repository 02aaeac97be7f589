from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from seleksi.core.admin_scoping import AgencyScopedAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(AgencyScopedAdmin):
    """Read-only view of the audit trail, scoped to the viewer's agencies."""

    list_display = ("occurred_at", "action", "subject_label", "actor_role", "actor", "reason")
    list_filter = ("action", "actor_role")
    search_fields = ("subject_label", "action", "reason")
    date_hierarchy = "occurred_at"
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
