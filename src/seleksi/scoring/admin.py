from django.contrib import admin

from seleksi.core.admin_scoping import AgencyScopedAdmin, ReadOnlyAdminMixin

from .models import Score


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdminMixin, AgencyScopedAdmin):
    """Read-only: scores come only from `seleksi import-scores`."""

    agency_path = "selection__agency_id"
    list_display = (
        "application",
        "selection",
        "stage",
        "round",
        "attendance",
        "twk",
        "tiu",
        "tkp",
        "skb",
        "teknis",
        "manajerial_sosiokultural",
        "wawancara",
        "imported_at",
    )
    list_filter = (("selection", admin.RelatedOnlyFieldListFilter), "stage", "attendance")
    search_fields = ("application__number",)
    list_select_related = ("selection", "application")
    readonly_fields = (
        "selection",
        "application",
        "stage",
        "round",
        "attendance",
        "twk",
        "tiu",
        "tkp",
        "skb",
        "teknis",
        "manajerial_sosiokultural",
        "wawancara",
        "serdik_linier",
        "age_35_active_3_years",
        "disability",
        "thk2_active_3_years",
        "imported_at",
        "source_name",
        "source_sha256",
    )
