"""Who may see and change what in the console (Django admin).

Agency staff see and change only what belongs to their own agencies; a superuser sees all.
Permissions come from agency memberships (see seleksi.agencies.permissions), not from
Django's per-model permission table, so granting a role is one membership row. Agencies,
staff and users are managed by superusers only.
"""

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from seleksi.agencies.permissions import Capability, agency_ids_with, user_can


class AgencyScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """`agency_path` is the lookup from the model to its agency id, e.g. "agency_id" or
    "selection__agency_id"."""

    agency_path = "agency_id"
    manage_capability = Capability.MANAGE_SELECTIONS

    def _agency_id(self, obj: Model) -> int | None:
        value: Any = obj
        for part in self.agency_path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return int(value)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        allowed = agency_ids_with(request.user, Capability.VIEW_AGENCY_DATA)
        return queryset.filter(**{f"{self.agency_path}__in": allowed})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or bool(
            agency_ids_with(request.user, Capability.VIEW_AGENCY_DATA)
        )

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return user_can(request.user, Capability.VIEW_AGENCY_DATA, self._agency_id(obj))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return request.user.is_superuser or bool(
            agency_ids_with(request.user, self.manage_capability)
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return self.has_add_permission(request)
        return user_can(request.user, self.manage_capability, self._agency_id(obj))

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)


class ScopedInline(admin.TabularInline):  # type: ignore[type-arg]
    """Inlines follow their parent's permission: the parent admin already checked the
    agency, so an inline may be edited exactly when its parent may."""

    extra = 0

    def _parent_allowed(self, request: HttpRequest, obj: Model | None) -> bool:
        if obj is None:
            return request.user.is_superuser or bool(
                agency_ids_with(request.user, Capability.MANAGE_SELECTIONS)
            )
        return user_can(request.user, Capability.MANAGE_SELECTIONS, getattr(obj, "agency_id", None))

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_allowed(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_allowed(request, obj)


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
