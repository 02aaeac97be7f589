"""Reads for the public pages and exports."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from .models import Formation, FormationQualification, Selection


def selections_published() -> QuerySet[Selection]:
    return (
        Selection.objects.filter(is_published=True)
        .select_related("agency")
        .prefetch_related("stages")
        .annotate(formation_count=Count("formations"), quota_total=Sum("formations__quota"))
        .order_by("-announced_on", "title")
    )


def selection_published_get(*, code: str) -> Selection | None:
    return (
        Selection.objects.filter(is_published=True, code=code)
        .select_related("agency")
        .prefetch_related("stages", "requirements", "document_rules", "contacts")
        .first()
    )


@dataclass(frozen=True)
class FormationFilter:
    procurement_type: str = ""
    formation_type: str = ""
    position_category: str = ""
    position: str = ""
    qualification: str = ""
    placement_unit: str = ""
    search: str = ""


def formations_filtered(*, selection: Selection, filters: FormationFilter) -> QuerySet[Formation]:
    queryset = Formation.objects.filter(selection=selection)
    if filters.procurement_type:
        queryset = queryset.filter(procurement_type=filters.procurement_type)
    if filters.formation_type:
        queryset = queryset.filter(formation_type=filters.formation_type)
    if filters.position_category:
        queryset = queryset.filter(position_category=filters.position_category)
    if filters.position:
        queryset = queryset.filter(position=filters.position)
    if filters.placement_unit:
        queryset = queryset.filter(placement_unit=filters.placement_unit)
    if filters.qualification:
        queryset = queryset.filter(
            pk__in=FormationQualification.objects.filter(
                selection=selection, name=filters.qualification
            ).values("formation_id")
        )
    for word in filters.search.split()[:5]:
        queryset = queryset.filter(
            Q(position__icontains=word)
            | Q(placement_unit__icontains=word)
            | Q(qualifications_text__icontains=word)
            | Q(code__icontains=word)
        )
    return queryset.order_by("code")


@dataclass(frozen=True)
class FormationTotals:
    formations: int
    quota: int


def formation_totals(queryset: QuerySet[Formation]) -> FormationTotals:
    figures = queryset.aggregate(formations=Count("id"), quota=Sum("quota"))
    return FormationTotals(figures["formations"] or 0, figures["quota"] or 0)


@dataclass(frozen=True)
class AllocationLine:
    procurement_type: str
    formation_type: str
    position_category: str
    formations: int
    quota: int


def allocation_summary(*, selection: Selection) -> list[AllocationLine]:
    """Quota per procurement type, formation type and position category, as the
    announcement's first section states it."""
    rows = (
        Formation.objects.filter(selection=selection)
        .values("procurement_type", "formation_type", "position_category")
        .annotate(formations=Count("id"), quota=Sum("quota"))
        .order_by("procurement_type", "formation_type", "position_category")
    )
    return [
        AllocationLine(
            r["procurement_type"],
            r["formation_type"],
            r["position_category"],
            r["formations"],
            r["quota"] or 0,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class FilterOptions:
    procurement_types: list[str]
    formation_types: list[str]
    position_categories: list[str]
    positions: list[str]
    qualifications: list[str]
    placement_units: list[str]


def formation_filter_options(*, selection: Selection) -> FilterOptions:
    formations = Formation.objects.filter(selection=selection)

    def distinct(field: str) -> list[str]:
        return [
            value
            for value in formations.order_by(field).values_list(field, flat=True).distinct()
            if value
        ]

    qualifications = list(
        FormationQualification.objects.filter(selection=selection)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    return FilterOptions(
        procurement_types=distinct("procurement_type"),
        formation_types=distinct("formation_type"),
        position_categories=distinct("position_category"),
        positions=distinct("position"),
        qualifications=qualifications,
        placement_units=distinct("placement_unit"),
    )


def formation_export_rows(queryset: Iterable[Formation]) -> list[tuple[str, ...]]:
    """Rows in the import format (EXPORT_COLUMNS order), so an export can be edited and
    imported again unchanged."""
    return [
        (
            formation.code,
            formation.procurement_type,
            formation.formation_type,
            formation.position,
            formation.qualifications_text,
            formation.placement_unit,
            "" if formation.quota is None else str(formation.quota),
            formation.position_category,
            "" if formation.teknis_pass_mark is None else str(formation.teknis_pass_mark),
        )
        for formation in queryset
    ]
