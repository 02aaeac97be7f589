"""What the SPK and BAST of an assignment say, and the honorarium recap of a year."""

from dataclasses import fields
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seleksi.core.crypto import encrypt_text
from seleksi.pool.documents import (
    HonorariumRecap,
    RecapMitra,
    honorarium_recap,
    own_assignment,
    recap_years,
    work_document,
)
from seleksi.pool.models import (
    Activity,
    ActivityRole,
    Assignment,
    CapTable,
    Earning,
    PoolMember,
)
from tests.factories import make_user
from tests.pool.conftest import MAGETAN, NGAWI, PML_CAP, PPL_CAP, Office, make_office

NIK = "3520011203900004"


def activity_of(
    office: Office, name: str, first: date, last: date, regencies: tuple[str, ...] = (MAGETAN,)
) -> Activity:
    return Activity.objects.create(
        agency=office.agency, name=name, starts_on=first, ends_on=last, regencies=list(regencies)
    )


def months_between(first: date, last: date) -> list[list[int]]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append([year, month])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def assign(
    activity: Activity,
    member: PoolMember,
    *,
    role: str = "ppl",
    unit: str = "document",
    rate: int = 13_000,
    quantity: int = 250,
    reason: str = "",
) -> Assignment:
    """An assignment stored as the service stores one (the service's checks have their own
    tests): the amount is rate x quantity over the activity's months."""
    activity_role, _created = ActivityRole.objects.get_or_create(
        activity=activity,
        role=role,
        regency=member.domicile_regency,
        defaults={"needed": 50, "unit": unit, "rate": rate},
    )
    return Assignment.objects.create(
        activity=activity,
        activity_role=activity_role,
        member=member,
        quantity=quantity,
        amount=rate * quantity,
        months=months_between(activity.starts_on, activity.ends_on),
        over_cap_reason=reason,
    )


def record(assignment: Assignment, year: int, month: int, amount: int) -> None:
    Earning.objects.create(assignment=assignment, year=year, month=month, amount=amount)


def with_nik(member: PoolMember, nik: str = NIK) -> PoolMember:
    member.user.nik_cipher = encrypt_text(nik)
    member.user.save(update_fields=["nik_cipher"])
    return member


# The SPK and BAST ----------------------------------------------------------------------------


def test_the_contract_says_who_does_what_where_and_for_how_much(office: Office) -> None:
    year = office.year
    activity = activity_of(office, "Survei Harga Produsen", date(year, 3, 1), date(year, 4, 30))
    assignment = assign(activity, with_nik(office.member("sri")))

    document = work_document(assignment)

    assert document.mitra_name == "Sri"
    assert document.activity_name == "Survei Harga Produsen"
    assert document.area == document.domicile == "Kabupaten Magetan"
    assert document.role == "ppl" and document.quantity == 250 and document.rate == 13_000
    assert document.amount == 3_250_000
    assert document.amount_words == "tiga juta dua ratus lima puluh ribu rupiah"
    assert [(pay.month, pay.amount) for pay in document.schedule] == [
        (date(year, 3, 1), 1_625_000),
        (date(year, 4, 1), 1_625_000),
    ]
    assert (document.starts_on, document.ends_on) == (date(year, 3, 1), date(year, 4, 30))
    assert document.handover_date == date(year, 4, 30)
    assert document.contract_date == office.agency.date_of(assignment.assigned_at)


def test_the_contract_number_is_derived_from_the_activity_and_assignment_and_stays_the_same(
    office: Office,
) -> None:
    activity = activity_of(office, "Sakernas", date(office.year, 8, 1), date(office.year, 8, 31))
    assignment = assign(activity, office.member("budi"))

    first, again = work_document(assignment), work_document(assignment)

    code = office.agency.code.upper()
    assert first.contract_number == f"{activity.pk}.{assignment.pk}/SPK/{code}/{office.year}"
    assert first.handover_number == f"{activity.pk}.{assignment.pk}/BAST/{code}/{office.year}"
    assert (again.contract_number, again.handover_number) == (
        first.contract_number,
        first.handover_number,
    )


def test_the_documents_carry_the_nik_masked_and_never_in_clear(office: Office) -> None:
    activity = activity_of(office, "Sakernas", date(office.year, 8, 1), date(office.year, 8, 31))
    document = work_document(assign(activity, with_nik(office.member("sri"))))

    assert document.nik_masked == "3520" + "*" * 12
    printed = [str(getattr(document, field.name)) for field in fields(document)]
    assert not any(NIK in value or NIK[4:] in value for value in printed)


def test_a_mitra_without_a_nik_gets_an_empty_mask(office: Office) -> None:
    activity = activity_of(office, "Sakernas", date(office.year, 8, 1), date(office.year, 8, 31))
    assert work_document(assign(activity, office.member("sri"))).nik_masked == ""


