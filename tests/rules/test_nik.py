from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.nik import (
    PROVINCE_CODES,
    Nik,
    NikProblem,
    Sex,
    build_nik,
    compare_nik,
    mask_number,
    normalise_number,
    parse_kk,
    parse_nik,
)

TODAY = date(2026, 11, 22)
# Kabupaten Magetan (35.20), Kecamatan Poncol (35.20.01).
MAN = "3520011708450001"
WOMAN = "3520015708450002"

# idn-area-data's provinces.csv, written out again so a typo in the module shows.
AREA_DATA_PROVINCES = {
    *(f"1{n}" for n in range(1, 10)), "21",  # Sumatra
    *(f"3{n}" for n in range(1, 7)),  # Java
    "51", "52", "53",  # Bali and Nusa Tenggara
    *(f"6{n}" for n in range(1, 6)),  # Kalimantan
    *(f"7{n}" for n in range(1, 7)),  # Sulawesi
    "81", "82",  # Maluku
    *(f"9{n}" for n in range(1, 7)),  # Papua
}  # fmt: skip


def problems(text: str, today: date = TODAY) -> tuple[NikProblem, ...]:
    return parse_nik(text, today=today).problems


def parsed(text: str, today: date = TODAY) -> Nik:
    check = parse_nik(text, today=today)
    assert check.ok, check.problems
    assert check.nik is not None
    return check.nik


def with_date(ddmmyy: str) -> str:
    return MAN[:6] + ddmmyy + MAN[12:]


def test_it_knows_the_38_provinces_of_the_area_data() -> None:
    assert set(PROVINCE_CODES) == AREA_DATA_PROVINCES
    assert len(PROVINCE_CODES) == 38


def test_it_splits_a_mans_nik_into_its_parts() -> None:
    check = parse_nik(MAN, today=TODAY)
    assert check.ok
    assert check.nik == Nik(
        digits=MAN,
        province_code="35",
        regency_code="3520",
        district_code="352001",
        birth_date=date(1945, 8, 17),
        sex=Sex.MALE,
        serial="0001",
    )


def test_it_reads_a_womans_birth_day_minus_40() -> None:
    nik = parsed(WOMAN)
    assert nik.birth_date == date(1945, 8, 17)
    assert nik.sex is Sex.FEMALE


def test_it_accepts_what_people_type_around_the_digits() -> None:
    assert parsed(" 3520 0117 0845 0001\t").digits == MAN
    assert parsed("35.20.01-170845-0001").digits == MAN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (NikProblem.WRONG_LENGTH,)),
        (MAN[:15], (NikProblem.WRONG_LENGTH,)),
        (MAN + "1", (NikProblem.WRONG_LENGTH,)),
        ("352001170845000O", (NikProblem.NOT_DIGITS,)),
        ("35200117084500O", (NikProblem.WRONG_LENGTH, NikProblem.NOT_DIGITS)),
        ("3520011708450001".replace("1", "١"), (NikProblem.NOT_DIGITS,)),
        ("+352001170845000", (NikProblem.NOT_DIGITS,)),
    ],
)
def test_it_reports_the_shape_alone(text: str, expected: tuple[NikProblem, ...]) -> None:
    check = parse_nik(text, today=TODAY)
    assert check.problems == expected
    assert check.nik is None


def test_it_does_not_look_further_when_the_shape_is_wrong() -> None:
    assert problems("00000000000000000") == (NikProblem.WRONG_LENGTH,)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1020011708450001", NikProblem.UNKNOWN_PROVINCE),
        ("9920011708450001", NikProblem.UNKNOWN_PROVINCE),
        ("0020011708450001", NikProblem.UNKNOWN_PROVINCE),
        ("3500011708450001", NikProblem.ZERO_REGION),
        ("3520001708450001", NikProblem.ZERO_REGION),
        ("3520011708450000", NikProblem.ZERO_SERIAL),
    ],
)
def test_it_names_a_bad_region_or_serial(text: str, expected: NikProblem) -> None:
    check = parse_nik(text, today=TODAY)
    assert check.problems == (expected,)
    assert check.nik is None


@pytest.mark.parametrize(
    "ddmmyy",
    [
        "000845",  # day 00
        "320845",  # day 32
        "400845",  # day 40: neither a man's nor a woman's day
        "720845",  # day 72 = a woman's 32
        "990845",  # day 99
        "170045",  # month 00
        "171345",  # month 13
        "170013",
        "310445",  # 31 April
        "710445",  # a woman's 31 April
        "300284",  # 30 February
        "700284",  # a woman's 30 February
        "290223",  # 29 February, 1923 and 2023 are not leap years
        "690223",
        "290201",
        "690201",
    ],
)
def test_it_refuses_a_day_no_calendar_has(ddmmyy: str) -> None:
    assert problems(with_date(ddmmyy)) == (NikProblem.IMPOSSIBLE_DATE,)


