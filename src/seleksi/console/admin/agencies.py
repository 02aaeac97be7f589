from django.contrib import admin

from seleksi.agencies.models import Agency, Membership

from ..mixins import AuditedAdminMixin
from ..scoping import SuperuserOnlyAdmin


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Agency)
class AgencyAdmin(AuditedAdminMixin, SuperuserOnlyAdmin):
    list_display = ("name", "code", "kind", "parent", "time_zone")
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, SuperuserOnlyAdmin):
    list_display = ("user", "role", "agency", "created_at")
    list_filter = ("role", "agency")
    search_fields = ("user__username", "user__email", "agency__name")
    autocomplete_fields = ("user",)
