"""The national ID number (NIK, Nomor Induk Kependudukan) and the family-card number
(nomor KK, Kartu Keluarga).

A NIK is 16 digits: province (2), regency (2), district (2), birth date DDMMYY, where women
add 40 to the day, and a serial (4). The number only says what the digits allow: a NIK that
passes here may still not exist in the population register (Dukcapil).

Decisions worth knowing:

- `parse_nik` and `parse_kk` normalise their input with `normalise_number` first, so a form
  can pass what the person typed; `Nik.digits` holds the normalised digits.
- A wrong length and non-digits are reported together when both apply, and then nothing
  else is checked.
- The two-digit year means the most recent year ending in those digits whose date is not
  after `today`, so a birth date lies in the hundred years up to today.
- `IMPOSSIBLE_DATE` does not depend on `today`: it means no year ending in those two digits
  has that day and month (day 00, 32-40 or above 71, month 00 or above 12, 30 Feb, 29 Feb
  of a year whose last two digits are not a multiple of 4).
- `FUTURE_BIRTH_DATE` is kept, but it can only arise for a date that exists in no year of
  the hundred years up to today and does exist later: 29 Feb of a "00" year, read on
  1 Jan-28 Feb of 2000 (or 2100), since 1900 was not a leap year.
- A KK is flagged `ZERO_REGION` only when all four region digits are zero, not when the
  district alone is "00": real cards are not consistent enough for the stricter NIK rule.
"""

from dataclasses import dataclass
from datetime import MINYEAR, date
from enum import StrEnum

NUMBER_LENGTH = 16
FEMALE_DAY_OFFSET = 40
MASK_VISIBLE = 4
ASCII_DIGITS = frozenset("0123456789")

# Kode wilayah provinsi in force since the 2022 Papua split (idn-area-data, provinces.csv).
PROVINCE_CODES: frozenset[str] = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
        "31", "32", "33", "34", "35", "36",
        "51", "52", "53",
        "61", "62", "63", "64", "65",
        "71", "72", "73", "74", "75", "76",
        "81", "82",
        "91", "92", "93", "94", "95", "96",
    }
)  # fmt: skip


class Sex(StrEnum):
    """Jenis kelamin, with the letters the KTP prints: Laki-laki / Perempuan."""

    MALE = "L"
    FEMALE = "P"


class NikProblem(StrEnum):
    WRONG_LENGTH = "wrong_length"
    NOT_DIGITS = "not_digits"
    UNKNOWN_PROVINCE = "unknown_province"
    IMPOSSIBLE_DATE = "impossible_date"
    FUTURE_BIRTH_DATE = "future_birth_date"
    ZERO_SERIAL = "zero_serial"
    ZERO_REGION = "zero_region"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"
    SEX_MISMATCH = "sex_mismatch"


@dataclass(frozen=True)
class Nik:
    """A NIK that passed every check; `regency_code` and `district_code` include the codes
    above them ("1104", "110401"), as the region tables key them."""

    digits: str
    province_code: str
    regency_code: str
    district_code: str
    birth_date: date
    sex: Sex
    serial: str


