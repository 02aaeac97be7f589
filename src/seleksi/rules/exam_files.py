"""The two tables a committee fills to define its test stage: test sites with their rooms
(lokasi) and test sessions (sesi), as CSV or XLSX files.

Decisions worth knowing:

- One row per room: a site's fields (name, address, map link) are repeated on each of its
  rooms' rows, a session's fields (stage, day, time, duration, site, formations,
  accommodation) on each of its rooms' rows. Repeated fields must agree with the first row of
  their site or session; a row that disagrees is named with the first row it contradicts.
- Lines are numbered as a spreadsheet numbers them: the header is line 1. A session is
  named by its first line (`SessionDraft.row`); `SessionFile.row_of` gives the line of one of
  its rooms, so a problem with a room names the line where that room was written.
- Parsing never half-succeeds: a site or session with a problem on any of its rows is left
  out of the result, and callers save nothing while `problems` is not empty. What only the
  database can tell (an unknown site, a room already in use, a date outside the schedule)
  is judged by `rules.exams.session_problems` on the drafts.
- The start time is read in the agency's time zone (`zone`), as the committee means it.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from enum import StrEnum

from .exams import MAX_DURATION_MINUTES, SessionDraft, TestStage
from .formations import normalise_header

SITE_COLUMNS: tuple[str, ...] = ("kode_lokasi", "nama_lokasi", "kode_ruang", "nama_ruang", "kursi")
SITE_OPTIONAL_COLUMNS: tuple[str, ...] = ("alamat", "tautan_peta", "lantai_dasar")
SITE_ALL_COLUMNS: tuple[str, ...] = (
    "kode_lokasi",
    "nama_lokasi",
    "alamat",
    "tautan_peta",
    "kode_ruang",
    "nama_ruang",
    "kursi",
    "lantai_dasar",
)
SESSION_COLUMNS: tuple[str, ...] = (
    "kode_sesi",
    "tahap",
    "tanggal",
    "jam_mulai",
    "durasi_menit",
    "kode_lokasi",
    "kode_ruang",
    "kapasitas",
)
SESSION_OPTIONAL_COLUMNS: tuple[str, ...] = ("formasi", "akomodasi")
SESSION_ALL_COLUMNS: tuple[str, ...] = SESSION_COLUMNS + SESSION_OPTIONAL_COLUMNS
FORMATION_SEPARATOR = ";"

MAX_ROWS = 5_000
"""Rows a file may have: a national SKD of 200 sites with 20 rooms each fits four times."""
MAX_CODE = 64
MAX_NAME = 255
MAX_ADDRESS = 1_000
MAX_URL = 200
MAX_SEATS = 10_000
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
"""A site, room or session code: letters, digits, - and _ (a slug)."""
URL_PATTERN = re.compile(r"https?://\S+", re.IGNORECASE)
YES: frozenset[str] = frozenset({"ya", "y", "yes", "1", "true", "benar"})
NO: frozenset[str] = frozenset({"tidak", "t", "no", "n", "0", "false", "salah", ""})
STAGE_ALIASES: dict[str, TestStage] = {
    **{stage.value: stage for stage in TestStage},
    "wawancara": TestStage.INTERVIEW,
}
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})[-/](\d{1,2})[-/](\d{4})")
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?::(\d{2}))?")
_WHOLE_NUMBER = re.compile(r"\d+")


class FileIssue(StrEnum):
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    NO_ROWS = "no_rows"
    TOO_MANY_ROWS = "too_many_rows"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    BAD_CODE = "bad_code"
    NOT_WHOLE_NUMBER = "not_whole_number"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    BAD_YES_NO = "bad_yes_no"
    BAD_URL = "bad_url"
    BAD_DATE = "bad_date"
    BAD_TIME = "bad_time"
    UNKNOWN_STAGE = "unknown_stage"
    DISAGREES = "disagrees"
    ROOM_TWICE = "room_twice"
    CONTROL_CHARACTER = "control_character"


@dataclass(frozen=True, slots=True)
class FileProblem:
    """What is wrong on line `row` (1 is the header), in `column` when one cell is at fault.
    `params` fill the message: `value`, `limit`, `first` (the value on `first_row`)…"""

    row: int
    column: str
    issue: FileIssue
    params: tuple[tuple[str, object], ...] = ()

    @property
    def values(self) -> dict[str, object]:
        return {"column": self.column, **dict(self.params)}


@dataclass(frozen=True, slots=True)
class RoomRow:
    row: int
    code: str
    name: str
    seats: int
    ground_floor: bool


@dataclass(frozen=True, slots=True)
class SiteRows:
    """A site as the file gives it; `row` is its first line."""

    row: int
    code: str
    name: str
    address: str
    map_url: str
    rooms: tuple[RoomRow, ...]


@dataclass(frozen=True, slots=True)
class SiteFile:
    sites: tuple[SiteRows, ...]
    problems: tuple[FileProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class SessionFile:
    drafts: tuple[SessionDraft, ...]
    problems: tuple[FileProblem, ...]
    room_rows: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """(session code, room code) → the line where that room of the session was written"""

    @property
    def ok(self) -> bool:
        return not self.problems

    def row_of(self, session: str, room: str, default: int) -> int:
        return self.room_rows.get((session, room), default)


class _Row:
    """One line's cells, collecting the problems found while reading them."""

    def __init__(self, line: int, cells: dict[str, str]) -> None:
        self.line = line
        self.cells = cells
        self.problems: list[FileProblem] = [
            FileProblem(line, column, FileIssue.CONTROL_CHARACTER)
            for column, value in cells.items()
            if _CONTROL_CHARACTER.search(value)
        ]

    def add(self, column: str, issue: FileIssue, **params: object) -> None:
        self.problems.append(FileProblem(self.line, column, issue, tuple(params.items())))

    def text(self, column: str, limit: int, *, required: bool = True) -> str:
        value = self.cells.get(column, "")
        if not value and required:
            self.add(column, FileIssue.REQUIRED)
        elif len(value) > limit:
            self.add(column, FileIssue.TOO_LONG, value=value[:40], limit=limit)
        return value

    def code(self, column: str) -> str:
        value = self.text(column, MAX_CODE)
        if value and len(value) <= MAX_CODE and not CODE_PATTERN.fullmatch(value):
            self.add(column, FileIssue.BAD_CODE, value=value[:40])
            return ""
        return value if len(value) <= MAX_CODE else ""

    def number(self, column: str, limit: int) -> int | None:
        value = self.cells.get(column, "")
        if not value:
            self.add(column, FileIssue.REQUIRED)
            return None
        if not _WHOLE_NUMBER.fullmatch(value):
            self.add(column, FileIssue.NOT_WHOLE_NUMBER, value=value[:40])
            return None
        number = int(value)
        if number < 1:
            self.add(column, FileIssue.TOO_SMALL, value=number)
            return None
        if number > limit:
            self.add(column, FileIssue.TOO_LARGE, value=number, limit=limit)
            return None
        return number

    def yes_no(self, column: str) -> bool | None:
        value = self.cells.get(column, "").casefold()
        if value in YES:
            return True
        if value in NO:
            return False
        self.add(column, FileIssue.BAD_YES_NO, value=self.cells[column][:40])
        return None

    def url(self, column: str) -> str:
        value = self.text(column, MAX_URL, required=False)
        if value and len(value) <= MAX_URL and not URL_PATTERN.fullmatch(value):
            self.add(column, FileIssue.BAD_URL, value=value[:40])
        return value

    def day(self, column: str) -> date | None:
        value = self.cells.get(column, "")
        if not value:
            self.add(column, FileIssue.REQUIRED)
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.add(column, FileIssue.BAD_DATE, value=value[:40])
        return parsed

    def time_of_day(self, column: str) -> time | None:
        value = self.cells.get(column, "")
        if not value:
            self.add(column, FileIssue.REQUIRED)
            return None
        parsed = parse_time(value)
        if parsed is None:
            self.add(column, FileIssue.BAD_TIME, value=value[:40])
        return parsed

    def stage(self, column: str) -> str:
        value = self.cells.get(column, "")
        if not value:
            self.add(column, FileIssue.REQUIRED)
            return ""
        stage = STAGE_ALIASES.get(value.casefold())
        if stage is None:
            self.add(column, FileIssue.UNKNOWN_STAGE, value=value[:40])
            return ""
        return stage.value


