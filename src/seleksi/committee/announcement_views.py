"""The committee's announcement pages (pengumuman): the announcements of a selection and what
can be announced, drafting one (or a correction), the draft with its preview and the
publication, and the agency's body templates.

Decisions worth knowing:
- Staff of the agency who read its data may open the list and an announcement; only the
  committee drafts, edits, publishes and changes templates. Anyone else gets a 404.
- Publishing is a second step on the draft's page: the preview (counts, first rows, the body
  as it will read) sits above a form where the committee types the number again; the form
  carries the preview's fingerprint, so a result that changed in between is refused.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from seleksi.agencies.permissions import Capability, user_can
from seleksi.announcements import selectors, services
from seleksi.announcements.models import Announcement, Kind
from seleksi.announcements.services import AnnouncementRefused
from seleksi.announcements.sources import source_for
from seleksi.announcements.tables import COLUMN_LABELS, PREVIEW_ROWS
from seleksi.core.client import site_url

from .announcement_forms import DraftForm, EditForm, PublishForm, TemplateForm
from .desks import selection_for


def public_url(announcement: Announcement) -> str:
    """The public page of a published announcement."""
    code = announcement.selection.code
    try:
        return reverse("public:announcement", kwargs={"code": code, "pk": announcement.pk})
    except NoReverseMatch:
        return f"/seleksi/{code}/pengumuman/{announcement.pk}/"


def _kind(value: str) -> str:
    if value not in Kind.values:
        raise Http404("no such kind of announcement")
    return value


def _refusal_to_form(form: Any, refusal: AnnouncementRefused) -> None:
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, refusal.message)


@login_required
@require_GET
def announcements(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.VIEW_AGENCY_DATA)
    return render(
        request,
        "announcements/list.html",
        {
            "selection": selection,
            "announcements": selectors.announcements_of(selection),
            "sources": selectors.sources_for(selection),
            "can_decide": user_can(request.user, Capability.DECIDE_RESULTS, selection.agency_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def announcement_new(request: HttpRequest, code: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.DECIDE_RESULTS)
    kind = _kind(request.GET.get("jenis", ""))
    corrects: Announcement | None = None
    if request.GET.get("koreksi"):
        corrects = get_object_or_404(
            Announcement.objects.published(),
            pk=_int(request.GET["koreksi"]),
            selection=selection,
            kind=kind,
        )
    problem = ""
    try:
        source = source_for(selection, kind)
    except AnnouncementRefused as refusal:
        source, problem = None, refusal.message
    form = DraftForm(
        request.POST or None,
        correction=corrects is not None,
        initial={"dated_on": selection.agency.today()},
    )
    if request.method == "POST" and source is not None and form.is_valid():
        try:
            draft = services.announcement_draft(
                selection=selection,
                kind=kind,
                actor=request.user,
                corrects=corrects,
                **form.cleaned_data,
            )
        except AnnouncementRefused as refusal:
            _refusal_to_form(form, refusal)
        else:
            messages.success(
                request,
                _("Draft saved. Check the preview below, then publish it."),
            )
            return redirect("committee:announcement", pk=draft.pk)
    return render(
        request,
        "announcements/new.html",
        {
            "selection": selection,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "corrects": corrects,
            "source": source,
            "problem": problem,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Http404("no such announcement") from None


@login_required
@require_http_methods(["GET", "POST"])
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = get_object_or_404(
        Announcement.objects.select_related(
            "selection__agency", "run", "publication", "corrects", "created_by", "published_by"
        ),
        pk=pk,
    )
    selection = announcement.selection
    if not user_can(request.user, Capability.VIEW_AGENCY_DATA, selection.agency_id):
        raise Http404("no such announcement")
    can_decide = user_can(request.user, Capability.DECIDE_RESULTS, selection.agency_id)
    correction = announcement.corrects_id is not None
    edit_form = EditForm(
        initial={name: getattr(announcement, name) for name in services.EDITABLE},
        correction=correction,
    )
    publish_form = PublishForm()
    status = 200
    if request.method == "POST":
        if not can_decide:
            raise Http404("no such announcement")
        if announcement.is_published:
            messages.error(request, _("This announcement is published and cannot change."))
            return redirect("committee:announcement", pk=announcement.pk)
        if request.POST.get("action") == "publish":
            publish_form = PublishForm(request.POST)
            if publish_form.is_valid():
                try:
                    published = services.announcement_publish(
                        announcement=announcement,
                        actor=request.user,
                        confirm_number=publish_form.cleaned_data["confirm_number"],
                        expected_fingerprint=publish_form.cleaned_data["fingerprint"],
                        site_url=site_url(request),
                    )
                except AnnouncementRefused as refusal:
                    _refusal_to_form(publish_form, refusal)
                else:
                    messages.success(
                        request,
                        _("Announcement %(number)s is published: %(rows)d rows.")
                        % {"number": published.number, "rows": published.row_count},
                    )
                    return redirect("committee:announcement", pk=published.pk)
        else:
            edit_form = EditForm(request.POST, correction=correction)
            if edit_form.is_valid():
                try:
                    services.announcement_update(
                        announcement=announcement, actor=request.user, **edit_form.cleaned_data
                    )
                except AnnouncementRefused as refusal:
                    _refusal_to_form(edit_form, refusal)
                else:
                    messages.success(request, _("The draft has been saved."))
                    return redirect("committee:announcement", pk=announcement.pk)
        status = 400
    context: dict[str, Any] = {
        "announcement": announcement,
        "selection": selection,
        "can_decide": can_decide,
        "edit_form": edit_form,
        "publish_form": publish_form,
        "placeholders": selectors.PLACEHOLDERS.items(),
    }
    if announcement.is_published:
        context["public_url"] = public_url(announcement)
        context["rows"] = list(announcement.rows.order_by("order")[:PREVIEW_ROWS])
        context["columns"] = [COLUMN_LABELS.get(c, c) for c in announcement.columns]
        context["counts"] = sorted(announcement.counts.items())
        context["formations"] = announcement.formations
    else:
        try:
            preview = services.announcement_preview(announcement=announcement)
        except AnnouncementRefused as refusal:
            context["problem"] = refusal.message
        else:
            context["preview"] = preview
            context["rows"] = [_PreviewRow(order, row) for order, row in preview.rows]
            context["columns"] = [COLUMN_LABELS.get(c, c) for c in preview.columns]
            context["counts"] = sorted(preview.counts.items())
            context["formations"] = preview.formations
            if not publish_form.is_bound:
                publish_form = PublishForm(initial={"fingerprint": preview.fingerprint})
                context["publish_form"] = publish_form
    return render(request, "announcements/detail.html", context, status=status)


class _PreviewRow:
    """A previewed row, read by the template as a stored row is."""

    def __init__(self, order: int, row: Any) -> None:
        self.order = order
        self.number = row.number
        self.name = row.name
        self.formation_code = row.formation_code
        self.figures = list(row.figures)
        self.total = row.total
        self.rank = row.rank
        self.code = row.code
        self.note = row.note


@login_required
@require_http_methods(["GET", "POST"])
def announcement_template(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    selection = selection_for(request, code, Capability.DECIDE_RESULTS)
    kind = _kind(kind)
    agency = selection.agency
    stored = selectors.agency_template(agency.pk, kind)
    body = stored.body if stored is not None else selectors.default_body(kind)
    form = TemplateForm(request.POST or None, initial={"body": body})
    if request.method == "POST" and form.is_valid():
        try:
            services.announcement_template_save(
                agency=agency, kind=kind, body=form.cleaned_data["body"], actor=request.user
            )
        except AnnouncementRefused as refusal:
            _refusal_to_form(form, refusal)
        else:
            messages.success(
                request,
                _("The template is saved; new drafts of this kind start from it."),
            )
            return redirect("committee:announcement_template", code=selection.code, kind=kind)
    return render(
        request,
        "announcements/template.html",
        {
            "selection": selection,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "stored": stored,
            "form": form,
            "default_body": selectors.default_body(kind),
            "placeholders": selectors.PLACEHOLDERS.items(),
        },
        status=400 if request.method == "POST" else 200,
    )
