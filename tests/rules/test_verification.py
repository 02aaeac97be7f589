from datetime import date, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.verification import (
    ALLOWED,
    ChecklistProblem,
    ItemMark,
    Mark,
    Stage,
    Window,
    answer_deadline,
    can_move,
    checklist_problems,
    objection_window,
    overall,
)

ITEMS = ("data", "ktp", "ijazah")
ALL_MS = tuple(ItemMark(item, Mark.MS) for item in ITEMS)
PUBLISHED_ON = date(2021, 9, 14)


def with_tms(item: str = "ijazah", reason: str = "ijazah-tidak-sesuai") -> tuple[ItemMark, ...]:
    return tuple(
        ItemMark(mark.item, Mark.TMS, reason) if mark.item == item else mark for mark in ALL_MS
    )


# --- overall -----------------------------------------------------------------------------


def test_one_tms_makes_the_whole_application_tms() -> None:
    assert overall(with_tms()) == Mark.TMS


def test_all_ms_makes_the_application_ms() -> None:
    assert overall(ALL_MS) == Mark.MS


def test_an_empty_checklist_has_no_overall_result() -> None:
    with pytest.raises(ValueError, match="no marks"):
        overall(())


# --- checklist_problems ------------------------------------------------------------------


def test_a_complete_checklist_has_no_problems() -> None:
    assert checklist_problems(ITEMS, ALL_MS) == ()
    assert checklist_problems(ITEMS, with_tms(), claimed=Mark.TMS) == ()


def test_every_unmarked_item_is_named() -> None:
    problems = checklist_problems(ITEMS, ALL_MS[:1])
    assert problems == (
        (ChecklistProblem.UNMARKED, "ktp"),
        (ChecklistProblem.UNMARKED, "ijazah"),
    )


def test_a_tms_without_a_reason_is_a_problem() -> None:
    problems = checklist_problems(ITEMS, with_tms(reason=""))
    assert problems == ((ChecklistProblem.TMS_WITHOUT_REASON, "ijazah"),)


def test_claiming_ms_while_marking_a_tms_is_a_contradiction() -> None:
    problems = checklist_problems(ITEMS, with_tms(), claimed=Mark.MS)
    assert problems == ((ChecklistProblem.CONTRADICTION, "MS"),)


def test_claiming_tms_while_everything_is_ms_is_a_contradiction() -> None:
    problems = checklist_problems(ITEMS, ALL_MS, claimed=Mark.TMS)
    assert problems == ((ChecklistProblem.CONTRADICTION, "TMS"),)


def test_the_contradiction_is_only_judged_on_a_complete_checklist() -> None:
    problems = checklist_problems(ITEMS, ALL_MS[:2], claimed=Mark.TMS)
    assert problems == ((ChecklistProblem.UNMARKED, "ijazah"),)


def test_marks_for_items_outside_the_checklist_are_not_problems() -> None:
    marks = (*ALL_MS, ItemMark("something-else", Mark.MS))
    assert checklist_problems(ITEMS, marks) == ()


# --- can_move ----------------------------------------------------------------------------

EXPECTED_MOVES = {
    (Stage.WAITING, Stage.DECIDED),
    (Stage.WAITING, Stage.CHECKED),
    (Stage.DECIDED, Stage.DECIDED),
    (Stage.DECIDED, Stage.CHECKED),
    (Stage.CHECKED, Stage.DECIDED),
    (Stage.CHECKED, Stage.CHECKED),
    (Stage.CHECKED, Stage.PUBLISHED),
    (Stage.PUBLISHED, Stage.OBJECTED),
    (Stage.PUBLISHED, Stage.FINAL),
    (Stage.OBJECTED, Stage.ANSWERED),
    (Stage.ANSWERED, Stage.FINAL),
}


@pytest.mark.parametrize(("current", "target"), list(product(Stage, Stage)))
def test_it_allows_exactly_the_listed_moves(current: Stage, target: Stage) -> None:
    assert can_move(current, target) == ((current, target) in EXPECTED_MOVES)
    assert can_move(current, target) == (target in ALLOWED[current])


def test_every_stage_has_an_entry_in_the_table() -> None:
    assert set(ALLOWED) == set(Stage)


def test_nothing_leaves_final() -> None:
    assert not any(can_move(Stage.FINAL, target) for target in Stage)


@pytest.mark.parametrize("target", [Stage.WAITING, Stage.DECIDED, Stage.CHECKED])
def test_a_published_result_cannot_go_back_to_a_decision(target: Stage) -> None:
    assert not can_move(Stage.PUBLISHED, target)


def test_only_an_objection_or_the_final_publication_moves_a_published_result() -> None:
    assert {t for t in Stage if can_move(Stage.PUBLISHED, t)} == {Stage.OBJECTED, Stage.FINAL}


# --- objection window and answer deadline ------------------------------------------------


def test_the_window_lasts_three_days_from_the_publication_day_by_default() -> None:
    window = objection_window(PUBLISHED_ON)
    assert window == Window(date(2021, 9, 14), date(2021, 9, 16))


def test_the_window_can_last_another_number_of_days() -> None:
    assert objection_window(PUBLISHED_ON, days=1) == Window(PUBLISHED_ON, PUBLISHED_ON)
    assert objection_window(PUBLISHED_ON, days=5).closes_on == date(2021, 9, 18)


def test_a_scheduled_objection_stage_wins_over_the_default() -> None:
    scheduled = (date(2021, 9, 20), date(2021, 9, 22))
    assert objection_window(PUBLISHED_ON, days=3, scheduled=scheduled) == Window(*scheduled)


def test_a_half_dated_schedule_falls_back_to_the_default() -> None:
    window = objection_window(PUBLISHED_ON, scheduled=(date(2021, 9, 20), None))
    assert window == Window(date(2021, 9, 14), date(2021, 9, 16))


@pytest.mark.parametrize("days", [0, -1])
def test_a_window_shorter_than_one_day_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="at least one day"):
        objection_window(PUBLISHED_ON, days=days)


def test_objections_are_answered_within_seven_days_after_the_window() -> None:
    window = objection_window(PUBLISHED_ON)
    assert answer_deadline(window) == date(2021, 9, 23)
    assert answer_deadline(window, days=10) == date(2021, 9, 26)


def test_the_window_contains_both_of_its_edges_and_nothing_outside() -> None:
    window = Window(date(2021, 9, 14), date(2021, 9, 16))
    assert not window.contains(date(2021, 9, 13))
    assert window.contains(date(2021, 9, 14))
    assert window.contains(date(2021, 9, 16))
    assert not window.contains(date(2021, 9, 17))


@given(
    published_on=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    days=st.integers(min_value=1, max_value=14),
)
def test_the_window_holds_exactly_its_days_starting_on_the_publication_day(
    published_on: date, days: int
) -> None:
    window = objection_window(published_on, days=days)
    span = [published_on + timedelta(days=offset) for offset in range(-3, days + 3)]
    inside = [day for day in span if window.contains(day)]
    assert len(inside) == days
    assert inside[0] == published_on == window.opens_on
    assert inside[-1] == window.closes_on
