from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from seleksi.audit.admin_mixins import AuditedAdminMixin

from .models import Agency, Membership


class SuperuserOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Agencies and their staff are managed by superusers only."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Agency)
class AgencyAdmin(AuditedAdminMixin, SuperuserOnlyAdmin):
    list_display = ("name", "code", "kind", "time_zone")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, SuperuserOnlyAdmin):
    list_display = ("user", "role", "agency", "created_at")
    list_filter = ("role", "agency")
    search_fields = ("user__username", "user__email", "agency__name")
    autocomplete_fields = ("user",)