@pytest.mark.parametrize(
    ("ddmmyy", "birth_date", "sex"),
    [
        ("010845", date(1945, 8, 1), Sex.MALE),
        ("310845", date(1945, 8, 31), Sex.MALE),
        ("410845", date(1945, 8, 1), Sex.FEMALE),
        ("710845", date(1945, 8, 31), Sex.FEMALE),
        ("290284", date(1984, 2, 29), Sex.MALE),
        ("690284", date(1984, 2, 29), Sex.FEMALE),
        ("290204", date(2004, 2, 29), Sex.MALE),
        ("690204", date(2004, 2, 29), Sex.FEMALE),
        ("290200", date(2000, 2, 29), Sex.MALE),
        ("690200", date(2000, 2, 29), Sex.FEMALE),
        ("281200", date(2000, 12, 28), Sex.MALE),
    ],
)
def test_it_accepts_the_edges_of_the_calendar(ddmmyy: str, birth_date: date, sex: Sex) -> None:
    nik = parsed(with_date(ddmmyy))
    assert (nik.birth_date, nik.sex) == (birth_date, sex)


@pytest.mark.parametrize(
    ("ddmmyy", "birth_date"),
    [
        ("221126", date(2026, 11, 22)),  # born today
        ("231126", date(1926, 11, 23)),  # tomorrow is a century ago
        ("261126", date(1926, 11, 26)),
        ("010127", date(1927, 1, 1)),
        ("311299", date(1999, 12, 31)),
        ("010100", date(2000, 1, 1)),
        ("010126", date(2026, 1, 1)),
    ],
)
def test_it_reads_the_year_as_the_latest_one_not_after_today(ddmmyy: str, birth_date: date) -> None:
    assert parsed(with_date(ddmmyy)).birth_date == birth_date


def test_it_calls_a_29_february_only_a_later_century_had_a_future_birth_date() -> None:
    # On 15 Jan 2000, "290200" is either 29 Feb 1900, which never was, or six weeks ahead.
    assert problems(with_date("290200"), date(2000, 1, 15)) == (NikProblem.FUTURE_BIRTH_DATE,)
    assert problems(with_date("690200"), date(2000, 2, 28)) == (NikProblem.FUTURE_BIRTH_DATE,)
    assert parsed(with_date("290200"), date(2000, 2, 29)).birth_date == date(2000, 2, 29)


def test_it_reports_every_problem_past_the_shape_at_once() -> None:
    assert problems("1000004013000000") == (
        NikProblem.UNKNOWN_PROVINCE,
        NikProblem.ZERO_REGION,
        NikProblem.IMPOSSIBLE_DATE,
        NikProblem.ZERO_SERIAL,
    )


def test_its_problems_are_lowercase_codes() -> None:
    assert NikProblem.ZERO_REGION == "zero_region"
    assert all(problem.value == problem.name.lower() for problem in NikProblem)
    assert (Sex.MALE.value, Sex.FEMALE.value) == ("L", "P")


# Building and round trips.

provinces = st.sampled_from(sorted(PROVINCE_CODES))
two_digits = st.integers(min_value=1, max_value=99).map("{:02d}".format)
serials = st.integers(min_value=1, max_value=9999).map("{:04d}".format)
birth_dates = st.dates(min_value=date(1930, 1, 1), max_value=TODAY)


@st.composite
def niks(draw: st.DrawFn) -> Nik:
    province, regency, district = draw(provinces), draw(two_digits), draw(two_digits)
    birth_date, sex, serial = draw(birth_dates), draw(st.sampled_from(Sex)), draw(serials)
    digits = build_nik(
        regency_code=province + regency,
        district=district,
        birth_date=birth_date,
        sex=sex,
        serial=serial,
    )
    return Nik(
        digits=digits,
        province_code=province,
        regency_code=province + regency,
        district_code=province + regency + district,
        birth_date=birth_date,
        sex=sex,
        serial=serial,
    )


@given(niks())
def test_it_parses_back_what_it_builds(nik: Nik) -> None:
    assert len(nik.digits) == 16
    assert parse_nik(nik.digits, today=TODAY).nik == nik


@given(niks())
def test_it_masks_all_but_the_regency(nik: Nik) -> None:
    assert mask_number(nik.digits) == nik.regency_code + "*" * 12


