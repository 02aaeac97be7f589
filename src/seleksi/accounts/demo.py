"""Demo applicants: activated accounts with complete profiles, matching the registry fixture;
and new demo people (`seleksi demo-person`) whom a tester registers through the pages.

Idempotent like the rest of the demo: an existing e-mail address is left alone.
"""

import json
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from seleksi.reference.models import EducationLevel, Regency
from seleksi.rules.nik import Sex, build_nik, parse_kk, parse_nik

from .models import Education, Profile, User
from .registry import demo_people_add, registry_records
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


GIVEN_NAMES = {
    Sex.MALE: ("Ahmad", "Budi", "Fajar", "Hendra", "Iqbal", "Muhammad", "Rizki", "Teuku", "Yusuf"),
    Sex.FEMALE: ("Ayu", "Cut", "Dewi", "Fitri", "Intan", "Nurul", "Putri", "Rina", "Siti"),
}
MIDDLE_NAMES = ("Aulia", "Dwi", "Eka", "Nur", "Sri", "Tri", "Wahyu", "Zahra")
FAMILY_NAMES = {
    Sex.MALE: ("Hidayat", "Kurniawan", "Maulana", "Pratama", "Ramadhan", "Saputra", "Syahputra"),
    Sex.FEMALE: ("Anggraini", "Handayani", "Lestari", "Maharani", "Rahmawati", "Saputri"),
}
DEMO_PERSON_REGENCY = "1104"  # Kabupaten Aceh Tengah
DEMO_PERSON_BORN = (date(1993, 1, 1), date(2003, 12, 31))
"""Born in these years a demo person is between 18 and 35 for the demo selections."""


@dataclass(frozen=True)
class DemoPerson:
    nik: str
    kk: str
    full_name: str
    birth_date: date
    sex: Sex


def demo_person_add(
    *,
    sex: Sex | None = None,
    regency_code: str = DEMO_PERSON_REGENCY,
    birth_date: date | None = None,
    draws: random.Random | None = None,
) -> DemoPerson:
    """Invent a person the fixture registry knows from now on: a NIK and a KK that pass every
    check of the registration form, a name and birth date no other record has. Refuses a
    regency code `build_nik` refuses (ValueError)."""
    draws = draws or secrets.SystemRandom()
    sex = sex or draws.choice((Sex.MALE, Sex.FEMALE))
    known = registry_records()
    names = {(r["full_name"].casefold(), r["birth_date"]) for r in known.values()}
    today = date.today()
    for _attempt in range(1000):
        born = birth_date or _between(draws, *DEMO_PERSON_BORN)
        district = f"{draws.randint(1, 14):02d}"
        nik = build_nik(
            regency_code=regency_code,
            district=district,
            birth_date=born,
            sex=sex,
            serial=f"{draws.randint(1, 9999):04d}",
        )
        issued = _between(draws, born + timedelta(days=18 * 366), today)
        kk = f"{regency_code}{district}{issued:%d%m%y}{draws.randint(1, 9999):04d}"
        full_name = " ".join(
            (
                draws.choice(GIVEN_NAMES[sex]),
                draws.choice(MIDDLE_NAMES),
                draws.choice(FAMILY_NAMES[sex]),
            )
        )
        taken = nik in known or (full_name.casefold(), born.isoformat()) in names
        if taken or not parse_nik(nik, today=today).ok or parse_kk(kk):
            continue
        person = DemoPerson(nik, kk, full_name, born, sex)
        demo_people_add(
            [
                {
                    "nik": nik,
                    "kk": kk,
                    "full_name": full_name,
                    "birth_date": born.isoformat(),
                    "sex": str(sex),
                }
            ]
        )
        return person
    raise ValueError("no free identity found; choose another regency or birth date")


def _between(draws: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=draws.randint(0, max((last - first).days, 0)))
