"""Proposals built from the database: the candidates' rating of last year and load as the
services count them, the order of preference, the open places and the over-cap list, an
activity running into a second year, and accepting a proposal."""

import random
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seleksi.agencies.models import Agency
from seleksi.agencies.models import Role as AgencyRole
from seleksi.audit.models import AuditEvent
from seleksi.pool import figures, proposing, selectors, services
from seleksi.pool.models import (
    Activity,
    ActivityRole,
    Assignment,
    CapTable,
    PerformanceRating,
    PoolMember,
)
from seleksi.pool.services import PoolRefused
from seleksi.rules.honorarium import (
    Assignment as PaidWork,
)
from seleksi.rules.honorarium import (
    HonorariumDataError,
    PayUnit,
    Role,
    cap_table_parse,
    spread,
)
from seleksi.rules.proposals import Candidate, ProposalError, Slot, propose
from seleksi.rules.ratings import Rating, performance_rating_for, performance_rating_of_totals
from tests.factories import make_agency, make_staff
from tests.pool.conftest import MAGETAN, NGAWI, PPL_CAP, Office, cap_data, make_office, role


def rated_last_year(office: Office, member: PoolMember, *marks: tuple[int, int, int]) -> None:
    """Ratings of the member's work for the office in the year before, one activity each."""
    year = office.year - 1
    earlier, _ = PoolMember.objects.get_or_create(
        agency=office.agency,
        user=member.user,
        year=year,
        defaults={"source": PoolMember.Source.SELECTED, "domicile_regency": MAGETAN},
    )
    for number, (attitude, quality, timeliness) in enumerate(marks):
        activity = Activity.objects.create(
            agency=office.agency,
            name=f"Survei {year} {member.pk} {number}",
            starts_on=date(year, 3, 1),
            ends_on=date(year, 3, 31),
            regencies=[MAGETAN],
        )
        held = ActivityRole.objects.create(
            activity=activity, role="ppl", regency=MAGETAN, needed=1, unit="lump_sum", rate=1
        )
        assignment = Assignment.objects.create(
            activity=activity,
            activity_role=held,
            member=earlier,
            quantity=1,
            amount=1,
            months=[[year, 3]],
        )
        PerformanceRating.objects.create(
            assignment=assignment, attitude=attitude, quality=quality, timeliness=timeliness
        )


def ppl_activity(office: Office, needed: int = 2, rate: int = 1_000_000, **dates: Any) -> Activity:
    return office.activity(
        "Survei Usulan", roles=[("ppl", MAGETAN, needed, "lump_sum", rate)], **dates
    )


def place(activity: Activity, quantities: dict[int, int] | None = None) -> Any:
    proposal = proposing.activity_proposal(activity=activity, quantities=quantities or {})
    return proposal.places[0]


def test_rated_mitra_come_first_by_rating_then_the_unrated_by_load(office: Office) -> None:
    good, fair = office.member("mitra-baik"), office.member("mitra-cukup")
    idle, busy = office.member("mitra-luang"), office.member("mitra-sibuk")
    rated_last_year(office, good, (9, 9, 9))
    rated_last_year(office, fair, (6, 6, 6))
    other = office.activity("Survei Lain")
    services.assignment_add(
        activity_role=role(other), member=busy, actor=office.committee, quantity=1
    )
    activity = ppl_activity(office, needed=4)
    found = place(activity)
    assert [p.member.pk for p in found.proposed] == [good.pk, fair.pk, idle.pk, busy.pk]
    assert found.proposed[0].member.name == "Mitra-Baik"
    assert [p.rating for p in found.proposed] == [Decimal("9.000"), Decimal("6.000"), None, None]
    assert found.proposed[3].load == 2_000_000
    assert found.shortfall is None


def test_the_rating_is_the_yearly_figure_the_selectors_give(office: Office) -> None:
    member = office.member("mitra-a")
    rated_last_year(office, member, (8, 9, 7), (10, 10, 9))
    ratings = figures.yearly_ratings(
        agency_ids=[office.agency.pk], year=office.year - 1, user_ids=[member.user_id]
    )
    expected = selectors.yearly_rating(user=member.user, agency=office.agency, year=office.year - 1)
    assert ratings == {(office.agency.pk, member.user_id): expected}
    assert expected == Decimal("8.833")


