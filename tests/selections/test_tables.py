import io
from collections.abc import Iterator

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from seleksi.rules.formations import EXPORT_COLUMNS
from seleksi.selections.tables import TableFileError, read_table, write_csv, write_xlsx

HEADER = ",".join(EXPORT_COLUMNS)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """These tests pin the English source messages; the catalog test pins the Indonesian."""
    with translation.override("en"):
        yield


def test_it_reads_utf8_csv_with_a_byte_order_mark() -> None:
    content = ("\ufeff" + HEADER + "\nK-1,CPNS,umum,Perawat,D-III,Puskesmas,1,\n").encode()
    header, rows = read_table("formasi.csv", content)
    assert header[0] == "kode_formasi"
    assert rows == [["K-1", "CPNS", "umum", "Perawat", "D-III", "Puskesmas", "1", ""]]


def test_it_detects_semicolon_separated_csv_from_excel() -> None:
    content = (
        HEADER.replace(",", ";") + '\nK-1;CPNS;umum;Perawat;"D-III; S-1";Puskesmas;1;\n'
    ).encode()
    _, rows = read_table("formasi.csv", content)
    assert rows[0][4] == "D-III; S-1"


def test_it_explains_a_file_that_is_not_utf8() -> None:
    content = (HEADER + "\nK-1,CPNS,umum,Perawat,D-III,Unit Sosial,1,\n").encode("utf-8")
    content += "K-2,CPNS,umum,Perawat,D-III,Kantor Camat Bies – Barat,1,\n".encode("cp1252")
    with pytest.raises(TableFileError, match=r"Line 3 .*UTF-8"):
        read_table("formasi.csv", content)


def test_it_rejects_a_workbook_renamed_to_csv_and_text_renamed_to_xlsx() -> None:
    with pytest.raises(TableFileError, match="workbook, not CSV"):
        read_table("formasi.csv", write_xlsx([]))
    with pytest.raises(TableFileError, match="cannot be opened as an Excel workbook"):
        read_table("formasi.xlsx", (HEADER + "\n").encode())


def test_it_rejects_a_truncated_workbook() -> None:
    content = write_xlsx([["K-1", "CPNS", "umum", "Perawat", "D-III", "Unit", "1", ""]])
    with pytest.raises(TableFileError, match="Excel workbook"):
        read_table("formasi.xlsx", content[: len(content) // 2])


def test_it_rejects_unknown_extensions_empty_and_binary_files() -> None:
    with pytest.raises(TableFileError, match=r"\.csv and \.xlsx"):
        read_table("formasi.pdf", b"%PDF-1.4")
    with pytest.raises(TableFileError, match="empty"):
        read_table("formasi.csv", b"  \n")
    with pytest.raises(TableFileError, match="binary"):
        read_table("formasi.csv", b"kode\x00formasi\n")


def test_it_reports_an_unclosed_quote() -> None:
    content = (HEADER + '\nK-1,CPNS,umum,"Perawat,D-III\n').encode()
    with pytest.raises(TableFileError, match="malformed"):
        read_table("formasi.csv", content)


def test_it_reads_numbers_in_workbooks_as_plain_text() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(EXPORT_COLUMNS))
    sheet.append([2021001, "CPNS", "umum", "Perawat", "D-III", "Unit", 3.0, None])
    sheet.append([None] * 8)
    buffer = io.BytesIO()
    workbook.save(buffer)
    header, rows = read_table("formasi.xlsx", buffer.getvalue())
    assert header == list(EXPORT_COLUMNS)
    assert rows == [["2021001", "CPNS", "umum", "Perawat", "D-III", "Unit", "3", "", ""]]


def test_written_files_read_back_to_the_same_rows() -> None:
    rows = [
        ("K-1", "CPNS", "umum", "Perawat, Ners", 'Profesi "Ners"', "RSUD", "2", "kesehatan"),
        ("M-1", "MITRA", "umum", "Mitra", "SMA", "BPS", "", ""),
    ]
    assert read_table("a.csv", write_csv(rows))[1] == [list(r) for r in rows]
    assert read_table("a.xlsx", write_xlsx(rows))[1] == [list(r) for r in rows]
    sheet = load_workbook(io.BytesIO(write_xlsx(rows))).active
    assert sheet is not None
    assert sheet["G2"].value == 2
