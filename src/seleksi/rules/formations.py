"""The formation allocation table (lampiran formasi) as agencies exchange it.

`parse_formation_table` turns a header and rows of text into validated `FormationRow`s, or
into a list of `RowIssue`s that name the spreadsheet line, the column and what is wrong.
It never half-succeeds: callers save nothing unless the issue list is empty. Whitespace inside
a cell is collapsed to single spaces; any other control character is refused, since no
spreadsheet can hold it and a person cannot see it.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

COLUMNS: tuple[str, ...] = (
    "kode_formasi",
    "jenis_pengadaan",
    "jenis_formasi",
    "jabatan",
    "kualifikasi_pendidikan",
    "unit_penempatan",
    "kuota",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("kategori_jabatan", "ambang_teknis")
EXPORT_COLUMNS: tuple[str, ...] = COLUMNS + OPTIONAL_COLUMNS
QUALIFICATION_SEPARATOR = ";"

MAX_ROWS = 20_000
MAX_TEXT = 255
MAX_CODE = 50
MAX_QUOTA = 100_000
MAX_PASS_MARK = 10_000
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
"""Kode formasi, matched whole: letters, digits and . _ / -, beginning with a letter or digit
(so never with a character a spreadsheet reads as a formula)."""
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


class ProcurementType(StrEnum):
    """Jenis pengadaan."""

    CPNS = "CPNS"
    PPPK = "PPPK"
    MITRA = "MITRA"


class FormationType(StrEnum):
    """Jenis formasi; the names match the ranking policies' pass-mark groups."""

    UMUM = "umum"
    DISABILITAS = "disabilitas"
    CUMLAUDE = "cumlaude"
    DIASPORA = "diaspora"
    PAPUA = "papua"
    DOKTER = "dokter"
    KHUSUS_LAPANGAN = "khusus-lapangan"


class PositionCategory(StrEnum):
    """Kategori jabatan, as the announcement groups its openings."""

    GURU = "guru"
    KESEHATAN = "kesehatan"
    TEKNIS = "teknis"


class IssueCode(StrEnum):
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    NO_ROWS = "no_rows"
    TOO_MANY_ROWS = "too_many_rows"
    REQUIRED = "required"
    TOO_LONG = "too_long"
    BAD_CODE = "bad_code"
    DUPLICATE_CODE = "duplicate_code"
    UNKNOWN_PROCUREMENT_TYPE = "unknown_procurement_type"
    UNKNOWN_FORMATION_TYPE = "unknown_formation_type"
    UNKNOWN_POSITION_CATEGORY = "unknown_position_category"
    DUPLICATE_QUALIFICATION = "duplicate_qualification"
    NOT_WHOLE_NUMBER = "not_whole_number"
    QUOTA_TOO_SMALL = "quota_too_small"
    QUOTA_TOO_LARGE = "quota_too_large"
    QUOTA_REQUIRED = "quota_required"
    THRESHOLD_NOT_PPPK = "threshold_not_pppk"
    THRESHOLD_TOO_LARGE = "threshold_too_large"
    CONTROL_CHARACTER = "control_character"


@dataclass(frozen=True)
class RowIssue:
    """`row` is the line as a spreadsheet numbers it: the header is line 1."""

    row: int
    column: str | None
    code: IssueCode
    value: str = ""
    limit: str = ""


@dataclass(frozen=True)
class FormationRow:
    code: str
    procurement_type: ProcurementType
    formation_type: FormationType
    position: str
    qualifications: tuple[str, ...]
    placement_unit: str
    quota: int | None
    position_category: PositionCategory | None
    teknis_pass_mark: int | None = None
    """Ambang teknis: the PPPK technical test pass mark of the position."""


@dataclass(frozen=True)
class ParseResult:
    rows: tuple[FormationRow, ...]
    issues: tuple[RowIssue, ...]

    @property
    def ok(self) -> bool:
        return not self.issues


