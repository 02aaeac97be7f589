from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from seleksi.agencies.admin import SuperuserOnlyAdmin
from seleksi.agencies.models import Membership
from seleksi.core.admin_scoping import AuditedAdminMixin

from .models import User


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdminMixin, SuperuserOnlyAdmin, BaseUserAdmin[User]):
    inlines = [MembershipInline]
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_superuser")
