"""The fingerprint of a ranking run: sha256 of the policy code and version, the stage and the
inputs in canonical form, so that a re-run on the same data, in any row order, can be shown to
be the same run. `seleksi rank-file` and `seleksi rank` use the same function, so the same data
gives the same fingerprint in both modes.

The canonical form is one JSON document: per input class, its field names once and its rows as
arrays of field values in that order, the rows sorted. Numbers are exact (a Fraction is
"numerator/denominator"), dates are ISO text, a frozenset is its sorted members. A national SKD
stage is a million rows: they are read with one attrgetter, sorted as tuples and encoded in one
call, not one by one.
"""

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import fields, is_dataclass
from datetime import date
from fractions import Fraction
from operator import attrgetter, itemgetter
from typing import Any, Protocol

_ORDERED_TYPES = frozenset({str, int, bool, type(None)})
"""Column types whose Python order is total and agrees with equality of their JSON text."""

_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, check_circular=False
)


class _Policy(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def version(self) -> int: ...


def run_fingerprint(
    policy: _Policy,
    stage: str,
    formations: Iterable[object],
    scores: Iterable[object],
) -> str:
    """sha256 of the policy code and version, the stage and the inputs in canonical form (sorted,
    numbers exact), so the order of input rows does not change it."""
    canonical = {
        "policy": [policy.code, policy.version],
        "stage": str(stage),
        "formations": _tables(formations),
        "scores": _tables(scores),
    }
    return hashlib.sha256(_ENCODER.encode(canonical).encode("utf-8")).hexdigest()


def run_fingerprint_of_rows(
    policy: _Policy,
    stage: str,
    formations: Iterable[object],
    score_class: type,
    rows: Iterable[bytes],
) -> str:
    """`run_fingerprint` when the scores are already in canonical form: `rows`, joined, are
    every score's row as the encoder writes it (a JSON array, UTF-8), in the canonical order,
    with a comma between two rows; `score_class` is their class. The columnar path writes them
    in pieces without making the objects."""
    if not is_dataclass(score_class):
        raise TypeError(f"no canonical form for {score_class.__name__}")
    names = [field.name for field in fields(score_class)]
    canonical = {
        "policy": [policy.code, policy.version],
        "stage": str(stage),
        "formations": _tables(formations),
        "scores": {score_class.__qualname__: {"fields": names, "rows": [_ROWS_MARK]}},
    }
    before, _, after = _ENCODER.encode(canonical).partition(_ENCODER.encode(_ROWS_MARK))
    digest = hashlib.sha256(before.encode("utf-8"))
    for piece in rows:
        digest.update(piece)
    digest.update(after.encode("utf-8"))
    return digest.hexdigest()


_ROWS_MARK = "\x00rows"
"""Stands for the rows while the rest is encoded; a NUL never reaches a formation (files with
one are refused as not text) and is written escaped, so the mark's text is found once."""


def _tables(items: Iterable[object]) -> dict[str, dict[str, list[Any]]]:
    """The items by class name: {"fields": [...], "rows": [[...], ...]}, the rows sorted."""
    items = list(items)
    kinds = {type(item) for item in items}
    tables: dict[str, dict[str, list[Any]]] = {}
    for kind in kinds:
        if not is_dataclass(kind):
            raise TypeError(f"no canonical form for {kind.__name__}")
        if kind.__qualname__ in tables:
            raise TypeError(f"two input classes are named {kind.__qualname__}")
        same = items if len(kinds) == 1 else [item for item in items if type(item) is kind]
        names = [field.name for field in fields(kind)]
        tables[kind.__qualname__] = {"fields": names, "rows": _rows(same, names)}
    return tables


def _rows(items: Sequence[object], names: Sequence[str]) -> list[Any]:
    """Sorted as tuples when every column holds one type with an exact order (str, int, bool
    or None), as SKD scores and formations do, by the first column alone when it never repeats
    (quicker); otherwise sorted by their JSON text."""
    read = attrgetter(*names)
    rows = list(map(read, items)) if len(names) > 1 else [(read(item),) for item in items]
    columns = list(zip(*rows, strict=True))
    types = [set(map(type, column)) for column in columns]
    if not all(kinds <= _ORDERED_TYPES for kinds in types):
        columns = [tuple(map(_canonical_value, column)) for column in columns]
        rows = list(zip(*columns, strict=True))
        types = [set(map(type, column)) for column in columns]
    if not all(len(kinds) == 1 and kinds <= _ORDERED_TYPES for kinds in types):
        rows.sort(key=_ENCODER.encode)
    elif len(set(columns[0])) == len(rows):
        rows.sort(key=itemgetter(0))
    else:
        rows.sort()
    return rows


def _canonical_value(value: object) -> object:
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(str(member) for member in value)
    raise TypeError(f"no canonical form for {type(value).__name__}")
