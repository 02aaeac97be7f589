"""A statistics office with its committee, the cap tables of the years around today, a pool of
mitra living in two regencies, and activities around today's date at the office."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import translation

from seleksi.accounts.models import Profile, User
from seleksi.agencies.models import Agency, Role
from seleksi.pool import services
from seleksi.pool.models import Activity, ActivityRole, CapTable, PoolMember
from tests.factories import make_agency, make_staff, make_user

MAGETAN = "3520"
NGAWI = "3521"
PPL_CAP = 3_000_000
PML_CAP = 4_000_000


def cap_data(year: int, ppl: int = PPL_CAP, pml: int = PML_CAP) -> dict[str, Any]:
    return {
        "code": f"contoh-{year}",
        "version": 1,
        "year": year,
        "source": "Contoh SBML",
        "caps": {
            "ppl": {str(month): ppl for month in range(1, 13)},
            "pml": {str(month): pml for month in range(1, 13)},
        },
    }


@dataclass
class Office:
    agency: Agency
    committee: User
    verifier: User
    today: date

    @property
    def year(self) -> int:
        return self.today.year

    def member(self, username: str, regency: str = MAGETAN, **fields: Any) -> PoolMember:
        user = make_user(username, full_name=username.title())
        Profile.objects.create(user=user, domicile_regency_id=regency, **fields)
        return PoolMember.objects.create(
            agency=self.agency,
            user=user,
            year=self.year,
            source=PoolMember.Source.SELECTED,
            domicile_regency=regency,
        )

    def activity(
        self,
        name: str = "Survei Sosial Ekonomi",
        *,
        starts_on: date | None = None,
        ends_on: date | None = None,
        roles: list[tuple[str, str, int, str, int]] | None = None,
    ) -> Activity:
        return services.activity_create(
            agency=self.agency,
            actor=self.committee,
            name=name,
            starts_on=starts_on or self.today - timedelta(days=5),
            ends_on=ends_on or self.today + timedelta(days=25),
            regencies=[MAGETAN, NGAWI],
            roles=roles
            or [
                ("ppl", MAGETAN, 2, "person_month", 2_000_000),
                ("pml", MAGETAN, 1, "lump_sum", 1_000_000),
                ("ppl", NGAWI, 1, "document", 10_000),
            ],
        )


def role(activity: Activity, role: str = "ppl", regency: str = MAGETAN) -> ActivityRole:
    return ActivityRole.objects.get(activity=activity, role=role, regency=regency)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Refusals are matched on their English source text."""
    with translation.override("en"):
        yield


def make_office(code: str = "bps-magetan") -> Office:
    agency = make_agency(code, name="BPS Kabupaten Contoh", kind=Agency.Kind.STATISTICS_OFFICE)
    today = agency.today()
    office = Office(
        agency=agency,
        committee=make_staff(f"panitia-{code}", agency, Role.COMMITTEE),
        verifier=make_staff(f"verifikator-{code}", agency, Role.VERIFIER),
        today=today,
    )
    for year in (today.year - 1, today.year, today.year + 1):
        CapTable.objects.create(
            agency=agency, year=year, code=f"contoh-{year}", version=1, data=cap_data(year)
        )
    return office


@pytest.fixture
def office(db: None) -> Office:
    return make_office()
