from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from seleksi.agencies.models import Agency
from seleksi.agencies.permissions import Capability, agency_ids_with, user_can
from seleksi.selections.messages import describe_issue
from seleksi.selections.models import (
    Contact,
    DocumentRule,
    Formation,
    Requirement,
    Selection,
    Stage,
)
from seleksi.selections.selectors import formation_export_rows
from seleksi.selections.services import formation_save, formations_import, formations_parse_file
from seleksi.selections.tables import (
    CSV_CONTENT_TYPE,
    MAX_FILE_BYTES,
    MEGABYTE,
    XLSX_CONTENT_TYPE,
    TableFileError,
    unpacked_size,
    write_csv,
    write_xlsx,
)
from seleksi.selections.tasks import formations_import_request, import_state
from seleksi.verification.models import RejectionReason

from ..forms import (
    ANNOUNCEMENT_FIELDS,
    SELECTION_FIELDS,
    FormationForm,
    FormationImportForm,
    SelectionForm,
)
from ..mixins import AuditedAdminMixin
from ..scoping import AgencyScopedAdmin, ScopedInline


class StageInline(ScopedInline):
    model = Stage
    fields = ("order", "kind", "name", "starts_on", "ends_on", "note")


class RequirementInline(ScopedInline):
    model = Requirement
    fields = ("order", "category", "applies_to", "text")


class DocumentRuleInline(ScopedInline):
    model = DocumentRule
    fields = (
        "order",
        "code",
        "name",
        "file_format",
        "max_size_kb",
        "max_pages",
        "is_photo",
        "is_required",
        "applies_to",
    )


class RejectionReasonInline(ScopedInline):
    model = RejectionReason
    fields = ("order", "code", "text", "is_active")


class ContactInline(ScopedInline):
    model = Contact
    fields = ("order", "kind", "label", "value")