def test_the_hand_over_takes_the_recorded_months_and_the_contract_for_the_others(
    office: Office,
) -> None:
    year = office.year
    activity = activity_of(office, "Susenas", date(year, 3, 1), date(year, 5, 31))
    assignment = assign(activity, office.member("sri"), rate=10_000, quantity=300)
    record(assignment, year, 4, 1_200_000)

    document = work_document(assignment)

    assert [(pay.month.month, pay.amount, pay.recorded) for pay in document.handed_over] == [
        (3, 1_000_000, False),
        (4, 1_200_000, True),
        (5, 1_000_000, False),
    ]
    assert document.handover_total == 3_200_000
    assert document.handover_words == "tiga juta dua ratus ribu rupiah"
    assert document.any_recorded
    assert sum(pay.amount for pay in document.schedule) == document.amount == 3_000_000


def test_a_mitra_finds_their_own_assignment_and_no_one_else_s(office: Office) -> None:
    activity = activity_of(office, "Sakernas", date(office.year, 8, 1), date(office.year, 8, 31))
    sri, budi = office.member("sri"), office.member("budi")
    of_sri = assign(activity, sri)

    assert own_assignment(user=sri.user, pk=of_sri.pk) == of_sri
    assert own_assignment(user=budi.user, pk=of_sri.pk) is None
    assert own_assignment(user=office.committee, pk=of_sri.pk) is None
    assert own_assignment(user=make_user("orang-lain"), pk=of_sri.pk + 1000) is None


# The recap -----------------------------------------------------------------------------------


def mitra_named(recap: HonorariumRecap, name: str) -> RecapMitra:
    (found,) = [mitra for mitra in recap.mitra if mitra.name == name]
    return found


def test_each_mitra_s_total_is_the_sum_of_their_months(office: Office) -> None:
    year = office.year
    spring = activity_of(office, "Survei A", date(year, 3, 1), date(year, 4, 30))
    autumn = activity_of(office, "Survei B", date(year, 4, 1), date(year, 6, 30))
    sri, budi = office.member("sri"), office.member("budi")
    assign(spring, sri, rate=10_000, quantity=201)
    assign(autumn, sri, role="pml", unit="lump_sum", rate=1_000_000, quantity=1)
    assign(autumn, budi, rate=5_000, quantity=100)

    recap = honorarium_recap(agency=office.agency, year=year)

    of_sri = mitra_named(recap, "Sri")
    assert of_sri.months[2] == 1_005_000
    assert of_sri.months[3] == 1_005_000 + 333_334
    assert of_sri.months[4] == of_sri.months[5] == 333_333
    assert of_sri.total == sum(of_sri.months) == 2_010_000 + 1_000_000
    assert of_sri.roles == ("pml", "ppl")
    assert [mitra.name for mitra in recap.mitra] == ["Budi", "Sri"]
    for mitra in recap.mitra:
        assert mitra.total == sum(mitra.months)
        assert mitra.total == sum(
            line.amount for line in recap.lines if line.mitra_id == mitra.mitra_id
        )
    assert recap.total == 3_010_000 + 500_000


def test_recorded_amounts_replace_the_estimates(office: Office) -> None:
    year = office.year
    activity = activity_of(office, "Susenas", date(year, 3, 1), date(year, 4, 30))
    assignment = assign(activity, office.member("sri"), rate=10_000, quantity=200)
    record(assignment, year, 4, 750_000)

    recap = honorarium_recap(agency=office.agency, year=year)

    assert mitra_named(recap, "Sri").months[2:4] == (1_000_000, 750_000)
    assert [(line.month, line.amount, line.recorded) for line in recap.lines] == [
        (3, 1_000_000, False),
        (4, 750_000, True),
    ]


def test_a_month_recorded_outside_the_assignment_s_months_is_paid_all_the_same(
    office: Office,
) -> None:
    year = office.year
    activity = activity_of(office, "Susenas", date(year, 3, 1), date(year, 3, 31))
    assignment = assign(activity, office.member("sri"), rate=10_000, quantity=100)
    record(assignment, year, 3, 900_000)
    record(assignment, year, 5, 100_000)

    recap = honorarium_recap(agency=office.agency, year=year)

    assert [(line.month, line.amount, line.recorded) for line in recap.lines] == [
        (3, 900_000, True),
        (5, 100_000, True),
    ]
    assert recap.mitra[0].total == 1_000_000


