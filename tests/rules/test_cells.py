"""Spreadsheet cells that stay text: neutralising is exact to undo and leaves nothing that a
spreadsheet would run as a formula."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from seleksi.rules.cells import (
    FORMULA_STARTS,
    TEXT_MARK,
    neutralise_cell,
    neutralise_row,
    restore_cell,
)

# Text made mostly of the characters that matter, so that hypothesis meets every case.
hostile_text = st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "a", " "]))


@given(st.text() | hostile_text)
@example("'")
@example("''")
@example("'=")
@example("''=1+2")
def test_restoring_a_neutralised_cell_gives_the_value_back(value: str) -> None:
    assert restore_cell(neutralise_cell(value)) == value


@given(st.text() | hostile_text)
def test_a_neutralised_cell_never_begins_like_a_formula(value: str) -> None:
    assert neutralise_cell(value)[:1] not in FORMULA_STARTS


@given(st.text() | hostile_text, st.text() | hostile_text)
def test_two_values_never_share_a_neutralised_cell(first: str, second: str) -> None:
    if first != second:
        assert neutralise_cell(first) != neutralise_cell(second)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+62 812", "'+62 812"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=already", "''=already"),
        ("''", "'''"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_get_one_apostrophe(value: str, cell: str) -> None:
    assert neutralise_cell(value) == cell
    assert restore_cell(cell) == value


@pytest.mark.parametrize("value", ["", "Perawat", "'Ain", "'", "S-1; D-III", "a=b", "1"])
def test_ordinary_text_and_a_lone_apostrophe_are_left_alone(value: str) -> None:
    assert neutralise_cell(value) == value
    assert restore_cell(value) == value


def test_a_row_keeps_its_numbers_and_empty_cells() -> None:
    assert neutralise_row(["=1", 3, None, "x", TEXT_MARK + "-"]) == ["'=1", 3, None, "x", "''-"]