@given(
    st.text(alphabet="0123456789", min_size=16, max_size=16),
    st.text(alphabet="0123456789", min_size=12, max_size=12),
)
def test_numbers_that_differ_past_the_regency_look_the_same_masked(
    number: str, other_tail: str
) -> None:
    assert mask_number(number) == mask_number(number[:4] + other_tail)


@given(niks())
def test_the_mask_and_the_facts_printed_beside_it_leave_a_million_numbers(nik: Nik) -> None:
    # Pages print the birth date and sex (digits 7-12) and the regency (1-4) beside a mask.
    masked = mask_number(nik.digits)
    printed = set(range(0, 4)) | set(range(6, 12))
    unknown = [i for i, char in enumerate(masked) if char == "*" and i not in printed]
    assert 10 ** len(unknown) >= 1_000_000
    assert not any(char.isdigit() for char in masked[4:])  # no district or serial digit


@given(
    birth_date=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    today=st.dates(min_value=date(1999, 1, 1), max_value=date(2099, 12, 31)),
    sex=st.sampled_from(Sex),
)
def test_it_places_a_birth_date_in_the_hundred_years_up_to_today(
    birth_date: date, today: date, sex: Sex
) -> None:
    digits = build_nik(
        regency_code="3520", district="01", birth_date=birth_date, sex=sex, serial="0001"
    )
    check = parse_nik(digits, today=today)
    if check.nik is None:
        assert check.problems == (NikProblem.FUTURE_BIRTH_DATE,)
        assert (birth_date.month, birth_date.day, birth_date.year % 100) == (2, 29, 0)
        return
    read = check.nik.birth_date
    assert (today.year - 100, today.month, today.day) < (read.year, read.month, read.day)
    assert read <= today
    assert (read.day, read.month, read.year % 100) == (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"regency_code": "1000"}, "regency"),
        ({"regency_code": "0001"}, "province"),
        ({"regency_code": "351"}, "province"),
        ({"regency_code": "35a1"}, "province"),
        ({"district": "00"}, "district"),
        ({"district": "1"}, "district"),
        ({"serial": "0000"}, "serial"),
        ({"serial": "12345"}, "serial"),
    ],
)
def test_it_refuses_to_build_from_bad_parts(changes: dict[str, str], message: str) -> None:
    parts = {"regency_code": "3520", "district": "01", "serial": "0001"} | changes
    with pytest.raises(ValueError, match=message):
        build_nik(
            regency_code=parts["regency_code"],
            district=parts["district"],
            birth_date=date(1945, 8, 17),
            sex=Sex.MALE,
            serial=parts["serial"],
        )


def test_it_builds_a_womans_nik() -> None:
    built = build_nik(
        regency_code="3520",
        district="01",
        birth_date=date(1945, 8, 17),
        sex=Sex.FEMALE,
        serial="0002",
    )
    assert built == WOMAN


# One mistyped digit.


def calendar_readings(ddmmyy: str) -> list[tuple[date, Sex]]:
    """Every (birth date, sex) the six digits could mean, by trying the calendar itself."""
    raw_day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    readings = []
    for sex, offset in ((Sex.MALE, 0), (Sex.FEMALE, 40)):
        for century in (1900, 2000):
            try:
                readings.append((date(century + yy, month, raw_day - offset), sex))
            except ValueError:
                continue
    return readings


@given(
    nik=niks(),
    position=st.sampled_from([0, 1, 6, 7, 8, 9, 10, 11]),
    shift=st.integers(min_value=1, max_value=9),
)
def test_a_single_wrong_digit_parses_as_typed_or_says_why_not(
    nik: Nik, position: int, shift: int
) -> None:
    digit = str((int(nik.digits[position]) + shift) % 10)
    changed = nik.digits[:position] + digit + nik.digits[position + 1 :]
    check = parse_nik(changed, today=TODAY)

    if position < 2:
        if changed[:2] in AREA_DATA_PROVINCES:
            assert check.nik == Nik(
                digits=changed,
                province_code=changed[:2],
                regency_code=changed[:4],
                district_code=changed[:6],
                birth_date=nik.birth_date,
                sex=nik.sex,
                serial=nik.serial,
            )
        else:
            assert check.problems == (NikProblem.UNKNOWN_PROVINCE,)
        return

    readings = calendar_readings(changed[6:12])
    if not readings:
        assert check.problems == (NikProblem.IMPOSSIBLE_DATE,)
        return
    past = [reading for reading in readings if reading[0] <= TODAY]
    if not past:
        assert check.problems == (NikProblem.FUTURE_BIRTH_DATE,)
        return
    birth_date, sex = max(past)
    assert check.nik == Nik(
        digits=changed,
        province_code=nik.province_code,
        regency_code=nik.regency_code,
        district_code=nik.district_code,
        birth_date=birth_date,
        sex=sex,
        serial=nik.serial,
    )


