from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from seleksi.scoring.models import RankingRun, Score

from ..mixins import ReadOnlyAdminMixin
from ..scoping import AgencyScopedAdmin


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


@admin.register(RankingRun)
class RankingRunAdmin(ReadOnlyAdminMixin, AgencyScopedAdmin):
    """Read-only: runs come only from `seleksi rank`. A run's rows have no page here: their
    key is (run, order), which the admin cannot address; the committee's ranking page, linked
    from each run here, lists them by formation and exports them as CSV."""

    agency_path = "selection__agency_id"
    list_display = (
        "pk",
        "selection",
        "stage",
        "policy_code",
        "policy_version",
        "row_count",
        "fingerprint",
        "created_at",
    )
    list_filter = (("selection", admin.RelatedOnlyFieldListFilter), "stage")
    list_select_related = ("selection",)
    readonly_fields = (
        "selection",
        "stage",
        "policy_code",
        "policy_version",
        "fingerprint",
        "created_at",
        "row_count",
        "counts",
        "rows_pages",
    )

    @admin.display(description=_("rows"))
    def rows_pages(self, run: RankingRun) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("committee:run", args=[run.pk]),
            _("the run's page, by formation"),
            reverse("committee:run_csv", args=[run.pk]),
            _("the rows as CSV"),
        )
