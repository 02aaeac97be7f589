from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from seleksi.accounts.models import User
from seleksi.agencies.models import Membership

from ..mixins import AuditedAdminMixin
from ..scoping import SuperuserOnlyAdmin


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdminMixin, SuperuserOnlyAdmin, BaseUserAdmin[User]):
    inlines = [MembershipInline]
    list_display = ("username", "full_name", "email", "masked_nik", "is_staff", "is_superuser")
    search_fields = ("username", "email", "full_name")
    readonly_fields = ("masked_nik", "masked_kk", "registry_status", "email_verified_at")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Applicant"),
            {
                "fields": (
                    "full_name",
                    "birth_date",
                    "sex",
                    "phone",
                    "masked_nik",
                    "masked_kk",
                    "registry_status",
                    "email_verified_at",
                    "language",
                )
            },
        ),
    )

    @admin.display(description="NIK")
    def masked_nik(self, obj: User) -> str:
        return obj.nik_masked

    @admin.display(description="KK")
    def masked_kk(self, obj: User) -> str:
        return obj.kk_masked
