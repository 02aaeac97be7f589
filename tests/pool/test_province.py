"""The province office (the office above a regency's statistics office) may run the pools of
the offices below it and take their mitra into its own activities; an office of another
province may not, and the office below may not run the province's activities."""

from datetime import timedelta

import pytest

from seleksi.pool import services
from seleksi.pool.models import Activity, Assignment, CapTable
from seleksi.pool.services import PoolRefused, user_manages_pool
from tests.pool.conftest import MAGETAN, Office, cap_data, make_office, role
from tests.pool.test_proposing import make_province


@pytest.fixture
def province(office: Office) -> Office:
    return make_province(office)


def province_activity(province: Office, cap: int = 1_000_000) -> Activity:
    today = province.today
    return services.activity_create(
        agency=province.agency,
        actor=province.committee,
        name="Survei Provinsi",
        starts_on=today,
        ends_on=today + timedelta(days=10),
        regencies=[MAGETAN],
        roles=[("ppl", MAGETAN, 2, "lump_sum", cap)],
    )


def test_the_province_committee_manages_the_pool_of_an_office_below_it(
    office: Office, province: Office
) -> None:
    assert user_manages_pool(province.committee, office.agency)
    assert not user_manages_pool(province.verifier, office.agency)
    assert not user_manages_pool(office.committee, province.agency)
    member = office.member("warsini")
    activity = office.activity()

    assignment = services.assignment_add(
        activity_role=role(activity), member=member, actor=province.committee, quantity=1
    )

    assert assignment.assigned_by == province.committee


def test_the_province_takes_a_mitra_of_an_office_below_it_into_its_own_activity(
    office: Office, province: Office
) -> None:
    member = office.member("warsini")
    activity = province_activity(province)

    assignment = services.assignment_add(
        activity_role=role(activity), member=member, actor=province.committee, quantity=1
    )

    assert assignment.activity.agency == province.agency


def test_the_cap_of_a_province_assignment_is_read_from_the_mitra_s_own_office(
    office: Office, province: Office
) -> None:
    """The province has no table of its own; the office below has one, so the check runs."""
    assert not CapTable.objects.filter(agency=province.agency).exists()
    member = office.member("warsini")
    activity = province_activity(province, cap=10_000_000)

    with pytest.raises(PoolRefused) as caught:
        services.assignment_add(
            activity_role=role(activity), member=member, actor=province.committee, quantity=1
        )

    assert caught.value.code == "over_cap"
    assert caught.value.check is not None
    assert caught.value.check.months[0].cap == cap_data(office.year)["caps"]["ppl"]["1"]


def test_the_office_below_cannot_run_the_province_s_activity(
    office: Office, province: Office
) -> None:
    member = office.member("warsini")
    activity = province_activity(province)

    with pytest.raises(PoolRefused) as caught:
        services.assignment_add(
            activity_role=role(activity), member=member, actor=office.committee, quantity=1
        )

    assert caught.value.code == "forbidden"
    assert not Assignment.objects.exists()


def test_an_office_of_another_province_is_refused_both_ways(
    office: Office, province: Office
) -> None:
    other = make_office("bps-lain")
    stranger = other.member("sutrisno")
    activity = province_activity(province)

    with pytest.raises(PoolRefused) as caught:
        services.assignment_add(
            activity_role=role(activity), member=stranger, actor=province.committee, quantity=1
        )
    assert caught.value.code == "other_agency"

    with pytest.raises(PoolRefused) as caught:
        services.assignment_add(
            activity_role=role(other.activity()),
            member=stranger,
            actor=province.committee,
            quantity=1,
        )
    assert caught.value.code == "forbidden"
    assert not Assignment.objects.exists()
