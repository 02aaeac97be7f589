"""`rules.rank_files`, the files of `seleksi rank-file`: the quick reading of well-formed SKD
lines gives what the per-row checks give, errors and all, and the quick CSV output is what
`csv.writer` writes."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seleksi.rules import rank_files
from seleksi.rules.cells import neutralise_row
from seleksi.rules.rank_files import csv_text, parse_scores
from seleksi.rules.ranking import Formation, SkdScore, Stage, load_ranking_policy
from seleksi.rules.score_files import FileErrors, FileProblem, Problem, Table

CPNS = load_ranking_policy("cpns-2021")
FORMATIONS = [
    Formation("F1", "Analis Kebijakan", "Dinas A", "umum", 1),
    Formation("F2", "Analis Kebijakan", "Dinas B", "disabilitas", 2),
]
HEADER = ["nomor_peserta", "kode_formasi", "kehadiran", "twk", "tiu", "tkp"]
NUMBERS = [
    "0",
    "7",
    "007",
    "150",
    "151",
    "175",
    "225",
    "226",
    "",
    " 7",
    "-5",
    "+5",
    "1_0",
    "٣",
    "x",
]

lines = st.lists(
    st.tuples(
        st.sampled_from(["001", "002", "003", " 004", "005 ", "", "  ", "=1+2", "0 1", "-7"]),
        st.sampled_from(["F1", "F2", "F9", " F1", ""]),
        st.sampled_from(["H", "H", "TH", "X", " H", "h", ""]),
        st.sampled_from(NUMBERS),
        st.sampled_from(NUMBERS),
        st.sampled_from(NUMBERS),
    ).map(list)
    | st.lists(st.sampled_from(["001", "F1", "H", "90", ""]), max_size=7),
    max_size=8,
)


def read(table: Table, formations: list[Formation]) -> list[SkdScore] | list[FileProblem]:
    try:
        return list(parse_scores(CPNS, Stage.SKD, formations, table))  # type: ignore[arg-type]
    except FileErrors as error:
        return error.problems


@settings(max_examples=400)
@given(lines, st.booleans())
def test_the_quick_reading_gives_what_the_per_row_checks_give(
    body: list[list[str]], formations_read: bool
) -> None:
    formations = FORMATIONS if formations_read else []
    quick = read((HEADER, body), formations)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rank_files, "QUICK_PARSERS", {})
        assert read((HEADER, body), formations) == quick


VARIANTS = [
    *("", " ", "001", " 001", "F1", "F1 ", "F9", "H", "TH", "h", "X", "=F1", "@001", "'001"),
    *NUMBERS,
]


@pytest.mark.parametrize("position", range(len(HEADER) + 1))
def test_any_one_odd_cell_is_read_as_the_per_row_checks_read_it(position: int) -> None:
    """Each cell of a present and of an absent line in turn, and a missing last cell."""
    for line in (["002", "F2", "H", "90", "100", "200"], ["002", "F2", "TH", "", "", ""]):
        for variant in VARIANTS:
            body = [
                ["001", "F1", "H", "1", "2", "3"],
                [*line[:position], variant, *line[position + 1 :]],
            ]
            if position == len(HEADER):
                body[1] = line[:-1]
            quick = read((HEADER, body), FORMATIONS)
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(rank_files, "QUICK_PARSERS", {})
                assert read((HEADER, body), FORMATIONS) == quick, body


def test_a_million_well_formed_lines_need_no_row_but_errors_are_still_found() -> None:
    body = [["001", "F1", "H", "100", "100", "200"], ["002", "F2", "TH", "", "", ""]]
    assert parse_scores(CPNS, Stage.SKD, FORMATIONS, (HEADER, body)) == [
        SkdScore("001", "F1", True, 100, 100, 200),
        SkdScore("002", "F2", False),
    ]
    repeated = [*body, ["001", "F2", "H", "1", "2", "3"]]
    with pytest.raises(FileErrors) as raised:
        parse_scores(CPNS, Stage.SKD, FORMATIONS, (HEADER, repeated))
    assert raised.value.problems == [
        FileProblem(Problem.DUPLICATE, 4, "nomor_peserta", {"value": "001", "earlier": "2"}),
        FileProblem(Problem.OTHER_FORMATION, 4, "kode_formasi", {"value": "001"}),
    ]


@pytest.mark.parametrize(
    "number", ['=HYPERLINK("http://x","y")', "+62812", "-1", "@A1", "1\t2", "0 1", "A" * 33]
)
def test_a_participant_number_out_of_its_format_is_refused_on_its_line(number: str) -> None:
    body = [["001", "F1", "H", "100", "100", "200"], [number, "F2", "TH", "", "", ""]]
    with pytest.raises(FileErrors) as raised:
        parse_scores(CPNS, Stage.SKD, FORMATIONS, (HEADER, body))
    assert raised.value.problems == [
        FileProblem(Problem.BAD_PARTICIPANT_NUMBER, 3, "nomor_peserta", {"value": number.strip()})
    ]


def test_a_formation_code_out_of_its_format_is_refused_even_without_a_formation_file() -> None:
    body = [["001", "=F1", "H", "100", "100", "200"]]
    with pytest.raises(FileErrors) as raised:
        parse_scores(CPNS, Stage.SKD, [], (HEADER, body))
    assert raised.value.problems == [
        FileProblem(Problem.BAD_FORMATION_CODE, 2, "kode_formasi", {"value": "=F1"})
    ]


cells = st.text(
    alphabet=["a", "7", ",", '"', "\n", "\r", " ", "\u2028", "é", "=", "+", "-", "@", "\t", "'"],
    max_size=4,
)


def written(header: list[str], rows: list[list[str]]) -> str:
    """What `csv.writer` writes for the rows neutralised, as every Seleksi writer must."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(map(neutralise_row, rows))
    return buffer.getvalue()


@settings(max_examples=300)
@given(st.integers(1, 4), st.lists(st.lists(cells, max_size=4), max_size=5))
def test_the_output_is_what_csv_writer_writes_neutralised(
    width: int, rows: list[list[str]]
) -> None:
    header = [f"kolom_{n}" for n in range(width)]
    assert csv_text(header, rows) == written(header, rows)
    same_width = [[*row, *[""] * width][:width] for row in rows]
    assert csv_text(header, same_width) == written(header, same_width)


def test_a_cell_that_would_run_as_a_formula_is_written_as_text() -> None:
    header = ["nomor_peserta", "kode_formasi"]
    assert csv_text(header, [["=1+2", "F1"], ["001", "@F"]]).splitlines() == [
        "nomor_peserta,kode_formasi",
        "'=1+2,F1",
        "001,'@F",
    ]
