import pytest
from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.formations import (
    COLUMNS,
    EXPORT_COLUMNS,
    MAX_ROWS,
    FormationRow,
    FormationType,
    IssueCode,
    ParseResult,
    PositionCategory,
    ProcurementType,
    format_formation_row,
    parse_formation_table,
)

GOOD = ["K-1", "CPNS", "umum", "Perawat Terampil", "D-III Keperawatan", "Puskesmas Bies", "2"]


def codes(result: ParseResult) -> list[tuple[int, str | None, IssueCode]]:
    return [(i.row, i.column, i.code) for i in result.issues]


def test_it_parses_a_valid_row_and_splits_qualifications() -> None:
    row = [*GOOD[:4], "S-1 Farmasi ;Profesi Apoteker", *GOOD[5:]]
    result = parse_formation_table(COLUMNS, [row])
    assert result.ok
    parsed = result.rows[0]
    assert parsed.qualifications == ("S-1 Farmasi", "Profesi Apoteker")
    assert parsed.quota == 2
    assert parsed.procurement_type is ProcurementType.CPNS
    assert parsed.position_category is None


def test_it_accepts_headers_in_any_order_case_and_spacing() -> None:
    header = ["Kuota", " Kode Formasi", *COLUMNS[1:6]]
    row = ["3", *GOOD[:6]]
    result = parse_formation_table(header, [row])
    assert result.ok
    assert result.rows[0].quota == 3


def test_it_normalises_the_case_of_type_columns() -> None:
    row = [GOOD[0], "pppk", "Umum", *GOOD[3:]]
    result = parse_formation_table(COLUMNS, [row])
    assert result.rows[0].procurement_type is ProcurementType.PPPK
    assert result.rows[0].formation_type is FormationType.UMUM


def test_it_reports_every_missing_column_on_the_header_line() -> None:
    result = parse_formation_table(["kode_formasi", "jabatan"], [["A", "B"]])
    assert not result.ok
    missing = {i.column for i in result.issues if i.code == IssueCode.MISSING_COLUMN}
    assert missing == set(COLUMNS) - {"kode_formasi", "jabatan"}
    assert {i.row for i in result.issues} == {1}


def test_it_names_line_and_column_of_each_bad_cell() -> None:
    rows = [
        GOOD,
        ["K-2", "CPNX", "umum", "", "D-III Keperawatan", "Puskesmas", "dua"],
        ["K-1", "CPNS", "istimewa", "Bidan", "D-III; d-iii", "RSUD", "0"],
    ]
    result = parse_formation_table(COLUMNS, rows)
    assert not result.ok
    assert result.rows == ()
    assert codes(result) == [
        (3, "jenis_pengadaan", IssueCode.UNKNOWN_PROCUREMENT_TYPE),
        (3, "jabatan", IssueCode.REQUIRED),
        (3, "kuota", IssueCode.NOT_WHOLE_NUMBER),
        (4, "jenis_formasi", IssueCode.UNKNOWN_FORMATION_TYPE),
        (4, "kualifikasi_pendidikan", IssueCode.DUPLICATE_QUALIFICATION),
        (4, "kuota", IssueCode.QUOTA_TOO_SMALL),
        (4, "kode_formasi", IssueCode.DUPLICATE_CODE),
    ]
    duplicate = result.issues[-1]
    assert duplicate.limit == "2"


def test_it_skips_blank_lines_but_counts_them_in_line_numbers() -> None:
    rows = [GOOD, ["", "", "", "", "", "", ""], ["K-2", *GOOD[1:6], "-1"]]
    result = parse_formation_table(COLUMNS, rows)
    assert codes(result) == [(4, "kuota", IssueCode.QUOTA_TOO_SMALL)]


def test_it_allows_an_empty_quota_only_for_a_mitra_pool() -> None:
    mitra = ["M-1", "MITRA", "umum", "Mitra Statistik", "SMA", "BPS", ""]
    cpns = [*GOOD[:6], ""]
    assert parse_formation_table(COLUMNS, [mitra]).rows[0].quota is None
    assert codes(parse_formation_table(COLUMNS, [cpns])) == [(2, "kuota", IssueCode.QUOTA_REQUIRED)]


def test_it_rejects_codes_with_spaces_or_symbols() -> None:
    result = parse_formation_table(COLUMNS, [["K 1;", *GOOD[1:]]])
    assert codes(result) == [(2, "kode_formasi", IssueCode.BAD_CODE)]


@pytest.mark.parametrize("code", ["=1+2", "+62", "-K1", "@K1", "'K1", "K1\u200b"])
def test_a_code_may_not_begin_or_end_with_anything_but_its_format(code: str) -> None:
    result = parse_formation_table(COLUMNS, [[code, *GOOD[1:]]])
    assert codes(result) == [(2, "kode_formasi", IssueCode.BAD_CODE)]


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f"])
def test_an_invisible_control_character_is_refused_where_it_is(character: str) -> None:
    row = [*GOOD[:3], f"Perawat{character}Terampil", *GOOD[4:]]
    result = parse_formation_table(COLUMNS, [row])
    assert codes(result) == [(2, "jabatan", IssueCode.CONTROL_CHARACTER)]