def test_the_load_is_what_the_services_count_recorded_or_estimated(office: Office) -> None:
    member = office.member("mitra-a")
    first, second = office.activity("Survei Satu"), office.activity("Survei Dua")
    recorded = services.assignment_add(
        activity_role=role(first), member=member, actor=office.committee, quantity=1
    )
    services.assignment_add(
        activity_role=role(second, "pml"), member=member, actor=office.committee, quantity=1
    )
    year, month = first.months()[0]
    services.earning_record(
        assignment=recorded, actor=office.committee, year=year, month=month, amount=123
    )
    months = first.months()
    found = figures.earnings(user_ids=[member.user_id], months=months)
    expected = services.existing_earnings(user_id=member.user_id)
    assert found[member.user_id] == {m: expected[m] for m in months}
    pml_share = spread(1_000_000, list(second.months()))[(year, month)]
    assert found[member.user_id][(year, month)] == 123 + pml_share


def test_assigned_mitra_are_left_out_and_a_missing_area_says_why(office: Office) -> None:
    assigned, free = office.member("mitra-a"), office.member("mitra-b")
    activity = office.activity(
        roles=[("ppl", MAGETAN, 3, "lump_sum", 1_000), ("ppl", NGAWI, 1, "lump_sum", 1_000)]
    )
    services.assignment_add(
        activity_role=role(activity), member=assigned, actor=office.committee, quantity=1
    )
    proposal = proposing.activity_proposal(activity=activity, quantities={})
    magetan, ngawi = proposal.places
    assert (magetan.open, [p.member.pk for p in magetan.proposed]) == (2, [free.pk])
    assert magetan.unfilled == 1 and magetan.shortfall == "nobody_in_area"
    assert ngawi.shortfall == "nobody_in_area" and proposal.unfilled == 2


def test_a_mitra_over_the_cap_is_listed_with_the_figures_not_proposed(office: Office) -> None:
    member = office.member("mitra-a")
    first = office.activity("Survei Pertama")
    services.assignment_add(
        activity_role=role(first),
        member=member,
        actor=office.committee,
        quantity=len(first.months()),
    )
    months = len(first.months())
    activity = ppl_activity(office, needed=1, rate=1_500_000 * months)
    found = place(activity)
    assert found.proposed == () and found.shortfall == "everyone_over_cap"
    (over,) = found.over_cap
    assert over.member.pk == member.pk
    assert [(row.cap, row.existing, row.added) for row in over.check.months] == [
        (PPL_CAP, 2_000_000, 1_500_000)
    ] * months


def test_an_activity_into_the_next_year_checks_each_year_table(office: Office) -> None:
    member = office.member("mitra-a")
    next_year = office.year + 1
    low = cap_data(next_year, ppl=400_000)
    CapTable.objects.filter(agency=office.agency, year=next_year).update(data=low)
    activity = ppl_activity(
        office,
        needed=1,
        rate=1_000_000,
        starts_on=date(office.year, 12, 1),
        ends_on=date(next_year, 1, 31),
    )
    found = place(activity)
    (over,) = found.over_cap
    assert over.member.pk == member.pk
    assert [(row.month, row.cap, row.over_by) for row in over.check.months] == [
        ((office.year, 12), PPL_CAP, 0),
        ((next_year, 1), 400_000, 100_000),
    ]
    CapTable.objects.filter(agency=office.agency, year=next_year).delete()
    with pytest.raises(PoolRefused) as caught:
        proposing.activity_proposal(activity=activity, quantities={})
    assert caught.value.code == "no_cap_table" and str(next_year) in caught.value.message


def test_a_role_paid_per_document_needs_its_quantity(office: Office) -> None:
    activity = office.activity(roles=[("ppl", NGAWI, 1, "document", 10_000)])
    office.member("mitra-ngawi", regency=NGAWI)
    with pytest.raises(PoolRefused) as caught:
        proposing.activity_proposal(activity=activity, quantities={})
    assert caught.value.code == "quantity"
    ngawi = role(activity, "ppl", NGAWI)
    found = place(activity, {ngawi.pk: 120})
    assert found.amount == 1_200_000 and len(found.proposed) == 1


