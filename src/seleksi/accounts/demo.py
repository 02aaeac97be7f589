"""Demo applicants: activated accounts with complete profiles, matching the registry fixture.

Idempotent like the rest of the demo: an existing e-mail address is left alone.
"""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from seleksi.reference.models import EducationLevel, Regency

from .models import Education, Profile, User
from .services import Registration, account_activate, applicant_register


@dataclass(frozen=True)
class DemoApplicant:
    email: str
    nik: str
    note: str


DEMO_APPLICANTS: tuple[dict[str, Any], ...] = (
    {
        "name": "Pelamar Demo Guru",
        "email": "pelamar.guru@demo.seleksi.invalid",
        "phone": "0812 0000 0001",
        "place_of_birth": "Takengon",
        "regency": "1104",
        "note": "PPPK Guru, S-1 PGSD, teaching certificate",
        "profile": {"teaching_certificate_number": "21110418000123"},
        "education": {
            "level": "S1",
            "institution": "Universitas Syiah Kuala",
            "study_programme": "Pendidikan Guru Sekolah Dasar",
            "accreditation": "B",
            "graduated_on": date(2009, 8, 20),
            "ipk": Decimal("3.28"),
            "is_exact_science": False,
        },
    },
    {
        "name": "Pelamar Demo Kesehatan",
        "email": "pelamar.kesehatan@demo.seleksi.invalid",
        "phone": "0812 0000 0002",
        "place_of_birth": "Takengon",
        "regency": "1104",
        "note": "CPNS tenaga kesehatan, D-III Keperawatan, STR",
        "profile": {"str_number": "0102553211-1234567", "str_valid_until": date(2026, 12, 31)},
        "education": {
            "level": "D3",
            "institution": "Poltekkes Kemenkes Aceh",
            "study_programme": "Keperawatan",
            "accreditation": "B",
            "graduated_on": date(2018, 9, 1),
            "ipk": Decimal("3.12"),
            "is_exact_science": True,
        },
    },
    {
        "name": "Pelamar Demo Teknis",
        "email": "pelamar.teknis@demo.seleksi.invalid",
        "phone": "0812 0000 0003",
        "place_of_birth": "Bebesen",
        "regency": "1104",
        "note": "CPNS tenaga teknis, S-1 Teknik Informatika",
        "profile": {},
        "education": {
            "level": "S1",
            "institution": "Universitas Malikussaleh",
            "study_programme": "Teknik Informatika",
            "accreditation": "B",
            "graduated_on": date(2021, 3, 15),
            "ipk": Decimal("3.41"),
            "is_exact_science": True,
        },
    },
    {
        "name": "Pelamar Demo Mitra",
        "email": "pelamar.mitra@demo.seleksi.invalid",
        "phone": "0812 0000 0004",
        "place_of_birth": "Magetan",
        "regency": "3520",
        "note": "Mitra Statistik, SMA, smartphone and motorcycle",
        "profile": {
            "survey_experience": "Pencacah Sensus Pertanian 2023, BPS Kabupaten Magetan",
            "has_smartphone": True,
            "has_motorcycle": True,
        },
        "education": {
            "level": "SLTA",
            "institution": "SMA Negeri 1 Magetan",
            "study_programme": "IPS",
            "accreditation": "na",
            "graduated_on": date(2008, 6, 14),
            "ipk": None,
            "is_exact_science": False,
        },
    },
)
QUESTIONS = (("mother", "demo"), ("first_teacher", "demo"))


def _registry_records() -> dict[str, dict[str, str]]:
    with open(settings.SELEKSI_REGISTRY_FIXTURE, encoding="utf-8") as fixture:
        return {record["full_name"]: record for record in json.load(fixture)}


@transaction.atomic
def demo_applicants_load(password: str) -> tuple[list[DemoApplicant], list[str]]:
    records = _registry_records()
    loaded: list[DemoApplicant] = []
    created: list[str] = []
    for spec in DEMO_APPLICANTS:
        record = records[spec["name"]]
        loaded.append(DemoApplicant(spec["email"], record["nik"], spec["note"]))
        if User.objects.filter(email__iexact=spec["email"]).exists():
            continue
        user = applicant_register(
            registration=Registration(
                email=spec["email"],
                password=password,
                full_name=spec["name"],
                phone=spec["phone"],
                birth_date=date.fromisoformat(record["birth_date"]),
                sex=record["sex"],
                nik=record["nik"],
                kk=record["kk"],
                questions=QUESTIONS,
                registry_checked=True,
            ),
            site_url="",
            send_activation=False,
        )
        account_activate(user=user)
        Profile.objects.filter(user=user).update(
            place_of_birth=spec["place_of_birth"],
            address=f"Jalan Contoh No. {len(created) + 1}, {spec['place_of_birth']}",
            domicile_regency=Regency.objects.get(code=spec["regency"]),
            **spec["profile"],
        )
        education = dict(spec["education"])
        education["level"] = EducationLevel.objects.get(code=education["level"])
        Education.objects.create(user=user, **education)
        created.append(f"applicant {spec['email']}")
    return loaded, created
