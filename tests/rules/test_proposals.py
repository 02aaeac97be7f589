from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seleksi.rules.honorarium import (
    Assignment,
    CapTable,
    HonorariumDataError,
    PayUnit,
    Role,
    YearMonth,
    cap_check,
)
from seleksi.rules.proposals import (
    Candidate,
    Proposal,
    ProposalError,
    Shortfall,
    Slot,
    preference_key,
    propose,
)

MARCH: YearMonth = (2024, 3)
APRIL: YearMonth = (2024, 4)
TABLE = CapTable(
    code="test",
    version=1,
    year=2024,
    source="test",
    note="",
    caps=((Role.PML, (110,) * 12), (Role.PPL, (100,) * 12)),
)


def slot(regency: str = "3520", role: Role = Role.PPL, needed: int = 1, rate: int = 40) -> Slot:
    return Slot(
        regency=regency,
        needed=needed,
        assignment=Assignment(
            role=role, unit=PayUnit.LUMP_SUM, rate=rate, quantity=1, months=(MARCH,)
        ),
    )


def mitra(
    number: int,
    rating: str | None = "8",
    regency: str = "3520",
    march: int = 0,
    assigned: bool = False,
) -> Candidate:
    return Candidate(
        mitra=number,
        regency=regency,
        rating=None if rating is None else Decimal(rating),
        earned={MARCH: march} if march else {},
        assigned=assigned,
    )


def chosen(proposal: Proposal, regency: str = "3520", role: Role = Role.PPL) -> tuple[int, ...]:
    return proposal.slot(regency, role).proposed


def test_it_prefers_the_higher_rating() -> None:
    pool = [mitra(1, "7.5"), mitra(2, "9.25"), mitra(3, "8")]
    proposal = propose(table=TABLE, slots=[slot(needed=2)], candidates=pool)
    assert chosen(proposal) == (2, 3)


def test_unrated_mitra_come_after_every_rated_one() -> None:
    pool = [mitra(1, None), mitra(2, "1"), mitra(3, None, march=0)]
    proposal = propose(table=TABLE, slots=[slot(needed=3)], candidates=pool)
    assert chosen(proposal) == (2, 1, 3)


def test_an_equal_rating_prefers_the_lower_current_load() -> None:
    pool = [mitra(1, "8", march=30), mitra(2, "8", march=10), mitra(3, "8", march=20)]
    proposal = propose(table=TABLE, slots=[slot(needed=2)], candidates=pool)
    assert chosen(proposal) == (2, 3)


def test_a_load_outside_the_activitys_months_does_not_count() -> None:
    busy_in_april = Candidate(mitra=1, regency="3520", rating=Decimal(8), earned={APRIL: 99})
    pool = [busy_in_april, mitra(2, "8", march=5)]
    proposal = propose(table=TABLE, slots=[slot()], candidates=pool)
    assert chosen(proposal) == (1,)


def test_the_last_tie_break_is_the_lower_mitra_id() -> None:
    pool = [mitra(9), mitra(4), mitra(7)]
    proposal = propose(table=TABLE, slots=[slot(needed=2)], candidates=pool)
    assert chosen(proposal) == (4, 7)


def test_decimal_and_fraction_ratings_compare_exactly() -> None:
    third = Candidate(mitra=1, regency="3520", rating=Fraction(25, 3))
    decimal = Candidate(mitra=2, regency="3520", rating=Decimal("8.333"))
    proposal = propose(table=TABLE, slots=[slot()], candidates=[decimal, third])
    assert chosen(proposal) == (1,)


def test_it_proposes_only_mitra_of_the_slots_regency() -> None:
    pool = [mitra(1, "10", regency="3519"), mitra(2, "5", regency="3520")]
    proposal = propose(table=TABLE, slots=[slot(needed=2)], candidates=pool)
    assert chosen(proposal) == (2,)
    assert proposal.slot("3520", Role.PPL).shortfall is Shortfall.NOBODY_IN_AREA
    assert proposal.unfilled == 1


def test_mitra_already_assigned_to_the_activity_are_left_out() -> None:
    pool = [mitra(1, "10", assigned=True), mitra(2, "5")]
    proposal = propose(table=TABLE, slots=[slot(needed=2)], candidates=pool)
    assert chosen(proposal) == (2,)


