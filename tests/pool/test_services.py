"""The pool's writes: each refusal leaves everything as it was; the cap warning carries its
figures and is passed only with a reason, which is recorded."""

from datetime import timedelta
from typing import Any

import pytest

from seleksi.audit.models import AuditEvent
from seleksi.pool import services
from seleksi.pool.models import (
    Activity,
    ActivityRole,
    Assignment,
    CapTable,
    Earning,
    PerformanceRating,
)
from seleksi.pool.services import PoolRefused
from tests.pool.conftest import MAGETAN, NGAWI, PPL_CAP, Office, cap_data, make_office, role


def counts() -> tuple[int, ...]:
    return (
        CapTable.objects.count(),
        Activity.objects.count(),
        ActivityRole.objects.count(),
        Assignment.objects.count(),
        Earning.objects.count(),
        PerformanceRating.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(code: str, action: Any, **kwargs: Any) -> PoolRefused:
    before = counts()
    with pytest.raises(PoolRefused) as caught:
        action(**kwargs)
    assert caught.value.code == code, caught.value.message
    assert counts() == before
    return caught.value


def months_of(activity: Activity) -> int:
    return len(activity.months())


# Cap tables ----------------------------------------------------------------------------------


def test_a_cap_table_is_stored_and_audited(office: Office) -> None:
    stored = services.cap_table_load(
        agency=office.agency, data=cap_data(office.year + 2), actor=office.committee
    )
    assert stored.year == office.year + 2 and stored.table().cap("ppl", (stored.year, 5)) == PPL_CAP
    assert AuditEvent.objects.filter(action="pool.cap_table_loaded").count() == 1


def test_a_cap_table_with_a_missing_month_and_a_negative_amount_lists_both(office: Office) -> None:
    data = cap_data(office.year + 2)
    del data["caps"]["ppl"]["7"]
    data["caps"]["pml"]["3"] = -5
    error = refused(
        "cap_table_invalid",
        services.cap_table_load,
        agency=office.agency,
        data=data,
        actor=office.committee,
    )
    assert "month 7 of role ppl is missing" in error.message
    assert "caps.pml.3: the amount -5 is negative" in error.message


def test_a_second_table_for_a_year_is_refused(office: Office) -> None:
    refused(
        "cap_table_exists",
        services.cap_table_load,
        agency=office.agency,
        data=cap_data(office.year),
        actor=office.committee,
    )


def test_a_verifier_may_not_load_a_table(office: Office) -> None:
    refused(
        "forbidden",
        services.cap_table_load,
        agency=office.agency,
        data=cap_data(office.year + 2),
        actor=office.verifier,
    )


# Activities ----------------------------------------------------------------------------------


def test_an_activity_keeps_its_roles(office: Office) -> None:
    activity = office.activity()
    assert {(r.role, r.regency, r.needed) for r in activity.roles.all()} == {
        ("ppl", MAGETAN, 2),
        ("pml", MAGETAN, 1),
        ("ppl", NGAWI, 1),
    }
    assert AuditEvent.objects.filter(action="pool.activity_created").count() == 1


@pytest.mark.parametrize(
    ("code", "fields"),
    [
        ("activity_period", {"ends_on_days": -10}),
        ("role_outside_area", {"roles": [("ppl", "3501", 1, "document", 1)]}),
        ("role_unknown", {"roles": [("koseka", MAGETAN, 1, "document", 1)]}),
        ("role_needed", {"roles": [("ppl", MAGETAN, 0, "document", 1)]}),
        ("activity_no_roles", {"roles": []}),
    ],
)
def test_a_bad_activity_is_refused(office: Office, code: str, fields: dict[str, Any]) -> None:
    starts_on = office.today
    ends_on = starts_on + timedelta(days=fields.pop("ends_on_days", 10))
    refused(
        code,
        services.activity_create,
        agency=office.agency,
        actor=office.committee,
        name="Sakernas",
        starts_on=starts_on,
        ends_on=ends_on,
        regencies=[MAGETAN, NGAWI],
        roles=fields.get("roles", [("ppl", MAGETAN, 1, "document", 1)]),
    )


# Assignments ---------------------------------------------------------------------------------


def test_an_assignment_pays_rate_times_quantity_over_the_activity_months(office: Office) -> None:
    activity = office.activity()
    member = office.member("mitra-a")
    quantity = months_of(activity)
    assignment = services.assignment_add(
        activity_role=role(activity), member=member, actor=office.committee, quantity=quantity
    )
    assert assignment.amount == 2_000_000 * quantity
    assert [tuple(m) for m in assignment.months] == list(activity.months())
    assert assignment.over_cap_reason == "" and assignment.cap_figures == []
    event = AuditEvent.objects.get(action="pool.assigned")
    assert event.agency_id == office.agency.pk


def test_a_member_of_another_office_is_refused(office: Office) -> None:
    other = make_office("bps-lain")
    stranger = other.member("mitra-lain")
    refused(
        "other_agency",
        services.assignment_add,
        activity_role=role(office.activity()),
        member=stranger,
        actor=office.committee,
        quantity=1,
    )


def test_a_member_living_outside_the_area_is_refused(office: Office) -> None:
    member = office.member("mitra-ngawi", regency=NGAWI)
    error = refused(
        "outside_area",
        services.assignment_add,
        activity_role=role(office.activity()),
        member=member,
        actor=office.committee,
        quantity=1,
    )
    assert MAGETAN in error.message


def test_a_second_role_in_one_activity_is_refused(office: Office) -> None:
    activity = office.activity()
    member = office.member("mitra-a")
    services.assignment_add(
        activity_role=role(activity), member=member, actor=office.committee, quantity=1
    )
    for held in (role(activity), role(activity, "pml")):
        refused(
            "already_in_activity",
            services.assignment_add,
            activity_role=held,
            member=member,
            actor=office.committee,
            quantity=1,
        )


def test_an_ended_activity_takes_no_one(office: Office) -> None:
    activity = office.activity(
        starts_on=office.today - timedelta(days=40), ends_on=office.today - timedelta(days=1)
    )
    refused(
        "activity_ended",
        services.assignment_add,
        activity_role=role(activity),
        member=office.member("mitra-a"),
        actor=office.committee,
        quantity=1,
    )


def test_a_full_role_is_refused(office: Office) -> None:
    activity = office.activity()
    pml = role(activity, "pml")
    services.assignment_add(
        activity_role=pml, member=office.member("mitra-a"), actor=office.committee, quantity=1
    )
    error = refused(
        "role_full",
        services.assignment_add,
        activity_role=pml,
        member=office.member("mitra-b"),
        actor=office.committee,
        quantity=1,
    )
    assert "All 1 places" in error.message


def test_a_year_without_a_cap_table_is_refused(office: Office) -> None:
    CapTable.objects.filter(agency=office.agency).delete()
    error = refused(
        "no_cap_table",
        services.assignment_add,
        activity_role=role(office.activity()),
        member=office.member("mitra-a"),
        actor=office.committee,
        quantity=1,
    )
    assert str(office.today.year) in error.message


def over_cap_scene(office: Office) -> tuple[Activity, Any]:
    """The mitra already earns 2,000,000 a month in one activity; a second activity of the
    same months would add 2,000,000 a month against a cap of 3,000,000."""
    member = office.member("mitra-a")
    first = office.activity("Survei Pertama")
    services.assignment_add(
        activity_role=role(first), member=member, actor=office.committee, quantity=months_of(first)
    )
    return office.activity("Survei Kedua"), member


def test_over_the_cap_is_a_warning_with_the_figures(office: Office) -> None:
    second, member = over_cap_scene(office)
    error = refused(
        "over_cap",
        services.assignment_add,
        activity_role=role(second),
        member=member,
        actor=office.committee,
        quantity=months_of(second),
    )
    assert error.check is not None and error.check.over
    assert [row.month for row in error.check.months] == list(second.months())
    for row in error.check.months:
        assert (row.cap, row.existing, row.added, row.total) == (
            PPL_CAP,
            2_000_000,
            2_000_000,
            4_000_000,
        )
        assert row.over_by == 1_000_000
    # Confirming without a reason is still the warning.
    refused(
        "over_cap",
        services.assignment_add,
        activity_role=role(second),
        member=member,
        actor=office.committee,
        quantity=months_of(second),
        confirm_over_cap=True,
        reason="  ",
    )


def test_confirmed_over_the_cap_records_the_reason_and_figures(office: Office) -> None:
    second, member = over_cap_scene(office)
    assignment = services.assignment_add(
        activity_role=role(second),
        member=member,
        actor=office.committee,
        quantity=months_of(second),
        confirm_over_cap=True,
        reason="Tidak ada mitra lain di kecamatan ini",
    )
    assert assignment.over_cap_reason == "Tidak ada mitra lain di kecamatan ini"
    assert [row["over_by"] for row in assignment.cap_figures] == [1_000_000] * months_of(second)
    event = AuditEvent.objects.get(action="pool.assigned_over_cap")
    assert event.reason == "Tidak ada mitra lain di kecamatan ini"
    assert event.details["figures"] == assignment.cap_figures


def test_recorded_earnings_replace_the_estimate_in_the_cap_check(office: Office) -> None:
    member = office.member("mitra-a")
    first = office.activity("Survei Pertama")
    assignment = services.assignment_add(
        activity_role=role(first), member=member, actor=office.committee, quantity=months_of(first)
    )
    for year, month in first.months():
        services.earning_record(
            assignment=assignment, actor=office.committee, year=year, month=month, amount=500_000
        )
    second = office.activity("Survei Kedua")
    # 500,000 recorded + 2,000,000 new stays under 3,000,000.
    added = services.assignment_add(
        activity_role=role(second),
        member=member,
        actor=office.committee,
        quantity=months_of(second),
    )
    assert added.over_cap_reason == ""


# Earnings ------------------------------------------------------------------------------------


def test_an_earning_outside_the_period_or_negative_is_refused(office: Office) -> None:
    activity = office.activity()
    assignment = services.assignment_add(
        activity_role=role(activity),
        member=office.member("mitra-a"),
        actor=office.committee,
        quantity=1,
    )
    year, month = activity.months()[0]
    before = (year - 1, month)
    refused(
        "month_outside",
        services.earning_record,
        assignment=assignment,
        actor=office.committee,
        year=before[0],
        month=before[1],
        amount=1,
    )
    refused(
        "amount_negative",
        services.earning_record,
        assignment=assignment,
        actor=office.committee,
        year=year,
        month=month,
        amount=-1,
    )
    services.earning_record(
        assignment=assignment, actor=office.committee, year=year, month=month, amount=7
    )
    services.earning_record(
        assignment=assignment, actor=office.committee, year=year, month=month, amount=9
    )
    assert list(Earning.objects.values_list("amount", flat=True)) == [9]
