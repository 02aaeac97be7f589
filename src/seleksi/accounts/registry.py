"""The population registry (Dukcapil) behind an adapter.

Seleksi cannot call the civil registry from here, so the default adapter answers from a
fixture file of records, the way the real service answers: a NIK it does not know is "not
found", a known NIK with another KK, name or birth date is a "mismatch". A real adapter is
plugged in with SELEKSI_POPULATION_REGISTRY (a dotted path to a class with `verify`).

The fixture adapter also answers for the people `seleksi demo-person` adds, kept in
DEMO_PEOPLE_FILE in the data directory (never in the packaged fixture). Both files are read
again when they change, so a running portal knows a person as soon as the command prints.
"""

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class RegistryOutcome(StrEnum):
    MATCH = "match"
    NOT_FOUND = "not_found"
    MISMATCH = "mismatch"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class RegistryAnswer:
    outcome: RegistryOutcome
    mismatched: tuple[str, ...] = ()


class PopulationRegistry(Protocol):
    def verify(self, *, nik: str, kk: str, full_name: str, birth_date: date) -> RegistryAnswer:
        """Does the registry hold this NIK with this KK, name and birth date?"""


def _name_key(name: str) -> str:
    return " ".join(name.casefold().replace(".", " ").replace(",", " ").split())


DEMO_PEOPLE_FILE = "registry_demo_people.json"


def demo_people_path() -> Path:
    return Path(settings.DATA_DIR) / DEMO_PEOPLE_FILE


class FixturePopulationRegistry:
    """Answers from a JSON list of {nik, kk, full_name, birth_date, sex} records, and from
    the demo people added beside it."""

    def __init__(self, path: str | None = None) -> None:
        self.records = {
            **_records(demo_people_path()),
            **_records(Path(path or settings.SELEKSI_REGISTRY_FIXTURE)),
        }

    def verify(self, *, nik: str, kk: str, full_name: str, birth_date: date) -> RegistryAnswer:
        record = self.records.get(nik)
        if record is None:
            return RegistryAnswer(RegistryOutcome.NOT_FOUND)
        mismatched = tuple(
            field
            for field, same in (
                ("kk", record["kk"] == kk),
                ("full_name", _name_key(record["full_name"]) == _name_key(full_name)),
                ("birth_date", record["birth_date"] == birth_date.isoformat()),
            )
            if not same
        )
        if mismatched:
            return RegistryAnswer(RegistryOutcome.MISMATCH, mismatched)
        return RegistryAnswer(RegistryOutcome.MATCH)


def _records(path: Path) -> dict[str, dict[str, str]]:
    """The file's records by NIK; none when it does not exist (no demo person added yet)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: str, _mtime_ns: int, _size: int) -> dict[str, dict[str, str]]:
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    return {record["nik"]: record for record in records}


def registry_records() -> dict[str, dict[str, str]]:
    """Every record the fixture adapter answers from, by NIK."""
    return FixturePopulationRegistry().records


def demo_people_add(people: Iterable[dict[str, str]]) -> None:
    """Append records to the demo people's file, replacing it in one step (a portal reading
    it meanwhile sees the old list or the new one, never half of it)."""
    path = demo_people_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    content = json.dumps([*current, *people], ensure_ascii=False, indent=2) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".registry-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(content)
    os.replace(temporary, path)


def population_registry() -> PopulationRegistry:
    registry_class = import_string(settings.SELEKSI_POPULATION_REGISTRY)
    registry: PopulationRegistry = registry_class()
    return registry
