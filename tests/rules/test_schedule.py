from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.schedule import SelectionStatus, StageWindow, selection_status

START, END = date(2021, 6, 30), date(2021, 7, 21)
RESULT = date(2021, 12, 30)


def schedule(result: date | None = RESULT) -> list[StageWindow]:
    return [
        StageWindow("announcement", None, None),
        StageWindow("registration", START, END),
        StageWindow("skd", None, None),
        StageWindow("result", result, result),
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (START - timedelta(days=1), SelectionStatus.UPCOMING),
        (START, SelectionStatus.OPEN),
        (END, SelectionStatus.OPEN),
        (END + timedelta(days=1), SelectionStatus.CLOSED),
        (RESULT, SelectionStatus.CLOSED),
        (RESULT + timedelta(days=1), SelectionStatus.FINISHED),
    ],
)
def test_it_follows_the_schedule_day_by_day(today: date, expected: SelectionStatus) -> None:
    assert selection_status(schedule(), today) == expected


def test_it_stays_closed_while_the_final_stage_has_no_date() -> None:
    assert selection_status(schedule(result=None), date(2030, 1, 1)) == SelectionStatus.CLOSED


def test_it_is_upcoming_without_a_registration_date() -> None:
    stages = [StageWindow("registration", None, None)]
    assert selection_status(stages, date(2030, 1, 1)) == SelectionStatus.UPCOMING
    assert selection_status([], date(2030, 1, 1)) == SelectionStatus.UPCOMING


def test_it_refuses_a_stage_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="end before"):
        StageWindow("registration", END, START)


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    length=st.integers(min_value=0, max_value=90),
    gap=st.integers(min_value=0, max_value=365),
    offset=st.integers(min_value=-400, max_value=800),
)
def test_status_never_goes_backwards_as_days_pass(
    start: date, length: int, gap: int, offset: int
) -> None:
    end = start + timedelta(days=length)
    final = end + timedelta(days=gap)
    stages = [StageWindow("registration", start, end), StageWindow("result", final, final)]
    order = list(SelectionStatus)
    today = start + timedelta(days=offset)
    now = selection_status(stages, today)
    later = selection_status(stages, today + timedelta(days=1))
    assert order.index(later) >= order.index(now)
    assert (now == SelectionStatus.OPEN) == (start <= today <= end)
