"""The fingerprint of a ranking run: sha256 of the policy code and version, the stage and the
inputs in canonical form, so that a re-run on the same data, in any row order, can be shown to
be the same run. `seleksi rank-file` and `seleksi rank` use the same function, so the same data
gives the same fingerprint in both modes."""

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from fractions import Fraction
from typing import Protocol


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
        "formations": sorted(_canonical(formation) for formation in formations),
        "scores": sorted(_canonical(score) for score in scores),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(item: object) -> str:
    fields = getattr(item, "__dataclass_fields__", {})
    values = {name: _canonical_value(getattr(item, name)) for name in fields}
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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
