import io
import zipfile
from collections.abc import Callable, Iterator
from xml.sax.saxutils import escape

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from seleksi.rules.formations import EXPORT_COLUMNS
from seleksi.selections.tables import (
    MAX_TABLE_LINES,
    XLSX_MAX_COMPRESSION_RATIO,
    XLSX_MAX_UNPACKED_BYTES,
    TableFileError,
    read_table,
    write_csv,
    write_xlsx,
)

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
    with pytest.raises(TableFileError, match="cannot be read as an Excel workbook"):
        read_table("formasi.xlsx", (HEADER + "\n").encode())


def test_it_rejects_a_truncated_workbook() -> None:
    content = write_xlsx([["K-1", "CPNS", "umum", "Perawat", "D-III", "Unit", "1", ""]])
    with pytest.raises(TableFileError, match="Excel workbook") as raised:
        read_table("formasi.xlsx", content[: len(content) // 2])
    assert raised.value.code == "damaged_workbook"


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
    # a workbook's rows are as wide as its header
    assert read_table("a.xlsx", write_xlsx(rows))[1] == [[*r, ""] for r in rows]
    sheet = load_workbook(io.BytesIO(write_xlsx(rows))).active
    assert sheet is not None
    assert sheet["G2"].value == 2


ROW = ["K-1", "CPNS", "umum", "Perawat", "D-III", "Unit", "1", "", ""]


def excel_like_workbook(rows: list[list[str]]) -> bytes:
    """A workbook made part by part as Excel writes one: text in xl/sharedStrings.xml, the
    sheet's dimension declared (openpyxl writes inline text and may leave it out)."""
    strings: list[str] = []
    sheet_rows = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, text in enumerate(row):
            if text:
                strings.append(text)
                ref = f"{chr(ord('A') + column)}{number}"
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        sheet_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="{package}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{relationships}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{relationships}"><sheets>'
            '<sheet name="formasi" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package}/relationships">'
            f'<Relationship Id="rId1" Type="{relationships}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{relationships}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><dimension ref="A1:I{len(rows)}"/>'
            f"<sheetData>{''.join(sheet_rows)}</sheetData></worksheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{main}" count="{len(strings)}" uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
            + "</sst>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_workbook_as_excel_writes_it_reads() -> None:
    header, rows = read_table("formasi.xlsx", excel_like_workbook([list(EXPORT_COLUMNS), ROW]))
    assert header == list(EXPORT_COLUMNS)
    assert rows == [ROW]


def rewritten(content: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """`content` with each part replaced by `change(name, data)`; None leaves the part out."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                target.writestr(name, data)
    return buffer.getvalue()


def test_a_hostile_name_is_a_text_cell_in_xlsx_and_neutralised_in_csv() -> None:
    name = '=HYPERLINK("http://x","y")'
    rows = [["K-1", "CPNS", "umum", name, "@SUM(A1)", "-Unit", "1", "", ""]]
    sheet = load_workbook(io.BytesIO(write_xlsx(rows))).active
    assert sheet is not None
    assert (sheet["D2"].data_type, sheet["D2"].value) == ("s", "'" + name)
    assert (sheet["E2"].data_type, sheet["F2"].data_type, sheet["G2"].data_type) == ("s", "s", "n")
    lines = write_csv(rows).decode().splitlines()
    assert lines[1] == 'K-1,CPNS,umum,"\'=HYPERLINK(""http://x"",""y"")",\'@SUM(A1),\'-Unit,1,,'
    assert read_table("a.xlsx", write_xlsx(rows))[1] == rows
    assert read_table("a.csv", write_csv(rows))[1] == rows


def test_text_that_looks_like_an_error_code_stays_text_in_xlsx() -> None:
    rows = [["K-1", "CPNS", "umum", "#N/A", "#REF!", "Unit", "1", "", ""]]
    sheet = load_workbook(io.BytesIO(write_xlsx(rows))).active
    assert sheet is not None
    assert [sheet["D2"].data_type, sheet["E2"].data_type] == ["s", "s"]
    assert read_table("a.xlsx", write_xlsx(rows))[1] == rows


cell_text = st.text(
    alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "'", "a", " ", ",", '"', ";", "é"]),
    min_size=1,
    max_size=6,
).filter(lambda text: text.strip() == text and text.strip())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(cell_text, min_size=6, max_size=6), min_size=1, max_size=3))
def test_written_files_read_back_exactly_whatever_the_cells_begin_with(
    texts: list[list[str]],
) -> None:
    rows = [[*cells, "2", "", ""] for cells in texts]
    assert read_table("a.csv", write_csv(rows))[1] == rows
    assert read_table("a.xlsx", write_xlsx(rows))[1] == rows


def with_padded_sheet(content: bytes, megabytes: int) -> bytes:
    """`content` with spaces after its sheet's XML, written a megabyte at a time."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            with target.open(name, "w") as part:
                part.write(source.read(name))
                if name == "xl/worksheets/sheet1.xml":
                    for _ in range(megabytes):
                        part.write(b" " * (1024 * 1024))
    return buffer.getvalue()


def test_a_decompression_bomb_is_refused_from_the_zip_directory_alone() -> None:
    """About 300 KB on disk; its sheet would unpack to 300 MB."""
    bomb = with_padded_sheet(write_xlsx([ROW]), 300)
    assert len(bomb) < 400 * 1024
    with pytest.raises(TableFileError) as raised:
        read_table("formasi.xlsx", bomb)
    assert raised.value.code == "workbook_too_large"
    assert raised.value.message == (
        f"The workbook unpacks to more than {XLSX_MAX_UNPACKED_BYTES // 1024 // 1024} MB, far "
        "more than any allocation needs. Keep only the allocation sheet, without images, or "
        "save it as CSV UTF-8."
    )


def test_a_part_packed_tighter_than_spreadsheets_pack_is_refused() -> None:
    """20 MB is within the size bound, but no spreadsheet packs a part 1,000 to 1."""
    content = with_padded_sheet(write_xlsx([ROW]), 20)
    with pytest.raises(TableFileError, match=f"more than {XLSX_MAX_COMPRESSION_RATIO} times"):
        read_table("formasi.xlsx", content)


def test_a_directory_that_understates_a_part_is_caught_before_the_part_is_read_whole() -> None:
    """The zip directory says the sheet is small, the data inflates to more: zipfile stops at
    the stated size and the CRC check fails, so the bound still holds."""
    content = bytearray(
        rewritten(
            write_xlsx([ROW]),
            lambda name, data: data + b" " * 5_000_000 if name.endswith("sheet1.xml") else data,
        )
    )
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    stated = sheet.file_size.to_bytes(4, "little")
    small = (1000).to_bytes(4, "little")
    start = content.index(b"PK\x01\x02")  # the central directory
    content[start:] = content[start:].replace(stated, small)
    content[sheet.header_offset : sheet.header_offset + 30] = content[
        sheet.header_offset : sheet.header_offset + 30
    ].replace(stated, small)
    assert zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(sheet.filename).file_size == 1000
    with pytest.raises(TableFileError) as raised:
        read_table("formasi.xlsx", bytes(content))
    assert raised.value.code == "damaged_workbook"


def test_an_encrypted_part_is_refused_with_what_to_do() -> None:
    content = bytearray(write_xlsx([ROW]))
    start = content.index(b"PK\x01\x02")
    content[start + 8] |= 0x1  # general purpose flag: encrypted
    with pytest.raises(TableFileError, match="remove any password"):
        read_table("formasi.xlsx", bytes(content))


def test_a_sheet_declaring_more_rows_than_any_file_may_have_is_refused_before_reading() -> None:
    def declare(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b'<dimension ref="A1:I2"/>', b'<dimension ref="A1:XFD1048576"/>')
        return data

    content = rewritten(excel_like_workbook([list(EXPORT_COLUMNS), ROW]), declare)
    assert b"A1:XFD1048576" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    with pytest.raises(TableFileError, match=f"more than {MAX_TABLE_LINES} lines"):
        read_table("formasi.xlsx", content)


def test_reading_stops_past_the_line_bound_even_when_the_sheet_hides_its_size() -> None:
    """A last row numbered 1,048,576 with no dimension: openpyxl would pad every missing row."""

    def far_row(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            row = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            return data.replace(b"</sheetData>", row + b"</sheetData>")
        return data

    with pytest.raises(TableFileError, match="Delete the empty lines"):
        read_table("formasi.xlsx", rewritten(write_xlsx([ROW]), far_row))


def test_a_cell_far_to_the_right_does_not_widen_every_row() -> None:
    def far_cell(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            cell = b'<c r="XFD2" t="inlineStr"><is><t>catatan</t></is></c></row>'
            return data.replace(b"</row>", cell, 2).replace(cell, b"</row>", 1)
        return data

    header, rows = read_table("formasi.xlsx", rewritten(write_xlsx([ROW]), far_cell))
    assert header == list(EXPORT_COLUMNS)
    assert rows == [ROW]


def test_a_csv_of_endless_blank_lines_is_refused() -> None:
    content = (HEADER + "\n" + "\n" * (MAX_TABLE_LINES + 1)).encode()
    with pytest.raises(TableFileError, match=f"more than {MAX_TABLE_LINES} lines"):
        read_table("formasi.csv", content)


BROKEN_PARTS: dict[str, Callable[[str, bytes], bytes | None]] = {
    "sheet XML cut short": lambda name, data: (
        data[: len(data) // 2] if name == "xl/worksheets/sheet1.xml" else data
    ),
    "sheet XML unclosed tag": lambda name, data: (
        data.replace(b"</sheetData>", b"<row><c") if name == "xl/worksheets/sheet1.xml" else data
    ),
    "shared strings broken": lambda name, data: (
        b"<sst><si><t>K-1</t>" if name == "xl/sharedStrings.xml" else data
    ),
    "workbook.xml missing": lambda name, data: None if name == "xl/workbook.xml" else data,
    "workbook.xml broken": lambda name, data: b"<workbook" if name == "xl/workbook.xml" else data,
    "sheet missing": lambda name, data: None if name == "xl/worksheets/sheet1.xml" else data,
    "content types broken": lambda name, data: b"<Types" if name == "[Content_Types].xml" else data,
}
DAMAGED = (
    "The file cannot be read as an Excel workbook (.xlsx): it is damaged or is not a "
    "workbook. Open it in Excel or LibreOffice, save it again as .xlsx and import that file."
)


@pytest.mark.parametrize("damage", BROKEN_PARTS)
def test_any_damaged_part_of_a_workbook_is_one_message(damage: str) -> None:
    original = excel_like_workbook([list(EXPORT_COLUMNS), ROW])
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(io.BytesIO(original)).namelist()
    with pytest.raises(TableFileError) as raised:
        read_table("formasi.xlsx", rewritten(original, BROKEN_PARTS[damage]))
    assert raised.value.message == DAMAGED


def test_damaged_styles_are_the_same_one_message() -> None:
    broken = rewritten(
        write_xlsx([ROW]), lambda name, data: b"<styleSheet" if name == "xl/styles.xml" else data
    )
    with pytest.raises(TableFileError) as raised:
        read_table("formasi.xlsx", broken)
    assert raised.value.message == DAMAGED


def test_an_error_is_said_in_the_language_active_when_it_is_shown() -> None:
    with pytest.raises(TableFileError) as raised:
        read_table("formasi.csv", b"  ")
    assert (raised.value.code, raised.value.values) == ("empty", {})
    with translation.override("id"):
        assert raised.value.message == "Berkas kosong."