def test_a_mitra_who_would_go_over_the_cap_is_listed_not_proposed() -> None:
    # The cap of PPL is 100 and the place pays 40: 60 already earned is the most that fits.
    pool = [mitra(1, "10", march=61), mitra(2, "5", march=60)]
    proposal = propose(table=TABLE, slots=[slot(needed=2)], candidates=pool)
    result = proposal.slot("3520", Role.PPL)
    assert result.proposed == (2,)
    assert [row.mitra for row in result.over_cap] == [1]
    (month,) = result.over_cap[0].check.months
    assert (month.cap, month.existing, month.added, month.total, month.over_by) == (
        100,
        61,
        40,
        101,
        1,
    )
    assert result.shortfall is Shortfall.EVERYONE_OVER_CAP
    assert result.unfilled == 1


def test_the_cap_of_the_slots_role_applies() -> None:
    # 65 + 40 passes the PPL cap of 100 but not the PML cap of 110.
    pool = [mitra(1, march=65)]
    ppl = propose(table=TABLE, slots=[slot(role=Role.PPL)], candidates=pool)
    pml = propose(table=TABLE, slots=[slot(role=Role.PML)], candidates=pool)
    assert chosen(ppl) == ()
    assert chosen(pml, role=Role.PML) == (1,)


def test_nobody_in_the_area_is_the_reason_for_an_empty_regency() -> None:
    proposal = propose(table=TABLE, slots=[slot(regency="3501", needed=3)], candidates=[mitra(1)])
    result = proposal.slot("3501", Role.PPL)
    assert (result.proposed, result.unfilled, result.shortfall) == (
        (),
        3,
        Shortfall.NOBODY_IN_AREA,
    )


def test_a_filled_slot_has_no_shortfall_and_proposes_no_more_than_needed() -> None:
    pool = [mitra(number) for number in range(1, 6)]
    proposal = propose(table=TABLE, slots=[slot(needed=2)], candidates=pool)
    assert chosen(proposal) == (1, 2)
    assert proposal.slot("3520", Role.PPL).shortfall is None


def test_a_mitra_is_proposed_for_one_slot_only_pml_first() -> None:
    pool = [mitra(1, "9"), mitra(2, "8"), mitra(3, "7")]
    slots = [slot(role=Role.PPL, needed=2), slot(role=Role.PML, needed=1)]
    proposal = propose(table=TABLE, slots=slots, candidates=pool)
    assert chosen(proposal, role=Role.PML) == (1,)
    assert chosen(proposal, role=Role.PPL) == (2, 3)
    assert [(row.regency, row.role) for row in proposal.slots] == [
        ("3520", Role.PML),
        ("3520", Role.PPL),
    ]


def test_over_the_pml_cap_a_mitra_can_still_be_proposed_as_ppl() -> None:
    # PML pays 80 and its cap is 110: 60 + 80 goes over. PPL pays 40: 60 + 40 is its cap of 100.
    pool = [mitra(1, "9", march=60)]
    slots = [slot(role=Role.PML, rate=80), slot(role=Role.PPL)]
    proposal = propose(table=TABLE, slots=slots, candidates=pool)
    assert [row.mitra for row in proposal.slot("3520", Role.PML).over_cap] == [1]
    assert chosen(proposal) == (1,)


def test_it_refuses_a_place_given_twice_a_mitra_given_twice_and_bad_input() -> None:
    with pytest.raises(ProposalError, match="given twice"):
        propose(table=TABLE, slots=[slot(), slot(needed=3)], candidates=[])
    with pytest.raises(ProposalError, match="given twice"):
        propose(table=TABLE, slots=[slot()], candidates=[mitra(1), mitra(1, regency="3501")])
    with pytest.raises(ProposalError, match="needed"):
        slot(needed=-1)
    with pytest.raises(ProposalError, match="finite"):
        propose(
            table=TABLE,
            slots=[slot()],
            candidates=[Candidate(mitra=1, regency="3520", rating=Decimal("NaN"))],
        )


def test_it_refuses_a_slot_outside_the_cap_tables_year() -> None:
    outside = Slot(
        regency="3520",
        needed=1,
        assignment=Assignment(
            role=Role.PPL, unit=PayUnit.LUMP_SUM, rate=1, quantity=1, months=((2025, 1),)
        ),
    )
    with pytest.raises(HonorariumDataError):
        propose(table=TABLE, slots=[outside], candidates=[mitra(1)])


def test_no_slots_propose_nothing() -> None:
    assert propose(table=TABLE, slots=[], candidates=[mitra(1)]) == Proposal(())


# Properties ----------------------------------------------------------------------------------

