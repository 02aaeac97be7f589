"""The question-bank table (bank soal) a committee imports for a computer-assisted test.

One row per question, with the columns

    komponen, topik, tingkat, soal, opsi_a, nilai_a, opsi_b, nilai_b, … (as many as the
    component has options: a to e for SKD)

`komponen` is a component code of the test's blueprint (twk, tiu, tkp); `topik` and `tingkat`
(difficulty) are free text the blueprint's draw rules may name (empty: none); `soal` is the
question's text; `opsi_x` an option's text and `nilai_x` its points, checked against the
component's scoring style (`rules.cat.question_problems`).

Decisions worth knowing:

- Every problem names its line (the header is line 1, as a spreadsheet numbers it) and its
  column; a file with any problem yields no question, so an import saves all or nothing.
- Columns for options beyond what a component uses must be empty on its rows, so a fifth
  option typed on a four-option component is not silently dropped.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .cat import Blueprint, Option, QuestionProblem, question_problems

OPTION_KEYS = ("a", "b", "c", "d", "e", "f")
REQUIRED_COLUMNS = ("komponen", "soal")
OPTIONAL_COLUMNS = ("topik", "tingkat")
MAX_TEXT = 4000
MAX_LABEL = 64
MAX_QUESTIONS = 20_000
_WHOLE = re.compile(r"[0-9]{1,3}")


class BankIssue(StrEnum):
    MISSING_COLUMN = "missing_column"  # column
    NO_ROWS = "no_rows"
    TOO_MANY_ROWS = "too_many_rows"  # limit
    REQUIRED = "required"
    TOO_LONG = "too_long"  # limit
    UNKNOWN_COMPONENT = "unknown_component"  # value, components
    NOT_POINTS = "not_points"  # value
    EXTRA_OPTION = "extra_option"  # component, options
    QUESTION = "question"  # problem (rules.cat.QuestionProblem), its values


@dataclass(frozen=True, slots=True)
class BankProblem:
    line: int
    column: str
    issue: BankIssue
    params: tuple[tuple[str, object], ...] = ()

    @property
    def values(self) -> dict[str, object]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class OptionDraft:
    key: str
    text: str
    points: int


@dataclass(frozen=True, slots=True)
class QuestionDraft:
    line: int
    component: str
    topic: str
    difficulty: str
    text: str
    options: tuple[OptionDraft, ...]


@dataclass(frozen=True, slots=True)
class BankFile:
    questions: tuple[QuestionDraft, ...]
    problems: tuple[BankProblem, ...]


class _Line:
    """One line's cells and the problems found in them."""

    def __init__(self, line: int, cells: dict[str, str]) -> None:
        self.line = line
        self.cells = cells
        self.problems: list[BankProblem] = []

    def add(self, column: str, issue: BankIssue, **params: object) -> None:
        self.problems.append(BankProblem(self.line, column, issue, tuple(params.items())))

    def text(self, column: str, limit: int, *, required: bool) -> str:
        value = self.cells.get(column, "")
        if not value and required:
            self.add(column, BankIssue.REQUIRED)
        elif len(value) > limit:
            self.add(column, BankIssue.TOO_LONG, limit=limit)
        return value


def bank_columns(blueprint: Blueprint) -> tuple[str, ...]:
    """The documented columns for `blueprint`, in order (for a template file)."""
    widest = max(component.options for component in blueprint.components)
    options = [f"{kind}_{key}" for key in OPTION_KEYS[:widest] for kind in ("opsi", "nilai")]
    return ("komponen", "topik", "tingkat", "soal", *options)


def parse_question_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], blueprint: Blueprint
) -> BankFile:
    names = [name.strip().casefold() for name in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        return BankFile((), tuple(BankProblem(1, c, BankIssue.MISSING_COLUMN) for c in missing))
    components = {component.code: component for component in blueprint.components}
    problems: list[BankProblem] = []
    questions: list[QuestionDraft] = []
    counted = 0
    for index, row in enumerate(rows):
        line = index + 2
        cells = {
            name: (row[position].strip() if position < len(row) else "")
            for position, name in enumerate(names)
        }
        if not any(cells.values()):
            continue
        counted += 1
        if counted > MAX_QUESTIONS:
            problems.append(
                BankProblem(line, "", BankIssue.TOO_MANY_ROWS, (("limit", MAX_QUESTIONS),))
            )
            break
        row_line = _Line(line, cells)
        code = cells.get("komponen", "").casefold()
        component = components.get(code)
        if not code:
            row_line.add("komponen", BankIssue.REQUIRED)
        elif component is None:
            row_line.add(
                "komponen",
                BankIssue.UNKNOWN_COMPONENT,
                value=cells["komponen"][:40],
                components=", ".join(components),
            )
        body = row_line.text("soal", MAX_TEXT, required=True)
        topic = row_line.text("topik", MAX_LABEL, required=False)
        difficulty = row_line.text("tingkat", MAX_LABEL, required=False)
        options: list[OptionDraft] = []
        if component is not None:
            for position, key in enumerate(OPTION_KEYS):
                option_column, points_column = f"opsi_{key}", f"nilai_{key}"
                if position >= component.options:
                    if cells.get(option_column) or cells.get(points_column):
                        row_line.add(
                            option_column,
                            BankIssue.EXTRA_OPTION,
                            component=component.code,
                            options=component.options,
                        )
                    continue
                option_text = row_line.text(option_column, MAX_TEXT, required=True)
                raw = cells.get(points_column, "")
                if not raw:
                    row_line.add(points_column, BankIssue.REQUIRED)
                    continue
                if not _WHOLE.fullmatch(raw):
                    row_line.add(points_column, BankIssue.NOT_POINTS, value=raw[:40])
                    continue
                options.append(OptionDraft(key, option_text, int(raw)))
            if len(options) == component.options:
                for problem, values in question_problems(
                    component, [Option(o.key, o.points) for o in options]
                ):
                    row_line.add("", BankIssue.QUESTION, problem=problem, **values)
        found = row_line.problems
        if found:
            problems.extend(found)
        elif component is not None:
            questions.append(
                QuestionDraft(line, component.code, topic, difficulty, body, tuple(options))
            )
    if not counted and not problems:
        problems.append(BankProblem(1, "", BankIssue.NO_ROWS))
    if problems:
        return BankFile((), tuple(problems))
    return BankFile(tuple(questions), ())


__all__ = [
    "BankFile",
    "BankIssue",
    "BankProblem",
    "OptionDraft",
    "QuestionDraft",
    "QuestionProblem",
    "bank_columns",
    "parse_question_table",
]
