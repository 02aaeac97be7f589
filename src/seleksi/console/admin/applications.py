from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from seleksi.applications.models import Application, Document

from ..mixins import ReadOnlyAdminMixin
from ..scoping import AgencyScopedAdmin


class DocumentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Document
    extra = 0
    fields = ("rule", "original_name", "size", "pages", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, AgencyScopedAdmin):
    """Read-only for now: verification has its own queue."""

    agency_path = "selection__agency_id"
    list_display = ("number", "selection", "formation", "status", "submitted_at")
    list_filter = (("selection", admin.RelatedOnlyFieldListFilter), "status")
    search_fields = ("number", "formation__code")
    list_select_related = ("selection", "formation")
    inlines = [DocumentInline]
    readonly_fields = (
        "number",
        "selection",
        "formation",
        "status",
        "statements",
        "pppk_guru_group",
        "eligibility",
        "preference_points",
        "created_at",
        "submitted_at",
    )
    exclude = ("applicant",)
