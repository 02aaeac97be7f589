"""Reads of the announcements: the committee's list and what it can announce, the public
order of published announcements, an applicant's own rows, and the body templates.

Decisions worth knowing:
- A body template is `string.Template` text: `$name` placeholders, `$$` for a dollar sign.
  The agency's own text for a kind replaces the shipped one (data/bodies/<kind>.txt).
- `sources_for` asks each kind the selection can have for its current source, so the
  committee sees at once what can be announced and, when not, what to do first.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from seleksi.applications.models import Application
from seleksi.rules.formations import ProcurementType
from seleksi.selections.models import Formation, Selection

from .models import Announcement, AnnouncementRow, AnnouncementTemplate, Kind
from .sources import AnnouncementRefused, Source, source_for

BODIES = Path(__file__).resolve().parent / "data" / "bodies"

PLACEHOLDERS: dict[str, Any] = {
    "agency": _("the agency's name"),
    "selection": _("the selection's title"),
    "stage": _("the kind of announcement, for example “Final result”"),
    "number": _("the announcement's number"),
    "date": _("the announcement's date, written out (3 Desember 2026)"),
    "year": _("the year of the announcement's date"),
    "participants": _("the number of participants in the result table"),
    "passed": _("how many passed (MS, P/L, L and L-2)"),
    "formations": _("the number of formations in the result table"),
}
"""The placeholders a body may use, with what each is replaced by."""


@cache
def default_body(kind: str) -> str:
    """The shipped body text of `kind` (Bahasa Indonesia, official style)."""
    return (BODIES / f"{Kind(kind).value}.txt").read_text(encoding="utf-8").strip()


def template_body(agency_id: int, kind: str) -> str:
    """The agency's body text for `kind`, or the shipped one."""
    body = (
        AnnouncementTemplate.objects.filter(agency_id=agency_id, kind=kind)
        .values_list("body", flat=True)
        .first()
    )
    return body if body is not None else default_body(kind)


def agency_template(agency_id: int, kind: str) -> AnnouncementTemplate | None:
    return (
        AnnouncementTemplate.objects.filter(agency_id=agency_id, kind=kind)
        .select_related("updated_by")
        .first()
    )


# The committee's list -------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceState:
    """One kind of announcement of a selection: whether it can be announced now."""

    kind: str
    label: str
    source: Source | None
    problem: str
    """why it cannot be announced now, and what to do first ("" when it can)"""
    published: list[Announcement]
    """the published announcements of this kind, oldest first"""

    @property
    def can_draft(self) -> bool:
        return self.source is not None

    @property
    def latest(self) -> Announcement | None:
        """The published announcement a new one of this kind would correct."""
        corrected = {a.corrects_id for a in self.published}
        current = [a for a in self.published if a.pk not in corrected]
        return current[-1] if current else None


def kinds_for(selection: Selection) -> list[str]:
    """The kinds of announcement this selection can have, in the order a selection runs."""
    types = set(
        Formation.objects.filter(selection=selection)
        .values_list("procurement_type", flat=True)
        .distinct()
    )
    if selection.kind == Selection.Kind.MITRA:
        types.add(ProcurementType.MITRA)
    kinds: list[str] = [Kind.ADMINISTRATIVE, Kind.POST_OBJECTION]
    if ProcurementType.CPNS in types or not types:
        kinds += [Kind.SKD, Kind.FINAL]
    if ProcurementType.PPPK in types or not types:
        kinds.append(Kind.PPPK)
    if ProcurementType.MITRA in types:
        kinds.append(Kind.MITRA)
    kinds.append(Kind.REPLACEMENT)
    return kinds


def sources_for(selection: Selection) -> list[SourceState]:
    published: dict[str, list[Announcement]] = {}
    for announcement in published_for(selection):
        published.setdefault(announcement.kind, []).append(announcement)
    labels = dict(Kind.choices)
    states = []
    for kind in kinds_for(selection):
        try:
            source: Source | None = source_for(selection, kind)
            problem = ""
        except AnnouncementRefused as refusal:
            source, problem = None, refusal.message
        states.append(
            SourceState(kind, str(labels[kind]), source, problem, published.get(kind, []))
        )
    return states


def announcements_of(selection: Selection) -> list[Announcement]:
    """Every announcement of the selection, drafts first (newest first), then the published
    ones, newest first."""
    announcements = list(
        Announcement.objects.filter(selection=selection)
        .select_related("corrects", "created_by", "published_by", "run", "publication")
        .order_by("-pk")
    )
    corrected = {a.corrects_id for a in announcements if a.is_published and a.corrects_id}
    for announcement in announcements:
        announcement.is_corrected = announcement.pk in corrected  # type: ignore[attr-defined]
    drafts = [a for a in announcements if not a.is_published]
    published = sorted(
        (a for a in announcements if a.is_published),
        key=lambda a: (a.published_at, a.pk),
        reverse=True,
    )
    return drafts + published


# Public and applicant reads -------------------------------------------------------------------


def _corrected() -> Exists:
    return Exists(Announcement.objects.published().filter(corrects=OuterRef("pk")).values("pk"))


def published_for(selection: Selection) -> QuerySet[Announcement]:
    """The selection's published announcements in the order they were published, each with
    `is_corrected` (a published correction replaces it)."""
    return (
        Announcement.objects.published()
        .filter(selection=selection)
        .select_related("corrects")
        .annotate(is_corrected=_corrected())
        .order_by("published_at", "pk")
    )


def corrected_ids(selection: Selection) -> set[int]:
    """The published announcements of the selection that a published correction replaces."""
    return set(
        Announcement.objects.published()
        .filter(selection=selection, corrects__isnull=False)
        .values_list("corrects_id", flat=True)
    )


def applications_rows(application_ids: Iterable[int]) -> list[AnnouncementRow]:
    """The rows of these applications in published announcements, newest announcement first,
    read in one query (with the announcement, its selection and run); each announcement has
    `is_corrected` (a published correction replaces it)."""
    rows = list(
        AnnouncementRow.objects.filter(
            application_id__in=list(application_ids), announcement__published_at__isnull=False
        )
        .select_related("announcement__selection", "announcement__run")
        .order_by("-announcement__published_at", "-announcement_id")
    )
    corrected = set(
        Announcement.objects.published()
        .filter(corrects_id__in={row.announcement_id for row in rows})
        .values_list("corrects_id", flat=True)
    )
    for row in rows:
        row.announcement.is_corrected = row.announcement_id in corrected  # type: ignore[attr-defined]
    return rows


def applicant_rows(application: Application) -> list[tuple[Announcement, AnnouncementRow]]:
    """The application's rows in published announcements, oldest announcement first; each
    announcement has `is_corrected` (a published correction replaces it)."""
    rows = applications_rows([application.pk])
    return [(row.announcement, row) for row in reversed(rows)]