@dataclass(frozen=True)
class NikCheck:
    nik: Nik | None
    problems: tuple[NikProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def normalise_number(text: str) -> str:
    """Drop the whitespace, dots and hyphens people type to group the digits."""
    return "".join(char for char in text if not char.isspace() and char not in ".-")


def parse_nik(text: str, *, today: date) -> NikCheck:
    digits = normalise_number(text)
    problems = _shape_problems(digits)
    if problems:
        return NikCheck(None, problems)

    found: list[NikProblem] = []
    if digits[:2] not in PROVINCE_CODES:
        found.append(NikProblem.UNKNOWN_PROVINCE)
    if digits[2:4] == "00" or digits[4:6] == "00":
        found.append(NikProblem.ZERO_REGION)
    born = _birth_date(digits[6:12], today)
    if isinstance(born, NikProblem):
        found.append(born)
    if digits[12:] == "0000":
        found.append(NikProblem.ZERO_SERIAL)
    if isinstance(born, NikProblem) or found:
        return NikCheck(None, tuple(found))

    birth_date, sex = born
    return NikCheck(
        Nik(
            digits=digits,
            province_code=digits[:2],
            regency_code=digits[:4],
            district_code=digits[:6],
            birth_date=birth_date,
            sex=sex,
            serial=digits[12:],
        ),
        (),
    )


def compare_nik(nik: Nik, *, birth_date: date | None, sex: Sex | None) -> tuple[NikProblem, ...]:
    """What the person typed against what the NIK says; `None` is a field not filled yet.

    The NIK only holds a two-digit year, so the century of the typed date is taken as is.
    """
    problems: list[NikProblem] = []
    if birth_date is not None and _ddmmyy(birth_date) != _ddmmyy(nik.birth_date):
        problems.append(NikProblem.BIRTH_DATE_MISMATCH)
    if sex is not None and sex != nik.sex:
        problems.append(NikProblem.SEX_MISMATCH)
    return tuple(problems)


def build_nik(*, regency_code: str, district: str, birth_date: date, sex: Sex, serial: str) -> str:
    """The NIK for these parts, for tests and demo data; refuses parts `parse_nik` would."""
    if not _is_digits(regency_code, 4) or regency_code[:2] not in PROVINCE_CODES:
        raise ValueError(f"regency code {regency_code!r} is not a known province + 2 digits")
    if regency_code[2:] == "00":
        raise ValueError("regency code cannot end in 00")
    if not _is_digits(district, 2) or district == "00":
        raise ValueError(f"district {district!r} is not 2 digits from 01 to 99")
    if not _is_digits(serial, 4) or serial == "0000":
        raise ValueError(f"serial {serial!r} is not 4 digits from 0001 to 9999")
    day = birth_date.day + (FEMALE_DAY_OFFSET if sex is Sex.FEMALE else 0)
    ddmmyy = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
    return f"{regency_code}{district}{ddmmyy}{serial}"


def parse_kk(text: str) -> tuple[NikProblem, ...]:
    """Check a KK number. Its middle six digits are the issue date, but real cards are not
    consistent about it, so they are not checked."""
    digits = normalise_number(text)
    problems = _shape_problems(digits)
    if problems:
        return problems
    found: list[NikProblem] = []
    if digits[:2] not in PROVINCE_CODES:
        found.append(NikProblem.UNKNOWN_PROVINCE)
    if digits[2:6] == "0000":
        found.append(NikProblem.ZERO_REGION)
    if digits[12:] == "0000":
        found.append(NikProblem.ZERO_SERIAL)
    return tuple(found)


def mask_number(digits: str) -> str:
    """Show the first four digits (province and regency) of a 16-digit number only.

    What pages print beside a NIK, its owner's birth date, sex and regency, already gives
    digits 1-4 and 7-12 away; the district (5-6) and the serial (13-16) are what single a
    person out, so no digit of them is shown: a million numbers fit any mask and those facts
    together. A number of another length is hidden entirely.
    """
    if len(digits) != NUMBER_LENGTH:
        return "*" * len(digits)
    return digits[:MASK_VISIBLE] + "*" * (NUMBER_LENGTH - MASK_VISIBLE)


def _shape_problems(digits: str) -> tuple[NikProblem, ...]:
    problems: list[NikProblem] = []
    if len(digits) != NUMBER_LENGTH:
        problems.append(NikProblem.WRONG_LENGTH)
    if not set(digits) <= ASCII_DIGITS:
        problems.append(NikProblem.NOT_DIGITS)
    return tuple(problems)


def _is_digits(text: str, length: int) -> bool:
    return len(text) == length and set(text) <= ASCII_DIGITS


def _birth_date(ddmmyy: str, today: date) -> tuple[date, Sex] | NikProblem:
    raw_day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    sex = Sex.FEMALE if raw_day > FEMALE_DAY_OFFSET else Sex.MALE
    day = raw_day - FEMALE_DAY_OFFSET if sex is Sex.FEMALE else raw_day
    # 2000 + yy is a leap year exactly when some year ending in yy is one.
    if _date_or_none(2000 + yy, month, day) is None:
        return NikProblem.IMPOSSIBLE_DATE
    latest = today.year - (today.year - yy) % 100
    for year in (latest, latest - 100):
        born = _date_or_none(year, month, day)
        if born is not None and born <= today:
            return born, sex
    return NikProblem.FUTURE_BIRTH_DATE


def _date_or_none(year: int, month: int, day: int) -> date | None:
    if year < MINYEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _ddmmyy(day: date) -> tuple[int, int, int]:
    return day.day, day.month, day.year % 100
