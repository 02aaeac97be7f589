import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.honorarium import (
    Assignment,
    CapTable,
    HonorariumDataError,
    HonorariumProblem,
    MonthCheck,
    PayUnit,
    Role,
    cap_check,
    cap_table_codes,
    cap_table_parse,
    load_cap_table,
    monthly_earnings,
    spread,
)

TABLE = load_cap_table("mitra-bps-2024")


def table_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "test-2025",
        "version": 1,
        "year": 2025,
        "source": "test",
        "caps": {
            "ppl": {str(month): 3_000_000 for month in range(1, 13)},
            "pml": {str(month): 3_500_000 for month in range(1, 13)},
        },
    }
    data.update(changes)
    return data


def problems(data: object) -> list[tuple[str, str, dict[str, object]]]:
    with pytest.raises(HonorariumDataError) as caught:
        cap_table_parse(data)
    return [(str(p.problem), p.where, p.values) for p in caught.value.problems]


# The shipped table -----------------------------------------------------------------------------


def test_the_shipped_table_gives_the_reported_figures_for_every_month() -> None:
    assert cap_table_codes() == ("mitra-bps-2024",)
    assert TABLE.year == 2024
    assert TABLE.roles == (Role.PML, Role.PPL)
    assert {TABLE.cap(Role.PPL, (2024, month)) for month in range(1, 13)} == {3_250_000}
    assert {TABLE.cap("pml", (2024, month)) for month in range(1, 13)} == {3_575_000}
    assert "3,250,000" in TABLE.source and "own" in TABLE.note


def test_the_shipped_file_is_packaged_data() -> None:
    text = (
        resources.files("seleksi.rules.policies.honorarium") / "mitra-bps-2024.json"
    ).read_text()
    assert json.loads(text)["code"] == "mitra-bps-2024"


def test_an_unknown_table_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="mitra-bps-2024"):
        load_cap_table("nowhere-1999")


def test_a_cap_of_another_year_or_role_is_refused() -> None:
    with pytest.raises(HonorariumDataError) as caught:
        TABLE.cap(Role.PPL, (2025, 1))
    assert caught.value.problems[0].problem == HonorariumProblem.OUTSIDE_YEAR
    with pytest.raises(HonorariumDataError) as caught:
        TABLE.cap("koseka", (2024, 1))
    assert caught.value.problems[0].problem == HonorariumProblem.UNKNOWN_ROLE


# Validating a table ----------------------------------------------------------------------------


def test_a_valid_table_is_read() -> None:
    table = cap_table_parse(table_data(note="per kantor"))
    assert isinstance(table, CapTable)
    assert table.cap(Role.PML, (2025, 12)) == 3_500_000
    assert table.note == "per kantor"


def test_a_missing_month_is_refused_naming_the_role_and_month() -> None:
    data = table_data()
    del data["caps"]["ppl"]["7"]
    assert problems(data) == [("missing_month", "caps.ppl", {"role": "ppl", "month": 7})]


def test_a_negative_amount_is_refused_naming_the_place() -> None:
    data = table_data()
    data["caps"]["pml"]["3"] = -1
    assert problems(data) == [("negative_amount", "caps.pml.3", {"value": -1})]


@pytest.mark.parametrize("amount", [3_000_000.0, "3000000", True, None])
def test_an_amount_that_is_not_whole_rupiah_is_refused(amount: object) -> None:
    data = table_data()
    data["caps"]["ppl"]["1"] = amount
    assert problems(data) == [("expected_whole", "caps.ppl.1", {"value": amount})]


def test_an_unknown_role_and_month_are_refused() -> None:
    data = table_data()
    data["caps"]["koseka"] = {"1": 1}
    data["caps"]["ppl"]["13"] = 1
    assert problems(data) == [
        ("unknown_month", "caps.ppl", {"role": "ppl", "month": "13"}),
        ("unknown_role", "caps.koseka", {"role": "koseka", "known": "ppl, pml"}),
    ]


def test_every_problem_is_listed_at_once() -> None:
    data = table_data(year="2025", extra=1)
    del data["source"]
    del data["caps"]["pml"]["1"]
    del data["caps"]["pml"]["2"]
    data["caps"]["ppl"]["5"] = -10
    codes = [code for code, _, _ in problems(data)]
    assert codes == [
        "missing_field",
        "unknown_field",
        "expected_whole",
        "negative_amount",
        "missing_month",
        "missing_month",
    ]


@pytest.mark.parametrize("data", [[], "table", None])
def test_a_table_that_is_not_an_object_is_refused(data: object) -> None:
    assert problems(data) == [("expected_object", "table", {})]