def test_tabs_and_line_breaks_inside_a_cell_are_spaces_not_control_characters() -> None:
    row = [*GOOD[:3], "Perawat\tAhli\r\nPertama", *GOOD[4:]]
    result = parse_formation_table(COLUMNS, [row])
    assert result.ok and result.rows[0].position == "Perawat Ahli Pertama"


def test_it_rejects_a_header_without_rows_and_duplicated_columns() -> None:
    assert codes(parse_formation_table(COLUMNS, [])) == [(2, None, IssueCode.NO_ROWS)]
    doubled = parse_formation_table([*COLUMNS, "kuota"], [[*GOOD, "1"]])
    assert codes(doubled) == [(1, "kuota", IssueCode.DUPLICATE_COLUMN)]


def test_it_stops_at_the_row_limit() -> None:
    rows = [[f"K-{n}", *GOOD[1:]] for n in range(MAX_ROWS + 1)]
    result = parse_formation_table(COLUMNS, rows)
    assert codes(result)[-1] == (MAX_ROWS + 2, None, IssueCode.TOO_MANY_ROWS)


def test_it_rejects_an_unknown_position_category_but_allows_none() -> None:
    header = [*COLUMNS, "kategori_jabatan"]
    assert parse_formation_table(header, [[*GOOD, ""]]).ok
    result = parse_formation_table(header, [[*GOOD, "dosen"]])
    assert codes(result) == [(2, "kategori_jabatan", IssueCode.UNKNOWN_POSITION_CATEGORY)]


text = (
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: " ".join(s.replace(";", " ").split()))
    .filter(bool)
)

formation_rows = st.builds(
    FormationRow,
    code=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,20}", fullmatch=True),
    procurement_type=st.sampled_from([ProcurementType.CPNS, ProcurementType.PPPK]),
    formation_type=st.sampled_from(FormationType),
    position=text,
    qualifications=st.lists(text, min_size=1, max_size=4, unique_by=str.casefold).map(tuple),
    placement_unit=text,
    quota=st.integers(min_value=1, max_value=100_000),
    position_category=st.none() | st.sampled_from(PositionCategory),
)


@given(formation_rows)
def test_formatting_then_parsing_gives_the_same_row(row: FormationRow) -> None:
    result = parse_formation_table(EXPORT_COLUMNS, [format_formation_row(row)])
    assert result.issues == ()
    assert result.rows == (row,)


@pytest.mark.parametrize("column", COLUMNS)
def test_every_required_column_must_be_filled(column: str) -> None:
    row = dict(zip(COLUMNS, GOOD, strict=True))
    row[column] = "  "
    result = parse_formation_table(COLUMNS, [list(row.values())])
    assert (2, column) in [(i.row, i.column) for i in result.issues]


PPPK = [GOOD[0], "PPPK", "umum", "Guru Matematika", "S-1 Pendidikan Matematika", "SD 1", "2"]
WITH_PASS_MARK = (*COLUMNS, "ambang_teknis")


def test_it_reads_the_teknis_pass_mark_of_a_pppk_opening() -> None:
    result = parse_formation_table(WITH_PASS_MARK, [[*PPPK, "325"]])
    assert result.ok
    assert result.rows[0].teknis_pass_mark == 325


def test_the_teknis_pass_mark_is_optional() -> None:
    result = parse_formation_table(WITH_PASS_MARK, [[*PPPK, ""]])
    assert result.ok
    assert result.rows[0].teknis_pass_mark is None


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ([*GOOD, "300"], IssueCode.THRESHOLD_NOT_PPPK),
        ([*PPPK, "tiga ratus"], IssueCode.NOT_WHOLE_NUMBER),
        ([*PPPK, "-5"], IssueCode.NOT_WHOLE_NUMBER),
        ([*PPPK, "10001"], IssueCode.THRESHOLD_TOO_LARGE),
    ],
)
def test_it_refuses_a_wrong_teknis_pass_mark(row: list[str], code: IssueCode) -> None:
    result = parse_formation_table(WITH_PASS_MARK, [row])
    assert codes(result) == [(2, "ambang_teknis", code)]


def test_a_pppk_row_with_its_pass_mark_survives_export_and_reimport() -> None:
    parsed = parse_formation_table(WITH_PASS_MARK, [[*PPPK, "290"]]).rows[0]
    again = parse_formation_table(EXPORT_COLUMNS, [list(format_formation_row(parsed))])
    assert again.rows == (parsed,)
