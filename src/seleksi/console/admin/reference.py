from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from seleksi.reference.models import EducationLevel, Province, Regency

from ..mixins import ReadOnlyAdminMixin


class ReferenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only, for superusers: the rows come from the data files through migrations."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Province)
class ProvinceAdmin(ReferenceAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Regency)
class RegencyAdmin(ReferenceAdmin):
    list_display = ("code", "name", "province")
    list_filter = ("province",)
    list_select_related = ("province",)
    search_fields = ("code", "name", "province__name")
    list_per_page = 100


@admin.register(EducationLevel)
class EducationLevelAdmin(ReferenceAdmin):
    list_display = ("order", "code", "name")
    search_fields = ("code", "name")