def test_a_table_without_roles_is_refused() -> None:
    assert problems(table_data(caps={})) == [("no_roles", "caps", {})]


def test_the_error_text_names_every_problem() -> None:
    data = table_data()
    del data["caps"]["ppl"]["2"]
    data["caps"]["pml"]["4"] = -5
    with pytest.raises(HonorariumDataError, match=r"missing_month.*month 2.*negative_amount"):
        cap_table_parse(data)


# Spreading a lump sum --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "months", "expected"),
    [
        (3_000_000, [(2024, 5), (2024, 6), (2024, 7)], [1_000_000, 1_000_000, 1_000_000]),
        (1_000_000, [(2024, 5), (2024, 6), (2024, 7)], [333_334, 333_333, 333_333]),
        (1_000_001, [(2024, 7), (2024, 5), (2024, 6)], [333_334, 333_334, 333_333]),
        (2, [(2024, 1), (2024, 2), (2024, 3)], [1, 1, 0]),
        (0, [(2024, 1), (2024, 2)], [0, 0]),
        (5, [(2025, 1), (2024, 12)], [3, 2]),
    ],
)
def test_spread_gives_the_remainder_to_the_earliest_months(
    amount: int, months: list[tuple[int, int]], expected: list[int]
) -> None:
    shares = spread(amount, months)
    assert list(shares) == sorted(months)
    assert list(shares.values()) == expected


months_strategy = st.lists(
    st.tuples(st.integers(2020, 2030), st.integers(1, 12)), min_size=1, max_size=24, unique=True
)


@given(st.integers(0, 10**12), months_strategy)
def test_spread_preserves_the_sum_and_shares_differ_by_at_most_one(
    amount: int, months: list[tuple[int, int]]
) -> None:
    shares = spread(amount, months)
    assert sum(shares.values()) == amount
    assert max(shares.values()) - min(shares.values()) <= 1
    assert list(shares) == sorted(months)
    values = list(shares.values())
    assert values == sorted(values, reverse=True)  # earlier months never get less
    assert spread(amount, list(reversed(months))) == shares


@pytest.mark.parametrize(
    ("amount", "months", "problem"),
    [
        (-1, [(2024, 1)], HonorariumProblem.NEGATIVE_AMOUNT),
        (1.5, [(2024, 1)], HonorariumProblem.EXPECTED_WHOLE),
        (100, [], HonorariumProblem.NO_MONTHS),
        (100, [(2024, 1), (2024, 1)], HonorariumProblem.DUPLICATE_MONTH),
        (100, [(2024, 13)], HonorariumProblem.BAD_MONTH),
        (100, [(2024, 0)], HonorariumProblem.BAD_MONTH),
    ],
)
def test_spread_refuses_bad_input(amount: Any, months: Any, problem: HonorariumProblem) -> None:
    with pytest.raises(HonorariumDataError) as caught:
        spread(amount, months)
    assert caught.value.problems[0].problem == problem


# What assignments pay --------------------------------------------------------------------------

Q1 = ((2024, 1), (2024, 2), (2024, 3))


def test_each_pay_unit_is_rate_times_quantity() -> None:
    documents = Assignment(Role.PPL, PayUnit.DOCUMENT, 15_000, 120, Q1)
    person_months = Assignment(Role.PML, PayUnit.PERSON_MONTH, 3_000_000, 3, Q1)
    lump = Assignment(Role.PPL, PayUnit.LUMP_SUM, 1_000_000, 1, Q1)
    assert documents.amount == 1_800_000
    assert documents.earnings() == {(2024, 1): 600_000, (2024, 2): 600_000, (2024, 3): 600_000}
    assert person_months.earnings() == dict.fromkeys(Q1, 3_000_000)
    assert lump.earnings() == {(2024, 1): 333_334, (2024, 2): 333_333, (2024, 3): 333_333}


def test_monthly_earnings_add_up_assignments_in_month_order() -> None:
    earnings = monthly_earnings(
        [
            Assignment(Role.PPL, PayUnit.DOCUMENT, 10_000, 30, ((2024, 3), (2024, 2))),
            Assignment(Role.PPL, PayUnit.LUMP_SUM, 100_001, 1, ((2024, 1), (2024, 2))),
        ]
    )
    assert earnings == {(2024, 1): 50_001, (2024, 2): 200_000, (2024, 3): 150_000}
    assert list(earnings) == [(2024, 1), (2024, 2), (2024, 3)]
    assert monthly_earnings([]) == {}


