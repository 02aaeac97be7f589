"""The question-bank table (bank soal) a committee imports for a computer-assisted test.

One row per question, with the columns

    komponen, topik, tingkat, soal, opsi_a, nilai_a, opsi_b, nilai_b, … (as many as the
    component has options: a to e for SKD), and optionally gambar

`komponen` is a component code of the test's blueprint (twk, tiu, tkp); `topik` and `tingkat`
(difficulty) are free text the blueprint's draw rules may name (empty: none); `soal` is the
question's text; `opsi_x` an option's text and `nilai_x` its points, checked against the
component's scoring style (`rules.cat.question_problems`). `gambar` names a picture in the
ZIP of images uploaded with the table; whoever reads the ZIP says what it found for each name
(`ImageFinding`), so the rules here stay free of file formats.

Decisions worth knowing:

- Every problem names its line (the header is line 1, as a spreadsheet numbers it) and its
  column; a file with any problem yields no question, so an import saves all or nothing.
- Columns for options beyond what a component uses must be empty on its rows, so a fifth
  option typed on a four-option component is not silently dropped.
- Two options of one question may not read the same (compared without case and extra
  spaces): a participant could not tell them apart.
- A single question edited in the console goes through the same checks as a row
  (`parse_question`), so the console can never save what the import would refuse.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .cat import Blueprint, Option, QuestionProblem, question_problems

OPTION_KEYS = ("a", "b", "c", "d", "e", "f")
REQUIRED_COLUMNS = ("komponen", "soal")
IMAGE_COLUMN = "gambar"
OPTIONAL_COLUMNS = ("topik", "tingkat", IMAGE_COLUMN)
MAX_TEXT = 4000
MAX_LABEL = 64
MAX_IMAGE_NAME = 255
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
    SAME_OPTION_TEXT = "same_option_text"  # option, same_as
    QUESTION = "question"  # problem (rules.cat.QuestionProblem), its values
    NO_IMAGES = "no_images"  # value: a row names an image and no ZIP came with the table
    IMAGE_NOT_FOUND = "image_not_found"  # value
    NOT_AN_IMAGE = "not_an_image"  # value
    IMAGE_TOO_LARGE = "image_too_large"  # value, size_kb, limit_kb
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"  # value, megapixels (width, height)


IMAGE_ISSUES = frozenset(
    {
        BankIssue.NOT_AN_IMAGE,
        BankIssue.IMAGE_TOO_LARGE,
        BankIssue.IMAGE_TOO_MANY_PIXELS,
    }
)
"""What a reader of the images may find wrong with one (`ImageFinding.issue`)."""


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
class ImageFinding:
    """What the reader of the images found under a name: a usable picture (`issue` None) or
    one of `IMAGE_ISSUES` with the values its message needs."""

    issue: BankIssue | None = None
    params: tuple[tuple[str, object], ...] = ()


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
    image: str = ""
    """the name in the `gambar` cell, as the images' reader was asked for it ("" for none)"""


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


def bank_columns(blueprint: Blueprint, *, with_image: bool = False) -> tuple[str, ...]:
    """The documented columns for `blueprint`, in order (for a template file); the optional
    `gambar` comes last, only when asked for, so a table written by position stays valid."""
    widest = max(component.options for component in blueprint.components)
    options = [f"{kind}_{key}" for key in OPTION_KEYS[:widest] for kind in ("opsi", "nilai")]
    image = (IMAGE_COLUMN,) if with_image else ()
    return ("komponen", "topik", "tingkat", "soal", *options, *image)


def _same_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_question_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    blueprint: Blueprint,
    *,
    images: Mapping[str, ImageFinding] | None = None,
) -> BankFile:
    """The questions of a bank table, or every problem in it. `images` answers for the
    names in the `gambar` column (None: no ZIP of images came with the table)."""
    names = [name.strip().casefold() for name in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        return BankFile((), tuple(BankProblem(1, c, BankIssue.MISSING_COLUMN) for c in missing))
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
        draft, found = _parse_row(line, cells, blueprint, images)
        if found:
            problems.extend(found)
        elif draft is not None:
            questions.append(draft)
    if not counted and not problems:
        problems.append(BankProblem(1, "", BankIssue.NO_ROWS))
    if problems:
        return BankFile((), tuple(problems))
    return BankFile(tuple(questions), ())


def parse_question(
    cells: Mapping[str, str],
    blueprint: Blueprint,
    *,
    images: Mapping[str, ImageFinding] | None = None,
) -> BankFile:
    """One question given as the cells of a row (`komponen`, `soal`, `opsi_a`, …), checked as
    the import checks a row; its problems carry line 0 (not from a file)."""
    trimmed = {name.casefold(): value.strip() for name, value in cells.items()}
    draft, problems = _parse_row(0, trimmed, blueprint, images)
    if problems or draft is None:
        return BankFile((), tuple(problems))
    return BankFile((draft,), ())


def _parse_row(
    line: int,
    cells: Mapping[str, str],
    blueprint: Blueprint,
    images: Mapping[str, ImageFinding] | None,
) -> tuple[QuestionDraft | None, list[BankProblem]]:
    components = {component.code: component for component in blueprint.components}
    row_line = _Line(line, dict(cells))
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
    image = _image(row_line, images)
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
        seen: dict[str, str] = {}
        for option in options:
            same = _same_text(option.text)
            if same and same in seen:
                row_line.add(
                    f"opsi_{option.key}",
                    BankIssue.SAME_OPTION_TEXT,
                    option=option.key,
                    same_as=seen[same],
                )
            seen.setdefault(same, option.key)
        if len(options) == component.options:
            for problem, values in question_problems(
                component, [Option(o.key, o.points) for o in options]
            ):
                row_line.add("", BankIssue.QUESTION, problem=problem, **values)
    if row_line.problems or component is None:
        return None, row_line.problems
    draft = QuestionDraft(line, component.code, topic, difficulty, body, tuple(options), image)
    return draft, []


def _image(row_line: _Line, images: Mapping[str, ImageFinding] | None) -> str:
    """The `gambar` cell, once the images' reader has vouched for it ("" when empty)."""
    name = row_line.text(IMAGE_COLUMN, MAX_IMAGE_NAME, required=False)
    if not name or len(name) > MAX_IMAGE_NAME:
        return ""
    shown = name[:80]
    if images is None:
        row_line.add(IMAGE_COLUMN, BankIssue.NO_IMAGES, value=shown)
        return name
    finding = images.get(name)
    if finding is None:
        row_line.add(IMAGE_COLUMN, BankIssue.IMAGE_NOT_FOUND, value=shown)
    elif finding.issue is not None:
        row_line.add(IMAGE_COLUMN, finding.issue, value=shown, **dict(finding.params))
    return name


__all__ = [
    "IMAGE_COLUMN",
    "IMAGE_ISSUES",
    "BankFile",
    "BankIssue",
    "BankProblem",
    "ImageFinding",
    "OptionDraft",
    "QuestionDraft",
    "QuestionProblem",
    "bank_columns",
    "parse_question",
    "parse_question_table",
]