def test_the_queries_do_not_grow_with_the_pool(
    office: Office, django_assert_num_queries: Any
) -> None:
    activity = ppl_activity(office, needed=50)
    other = office.activity("Survei Lain", roles=[("ppl", MAGETAN, 50, "lump_sum", 100_000)])
    year, month = other.months()[0]

    def grow(count: int, prefix: str) -> None:
        for number in range(count):
            member = office.member(f"{prefix}-{number}")
            rated_last_year(office, member, (7, 8, 9))
            held = services.assignment_add(
                activity_role=role(other), member=member, actor=office.committee, quantity=1
            )
            services.earning_record(
                assignment=held, actor=office.committee, year=year, month=month, amount=5
            )

    grow(2, "awal")
    with CaptureQueriesContext(connection) as few:
        proposing.activity_proposal(activity=activity, quantities={})
    grow(12, "lagi")
    with django_assert_num_queries(len(few.captured_queries)):
        found = place(activity)
    assert len(found.proposed) == 14


# Accepting -----------------------------------------------------------------------------------


def test_accepting_assigns_the_chosen_and_reports_the_refused(office: Office) -> None:
    activity = office.activity(roles=[("pml", MAGETAN, 1, "lump_sum", 1_000_000)])
    first, second = office.member("mitra-a"), office.member("mitra-b")
    pml = role(activity, "pml")
    outcome = proposing.proposal_accept(
        activity=activity,
        actor=office.committee,
        choices=[(pml.pk, first.pk), (pml.pk, second.pk)],
        quantities={pml.pk: 1},
    )
    assert [a.member for a in outcome.assigned] == [first]
    ((refused_member, refused_role, refusal),) = outcome.refused
    assert (refused_member, refused_role.pk, refusal.code) == (second, pml.pk, "role_full")
    assert AuditEvent.objects.filter(action="pool.assigned").count() == 1


def test_accepting_an_id_of_another_office_assigns_nobody(office: Office) -> None:
    activity = office.activity(roles=[("pml", MAGETAN, 2, "lump_sum", 1_000_000)])
    mine = office.member("mitra-a")
    stranger = make_office("bps-lain").member("mitra-lain")
    pml = role(activity, "pml")
    for choices in ([(pml.pk, mine.pk), (pml.pk, stranger.pk)], [(pml.pk + 999, mine.pk)]):
        with pytest.raises(PoolRefused) as caught:
            proposing.proposal_accept(
                activity=activity,
                actor=office.committee,
                choices=choices,
                quantities={pml.pk: 1, pml.pk + 999: 1},
            )
        assert caught.value.code == "proposal_unknown"
    assert not Assignment.objects.exists()


def test_a_verifier_may_not_accept(office: Office) -> None:
    activity = office.activity(roles=[("pml", MAGETAN, 1, "lump_sum", 1_000_000)])
    pml = role(activity, "pml")
    with pytest.raises(PoolRefused) as caught:
        proposing.proposal_accept(
            activity=activity,
            actor=office.verifier,
            choices=[(pml.pk, office.member("mitra-a").pk)],
            quantities={pml.pk: 1},
        )
    assert caught.value.code == "forbidden"


# The rules with tables by year ----------------------------------------------------------------


def two_year_slot(needed: int = 1) -> Slot:
    work = PaidWork(
        role=Role.PPL,
        unit=PayUnit.LUMP_SUM,
        rate=2_000_000,
        quantity=1,
        months=((2026, 12), (2027, 1)),
    )
    return Slot(regency=MAGETAN, needed=needed, assignment=work)


def test_the_rules_check_each_month_against_its_year_table() -> None:
    tables = {
        2026: cap_table_parse(cap_data(2026)),
        2027: cap_table_parse(cap_data(2027, ppl=1_000_000)),
    }
    pool = [Candidate(mitra=1, regency=MAGETAN, rating=None, earned={(2027, 1): 1})]
    found = propose(table=tables, slots=[two_year_slot()], candidates=pool).slots[0]
    assert found.proposed == ()
    assert [row.over_by for row in found.over_cap[0].check.months] == [0, 1]
    with pytest.raises(HonorariumDataError):
        propose(table=tables[2026], slots=[two_year_slot()], candidates=pool)
    with pytest.raises(ProposalError):
        propose(table={2027: tables[2026]}, slots=[two_year_slot()], candidates=pool)


def test_the_rating_from_totals_is_the_rating_of_the_marks() -> None:
    rng = random.Random(16)
    for _ in range(2_000):
        ratings = [
            Rating(rng.randint(1, 10), rng.randint(1, 10), rng.randint(1, 10))
            for _ in range(rng.randint(1, 7))
        ]
        marks = sum(r.attitude + r.quality + r.timeliness for r in ratings)
        assert performance_rating_of_totals(marks, len(ratings)) == performance_rating_for(ratings)
    assert performance_rating_of_totals(0, 0) is None


