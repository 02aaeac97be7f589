"""Searching the pool: area, education, experience, devices, last year's rating and room
under the cap in a month."""

from datetime import date, timedelta
from decimal import Decimal

from seleksi.accounts.models import Education
from seleksi.pool import selectors, services
from seleksi.pool.models import Activity, Assignment, PerformanceRating, PoolMember
from tests.pool.conftest import MAGETAN, NGAWI, Office, role


def names(members: list[PoolMember]) -> list[str]:
    return sorted(member.user.username for member in members)


def educate(member: PoolMember, level: str) -> None:
    Education.objects.create(
        user=member.user,
        level_id=level,
        institution="Sekolah Contoh",
        accreditation=Education.Accreditation.NOT_APPLICABLE,
        graduated_on=date(2015, 6, 1),
    )


def test_filters_narrow_the_pool(office: Office) -> None:
    sma = office.member("mitra-sma", survey_experience="Sensus Penduduk 2020", has_smartphone=True)
    educate(sma, "SLTA")
    s1 = office.member("mitra-s1", has_smartphone=True, has_motorcycle=True)
    educate(s1, "S1")
    office.member("mitra-ngawi", regency=NGAWI)
    pool = dict(agency=office.agency, year=office.year)
    assert names(selectors.pool_members(**pool, filters={})) == [
        "mitra-ngawi",
        "mitra-s1",
        "mitra-sma",
    ]
    assert names(selectors.pool_members(**pool, filters={"regency": NGAWI})) == ["mitra-ngawi"]
    assert names(selectors.pool_members(**pool, filters={"education": "D3"})) == ["mitra-s1"]
    assert names(selectors.pool_members(**pool, filters={"education": "SLTA"})) == [
        "mitra-s1",
        "mitra-sma",
    ]
    assert names(selectors.pool_members(**pool, filters={"experience": "sensus"})) == ["mitra-sma"]
    found = selectors.pool_members(**pool, filters={"devices": ["smartphone", "motorcycle"]})
    assert names(found) == ["mitra-s1"]
    assert selectors.pool_members(agency=office.agency, year=office.year + 1) == []


def test_available_means_under_the_cap_that_month(office: Office) -> None:
    busy = office.member("mitra-sibuk")
    office.member("mitra-luang", regency=MAGETAN)
    activity = office.activity()
    services.assignment_add(
        activity_role=role(activity),
        member=busy,
        actor=office.committee,
        quantity=len(activity.months()) * 2,  # 4,000,000 a month, over 3,000,000
        confirm_over_cap=True,
        reason="Petugas lain berhalangan",
    )
    month = activity.months()[0]
    found = selectors.pool_members(
        agency=office.agency, year=office.year, filters={"available": month}
    )
    assert names(found) == ["mitra-luang"]
    # As a supervisor (cap 4,000,000) the busy mitra is at the cap, still not available.
    found = selectors.pool_members(
        agency=office.agency, year=office.year, filters={"available": month, "role": "pml"}
    )
    assert names(found) == ["mitra-luang"]


def test_min_rating_reads_last_year(office: Office) -> None:
    good = office.member("mitra-baik")
    office.member("mitra-baru")
    last_year = PoolMember.objects.create(
        agency=office.agency,
        user=good.user,
        year=office.year - 1,
        source=PoolMember.Source.SELECTED,
        domicile_regency=MAGETAN,
    )
    activity = office.activity()
    assignment = Assignment.objects.create(
        activity=activity,
        activity_role=role(activity),
        member=last_year,
        quantity=1,
        amount=1,
        months=[list(activity.months()[0])],
    )
    Activity.objects.filter(pk=activity.pk).update(ends_on=office.today - timedelta(days=1))
    PerformanceRating.objects.create(assignment=assignment, attitude=9, quality=8, timeliness=8)
    pool = dict(agency=office.agency, year=office.year)
    assert names(selectors.pool_members(**pool, filters={"min_rating": Decimal("8.3")})) == [
        "mitra-baik"
    ]
    assert selectors.pool_members(**pool, filters={"min_rating": Decimal("8.4")}) == []
    assert selectors.yearly_rating(
        user=good.user, agency=office.agency, year=office.year - 1
    ) == Decimal("8.333")
