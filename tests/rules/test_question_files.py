from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.cat import QuestionProblem, load_blueprint
from seleksi.rules.question_files import (
    BankIssue,
    ImageFinding,
    bank_columns,
    parse_question,
    parse_question_table,
)

SKD = load_blueprint("skd-2021")
HEADER = list(bank_columns(SKD))


def row(
    component: str = "twk", points: tuple[str, ...] = ("5", "0", "0", "0", "0"), **cells: str
) -> list[str]:
    values = {
        "komponen": component,
        "topik": "pancasila",
        "tingkat": "sedang",
        "soal": "Sila ke-3?",
    }
    for key, point in zip("abcde", points, strict=True):
        values[f"opsi_{key}"] = f"Pilihan {key.upper()}"
        values[f"nilai_{key}"] = point
    values.update(cells)
    return [values.get(column, "") for column in HEADER]


def issues(*rows: list[str], header: list[str] = HEADER) -> list[tuple[int, str, BankIssue]]:
    parsed = parse_question_table(header, list(rows), SKD)
    return [(p.line, p.column, p.issue) for p in parsed.problems]


def test_the_documented_columns_cover_five_options() -> None:
    assert HEADER[:4] == ["komponen", "topik", "tingkat", "soal"]
    assert HEADER[-2:] == ["opsi_e", "nilai_e"]


def test_good_rows_become_questions_with_their_options_and_points() -> None:
    parsed = parse_question_table(
        HEADER, [row(), row("tkp", ("3", "5", "1", "2", "4"), topik="", tingkat="")], SKD
    )
    assert parsed.problems == ()
    twk, tkp = parsed.questions
    assert (twk.line, twk.component, twk.topic, twk.difficulty) == (2, "twk", "pancasila", "sedang")
    assert [o.points for o in twk.options] == [5, 0, 0, 0, 0]
    assert (tkp.line, tkp.component, tkp.topic) == (3, "tkp", "")
    assert [o.key for o in tkp.options] == list("abcde")


def test_each_problem_names_its_line_and_column_and_nothing_is_kept() -> None:
    found = issues(
        row(),
        row("tiw"),
        row(soal=""),
        row(points=("5", "5", "0", "0", "0")),
        row("tkp", ("1", "2", "3", "4", "9")),
        row(points=("5", "x", "0", "0", "0")),
        row(nilai_c=""),
    )
    assert (3, "komponen", BankIssue.UNKNOWN_COMPONENT) in found
    assert (4, "soal", BankIssue.REQUIRED) in found
    assert (5, "", BankIssue.QUESTION) in found
    assert (6, "", BankIssue.QUESTION) in found
    assert (7, "nilai_b", BankIssue.NOT_POINTS) in found
    assert (8, "nilai_c", BankIssue.REQUIRED) in found
    assert not [line for line, _, _ in found if line == 2]
    assert parse_question_table(HEADER, [row(), row("tiw")], SKD).questions == ()


def test_the_scoring_problem_is_kept_for_the_message() -> None:
    parsed = parse_question_table(HEADER, [row(points=("5", "5", "0", "0", "0"))], SKD)
    (problem,) = parsed.problems
    assert problem.values["problem"] == QuestionProblem.NOT_ONE_KEY
    assert problem.values["keyed"] == 2


def test_a_missing_column_an_empty_file_and_blank_lines() -> None:
    assert issues(row(), header=[c for c in HEADER if c != "soal"]) == [
        (1, "soal", BankIssue.MISSING_COLUMN)
    ]
    assert issues() == [(1, "", BankIssue.NO_ROWS)]
    parsed = parse_question_table(HEADER, [row(), [""] * len(HEADER), row()], SKD)
    assert [q.line for q in parsed.questions] == [2, 4]


def test_an_option_beyond_the_components_count_is_refused() -> None:
    header = [*HEADER, "opsi_f", "nilai_f"]
    extra = [*row(), "Pilihan F", "0"]
    parsed = parse_question_table(header, [extra], SKD)
    assert [(p.column, p.issue) for p in parsed.problems] == [("opsi_f", BankIssue.EXTRA_OPTION)]


def test_headers_are_read_whatever_their_case_and_spaces() -> None:
    header = [f" {c.upper()} " for c in HEADER]
    assert len(parse_question_table(header, [row()], SKD).questions) == 1


@given(st.lists(st.lists(st.text(max_size=8), max_size=len(HEADER) + 2), max_size=6))
def test_any_cells_give_questions_or_problems_never_both_and_never_a_crash(
    rows: list[list[str]],
) -> None:
    parsed = parse_question_table(HEADER, rows, SKD)
    assert not (parsed.questions and parsed.problems)
    assert parsed.questions or parsed.problems


# --- pictures, the same text twice, one question at a time ------------------------------------

IMAGE_HEADER = list(bank_columns(SKD, with_image=True))


def pictured(name: str, **cells: str) -> list[str]:
    return [*row(**cells), name]


def test_the_picture_column_is_optional_and_comes_last() -> None:
    assert [*HEADER, "gambar"] == IMAGE_HEADER
    parsed = parse_question_table(HEADER, [row()], SKD)
    assert parsed.questions[0].image == ""


def test_a_row_names_a_picture_the_reader_vouched_for() -> None:
    images = {"peta.png": ImageFinding()}
    parsed = parse_question_table(
        IMAGE_HEADER, [pictured("peta.png"), pictured("")], SKD, images=images
    )
    assert parsed.problems == ()
    assert [q.image for q in parsed.questions] == ["peta.png", ""]


def test_each_picture_problem_names_its_row_and_the_column() -> None:
    images = {
        "teks.png": ImageFinding(BankIssue.NOT_AN_IMAGE),
        "besar.png": ImageFinding(
            BankIssue.IMAGE_TOO_LARGE, (("size_kb", 2048), ("limit_kb", 1024))
        ),
    }
    parsed = parse_question_table(
        IMAGE_HEADER,
        [pictured("tidak-ada.png"), pictured("teks.png"), pictured("besar.png")],
        SKD,
        images=images,
    )
    assert [(p.line, p.column, p.issue) for p in parsed.problems] == [
        (2, "gambar", BankIssue.IMAGE_NOT_FOUND),
        (3, "gambar", BankIssue.NOT_AN_IMAGE),
        (4, "gambar", BankIssue.IMAGE_TOO_LARGE),
    ]
    assert parsed.problems[2].values == {"value": "besar.png", "size_kb": 2048, "limit_kb": 1024}


def test_a_picture_named_without_a_zip_is_a_problem() -> None:
    parsed = parse_question_table(IMAGE_HEADER, [pictured("peta.png")], SKD)
    assert [(p.column, p.issue) for p in parsed.problems] == [("gambar", BankIssue.NO_IMAGES)]


def test_two_options_reading_the_same_are_refused() -> None:
    parsed = parse_question_table(HEADER, [row(opsi_c="  pilihan   a ")], SKD)
    (problem,) = parsed.problems
    assert (problem.column, problem.issue) == ("opsi_c", BankIssue.SAME_OPTION_TEXT)
    assert problem.values == {"option": "c", "same_as": "a"}


def test_one_question_is_checked_as_a_row_is() -> None:
    cells = dict(zip(HEADER, row(), strict=True))
    good = parse_question(cells, SKD)
    assert good.problems == () and good.questions[0].line == 0
    bad = parse_question({**cells, "nilai_b": "5"}, SKD)
    assert [(p.line, p.issue) for p in bad.problems] == [(0, BankIssue.QUESTION)]
    assert bad.problems[0].values["problem"] == QuestionProblem.NOT_ONE_KEY
