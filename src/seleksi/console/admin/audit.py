from django.contrib import admin

from seleksi.audit.models import AuditEvent

from ..mixins import ReadOnlyAdminMixin
from ..scoping import AgencyScopedAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, AgencyScopedAdmin):
    """Read-only view of the audit trail, scoped to the viewer's agencies."""

    list_display = ("occurred_at", "action", "subject_label", "actor_role", "actor", "reason")
    list_filter = ("action", "actor_role")
    search_fields = ("subject_label", "action", "reason")
    date_hierarchy = "occurred_at"
    list_per_page = 100
