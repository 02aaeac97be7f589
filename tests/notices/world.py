"""A small world for notices: an agency with a committee member and a verifier, a selection
with formations, applicants with submitted applications (and one without an e-mail)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.agencies.models import Agency, Role
from seleksi.applications.models import Application
from seleksi.selections.models import Formation, Selection
from tests.factories import (
    formation_rows,
    import_rows,
    make_agency,
    make_selection,
    make_staff,
    make_user,
)


@dataclass
class World:
    agency: Agency
    selection: Selection
    committee: User
    verifier: User
    applications: list[Application]

    def applicant(self, index: int) -> User:
        return self.applications[index].applicant


def _application(
    selection: Selection, formation: Formation, index: int, **user: Any
) -> Application:
    person = make_user(
        f"pelamar{index}",
        email=user.pop("email", f"pelamar{index}@contoh.invalid"),
        full_name=f"Pelamar Nomor {index}",
        **user,
    )
    return Application.objects.create(
        applicant=person,
        selection=selection,
        formation=formation,
        number=f"CONTOH-{index:04d}",
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=1),
    )


def build_world(code: str = "pemkab-contoh", people: int = 4) -> World:
    agency = make_agency(code)
    selection = make_selection(agency, code=f"{code}-2026")
    import_rows(selection, formation_rows(3))
    formations = list(selection.formations.order_by("code"))
    applications = [
        _application(selection, formations[index % 2], index + 1 + 100 * Agency.objects.count())
        for index in range(people)
    ]
    return World(
        agency=agency,
        selection=selection,
        committee=make_staff(f"panitia-{code}", agency, Role.COMMITTEE),
        verifier=make_staff(f"verifikator-{code}", agency, Role.VERIFIER),
        applications=applications,
    )
