"""What the public side reads of announcements: the published ones of a selection, one of
them with its corrections, its formations and a page of its rows.

Decisions worth knowing:
- Only published announcements are read here. A draft, or an announcement of another or an
  unpublished selection, reads as `None`, so a page answers it as it answers a number that
  was never given.
- A page of rows is a range of `order`: the announcement's `formations` says where each
  formation starts and how many rows it has, so page n of a formation is
  `first + (n - 1) * size <= order < first + n * size`, an index range scan on
  (announcement, order). Nothing counts rows and nothing skips rows with OFFSET, so the last
  page of a 100,000-row announcement costs what the first does. The whole table pages the
  same way over 1..row_count.
- Whether an announcement has been corrected is read with it: in the list as subqueries for
  the published correction's id, number and date; for one announcement as a second small
  query (cheaper to build than the subqueries), so its page needs two queries besides its
  rows, and a cached page only those two.
- All rows are read in order ranges too (`rows_in_order`), a chunk at a time, for the
  downloads and the PDF: memory stays flat and no server-side cursor is needed.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery

from .models import Announcement, AnnouncementRow

ROWS_PER_PAGE = 100
EXPORT_CHUNK = 2000


def _with_correction(queryset: Any) -> Any:
    """Each announcement with its published correction's id, number and date (or None)."""
    correction = Announcement.objects.filter(
        corrects=OuterRef("pk"), published_at__isnull=False
    ).order_by("published_at", "pk")
    return queryset.annotate(
        corrected_by_id=Subquery(correction.values("pk")[:1]),
        corrected_by_number=Subquery(correction.values("number")[:1]),
        corrected_by_dated_on=Subquery(correction.values("dated_on")[:1]),
    )


def announcements_published(*, selection_id: int) -> list[Announcement]:
    """The selection's published announcements in order of publication, each with what it
    corrects (`corrects`) and what corrects it (`corrected_by_*`)."""
    queryset = (
        Announcement.objects.published()
        .filter(selection_id=selection_id)
        .select_related("corrects")
        .defer("body", "formations", "corrects__body", "corrects__formations")
        .order_by("published_at", "pk")
    )
    return list(_with_correction(queryset))


def announcement_published_get(*, code: str, pk: int) -> Announcement | None:
    """The published announcement `pk` of the published selection `code`, with its selection,
    agency, the announcement it corrects and its own correction (`corrected_by_*`); None
    otherwise. `formations` is read only when asked for (a cached page does not need it)."""
    return _with_correction_of(
        Announcement.objects.published()
        .filter(pk=pk, selection__code=code, selection__is_published=True)
        .select_related("selection__agency", "corrects")
        .defer("formations", "corrects__formations", "corrects__body")
        .first()
    )


def announcement_published_by_pk(*, pk: int) -> Announcement | None:
    """The published announcement `pk` as `announcement_published_get` reads it, whatever its
    selection (for the task that prints it)."""
    return _with_correction_of(
        Announcement.objects.published()
        .filter(pk=pk)
        .select_related("selection__agency", "corrects")
        .first()
    )


def _with_correction_of(announcement: Announcement | None) -> Announcement | None:
    if announcement is None:
        return None
    if announcement.corrects is not None and not announcement.corrects.is_published:
        announcement.corrects = None
    correction = (
        Announcement.objects.published()
        .filter(corrects_id=announcement.pk)
        .order_by("published_at", "pk")
        .values_list("pk", "number", "dated_on")
        .first()
    )
    found = correction or (None, None, None)
    announcement.corrected_by_id, announcement.corrected_by_number = found[0], found[1]  # type: ignore[attr-defined]
    announcement.corrected_by_dated_on = found[2]  # type: ignore[attr-defined]
    return announcement


def announcements_latest(
    *, selection_ids: list[int], per_selection: int
) -> dict[int, list[Announcement]]:
    """The latest `per_selection` published announcements of each selection, oldest first, in
    one query for all the selections; a selection without any is left out."""
    found: dict[int, list[Announcement]] = {}
    if not selection_ids:
        return found
    queryset = (
        Announcement.objects.published()
        .filter(selection_id__in=selection_ids)
        .only("pk", "selection_id", "kind", "number", "dated_on", "title", "published_at")
        .order_by("selection_id", "-published_at", "-pk")
    )
    for announcement in queryset:
        latest = found.setdefault(announcement.selection_id, [])
        if len(latest) < per_selection:
            latest.append(announcement)
    return {selection_id: latest[::-1] for selection_id, latest in found.items()}


@dataclass(frozen=True)
class FormationPart:
    """One formation's rows in an announcement: orders `first` .. `first + count - 1`."""

    code: str
    label: str
    first: int
    count: int
    counts: dict[str, int] = field(default_factory=dict)

    def pages(self, size: int = ROWS_PER_PAGE) -> int:
        return max(1, -(-self.count // size))


def formation_parts(announcement: Announcement) -> list[FormationPart]:
    """The announcement's formations in printed order, read from `formations`."""
    parts = []
    for entry in announcement.formations or []:
        code, label, first, count = entry[0], entry[1], entry[2], entry[3]
        counts = entry[4] if len(entry) > 4 and isinstance(entry[4], dict) else {}
        parts.append(FormationPart(str(code), str(label), int(first), int(count), counts))
    return parts


@dataclass(frozen=True)
class RowPage:
    """A page of rows, shaped like a Django page for the pagination links."""

    number: int
    num_pages: int
    rows: list[AnnouncementRow]
    formation: FormationPart | None = None

    @property
    def paginator(self) -> "RowPage":
        return self

    @property
    def object_list(self) -> list[AnnouncementRow]:
        return self.rows

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def page_count(
    announcement: Announcement, formation: FormationPart | None, size: int = ROWS_PER_PAGE
) -> int:
    rows = formation.count if formation is not None else announcement.row_count
    return max(1, -(-rows // size))


def rows_page(
    *,
    announcement: Announcement,
    formation: FormationPart | None = None,
    number: int = 1,
    size: int = ROWS_PER_PAGE,
) -> RowPage:
    """Page `number` (clamped to the pages there are) of the whole table or of `formation`."""
    pages = page_count(announcement, formation, size)
    number = min(max(number, 1), pages)
    first, end = 1, announcement.row_count + 1
    if formation is not None:
        first, end = formation.first, formation.first + formation.count
    start = first + (number - 1) * size
    stop = min(start + size, end)
    rows = list(
        AnnouncementRow.objects.filter(
            announcement=announcement, order__gte=start, order__lt=stop
        ).order_by("order")
    )
    return RowPage(number, pages, rows, formation)


def row_find(*, announcement: Announcement, number: str) -> AnnouncementRow | None:
    """The row of participant `number`, exactly as printed, or None."""
    return (
        AnnouncementRow.objects.filter(announcement=announcement, number=number)
        .order_by("order")
        .first()
    )


def formation_of_row(
    parts: list[FormationPart], row: AnnouncementRow, size: int = ROWS_PER_PAGE
) -> tuple[FormationPart | None, int]:
    """The formation a row is printed in and the page of that formation it is on."""
    for part in parts:
        if part.first <= row.order < part.first + part.count:
            return part, (row.order - part.first) // size + 1
    return None, 1


def rows_in_order(
    *, announcement: Announcement, chunk: int = EXPORT_CHUNK
) -> Iterator[AnnouncementRow]:
    """Every row in printed order, read `chunk` orders at a time."""
    for start in range(1, announcement.row_count + 1, chunk):
        yield from AnnouncementRow.objects.filter(
            announcement=announcement, order__gte=start, order__lt=start + chunk
        ).order_by("order")
