import pytest

from seleksi.rules.score_files import (
    FileErrors,
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


def test_a_missing_column_fails_the_file() -> None:
    with pytest.raises(FileErrors) as raised:
        column_positions(["nomor_peserta"], ["nomor_peserta", "twk", "tiu"])
    assert raised.value.errors == [
        "baris 1, kolom twk: kolom tidak ada",
        "baris 1, kolom tiu: kolom tidak ada",
    ]