def test_the_recap_holds_only_the_agency_s_own_assignments_of_that_year(office: Office) -> None:
    year = office.year
    other = make_office("bps-ngawi")
    sri = office.member("sri")
    elsewhere = PoolMember.objects.create(
        agency=other.agency,
        user=sri.user,
        year=year,
        source=PoolMember.Source.SELECTED,
        domicile_regency=MAGETAN,
    )
    assign(activity_of(other, "Survei Lain", date(year, 3, 1), date(year, 3, 31)), elsewhere)
    assign(activity_of(office, "Tahun Lalu", date(year - 1, 3, 1), date(year - 1, 3, 31)), sri)
    across = activity_of(office, "Akhir Tahun", date(year, 12, 1), date(year + 1, 1, 31))
    assign(across, sri, rate=10_000, quantity=100)

    recap = honorarium_recap(agency=office.agency, year=year)

    assert [(line.month, line.activity, line.amount) for line in recap.lines] == [
        (12, "Akhir Tahun", 500_000)
    ]
    assert mitra_named(recap, "Sri").total == 500_000
    assert [
        line.activity for line in honorarium_recap(agency=office.agency, year=year + 1).lines
    ] == ["Akhir Tahun"]


def test_a_month_over_the_cap_of_the_highest_role_held_is_marked(office: Office) -> None:
    year = office.year
    first = activity_of(office, "Survei A", date(year, 3, 1), date(year, 3, 31))
    second = activity_of(office, "Survei B", date(year, 3, 1), date(year, 4, 30))
    sri, budi = office.member("sri"), office.member("budi")
    assign(first, sri, unit="lump_sum", rate=PPL_CAP, quantity=1)
    assign(second, sri, role="pml", unit="lump_sum", rate=2_000_000, quantity=1, reason="Darurat")
    assign(first, budi, unit="lump_sum", rate=PPL_CAP + 1, quantity=1)

    recap = honorarium_recap(agency=office.agency, year=year)

    assert recap.has_caps
    assert mitra_named(recap, "Sri").months[2] == PPL_CAP + 1_000_000 <= PML_CAP
    assert mitra_named(recap, "Sri").over_months == ()
    assert mitra_named(recap, "Budi").over_months == (3,)
    reasons = {(line.name, line.activity): (line.cap, line.over_cap_reason) for line in recap.lines}
    assert reasons[("Sri", "Survei B")] == (PML_CAP, "Darurat")
    assert reasons[("Budi", "Survei A")] == (PPL_CAP, "")


def test_without_a_cap_table_nothing_is_marked(office: Office) -> None:
    year = office.year
    CapTable.objects.filter(agency=office.agency, year=year).delete()
    activity = activity_of(office, "Survei A", date(year, 3, 1), date(year, 3, 31))
    assign(activity, office.member("budi"), unit="lump_sum", rate=PPL_CAP * 2, quantity=1)

    recap = honorarium_recap(agency=office.agency, year=year)

    assert not recap.has_caps
    assert recap.mitra[0].over_months == ()
    assert recap.lines[0].cap is None


def test_an_empty_year_gives_an_empty_recap(office: Office) -> None:
    recap = honorarium_recap(agency=office.agency, year=office.year)
    assert recap.mitra == () and recap.lines == () and recap.total == 0


def count_queries(work: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        work()
    return len(queries)


def test_the_recap_reads_a_fixed_number_of_queries_whatever_the_pool(office: Office) -> None:
    year = office.year
    activity = activity_of(
        office, "Survei A", date(year, 3, 1), date(year, 5, 31), (MAGETAN, NGAWI)
    )
    assign(activity, office.member("sri"))
    small = count_queries(lambda: honorarium_recap(agency=office.agency, year=year))
    for number in range(12):
        member = office.member(f"mitra{number}", regency=NGAWI if number % 2 else MAGETAN)
        record(assign(activity, member), year, 4, 1_000 * number)

    assert count_queries(lambda: honorarium_recap(agency=office.agency, year=year)) == small <= 4


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "@SUM(A1)"])
def test_names_are_kept_as_given(office: Office, name: str) -> None:
    activity = activity_of(office, "Survei A", date(office.year, 3, 1), date(office.year, 3, 31))
    member = office.member("sri")
    member.user.full_name = name
    member.user.save(update_fields=["full_name"])
    assign(activity, member)

    assert honorarium_recap(agency=office.agency, year=office.year).mitra[0].name == name


def test_the_recap_years_are_those_the_agency_s_activities_run_in(office: Office) -> None:
    year = office.year
    activity_of(office, "Akhir Tahun", date(year, 12, 1), date(year + 1, 1, 31))
    activity_of(office, "Dulu", date(year - 3, 5, 1), date(year - 3, 5, 31))
    activity_of(make_office("bps-ngawi"), "Lain", date(year - 1, 5, 1), date(year - 1, 5, 31))

    assert recap_years(agency=office.agency) == [year + 1, year, year - 3]
