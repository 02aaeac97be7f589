"""The population registry (Dukcapil) behind an adapter.

Seleksi cannot call the civil registry from here, so the default adapter answers from a
fixture file of records, the way the real service answers: a NIK it does not know is "not
found", a known NIK with another KK, name or birth date is a "mismatch". A real adapter is
plugged in with SELEKSI_POPULATION_REGISTRY (a dotted path to a class with `verify`).
"""

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
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


class FixturePopulationRegistry:
    """Answers from a JSON list of {nik, kk, full_name, birth_date} records."""

    def __init__(self, path: str | None = None) -> None:
        self.records = _load(path or settings.SELEKSI_REGISTRY_FIXTURE)

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


@cache
def _load(path: str) -> dict[str, dict[str, str]]:
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    return {record["nik"]: record for record in records}


def population_registry() -> PopulationRegistry:
    registry_class = import_string(settings.SELEKSI_POPULATION_REGISTRY)
    registry: PopulationRegistry = registry_class()
    return registry
