"""The lokasi and sesi tables read as plain Python: the ways a day, a time and a yes/no are
written, and that no cell content makes the parsers fail instead of reporting a problem."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.exam_files import (
    SESSION_ALL_COLUMNS,
    SITE_ALL_COLUMNS,
    FileIssue,
    parse_day,
    parse_session_table,
    parse_site_table,
    parse_time,
)

WITA = ZoneInfo("Asia/Makassar")


@pytest.mark.parametrize(
    "text", ["2026-05-04", "04-05-2026", "04/05/2026", "4/5/2026", "2026-05-04T00:00:00"]
)
def test_a_day_is_read_in_each_accepted_form(text: str) -> None:
    assert parse_day(text) == date(2026, 5, 4)


@pytest.mark.parametrize("text", ["2026-02-30", "05/2026", "besok", "2026-05-04T08:00:00", ""])
def test_what_is_not_a_day_is_refused(text: str) -> None:
    assert parse_day(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("07:30", time(7, 30)), ("7.30", time(7, 30)), ("13:00:00", time(13)), ("0:05", time(0, 5))],
)
def test_a_time_is_read_with_a_colon_or_a_point(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "07:60", "07:30:15", "0730", "pagi"])
def test_what_is_not_a_time_of_day_is_refused(text: str) -> None:
    assert parse_time(text) is None


def test_a_session_starts_in_the_zone_it_is_read_in() -> None:
    parsed = parse_session_table(
        SESSION_ALL_COLUMNS,
        [["s", "PPPK", "2026-05-04", "08:00", "90", "gor", "r1", "10", "", "Ya"]],
        zone=WITA,
    )
    assert parsed.ok
    draft = parsed.drafts[0]
    assert draft.starts_at == datetime(2026, 5, 4, 8, 0, tzinfo=WITA)
    assert (draft.stage, draft.accommodation_only, draft.row) == ("pppk", True, 2)


def test_wawancara_is_the_interview() -> None:
    parsed = parse_session_table(
        SESSION_ALL_COLUMNS,
        [["s", "Wawancara", "2026-05-04", "08:00", "30", "gor", "r1", "1", "", ""]],
        zone=WITA,
    )
    assert parsed.drafts[0].stage == "interview"


def test_the_optional_columns_may_be_left_out() -> None:
    sites = parse_site_table(
        ["kode_lokasi", "nama_lokasi", "kode_ruang", "nama_ruang", "kursi"],
        [["gor", "GOR", "r1", "Ruang 1", "40"]],
    )
    assert sites.ok and sites.sites[0].rooms[0].ground_floor is False
    sessions = parse_session_table(
        SESSION_ALL_COLUMNS[:8],
        [["s", "skd", "2026-05-04", "08:00", "30", "gor", "r1", "1"]],
        zone=WITA,
    )
    assert sessions.ok and sessions.drafts[0].formations == ()


def test_a_header_only_file_says_it_has_no_rows() -> None:
    assert [p.issue for p in parse_site_table(SITE_ALL_COLUMNS, [[""] * 8]).problems] == [
        FileIssue.NO_ROWS
    ]


def test_a_session_with_a_bad_row_is_left_out_and_the_others_kept() -> None:
    parsed = parse_session_table(
        SESSION_ALL_COLUMNS,
        [
            ["a", "skd", "2026-05-04", "08:00", "30", "gor", "r1", "1", "", ""],
            ["b", "skd", "2026-05-04", "08:00", "30", "gor", "r1", "0", "", ""],
        ],
        zone=WITA,
    )
    assert [draft.code for draft in parsed.drafts] == ["a"]
    assert [(p.row, p.column, p.issue) for p in parsed.problems] == [
        (3, "kapasitas", FileIssue.TOO_SMALL)
    ]


cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


@given(st.lists(st.lists(cells, min_size=0, max_size=11), max_size=6))
def test_any_cells_give_sessions_or_problems_never_an_exception(rows: list[list[str]]) -> None:
    parsed = parse_session_table(SESSION_ALL_COLUMNS, rows, zone=WITA)
    assert parsed.ok or all(problem.row >= 2 for problem in parsed.problems)
    assert all(draft.rooms for draft in parsed.drafts)


@given(st.lists(st.lists(cells, min_size=0, max_size=9), max_size=6))
def test_any_cells_give_sites_or_problems_never_an_exception(rows: list[list[str]]) -> None:
    parsed = parse_site_table(SITE_ALL_COLUMNS, rows)
    assert parsed.ok == (not parsed.problems)
    assert parsed.ok or not parsed.sites
