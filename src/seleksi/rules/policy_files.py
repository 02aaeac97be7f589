"""Policies ship as JSON files inside the package; this reads them, for every kind of policy."""

import json
from importlib import resources
from typing import Any

SUFFIX = ".json"


def shipped_codes(package: str) -> tuple[str, ...]:
    """The codes of the policies shipped in `package`, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(SUFFIX)
            for entry in resources.files(package).iterdir()
            if entry.is_file() and entry.name.endswith(SUFFIX)
        )
    )


def read_policy(package: str, code: str, kind: str) -> Any:
    """The parsed JSON of `<package>/<code>.json`; a LookupError for a code not shipped."""
    codes = shipped_codes(package)
    if code not in codes:
        raise LookupError(f"no {kind} policy {code!r}; shipped: {', '.join(codes)}")
    return json.loads((resources.files(package) / f"{code}{SUFFIX}").read_text("utf-8"))