@admin.register(Selection)
class SelectionAdmin(AuditedAdminMixin, AgencyScopedAdmin):
    form = SelectionForm
    list_display = ("title", "code", "agency", "kind", "is_published", "formation_total")
    list_filter = ("kind", "is_published", ("agency", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "code", "number")
    inlines = [
        StageInline,
        RequirementInline,
        DocumentRuleInline,
        ContactInline,
        RejectionReasonInline,
    ]
    change_form_template = "admin/selections/selection/change_form.html"
    fieldsets = (
        (None, {"fields": SELECTION_FIELDS}),
        (_("Announcement"), {"fields": ANNOUNCEMENT_FIELDS}),
        (_("Audit"), {"fields": ("change_reason",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)
        annotated: QuerySet[Any] = queryset.annotate(
            quota_sum=Sum("formations__quota"), line_count=Count("formations")
        )
        return annotated

    @admin.display(description=_("Openings"))
    def formation_total(self, obj: Any) -> str:
        return f"{obj.quota_sum or 0} / {obj.line_count}"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency" and not request.user.is_superuser:
            kwargs["queryset"] = Agency.objects.filter(
                pk__in=agency_ids_with(request.user, Capability.MANAGE_SELECTIONS)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not user_can(request.user, Capability.MANAGE_SELECTIONS, obj.agency_id):
            raise PermissionDenied
        request._seleksi_change_reason = form.cleaned_data.get("change_reason", "")  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<int:object_id>/formasi/impor/",
                self.admin_site.admin_view(self.import_formations_view),
                name="selections_selection_import_formations",
            ),
            path(
                "<int:object_id>/formasi/ekspor.<str:file_format>",
                self.admin_site.admin_view(self.export_formations_view),
                name="selections_selection_export_formations",
            ),
        ]
        return own + super().get_urls()

    def _selection_for(self, request: HttpRequest, object_id: int, capability: Capability) -> Any:
        selection = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not user_can(request.user, capability, selection.agency_id):
            raise PermissionDenied
        return selection

    def import_formations_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """A file whose text reaches SELEKSI_IMPORT_BACKGROUND_FROM_KB is handed to the task
        worker (`tasks.formations_import_request`); a smaller one is imported here."""
        selection = self._selection_for(request, object_id, Capability.IMPORT_FORMATIONS)
        issues: list[dict[str, Any]] = []
        form = FormationImportForm(request.POST or None, request.FILES or None)
        status = 200
        import_page = reverse("admin:selections_selection_import_formations", args=[selection.pk])
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_FILE_BYTES:
                form.add_error(
                    "file",
                    gettext("The file is larger than %(limit)d MB.")
                    % {"limit": MAX_FILE_BYTES // MEGABYTE},
                )
            else:
                content = upload.read()
                try:
                    in_background = (
                        unpacked_size(upload.name, content)
                        >= settings.SELEKSI_IMPORT_BACKGROUND_FROM_KB * 1024
                    )
                    if in_background:
                        formations_import_request(
                            selection=selection,
                            filename=upload.name,
                            content=content,
                            actor=request.user,
                        )
                        messages.info(
                            request,
                            gettext(
                                "The file is large, so the task worker imports it. This page "
                                "shows the result when it is done; reload it in a minute."
                            ),
                        )
                        return HttpResponseRedirect(import_page)
                    parsed = formations_parse_file(filename=upload.name, content=content)
                except TableFileError as error:
                    form.add_error("file", error.message)
                else:
                    outcome = formations_import(
                        selection=selection,
                        parsed=parsed,
                        actor=request.user,
                        source=f"console:{upload.name}",
                    )
                    if outcome.ok:
                        messages.success(
                            request,
                            gettext(
                                "Imported: %(created)d added, %(updated)d changed, "
                                "%(deleted)d removed, %(unchanged)d unchanged. "
                                "Total quota %(quota)d."
                            )
                            % {
                                "created": outcome.created,
                                "updated": outcome.updated,
                                "deleted": outcome.deleted,
                                "unchanged": outcome.unchanged,
                                "quota": outcome.total_quota,
                            },
                        )
                        return HttpResponseRedirect(
                            reverse("admin:selections_selection_change", args=[selection.pk])
                        )
                    issues = [
                        {"row": i.row, "column": i.column or "", "message": describe_issue(i)}
                        for i in outcome.issues
                    ]
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import formations"),
            "selection": selection,
            "form": form,
            "issues": issues,
            "import_state": import_state(selection),
            "opts": self.model._meta,
        }
        return render(
            request, "admin/selections/selection/import_formations.html", context, status=status
        )

    def export_formations_view(
        self, request: HttpRequest, object_id: int, file_format: str
    ) -> HttpResponse:
        selection = self._selection_for(request, object_id, Capability.VIEW_AGENCY_DATA)
        rows = formation_export_rows(selection.formations.order_by("code"))
        if file_format == "csv":
            response = HttpResponse(write_csv(rows), content_type=CSV_CONTENT_TYPE)
        elif file_format == "xlsx":
            response = HttpResponse(write_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
        else:
            raise PermissionDenied
        name = f"formasi-{slugify(selection.code)}.{file_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@admin.register(Formation)
class FormationAdmin(AuditedAdminMixin, AgencyScopedAdmin):
    agency_path = "selection__agency_id"
    form = FormationForm
    list_display = (
        "code",
        "procurement_type",
        "formation_type",
        "position",
        "placement_unit",
        "quota",
    )
    list_filter = (
        ("selection", admin.RelatedOnlyFieldListFilter),
        "procurement_type",
        "formation_type",
        "position_category",
    )
    search_fields = ("code", "position", "placement_unit", "qualifications_text")
    list_select_related = ("selection",)
    readonly_fields = ("selection", "code")
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # New openings come in through the allocation import, which validates the whole table.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Adding is closed, but an administrator still edits openings (their quota above all):
        # the list is theirs to change, not only to view.
        if obj is None:
            return AgencyScopedAdmin.has_add_permission(self, request)
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not user_can(request.user, Capability.MANAGE_SELECTIONS, obj.selection.agency_id):
            raise PermissionDenied
        formation_save(formation=obj, row=form.parsed_row)