def normalise_header(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lstrip("\ufeff").lower())


def parse_formation_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> ParseResult:
    names = [normalise_header(name) for name in header]
    issues: list[RowIssue] = []
    seen_names: set[str] = set()
    for name in names:
        if name and name in seen_names and name in EXPORT_COLUMNS:
            issues.append(RowIssue(1, name, IssueCode.DUPLICATE_COLUMN))
        seen_names.add(name)
    issues.extend(
        RowIssue(1, column, IssueCode.MISSING_COLUMN) for column in COLUMNS if column not in names
    )
    if issues:
        return ParseResult((), tuple(issues))

    index = {name: names.index(name) for name in EXPORT_COLUMNS if name in names}
    parsed: list[FormationRow] = []
    first_line_of_code: dict[str, int] = {}
    data_rows = 0
    for offset, raw in enumerate(rows):
        line = offset + 2
        cells = {name: _cell(raw, position) for name, position in index.items()}
        if not any(cells.values()):
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            issues.append(RowIssue(line, None, IssueCode.TOO_MANY_ROWS, limit=str(MAX_ROWS)))
            break
        row, row_issues = _parse_row(line, cells)
        code = cells.get("kode_formasi", "")
        earlier = first_line_of_code.setdefault(code.upper(), line) if code else line
        if earlier != line:
            row_issues.append(
                RowIssue(line, "kode_formasi", IssueCode.DUPLICATE_CODE, code, str(earlier))
            )
        issues.extend(row_issues)
        if row is not None and not row_issues:
            parsed.append(row)
    if data_rows == 0:
        issues.append(RowIssue(2, None, IssueCode.NO_ROWS))
    if issues:
        return ParseResult((), tuple(issues))
    return ParseResult(tuple(parsed), ())


def _cell(raw: Sequence[str], position: int) -> str:
    if position >= len(raw):
        return ""
    return " ".join(str(raw[position]).split())


def _parse_row(line: int, cells: dict[str, str]) -> tuple[FormationRow | None, list[RowIssue]]:
    issues: list[RowIssue] = [
        RowIssue(line, column, IssueCode.CONTROL_CHARACTER)
        for column, value in cells.items()
        if _CONTROL_CHARACTER.search(value)
    ]

    def text(column: str, limit: int = MAX_TEXT) -> str:
        value = cells.get(column, "")
        if not value:
            issues.append(RowIssue(line, column, IssueCode.REQUIRED))
        elif len(value) > limit:
            issues.append(RowIssue(line, column, IssueCode.TOO_LONG, value[:40], str(limit)))
        return value

    code = text("kode_formasi", MAX_CODE)
    if code and len(code) <= MAX_CODE and not CODE_PATTERN.fullmatch(code):
        issues.append(RowIssue(line, "kode_formasi", IssueCode.BAD_CODE, code))

    procurement = _choice(
        ProcurementType,
        cells.get("jenis_pengadaan", ""),
        line,
        "jenis_pengadaan",
        IssueCode.UNKNOWN_PROCUREMENT_TYPE,
        issues,
    )
    formation_type = _choice(
        FormationType,
        cells.get("jenis_formasi", ""),
        line,
        "jenis_formasi",
        IssueCode.UNKNOWN_FORMATION_TYPE,
        issues,
    )
    position = text("jabatan")
    qualifications = _qualifications(line, cells.get("kualifikasi_pendidikan", ""), issues)
    placement_unit = text("unit_penempatan")
    quota = _quota(line, cells.get("kuota", ""), procurement, issues)

    category: PositionCategory | None = None
    raw_category = cells.get("kategori_jabatan", "")
    if raw_category:
        category = _choice(
            PositionCategory,
            raw_category,
            line,
            "kategori_jabatan",
            IssueCode.UNKNOWN_POSITION_CATEGORY,
            issues,
        )

    pass_mark = _pass_mark(line, cells.get("ambang_teknis", ""), procurement, issues)

    if issues or procurement is None or formation_type is None:
        return None, issues
    return (
        FormationRow(
            code=code,
            procurement_type=procurement,
            formation_type=formation_type,
            position=position,
            qualifications=qualifications,
            placement_unit=placement_unit,
            quota=quota,
            position_category=category,
            teknis_pass_mark=pass_mark,
        ),
        issues,
    )


