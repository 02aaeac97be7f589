"""Reads of the reference lists for forms and their search box."""

import re
from itertools import groupby

from django.db.models import Q

from .models import Regency

# "35", "352", "3520" or "35.", "35.2", "35.20": the start of a regency code.
CODE_PREFIX = re.compile(r"\d{1,4}|\d{2}\.\d{0,2}")
MAX_SEARCH_WORDS = 8


def regency_search(*, query: str, limit: int = 20) -> list[Regency]:
    """Regencies whose name or province name contains every word of the query, or whose code
    starts with the query's digits (dot optional), by name."""
    query = query.strip()
    if not query:
        return []
    matches = Q()
    for word in query.split()[:MAX_SEARCH_WORDS]:
        matches &= Q(name__icontains=word) | Q(province__name__icontains=word)
    if CODE_PREFIX.fullmatch(query):
        matches |= Q(code__startswith=query.replace(".", ""))
    return list(
        Regency.objects.filter(matches).select_related("province").order_by("name", "code")[:limit]
    )


def regency_get(*, code: str) -> Regency | None:
    return Regency.objects.select_related("province").filter(code=code).first()


def regencies_grouped() -> list[tuple[str, list[tuple[str, str]]]]:
    """(province name, [(regency code, regency name), ...]) with provinces in code order and
    regencies by name: the choices of a select with one <optgroup> per province."""
    rows = Regency.objects.order_by("province_id", "name").values_list(
        "province_id", "province__name", "code", "name"
    )
    return [
        (province_name, [(code, name) for _province, _name, code, name in regencies])
        for (_code, province_name), regencies in groupby(rows, key=lambda row: row[:2])
    ]
