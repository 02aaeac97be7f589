"""Load the reference CSV files into the database; every data migration of this app calls it.

Used with the historical app registry of a migration, so it must not import the models.
A later release that updates `data/` adds a migration calling `load_reference_data` again.
"""

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.db import DEFAULT_DB_ALIAS, models, transaction

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LoadOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "LoadOutcome") -> "LoadOutcome":
        return LoadOutcome(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


def read_rows(filename: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of one data file, stripped; the header must be exactly `columns`."""
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != columns:
            raise ValueError(f"{filename}: expected the columns {columns}, got {reader.fieldnames}")
        return [{key: value.strip() for key, value in row.items()} for row in reader]


def _upsert(model: type[models.Model], records: list[dict[str, Any]], using: str) -> LoadOutcome:
    """Insert new rows and update changed ones, keyed by primary key. Rows missing from the
    file are kept: profiles may point at them, and removing one is a decision for a person."""
    manager = model._default_manager.db_manager(using)
    existing = manager.in_bulk()
    fields = [name for name in records[0] if name != "code"]
    new, changed = [], []
    for record in records:
        current = existing.get(record["code"])
        if current is None:
            new.append(model(**record))
        elif any(getattr(current, name) != record[name] for name in fields):
            for name in fields:
                setattr(current, name, record[name])
            changed.append(current)
    manager.bulk_create(new)
    if changed:
        manager.bulk_update(changed, [model._meta.get_field(name).name for name in fields])
    return LoadOutcome(len(new), len(changed), len(records) - len(new) - len(changed))


def load_reference_data(apps: Apps, *, using: str = DEFAULT_DB_ALIAS) -> LoadOutcome:
    """Bring provinces, regencies and education levels in line with the files in `data/`.

    Idempotent: a second run finds every row unchanged.
    """
    provinces = read_rows("provinces.csv", ("code", "name"))
    regencies = [
        {"code": row["code"], "province_id": row["province_code"], "name": row["name"]}
        for row in read_rows("regencies.csv", ("code", "province_code", "name"))
    ]
    for regency in regencies:
        if len(regency["code"]) != 4 or not regency["code"].startswith(regency["province_id"]):
            raise ValueError(f"regencies.csv: {regency['code']} is not a code of its province")
    levels = [
        {"code": row["code"], "name": row["name"], "order": int(row["order"])}
        for row in read_rows("education_levels.csv", ("code", "name", "order"))
    ]
    with transaction.atomic(using=using):
        return (
            _upsert(apps.get_model("reference", "Province"), list(provinces), using)
            + _upsert(apps.get_model("reference", "Regency"), regencies, using)
            + _upsert(apps.get_model("reference", "EducationLevel"), levels, using)
        )