REGENCIES = ("3501", "3502", "3503")
RATINGS = st.one_of(
    st.none(),
    st.decimals(min_value=1, max_value=10, places=1),
    st.fractions(min_value=1, max_value=10, max_denominator=3),
)


@st.composite
def pools(draw: st.DrawFn) -> list[Candidate]:
    numbers = draw(st.lists(st.integers(1, 60), unique=True, max_size=25))
    return [
        Candidate(
            mitra=number,
            regency=draw(st.sampled_from(REGENCIES)),
            rating=draw(RATINGS),
            earned={MARCH: draw(st.integers(0, 90)), APRIL: draw(st.integers(0, 90))},
            assigned=draw(st.booleans()),
        )
        for number in numbers
    ]


@st.composite
def slot_lists(draw: st.DrawFn) -> list[Slot]:
    places = draw(
        st.lists(st.tuples(st.sampled_from(REGENCIES), st.sampled_from(Role)), unique=True)
    )
    return [
        Slot(
            regency=regency,
            needed=draw(st.integers(0, 6)),
            assignment=Assignment(
                role=role,
                unit=PayUnit.LUMP_SUM,
                rate=draw(st.integers(0, 60)),
                quantity=1,
                months=draw(st.sampled_from([(MARCH,), (MARCH, APRIL)])),
            ),
        )
        for regency, role in places
    ]


def reference(slots: list[Slot], pool: list[Candidate]) -> dict[tuple[str, Role], list[int]]:
    """The plain rule: for each regency, PML then PPL, sort the free mitra of the regency who
    stay within the cap by the key and take the first `needed`."""
    months = sorted({month for item in slots for month in item.assignment.months})
    taken: set[int] = set()
    result = {}
    for item in sorted(slots, key=lambda s: (s.regency, s.role != Role.PML)):
        eligible = [
            candidate
            for candidate in pool
            if candidate.regency == item.regency
            and not candidate.assigned
            and candidate.mitra not in taken
            and not cap_check(
                table=TABLE,
                role=item.role,
                existing=candidate.earned,
                added=item.assignment.earnings(),
            ).over
        ]
        eligible.sort(key=lambda candidate: preference_key(candidate, months))
        picked = [candidate.mitra for candidate in eligible[: item.needed]]
        taken.update(picked)
        result[(item.regency, item.role)] = picked
    return result


@settings(max_examples=300)
@given(slots=slot_lists(), pool=pools())
def test_the_proposal_equals_the_plain_sorting_rule(
    slots: list[Slot], pool: list[Candidate]
) -> None:
    proposal = propose(table=TABLE, slots=slots, candidates=pool)
    expected = reference(slots, pool)
    assert {(row.regency, row.role): list(row.proposed) for row in proposal.slots} == expected


@settings(max_examples=200)
@given(slots=slot_lists(), pool=pools(), data=st.data())
def test_the_order_of_the_input_does_not_matter(
    slots: list[Slot], pool: list[Candidate], data: st.DataObject
) -> None:
    proposal = propose(table=TABLE, slots=slots, candidates=pool)
    shuffled = propose(
        table=TABLE,
        slots=data.draw(st.permutations(slots)),
        candidates=data.draw(st.permutations(pool)),
    )
    assert shuffled == proposal


@settings(max_examples=200)
@given(slots=slot_lists(), pool=pools())
def test_never_more_than_needed_outside_the_area_twice_or_over_the_cap(
    slots: list[Slot], pool: list[Candidate]
) -> None:
    proposal = propose(table=TABLE, slots=slots, candidates=pool)
    by_id = {candidate.mitra: candidate for candidate in pool}
    by_place = {(item.regency, item.role): item for item in slots}
    everyone = [number for row in proposal.slots for number in row.proposed]
    assert len(everyone) == len(set(everyone))
    assert len(proposal.slots) == len(slots)
    for row in proposal.slots:
        item = by_place[(row.regency, row.role)]
        assert len(row.proposed) <= row.needed == item.needed
        added = item.assignment.earnings()
        for number in row.proposed:
            candidate = by_id[number]
            assert candidate.regency == row.regency
            assert not candidate.assigned
            check = cap_check(table=TABLE, role=row.role, existing=candidate.earned, added=added)
            assert not check.over
        for over in row.over_cap:
            assert over.check.over
            assert by_id[over.mitra].regency == row.regency
        if row.unfilled:
            expected = Shortfall.EVERYONE_OVER_CAP if row.over_cap else Shortfall.NOBODY_IN_AREA
            assert row.shortfall is expected
        else:
            assert row.shortfall is None