@pytest.mark.parametrize(
    ("role", "unit", "rate", "quantity", "months", "problem"),
    [
        ("ppl", "document", -1, 1, Q1, HonorariumProblem.NEGATIVE_AMOUNT),
        ("ppl", "document", 1, -1, Q1, HonorariumProblem.NEGATIVE_AMOUNT),
        ("ppl", "document", 1.5, 1, Q1, HonorariumProblem.EXPECTED_WHOLE),
        ("ppl", "document", 1, 1, (), HonorariumProblem.NO_MONTHS),
        ("ppl", "document", 1, 1, ((2024, 1), (2024, 1)), HonorariumProblem.DUPLICATE_MONTH),
        ("ppl", "document", 1, 1, ((2024, 13),), HonorariumProblem.BAD_MONTH),
        ("koseka", "document", 1, 1, Q1, HonorariumProblem.UNKNOWN_ROLE),
        ("ppl", "per_hour", 1, 1, Q1, HonorariumProblem.UNKNOWN_UNIT),
    ],
)
def test_an_assignment_with_bad_figures_is_refused(
    role: Any, unit: Any, rate: Any, quantity: Any, months: Any, problem: HonorariumProblem
) -> None:
    with pytest.raises(HonorariumDataError) as caught:
        Assignment(role, unit, rate, quantity, months)
    assert caught.value.problems[0].problem == problem


# The cap check ---------------------------------------------------------------------------------


def test_an_assignment_within_the_cap_is_not_over() -> None:
    check = cap_check(
        table=TABLE,
        role=Role.PPL,
        existing={(2024, 1): 1_000_000},
        added={(2024, 1): 2_250_000, (2024, 2): 3_250_000},
    )
    assert not check.over and check.over_months == ()
    assert check.months == (
        MonthCheck((2024, 1), 3_250_000, 1_000_000, 2_250_000, 3_250_000, 0),
        MonthCheck((2024, 2), 3_250_000, 0, 3_250_000, 3_250_000, 0),
    )


def test_one_rupiah_over_in_one_month_is_over_with_the_figures() -> None:
    check = cap_check(
        table=TABLE,
        role="ppl",
        existing={(2024, 2): 2_000_000, (2024, 9): 9_000_000},
        added={(2024, 3): 1_000_000, (2024, 2): 1_250_001},
    )
    assert check.over and check.role == Role.PPL
    assert check.over_months == (
        MonthCheck((2024, 2), 3_250_000, 2_000_000, 1_250_001, 3_250_001, 1),
    )
    assert [row.month for row in check.months] == [(2024, 2), (2024, 3)]  # not September


def test_the_cap_is_the_role_of_the_added_assignment_against_all_earnings() -> None:
    # 3,400,000 already earned in the month (from any role) plus 100,000 more:
    added = {(2024, 4): 100_000}
    existing = {(2024, 4): 3_400_000}
    as_ppl = cap_check(table=TABLE, role=Role.PPL, existing=existing, added=added)
    as_pml = cap_check(table=TABLE, role=Role.PML, existing=existing, added=added)
    assert as_ppl.over and as_ppl.months[0].over_by == 250_000
    assert not as_pml.over and as_pml.months[0].cap == 3_575_000


def test_the_cap_check_refuses_bad_input() -> None:
    with pytest.raises(HonorariumDataError) as caught:
        cap_check(table=TABLE, role="koseka", existing={}, added={})
    assert caught.value.problems[0].problem == HonorariumProblem.UNKNOWN_ROLE
    with pytest.raises(HonorariumDataError) as caught:
        cap_check(table=TABLE, role=Role.PPL, existing={}, added={(2025, 1): 1})
    assert caught.value.problems[0].problem == HonorariumProblem.OUTSIDE_YEAR
    with pytest.raises(HonorariumDataError) as caught:
        cap_check(table=TABLE, role=Role.PPL, existing={}, added={(2024, 1): -1})
    assert caught.value.problems[0].problem == HonorariumProblem.NEGATIVE_AMOUNT


@given(
    st.dictionaries(st.integers(1, 12), st.integers(0, 10_000_000), min_size=1),
    st.dictionaries(st.integers(1, 12), st.integers(0, 10_000_000)),
    st.sampled_from(list(Role)),
)
def test_over_exactly_when_some_month_total_passes_its_cap(
    added: dict[int, int], existing: dict[int, int], role: Role
) -> None:
    check = cap_check(
        table=TABLE,
        role=role,
        existing={(2024, m): v for m, v in existing.items()},
        added={(2024, m): v for m, v in added.items()},
    )
    cap = TABLE.cap(role, (2024, 1))
    expected = any(existing.get(m, 0) + v > cap for m, v in added.items())
    assert check.over == expected
    for row in check.months:
        assert row.total == row.existing + row.added
        assert row.over_by == max(0, row.total - row.cap)