# What the person typed against the NIK.


def test_it_finds_nothing_to_compare_when_the_typed_fields_match() -> None:
    nik = parsed(WOMAN)
    assert compare_nik(nik, birth_date=date(1945, 8, 17), sex=Sex.FEMALE) == ()


def test_it_finds_nothing_to_compare_before_the_fields_are_typed() -> None:
    assert compare_nik(parsed(MAN), birth_date=None, sex=None) == ()


def test_it_lets_the_typed_date_choose_the_century() -> None:
    # On TODAY "171126" reads as a baby born last week; a centenarian has the same digits.
    nik = parsed(with_date("171126"))
    assert nik.birth_date == date(2026, 11, 17)
    assert compare_nik(nik, birth_date=date(1926, 11, 17), sex=None) == ()


@pytest.mark.parametrize(
    "typed",
    [date(1945, 8, 18), date(1945, 9, 17), date(1946, 8, 17), date(1954, 8, 17)],
    ids=["day", "month", "year", "swapped-year-digits"],
)
def test_it_notices_a_typed_birth_date_the_nik_does_not_hold(typed: date) -> None:
    nik = parsed(MAN)
    assert compare_nik(nik, birth_date=typed, sex=Sex.MALE) == (NikProblem.BIRTH_DATE_MISMATCH,)


def test_it_notices_a_typed_sex_the_nik_does_not_hold() -> None:
    assert compare_nik(parsed(MAN), birth_date=None, sex=Sex.FEMALE) == (NikProblem.SEX_MISMATCH,)
    assert compare_nik(parsed(WOMAN), birth_date=date(1945, 8, 17), sex=Sex.MALE) == (
        NikProblem.SEX_MISMATCH,
    )


def test_it_reports_both_mismatches_together() -> None:
    assert compare_nik(parsed(MAN), birth_date=date(1945, 8, 16), sex=Sex.FEMALE) == (
        NikProblem.BIRTH_DATE_MISMATCH,
        NikProblem.SEX_MISMATCH,
    )


@given(niks(), st.integers(min_value=1, max_value=365 * 30))
def test_it_notices_any_other_typed_day_within_a_century(nik: Nik, days: int) -> None:
    other = nik.birth_date - timedelta(days=days)
    assert compare_nik(nik, birth_date=nik.birth_date, sex=nik.sex) == ()
    assert compare_nik(nik, birth_date=other, sex=nik.sex) == (NikProblem.BIRTH_DATE_MISMATCH,)


# The family card.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3520010101090001", ()),
        ("3520 0101 0109 0001", ()),
        ("3520000000000001", ()),  # the issue date is not checked
        ("3520009999990001", ()),  # nor is a district of 00
        ("3500010101090001", ()),
        ("352001010109001", (NikProblem.WRONG_LENGTH,)),
        ("352001010109000x", (NikProblem.NOT_DIGITS,)),
        ("1020010101090001", (NikProblem.UNKNOWN_PROVINCE,)),
        ("3500000101090001", (NikProblem.ZERO_REGION,)),
        ("3520010101090000", (NikProblem.ZERO_SERIAL,)),
        (
            "0000000000000000",
            (NikProblem.UNKNOWN_PROVINCE, NikProblem.ZERO_REGION, NikProblem.ZERO_SERIAL),
        ),
    ],
)
def test_it_checks_a_family_card_number(text: str, expected: tuple[NikProblem, ...]) -> None:
    assert parse_kk(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3520011708450001", "3520011708450001"),
        ("  3520 0117 0845 0001  ", "3520011708450001"),
        ("35.20.01-170845-0001", "3520011708450001"),
        ("3520\u00a00117\t0845\n0001", "3520011708450001"),
        ("NIK: 3520/01", "NIK:3520/01"),
        ("3520_0117", "3520_0117"),
        ("", ""),
    ],
)
def test_it_normalises_only_spaces_dots_and_hyphens(text: str, expected: str) -> None:
    assert normalise_number(text) == expected


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("3520011708450001", "3520************"),
        ("35200117", "********"),
        ("35200117084500011", "*****************"),
        ("", ""),
    ],
)
def test_it_masks_numbers_of_any_length(digits: str, expected: str) -> None:
    assert mask_number(digits) == expected
