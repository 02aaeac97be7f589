"""Spreadsheet cells that stay text (formula injection).

A spreadsheet runs a cell that begins with `=`, `+`, `-` or `@` (and, in some programs, a tab
or a carriage return) as a formula: a formation named `=HYPERLINK("http://…","…")` would
become a live link in every exported file. Every CSV and XLSX writer passes its text through
`neutralise_cell`, and every reader through `restore_cell`.

Decisions worth knowing:

- Neutralising puts an apostrophe in front, as a person types one to keep a cell as text.
- The round trip is exact for every value: a value that itself begins with an apostrophe
  followed by a formula character or another apostrophe gets one more apostrophe, so
  `restore_cell(neutralise_cell(value)) == value` always holds.
- Any other value, including one that begins with a lone apostrophe (`'Ain`), is left alone
  both ways, so files written by people read as they wrote them.
"""

from collections.abc import Iterable

FORMULA_STARTS: frozenset[str] = frozenset({"=", "+", "-", "@", "\t", "\r"})
"""The first characters that make a spreadsheet read a cell as a formula."""
TEXT_MARK = "'"
_ESCAPED_AFTER_MARK: frozenset[str] = FORMULA_STARTS | {TEXT_MARK}


def neutralise_cell(value: str) -> str:
    """`value` as a cell that no spreadsheet runs as a formula."""
    first = value[:1]
    if first in FORMULA_STARTS or (first == TEXT_MARK and value[1:2] in _ESCAPED_AFTER_MARK):
        return TEXT_MARK + value
    return value


def restore_cell(cell: str) -> str:
    """The value `neutralise_cell` was given for `cell`."""
    if cell[:1] == TEXT_MARK and cell[1:2] in _ESCAPED_AFTER_MARK:
        return cell[1:]
    return cell


def neutralise_row(cells: Iterable[object]) -> list[object]:
    """A row for a writer: text cells neutralised, numbers and empty cells as they are."""
    return [neutralise_cell(cell) if isinstance(cell, str) else cell for cell in cells]