def parse_day(value: str) -> date | None:
    """A day written YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY (a workbook's date cell reads as
    the first, with or without a midnight time)."""
    match = _ISO_DATE.fullmatch(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _DAY_FIRST_DATE.fullmatch(value)
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_time(value: str) -> time | None:
    """A time written HH:MM (or HH.MM, as often written in Indonesia); a workbook's time
    cell reads as HH:MM:SS, accepted when its seconds are zero."""
    match = _TIME.fullmatch(value)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59 or (match[3] is not None and int(match[3]) != 0):
        return None
    return time(hour, minute)


def _columns(
    header: Sequence[str], required: Sequence[str], known: Sequence[str]
) -> tuple[dict[str, int], list[FileProblem]]:
    names = [normalise_header(name) for name in header]
    problems: list[FileProblem] = []
    seen: set[str] = set()
    for name in names:
        if name in seen and name in known:
            problems.append(FileProblem(1, name, FileIssue.DUPLICATE_COLUMN))
        seen.add(name)
    problems += [
        FileProblem(1, column, FileIssue.MISSING_COLUMN)
        for column in required
        if column not in seen
    ]
    return {name: names.index(name) for name in known if name in names}, problems


def _rows(
    rows: Sequence[Sequence[str]], index: dict[str, int], problems: list[FileProblem]
) -> list[_Row]:
    """The non-blank lines, their cells with whitespace collapsed; at most MAX_ROWS."""
    read: list[_Row] = []
    for offset, raw in enumerate(rows):
        cells = {
            name: " ".join(str(raw[position]).split()) if position < len(raw) else ""
            for name, position in index.items()
        }
        if not any(cells.values()):
            continue
        if len(read) >= MAX_ROWS:
            problems.append(
                FileProblem(offset + 2, "", FileIssue.TOO_MANY_ROWS, (("limit", MAX_ROWS),))
            )
            break
        read.append(_Row(offset + 2, cells))
    if not read and not problems:
        problems.append(FileProblem(2, "", FileIssue.NO_ROWS))
    return read


def _agree(
    row: _Row, first: _Row, column: str, value: object, first_value: object, code: str
) -> None:
    """`row` repeats the field `column` of the site or session `code` begun on `first`."""
    if value is None or first_value is None or value == first_value:
        return
    if any(problem.column == column for problem in row.problems):
        return
    row.add(
        column,
        FileIssue.DISAGREES,
        value=row.cells.get(column, "")[:40],
        first=first.cells.get(column, "")[:40],
        first_row=first.line,
        code=code,
    )


def _sorted(problems: list[FileProblem], columns: Sequence[str]) -> tuple[FileProblem, ...]:
    order = {name: position for position, name in enumerate(columns)}
    return tuple(sorted(problems, key=lambda p: (p.row, order.get(p.column, -1))))


# --- sites ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SiteLine:
    line: _Row
    code: str
    name: str
    address: str
    map_url: str
    room_code: str
    room: RoomRow | None


def parse_site_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> SiteFile:
    """The sites of a lokasi table, or its problems (and then no site)."""
    index, problems = _columns(header, SITE_COLUMNS, SITE_ALL_COLUMNS)
    if problems:
        return SiteFile((), tuple(problems))
    lines = [_site_line(row) for row in _rows(rows, index, problems)]
    groups: dict[str, list[_SiteLine]] = {}
    for line in lines:
        if line.code:
            groups.setdefault(line.code, []).append(line)
    sites: list[SiteRows] = []
    for code, group in groups.items():
        first = group[0]
        rooms: dict[str, int] = {}
        for line in group:
            if line is not first:
                for column, value, first_value in (
                    ("nama_lokasi", line.name or None, first.name or None),
                    ("alamat", line.address, first.address),
                    ("tautan_peta", line.map_url, first.map_url),
                ):
                    _agree(line.line, first.line, column, value, first_value, code)
            if line.room_code:
                if line.room_code in rooms:
                    line.line.add(
                        "kode_ruang",
                        FileIssue.ROOM_TWICE,
                        value=line.room_code,
                        first_row=rooms[line.room_code],
                        code=code,
                    )
                rooms.setdefault(line.room_code, line.line.line)
        if not any(line.line.problems for line in group):
            sites.append(
                SiteRows(
                    first.line.line,
                    code,
                    first.name,
                    first.address,
                    first.map_url,
                    tuple(line.room for line in group if line.room is not None),
                )
            )
    for line in lines:
        problems += line.line.problems
    if problems:
        return SiteFile((), _sorted(problems, SITE_ALL_COLUMNS))
    return SiteFile(tuple(sites), ())


def _site_line(row: _Row) -> _SiteLine:
    code = row.code("kode_lokasi")
    name = row.text("nama_lokasi", MAX_NAME)
    address = row.text("alamat", MAX_ADDRESS, required=False)
    map_url = row.url("tautan_peta")
    room_code = row.code("kode_ruang")
    room_name = row.text("nama_ruang", MAX_NAME)
    seats = row.number("kursi", MAX_SEATS)
    ground_floor = row.yes_no("lantai_dasar")
    room = None
    if room_code and seats is not None and ground_floor is not None:
        room = RoomRow(row.line, room_code, room_name, seats, ground_floor)
    return _SiteLine(row, code, name, address, map_url, room_code, room)


# --- sessions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SessionLine:
    line: _Row
    code: str
    stage: str
    day: date | None
    start: time | None
    minutes: int | None
    site: str
    room: str
    capacity: int | None
    formations: tuple[str, ...]
    accommodation: bool | None


def parse_session_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, zone: tzinfo
) -> SessionFile:
    """The sessions of a sesi table as drafts, or its problems. When some sessions have a
    problem, the others are still given as drafts, so that what the database says of them
    can be reported in the same answer; nothing may be saved while `problems` is not empty."""
    index, problems = _columns(header, SESSION_COLUMNS, SESSION_ALL_COLUMNS)
    if problems:
        return SessionFile((), tuple(problems))
    lines = [_session_line(row) for row in _rows(rows, index, problems)]
    groups: dict[str, list[_SessionLine]] = {}
    for line in lines:
        if line.code:
            groups.setdefault(line.code, []).append(line)
    drafts: list[SessionDraft] = []
    room_rows: dict[tuple[str, str], int] = {}
    for code, group in groups.items():
        first = group[0]
        for line in group:
            if line is not first:
                _session_agrees(line, first, code)
            if line.room:
                if (code, line.room) in room_rows:
                    line.line.add(
                        "kode_ruang",
                        FileIssue.ROOM_TWICE,
                        value=line.room,
                        first_row=room_rows[code, line.room],
                        code=code,
                    )
                room_rows.setdefault((code, line.room), line.line.line)
        if any(line.line.problems for line in group):
            continue
        if first.day is None or first.start is None or first.minutes is None:
            continue  # not reached: each has a problem on its line
        drafts.append(
            SessionDraft(
                row=first.line.line,
                code=code,
                stage=first.stage,
                site=first.site,
                starts_at=datetime.combine(first.day, first.start, tzinfo=zone),
                duration_minutes=first.minutes,
                rooms=tuple((line.room, line.capacity or 0) for line in group),
                formations=first.formations,
                accommodation_only=bool(first.accommodation),
            )
        )
    for line in lines:
        problems += line.line.problems
    return SessionFile(tuple(drafts), _sorted(problems, SESSION_ALL_COLUMNS), room_rows)


