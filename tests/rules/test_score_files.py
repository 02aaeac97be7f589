import pytest

from seleksi.rules.score_files import (
    PARTICIPANT_NUMBER,
    FileErrors,
    FileProblem,
    Problem,
    Row,
    column_positions,
    parse_table,
    table_row,
    table_rows,
)

CONTENT = "\ufeffNomor_Peserta , kehadiran,twk\n001, H ,90\n,,\n002\n".encode()


def test_it_reads_lines_as_rows_numbered_as_a_spreadsheet_shows_them() -> None:
    header, body = parse_table(CONTENT)
    assert header == ["nomor_peserta", "kehadiran", "twk"]
    assert table_rows(header, body, ["twk", "nomor_peserta"]) == [
        Row(2, {"twk": "90", "nomor_peserta": "001"}),
        Row(4, {"twk": "", "nomor_peserta": "002"}),
    ]


def test_one_line_is_a_row_with_stripped_cells_or_none_when_blank() -> None:
    positions = column_positions(["nomor_peserta", "kehadiran", "twk"], ["kehadiran", "twk"])
    assert positions == {"kehadiran": 1, "twk": 2}
    assert table_row(7, ["001", " TH "], positions) == Row(7, {"kehadiran": "TH", "twk": ""})
    assert table_row(8, [" ", "", "\t"], positions) is None


def test_a_missing_column_fails_the_file_with_a_problem_per_column() -> None:
    with pytest.raises(FileErrors) as raised:
        column_positions(["nomor_peserta"], ["nomor_peserta", "twk", "tiu"])
    assert raised.value.problems == [
        FileProblem(Problem.MISSING_COLUMN, 1, "twk"),
        FileProblem(Problem.MISSING_COLUMN, 1, "tiu"),
    ]


def test_unreadable_files_are_one_problem_each() -> None:
    for content, code in ((b"\xff\xfe\x00x", Problem.NOT_UTF8), (b"", Problem.EMPTY_FILE)):
        with pytest.raises(FileErrors) as raised:
            parse_table(content)
        assert raised.value.problems == [FileProblem(code)]


def test_problems_are_codes_with_the_values_their_message_needs() -> None:
    row = Row(5, {"twk": "151", "skb": "70.1234", "kehadiran": "X", "lahir": "1995-02-30"})
    assert row.whole("twk", 0, 150) is None
    assert row.decimal("skb", 0, 100, required=True, places=3) is None
    assert row.attendance() is None
    assert row.birth_date("lahir", required=True) is None
    assert row.errors == [
        FileProblem(Problem.OUT_OF_RANGE, 5, "twk", {"value": "151", "low": "0", "high": "150"}),
        FileProblem(Problem.TOO_MANY_DECIMALS, 5, "skb", {"value": "70.1234", "places": "3"}),
        FileProblem(Problem.NOT_ONE_OF, 5, "kehadiran", {"value": "X", "allowed": "H, TH"}),
        FileProblem(Problem.NOT_A_DATE, 5, "lahir", {"value": "1995-02-30"}),
    ]


@pytest.mark.parametrize(
    "number",
    [
        '=HYPERLINK("http://x","y")',
        "+6281234",
        "-001",
        "@SUM(A1)",
        "'=1+2",
        "001 002",
        "A" * 33,
        ".001",
        "٣٣",
        "001\n",
    ],
)
def test_a_participant_number_must_have_its_format(number: str) -> None:
    row = Row(3, {"nomor_peserta": number})
    assert row.participant() is None
    assert row.errors == [
        FileProblem(Problem.BAD_PARTICIPANT_NUMBER, 3, "nomor_peserta", {"value": number})
    ]


@pytest.mark.parametrize("number", ["001", "A01", "2021-00001/XII.3", "demo_7", "A" * 32])
def test_participant_numbers_in_use_pass(number: str) -> None:
    assert PARTICIPANT_NUMBER.fullmatch(number)
    row = Row(3, {"nomor_peserta": number})
    assert row.participant() == number and not row.errors


def test_a_formation_code_must_have_the_format_the_allocation_import_accepts() -> None:
    row = Row(4, {"kode_formasi": "=1+2", "lain": "F-0001/A.1", "panjang": "F" * 51})
    assert row.formation_code() is None
    assert row.formation_code("lain") == "F-0001/A.1"
    assert row.formation_code("panjang") is None
    assert [(p.code, p.column) for p in row.errors] == [
        (Problem.BAD_FORMATION_CODE, "kode_formasi"),
        (Problem.BAD_FORMATION_CODE, "panjang"),
    ]


def test_cells_a_writer_neutralised_read_back_as_they_were() -> None:
    content = b"nomor_peserta,catatan\n''=1,'=HYPERLINK(1)\n'Ain,x\n"
    _, body = parse_table(content)
    assert body == [["'=1", "=HYPERLINK(1)"], ["'Ain", "x"]]
