"""Demo data: both published announcements as real selections, with staff to sign in as.

Loading is idempotent: what exists already (matched by code or username) is left as it is,
so an agency's edits survive and a second run changes nothing.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from seleksi.accounts.demo import DemoApplicant, demo_applicants_load
from seleksi.agencies.models import Agency, Membership, Role
from seleksi.audit.services import audit_record
from seleksi.rules.formations import (
    EXPORT_COLUMNS,
    ParseResult,
    format_formation_row,
    parse_formation_table,
)

from .demo_annex import aceh_tengah_formations
from .models import Contact, DocumentRule, Requirement, Selection, Stage
from .services import formations_import

DATA_DIR = Path(__file__).parent / "data" / "demo"
SEED_FILES = ("aceh-tengah-casn-2021.json", "bps-magetan-mitra-2024.json")
SEED_CODES = ("aceh-tengah-casn-2021", "bps-magetan-mitra-2024")
DEMO_PASSWORD = "seleksi-demo"  # noqa: S105 - printed for the local demo on purpose


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    agency: str


DEMO_STAFF: tuple[tuple[str, str, Role | None, str], ...] = (
    ("superadmin", "Superuser Seleksi", None, ""),
    ("admin.acehtengah", "Admin BKPSDM Aceh Tengah", Role.ADMIN, "pemkab-aceh-tengah"),
    ("panitia.acehtengah", "Panitia Seleksi Aceh Tengah", Role.COMMITTEE, "pemkab-aceh-tengah"),
    ("verifikator.acehtengah", "Verifikator Aceh Tengah", Role.VERIFIER, "pemkab-aceh-tengah"),
    (
        "petugas.acehtengah",
        "Petugas Lokasi Ujian Aceh Tengah",
        Role.SITE_STAFF,
        "pemkab-aceh-tengah",
    ),
    ("admin.magetan", "Admin BPS Magetan", Role.ADMIN, "bps-magetan"),
    ("panitia.magetan", "Panitia Rekrutmen BPS Magetan", Role.COMMITTEE, "bps-magetan"),
    ("verifikator.magetan", "Verifikator BPS Magetan", Role.VERIFIER, "bps-magetan"),
    ("petugas.magetan", "Petugas Tes BPS Magetan", Role.SITE_STAFF, "bps-magetan"),
)


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)
    applicants: list[DemoApplicant] = field(default_factory=list)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _seed_formations(spec: Any) -> ParseResult:
    if spec == "aceh_tengah_annex":
        rows = [format_formation_row(row) for row in aceh_tengah_formations()]
        return parse_formation_table(EXPORT_COLUMNS, rows)
    return parse_formation_table(
        EXPORT_COLUMNS, [[row.get(column, "") for column in EXPORT_COLUMNS] for row in spec]
    )


def _load_seed(seed: dict[str, Any], report: DemoReport) -> None:
    agency_data = seed["agency"]
    agency, agency_created = Agency.objects.get_or_create(
        code=agency_data["code"], defaults={k: v for k, v in agency_data.items() if k != "code"}
    )
    if agency_created:
        report.created.append(f"agency {agency.code}")

    selection_data = dict(seed["selection"])
    if Selection.objects.filter(code=selection_data["code"]).exists():
        return
    selection_data["announced_on"] = _date(selection_data["announced_on"])
    selection = Selection.objects.create(agency=agency, **selection_data)
    for order, stage in enumerate(seed["stages"], start=1):
        Stage.objects.create(
            selection=selection,
            order=order,
            kind=stage["kind"],
            name=stage["name"],
            starts_on=_date(stage["starts_on"]),
            ends_on=_date(stage["ends_on"]),
            note=stage.get("note", ""),
        )
    for order, requirement in enumerate(seed["requirements"], start=1):
        Requirement.objects.create(selection=selection, order=order, **requirement)
    for order, rule in enumerate(seed["document_rules"], start=1):
        DocumentRule.objects.create(selection=selection, order=order, **rule)
    for order, contact in enumerate(seed["contacts"], start=1):
        Contact.objects.create(selection=selection, order=order, **contact)
    audit_record(
        actor=None,
        action="selection.created",
        subject=selection,
        reason="demo data loaded from the published announcement",
    )
    parsed = _seed_formations(seed["formations"])
    if not parsed.ok:
        raise ValueError(f"demo formations of {selection.code} are invalid: {parsed.issues[:3]}")
    formations_import(selection=selection, parsed=parsed, actor=None, source="demo")
    report.created.append(f"selection {selection.code}")


def _load_staff(report: DemoReport) -> None:
    user_model = get_user_model()
    for username, full_name, role, agency_code in DEMO_STAFF:
        first_name, _, last_name = full_name.partition(" ")
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@demo.seleksi.invalid",
                "is_staff": True,
                "is_superuser": role is None,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            report.created.append(f"user {username}")
        if role is not None:
            agency = Agency.objects.get(code=agency_code)
            Membership.objects.get_or_create(agency=agency, user=user, role=role)
        report.logins.append(
            DemoLogin(username, str(role.label) if role else "Superuser", agency_code or "-")
        )


@transaction.atomic
def demo_load() -> DemoReport:
    report = DemoReport()
    for name in SEED_FILES:
        seed = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
        _load_seed(seed, report)
    _load_staff(report)
    report.applicants, created = demo_applicants_load(DEMO_PASSWORD)
    report.created.extend(created)
    return report