def _choice[E: StrEnum](
    enum: type[E], value: str, line: int, column: str, code: IssueCode, issues: list[RowIssue]
) -> E | None:
    if not value:
        issues.append(RowIssue(line, column, IssueCode.REQUIRED))
        return None
    for member in enum:
        if member.value.casefold() == value.casefold():
            return member
    allowed = ", ".join(member.value for member in enum)
    issues.append(RowIssue(line, column, code, value[:40], allowed))
    return None


def _qualifications(line: int, raw: str, issues: list[RowIssue]) -> tuple[str, ...]:
    column = "kualifikasi_pendidikan"
    names = [part.strip() for part in raw.split(QUALIFICATION_SEPARATOR) if part.strip()]
    if not names:
        issues.append(RowIssue(line, column, IssueCode.REQUIRED))
        return ()
    seen: set[str] = set()
    for name in names:
        if len(name) > MAX_TEXT:
            issues.append(RowIssue(line, column, IssueCode.TOO_LONG, name[:40], str(MAX_TEXT)))
        key = name.casefold()
        if key in seen:
            issues.append(RowIssue(line, column, IssueCode.DUPLICATE_QUALIFICATION, name))
        seen.add(key)
    return tuple(names)


def _quota(
    line: int, raw: str, procurement: ProcurementType | None, issues: list[RowIssue]
) -> int | None:
    if not raw:
        if procurement is ProcurementType.MITRA:
            return None
        issues.append(RowIssue(line, "kuota", IssueCode.QUOTA_REQUIRED))
        return None
    if not re.fullmatch(r"[+-]?\d+", raw):
        issues.append(RowIssue(line, "kuota", IssueCode.NOT_WHOLE_NUMBER, raw[:40]))
        return None
    quota = int(raw)
    if quota < 1:
        issues.append(RowIssue(line, "kuota", IssueCode.QUOTA_TOO_SMALL, raw))
        return None
    if quota > MAX_QUOTA:
        issues.append(RowIssue(line, "kuota", IssueCode.QUOTA_TOO_LARGE, raw, str(MAX_QUOTA)))
        return None
    return quota


def _pass_mark(
    line: int, raw: str, procurement: ProcurementType | None, issues: list[RowIssue]
) -> int | None:
    column = "ambang_teknis"
    if not raw:
        return None
    if procurement is not None and procurement is not ProcurementType.PPPK:
        issues.append(RowIssue(line, column, IssueCode.THRESHOLD_NOT_PPPK, raw[:40]))
        return None
    if not re.fullmatch(r"\d+", raw):
        issues.append(RowIssue(line, column, IssueCode.NOT_WHOLE_NUMBER, raw[:40]))
        return None
    if int(raw) > MAX_PASS_MARK:
        issues.append(
            RowIssue(line, column, IssueCode.THRESHOLD_TOO_LARGE, raw, str(MAX_PASS_MARK))
        )
        return None
    return int(raw)


def format_formation_row(row: FormationRow) -> tuple[str, ...]:
    """The row as it is exported, in EXPORT_COLUMNS order; parsing it gives `row` back."""
    return (
        row.code,
        row.procurement_type.value,
        row.formation_type.value,
        row.position,
        f"{QUALIFICATION_SEPARATOR} ".join(row.qualifications),
        row.placement_unit,
        "" if row.quota is None else str(row.quota),
        "" if row.position_category is None else row.position_category.value,
        "" if row.teknis_pass_mark is None else str(row.teknis_pass_mark),
    )