def _session_line(row: _Row) -> _SessionLine:
    formations = tuple(
        dict.fromkeys(
            part.strip()
            for part in row.cells.get("formasi", "").split(FORMATION_SEPARATOR)
            if part.strip()
        )
    )
    return _SessionLine(
        line=row,
        code=row.code("kode_sesi"),
        stage=row.stage("tahap"),
        day=row.day("tanggal"),
        start=row.time_of_day("jam_mulai"),
        minutes=row.number("durasi_menit", MAX_DURATION_MINUTES),
        site=row.code("kode_lokasi"),
        room=row.code("kode_ruang"),
        capacity=row.number("kapasitas", MAX_SEATS),
        formations=formations,
        accommodation=row.yes_no("akomodasi"),
    )


def _session_agrees(line: _SessionLine, first: _SessionLine, code: str) -> None:
    for column, value, first_value in (
        ("tahap", line.stage or None, first.stage or None),
        ("tanggal", line.day, first.day),
        ("jam_mulai", line.start, first.start),
        ("durasi_menit", line.minutes, first.minutes),
        ("kode_lokasi", line.site or None, first.site or None),
        ("formasi", frozenset(line.formations), frozenset(first.formations)),
        ("akomodasi", line.accommodation, first.accommodation),
    ):
        _agree(line.line, first.line, column, value, first_value, code)