def test_ratings_are_compared_exactly_beyond_the_decimal_context() -> None:
    work = PaidWork(role=Role.PPL, unit=PayUnit.LUMP_SUM, rate=1, quantity=1, months=((2026, 5),))
    slot = Slot(regency=MAGETAN, needed=3, assignment=work)
    table = cap_table_parse(cap_data(2026))
    finer = Decimal("9." + "0" * 40 + "1")
    pool = [
        Candidate(mitra=1, regency=MAGETAN, rating=Decimal(9)),
        Candidate(mitra=2, regency=MAGETAN, rating=finer),
        Candidate(mitra=3, regency=MAGETAN, rating=Fraction(90_001, 10_000)),
    ]
    found = propose(table=table, slots=[slot], candidates=pool).slots[0]
    assert found.proposed == (3, 2, 1)
    with pytest.raises(ProposalError):
        propose(
            table=table,
            slots=[slot],
            candidates=[Candidate(mitra=4, regency=MAGETAN, rating=Decimal("NaN"))],
        )


# The province office --------------------------------------------------------------------------


def make_province(office: Office) -> Office:
    """The office above `office`, with its own committee and no cap table of its own."""
    agency = make_agency(
        "bps-provinsi", name="BPS Provinsi Contoh", kind=Agency.Kind.STATISTICS_OFFICE
    )
    office.agency.parent = agency
    office.agency.save(update_fields=["parent"])
    return Office(
        agency=agency,
        committee=make_staff("panitia-provinsi", agency, AgencyRole.COMMITTEE),
        verifier=make_staff("verifikator-provinsi", agency, AgencyRole.VERIFIER),
        today=office.today,
    )


def province_activity(province: Office, rate: int) -> Activity:
    return services.activity_create(
        agency=province.agency,
        actor=province.committee,
        name="Survei Provinsi",
        starts_on=province.today,
        ends_on=province.today,
        regencies=[MAGETAN],
        roles=[("ppl", MAGETAN, 2, "lump_sum", rate)],
    )


def test_a_province_activity_proposes_the_offices_mitra_against_their_office_cap(
    office: Office,
) -> None:
    province = make_province(office)
    rated, plain = office.member("mitra-a"), office.member("mitra-b")
    rated_last_year(office, rated, (9, 9, 9))
    activity = province_activity(province, rate=PPL_CAP)
    found = place(activity)
    assert [p.member.pk for p in found.proposed] == [rated.pk, plain.pk]
    assert found.proposed[0].rating == Decimal("9.000")

    month = (office.today.year, office.today.month)
    CapTable.objects.filter(agency=office.agency, year=office.year).update(
        data=cap_data(office.year, ppl=PPL_CAP - 1)
    )
    found = place(activity)
    assert found.proposed == () and {o.member.pk for o in found.over_cap} == {rated.pk, plain.pk}
    assert [(row.month, row.cap) for row in found.over_cap[0].check.months] == [
        (month, PPL_CAP - 1)
    ]

    CapTable.objects.filter(agency=office.agency, year=office.year).delete()
    with pytest.raises(PoolRefused) as caught:
        proposing.activity_proposal(activity=activity, quantities={})
    assert caught.value.code == "no_cap_table_office"
    assert (
        "BPS Kabupaten Contoh" in caught.value.message and str(office.year) in caught.value.message
    )


def test_the_province_committee_accepts_and_the_office_committee_may_not(office: Office) -> None:
    province = make_province(office)
    member = office.member("mitra-a")
    activity = province_activity(province, rate=1_000)
    ppl = role(activity)
    with pytest.raises(PoolRefused) as caught:
        proposing.proposal_accept(
            activity=activity,
            actor=office.committee,
            choices=[(ppl.pk, member.pk)],
            quantities={ppl.pk: 1},
        )
    assert caught.value.code == "forbidden"
    outcome = proposing.proposal_accept(
        activity=activity,
        actor=province.committee,
        choices=[(ppl.pk, member.pk)],
        quantities={ppl.pk: 1},
    )
    assert [a.member.pk for a in outcome.assigned] == [member.pk] and outcome.refused == ()
