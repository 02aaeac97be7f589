"""A realistic administrative-selection scene: the demo data, Aceh Tengah's registration open,
seven submitted applications and the staff of both agencies.

Loading the demo takes about half a second, so it happens once per test module inside a
transaction rolled back when the module is done; every test runs in a savepoint on top of
it (pytest-django's ordinary `db` rollback), so tests still cannot see each other's writes.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.agencies.models import Agency, Role
from seleksi.applications.models import Application
from seleksi.selections.demo import demo_load
from seleksi.selections.models import Formation, Selection, Stage
from tests.accounts.helpers import make_applicant
from tests.factories import make_staff

ACEH = "aceh-tengah-casn-2021"
MAGETAN = "bps-magetan-mitra-2024"
DEMO_APPLICANTS = (
    "pelamar.guru@demo.seleksi.invalid",
    "pelamar.kesehatan@demo.seleksi.invalid",
    "pelamar.teknis@demo.seleksi.invalid",
)
EXTRA_APPLICANTS = ("Pelamar Uji Satu", "Pelamar Uji Dua", "Pelamar Uji Tiga", "Pelamar Uji Empat")
SECOND_VERIFIER = "verifikator2.acehtengah"


@dataclass
class Scene:
    """Fresh instances for one test; `applications` are in submission order."""

    selection: Selection
    other_selection: Selection
    verifier: User
    second_verifier: User
    committee: User
    admin: User
    other_verifier: User
    other_committee: User
    applications: list[Application]

    def refreshed(self, index: int) -> Application:
        return Application.objects.get(pk=self.applications[index].pk)


def open_registration(code: str) -> None:
    today = timezone.localdate()
    Stage.objects.filter(selection__code=code, kind=Stage.Kind.REGISTRATION).update(
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=10)
    )


def registry_person(full_name: str) -> dict[str, str]:
    with open(django_settings.SELEKSI_REGISTRY_FIXTURE, encoding="utf-8") as fixture:
        return next(record for record in json.load(fixture) if record["full_name"] == full_name)


def submitted_applications(selection: Selection, applicants: list[User]) -> list[Application]:
    """Submitted straight into the table: these services need no documents, only submitted
    applications to formations of the selection (the upload flow is tested elsewhere)."""
    formations = Formation.objects.filter(selection=selection, formation_type="umum")
    start = timezone.now() - timedelta(days=2)
    applications = []
    for index, (applicant, formation) in enumerate(
        zip(applicants, formations.order_by("code"), strict=False)
    ):
        application = Application.objects.create(
            applicant=applicant,
            selection=selection,
            formation=formation,
            number=f"{selection.pk:03d}{index + 1:07d}",
            statements=["not_asn", "no_conviction", "not_in_party", "willing_10_years"],
            status=Application.Status.SUBMITTED,
            submitted_at=start + timedelta(hours=index),
        )
        applications.append(application)
    return applications


@pytest.fixture(scope="module")
def verification_demo(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[dict[str, list[int]]]:
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        demo_load()
        open_registration(ACEH)
        make_staff(SECOND_VERIFIER, Agency.objects.get(code="pemkab-aceh-tengah"), Role.VERIFIER)
        applicants = [User.objects.get(email=email) for email in DEMO_APPLICANTS]
        applicants += [make_applicant(registry_person(name)) for name in EXTRA_APPLICANTS]
        applications = submitted_applications(Selection.objects.get(code=ACEH), applicants)
        yield {"applications": [application.pk for application in applications]}
        transaction.set_rollback(True)


@pytest.fixture
def scene(
    verification_demo: dict[str, list[int]], db: None, settings: Any, tmp_path: Path
) -> Scene:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    users = {user.username: user for user in User.objects.filter(is_staff=True)}
    pks = verification_demo["applications"]
    by_pk = Application.objects.select_related("selection").in_bulk(pks)
    return Scene(
        selection=Selection.objects.get(code=ACEH),
        other_selection=Selection.objects.get(code=MAGETAN),
        verifier=users["verifikator.acehtengah"],
        second_verifier=users[SECOND_VERIFIER],
        committee=users["panitia.acehtengah"],
        admin=users["admin.acehtengah"],
        other_verifier=users["verifikator.magetan"],
        other_committee=users["panitia.magetan"],
        applications=[by_pk[pk] for pk in pks],
    )
