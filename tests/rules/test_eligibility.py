import calendar
import json
import string
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.eligibility import (
    ACCREDITED,
    AgeException,
    AgeWindow,
    ApplicantFacts,
    EducationFact,
    Eligibility,
    EligibilityPolicy,
    FormationFacts,
    IpkMinimum,
    Preference,
    PreferenceCode,
    Reason,
    ReasonCode,
    age_on,
    evaluate,
    load_policy,
    match_education,
    normalise_text,
    policy_codes,
    policy_from_dict,
    policy_to_dict,
)

CASN = load_policy("casn-2021")
MITRA = load_policy("mitra-bps-2024")
# Pendaftaran CASN Aceh Tengah opened on 30 June 2021 (seed, IV.B).
REGISTRATION = date(2021, 6, 30)
# Pendaftaran Mitra BPS Magetan: 1-30 November 2023.
MITRA_REGISTRATION = date(2023, 11, 1)

S1_INFORMATIKA = EducationFact(
    level="S1",
    programme="Teknik Informatika",
    accreditation="B",
    graduated_on=date(2018, 8, 20),
    ipk=Decimal("3.41"),
    exact_science=True,
)
D3_KEPERAWATAN = EducationFact(
    level="D3",
    programme="Keperawatan",
    accreditation="B",
    graduated_on=date(2016, 9, 1),
    ipk=Decimal("3.12"),
    exact_science=True,
)
S1_PGSD = EducationFact(
    level="S1",
    programme="Pendidikan Guru Sekolah Dasar",
    accreditation="B",
    graduated_on=date(2009, 8, 20),
    ipk=Decimal("3.28"),
    exact_science=False,
)
SLTA = EducationFact(
    level="SLTA",
    programme="IPA",
    accreditation="na",
    graduated_on=date(2010, 6, 1),
    ipk=None,
    exact_science=False,
)

APPLICANT = ApplicantFacts(
    birth_date=date(1995, 5, 10),
    educations=(S1_INFORMATIKA,),
    str_number="",
    str_valid_until=None,
    str_lifetime=False,
    has_disability=False,
    is_civil_servant=False,
    domicile_regency="1104",
    has_smartphone=False,
    has_computer=False,
    has_tablet=False,
    has_motorcycle=False,
    has_survey_experience=False,
    statements=frozenset(CASN.statements),
    pppk_guru_group=None,
)
NURSE = replace(
    APPLICANT,
    educations=(D3_KEPERAWATAN,),
    str_number="0102553211-1234567",
    str_valid_until=date(2026, 12, 31),
)
TEACHER = replace(APPLICANT, educations=(S1_PGSD,), pppk_guru_group="honorer_negeri")
MITRA_APPLICANT = replace(
    APPLICANT,
    birth_date=date(1990, 1, 1),
    educations=(),
    domicile_regency="3505",
    statements=frozenset({"not_asn"}),
)

PRANATA_KOMPUTER = FormationFacts(
    code="CPNS-T-001",
    procurement_type="CPNS",
    formation_type="umum",
    position_category="teknis",
    position="Pranata Komputer Ahli Pertama",
    qualifications=("S-1 Teknik Informatika", "S-1 Sistem Informasi", "S-1 Ilmu Komputer"),
)
PERAWAT = FormationFacts(
    code="CPNS-K-001",
    procurement_type="CPNS",
    formation_type="umum",
    position_category="kesehatan",
    position="Perawat Terampil",
    qualifications=("D-III Keperawatan",),
)
GURU_KELAS = FormationFacts(
    code="PPPK-G-001",
    procurement_type="PPPK",
    formation_type="umum",
    position_category="guru",
    position="Guru Kelas Ahli Pertama",
    qualifications=("S-1 Pendidikan Guru Sekolah Dasar", "D-IV Pendidikan Guru Sekolah Dasar"),
)
MITRA_STATISTIK = FormationFacts(
    code="MITRA-2024",
    procurement_type="MITRA",
    formation_type="umum",
    position_category="",
    position="Mitra Statistik",
    qualifications=("SMA/SMK",),
)


def check(
    applicant: ApplicantFacts,
    formation: FormationFacts = PRANATA_KOMPUTER,
    policy: EligibilityPolicy = CASN,
    on: date = REGISTRATION,
) -> Eligibility:
    return evaluate(policy, applicant, formation, reference_date=on)


def codes(applicant: ApplicantFacts, formation: FormationFacts = PRANATA_KOMPUTER) -> list[str]:
    return list(check(applicant, formation).codes)


def born_aged(years: int, months: int = 0, on: date = REGISTRATION) -> date:
    """The latest birth date of someone exactly `years` and `months` old on `on`."""
    total = on.year * 12 + on.month - 1 - (years * 12 + months)
    year, month = divmod(total, 12)
    return date(year, month + 1, min(on.day, calendar.monthrange(year, month + 1)[1]))


# age_on ---------------------------------------------------------------------------------------

birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
leap_years = st.integers(1904, 2096).filter(calendar.isleap)


@given(born=birth_dates.filter(lambda d: (d.month, d.day) != (2, 29)), years=st.integers(1, 99))
def test_the_birthday_completes_the_year_and_the_day_before_does_not(
    born: date, years: int
) -> None:
    birthday = born.replace(year=born.year + years)
    assert age_on(born, birthday) == (years, 0)
    assert age_on(born, birthday - timedelta(days=1)) == (years - 1, 11)


@given(leap_year=leap_years, years=st.integers(1, 99))
def test_a_29_february_birth_completes_its_year_on_1_march_in_non_leap_years(
    leap_year: int, years: int
) -> None:
    born = date(leap_year, 2, 29)
    year = leap_year + years
    birthday = date(year, 2, 29) if calendar.isleap(year) else date(year, 3, 1)
    assert age_on(born, birthday) == (years, 0)
    assert age_on(born, birthday - timedelta(days=1)) == (years - 1, 11)
    assert age_on(born, date(year, 2, 28)) == (years - 1, 11)


def test_a_29_february_birth_is_not_a_year_older_on_28_february() -> None:
    assert age_on(date(2000, 2, 29), date(2001, 2, 28)) == (0, 11)
    assert age_on(date(2000, 2, 29), date(2001, 3, 1)) == (1, 0)
    assert age_on(date(2000, 2, 29), date(2004, 2, 29)) == (4, 0)


def test_a_month_the_birth_day_lacks_is_completed_on_the_first_of_the_next() -> None:
    assert age_on(date(2001, 1, 31), date(2001, 2, 28)) == (0, 0)
    assert age_on(date(2001, 1, 31), date(2001, 3, 1)) == (0, 1)
    assert age_on(date(2001, 1, 31), date(2001, 3, 31)) == (0, 2)


@given(born=birth_dates, first=st.integers(0, 40_000), second=st.integers(0, 40_000))
def test_age_has_months_0_to_11_and_never_goes_down(born: date, first: int, second: int) -> None:
    earlier, later = sorted((first, second))
    young = age_on(born, born + timedelta(days=earlier))
    old = age_on(born, born + timedelta(days=later))
    assert 0 <= young[1] <= 11
    assert 0 <= old[1] <= 11
    assert young <= old


@given(born=birth_dates, days=st.integers(0, 40_000))
def test_age_grows_by_at_most_one_month_a_day(born: date, days: int) -> None:
    on = born + timedelta(days=days)
    years, months = age_on(born, on)
    next_years, next_months = age_on(born, on + timedelta(days=1))
    assert (next_years * 12 + next_months) - (years * 12 + months) in (0, 1)


def test_age_on_the_day_of_birth_is_zero() -> None:
    assert age_on(date(2000, 5, 10), date(2000, 5, 10)) == (0, 0)


def test_age_on_a_date_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError, match="before the birth date"):
        age_on(date(2000, 5, 10), date(2000, 5, 9))


def test_born_aged_helper_gives_the_age_it_promises() -> None:
    for years, months in [(17, 11), (18, 0), (35, 11), (36, 0), (36, 2), (59, 11)]:
        assert age_on(born_aged(years, months), REGISTRATION) == (years, months)


# Age ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "months", "code", "limit"),
    [
        (17, 11, ReasonCode.AGE_BELOW_MINIMUM, "18"),
        (18, 0, None, None),
        (35, 11, None, None),
        (36, 0, ReasonCode.AGE_ABOVE_MAXIMUM, "35"),
    ],
)
def test_cpns_age_is_18_to_35_in_completed_years(
    years: int, months: int, code: ReasonCode | None, limit: str | None
) -> None:
    result = check(replace(APPLICANT, birth_date=born_aged(years, months)))
    if code is None:
        assert result.eligible, result.reasons
        return
    assert result.reasons == (
        Reason(
            code,
            (
                ("years", str(years)),
                ("months", str(months)),
                ("reference_date", "2021-06-30"),
                ("limit", limit or ""),
            ),
        ),
    )


def test_it_reports_36_years_2_months_on_30_june_2021_against_35() -> None:
    result = check(replace(APPLICANT, birth_date=date(1985, 4, 2)))
    assert not result.eligible
    (reason,) = result.reasons
    assert reason.code == "age_above_maximum"
    assert reason.param("years") == "36"
    assert reason.param("months") == "2"
    assert reason.param("reference_date") == "2021-06-30"
    assert reason.param("limit") == "35"


@pytest.mark.parametrize(
    ("years", "months", "code"),
    [
        (19, 11, ReasonCode.AGE_BELOW_MINIMUM),
        (20, 0, None),
        (59, 0, None),
        (59, 11, None),
        (60, 0, ReasonCode.AGE_ABOVE_MAXIMUM),
    ],
)
def test_pppk_age_is_20_to_59(years: int, months: int, code: ReasonCode | None) -> None:
    teacher = replace(TEACHER, birth_date=born_aged(years, months))
    assert codes(teacher, GURU_KELAS) == ([] if code is None else [code])


SPESIALIS_ANAK = FormationFacts(
    code="CPNS-K-010",
    procurement_type="CPNS",
    formation_type="umum",
    position_category="kesehatan",
    position="Dokter Spesialis Anak Ahli Pertama",
    qualifications=("Profesi Dokter Spesialis Anak",),
)
PEDIATRICIAN = replace(
    NURSE,
    educations=(EducationFact("SP1", "Dokter Spesialis Anak", "A", date(2019, 3, 1), None, True),),
    str_number="3121100220145678",
    str_lifetime=True,
    str_valid_until=None,
)


@pytest.mark.parametrize(("years", "eligible"), [(36, True), (40, True), (41, False)])
def test_a_specialist_doctor_may_be_up_to_40(years: int, eligible: bool) -> None:
    doctor = replace(PEDIATRICIAN, birth_date=born_aged(years, 11))
    result = check(doctor, SPESIALIS_ANAK)
    assert result.eligible is eligible, result.reasons
    if not eligible:
        assert result.reasons[0].param("limit") == "40"


def test_the_40_year_exception_does_not_reach_a_general_practitioner() -> None:
    dokter = replace(
        SPESIALIS_ANAK, position="Dokter Ahli Pertama", qualifications=("Profesi Dokter",)
    )
    doctor = replace(
        PEDIATRICIAN,
        birth_date=born_aged(38),
        educations=(EducationFact("PROFESI", "Dokter", "A", date(2012, 3, 1), None, True),),
    )
    result = check(doctor, dokter)
    assert result.codes == ("age_above_maximum",)
    assert result.reasons[0].param("limit") == "35"


def test_exception_keywords_match_whole_words_ignoring_case() -> None:
    window = AgeWindow(18, 35, (AgeException(("Dosen",), 40, "reported"),))
    assert window.maximum_for("DOSEN Asisten Ahli") == 40
    assert window.maximum_for("Pendosen Ahli Pertama") == 35


def test_a_birth_date_after_the_registration_date_is_reported_not_raised() -> None:
    result = check(replace(APPLICANT, birth_date=date(2022, 1, 1)))
    assert result.reasons == (
        Reason(
            ReasonCode.BIRTH_DATE_AFTER_REFERENCE_DATE,
            (("birth_date", "2022-01-01"), ("reference_date", "2021-06-30")),
        ),
    )


def test_a_policy_without_a_window_for_the_procurement_type_sets_no_age_gate() -> None:
    no_pppk_age = replace(CASN, age=tuple((k, w) for k, w in CASN.age if k != "PPPK"))
    teacher = replace(TEACHER, birth_date=None)
    assert check(teacher, GURU_KELAS, no_pppk_age).eligible


# Qualification and accreditation --------------------------------------------------------------


def test_an_education_written_like_a_qualification_of_the_formation_matches() -> None:
    result = check(APPLICANT)
    assert result.eligible
    assert result.matched_education == S1_INFORMATIKA


def test_qualifications_are_compared_without_case_hyphens_or_extra_spaces() -> None:
    assert normalise_text("S-1 Teknik Informatika") == normalise_text("s1  teknik informatika")
    formation = replace(PRANATA_KOMPUTER, qualifications=("s1   TEKNIK informatika",))
    assert check(APPLICANT, formation).matched_education == S1_INFORMATIKA


def test_a_d3_nursing_formation_turns_away_an_s1_in_informatics() -> None:
    result = check(replace(APPLICANT, str_number="x", str_lifetime=True), PERAWAT)
    assert result.reasons == (
        Reason(
            ReasonCode.QUALIFICATION_NOT_MATCHED,
            (("required", "D-III Keperawatan"), ("held", "S-1 Teknik Informatika")),
        ),
    )
    assert result.matched_education is None


def test_the_reason_lists_every_qualification_on_both_sides() -> None:
    applicant = replace(APPLICANT, educations=(SLTA, D3_KEPERAWATAN))
    reason = check(applicant, GURU_KELAS).reasons[0]
    assert reason.param("required") == (
        "S-1 Pendidikan Guru Sekolah Dasar; D-IV Pendidikan Guru Sekolah Dasar"
    )
    assert reason.param("held") == "SMA/SMK IPA; D-III Keperawatan"


def test_of_several_matching_educations_the_most_recent_counts() -> None:
    older = replace(S1_INFORMATIKA, graduated_on=date(2010, 1, 1), ipk=Decimal("2.10"))
    applicant = replace(APPLICANT, educations=(older, S1_INFORMATIKA))
    result = check(applicant)
    assert result.matched_education == S1_INFORMATIKA
    assert result.eligible
    assert match_education(CASN, (S1_INFORMATIKA, older), PRANATA_KOMPUTER.qualifications) == (
        S1_INFORMATIKA
    )


def test_a_specialist_is_matched_through_the_profesi_spelling_of_sp1() -> None:
    assert check(PEDIATRICIAN, SPESIALIS_ANAK).matched_education == PEDIATRICIAN.educations[0]


def test_an_unaccredited_programme_fails_on_the_matched_education() -> None:
    applicant = replace(APPLICANT, educations=(replace(S1_INFORMATIKA, accreditation="none"),))
    assert check(applicant).reasons == (
        Reason(
            ReasonCode.NOT_ACCREDITED,
            (("accreditation", "none"), ("qualification", "S-1 Teknik Informatika")),
        ),
    )


@pytest.mark.parametrize("accreditation", sorted(ACCREDITED))
def test_every_accreditation_grade_and_a_foreign_degree_pass(accreditation: str) -> None:
    education = replace(S1_INFORMATIKA, accreditation=accreditation)
    assert check(replace(APPLICANT, educations=(education,))).eligible


def test_an_unaccredited_education_that_does_not_match_is_not_judged() -> None:
    other = replace(SLTA, accreditation="none")
    assert check(replace(APPLICANT, educations=(other, S1_INFORMATIKA))).eligible


# IPK ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ipk", "exact", "eligible"),
    [
        ("2.50", True, True),
        ("2.49", True, False),
        ("2.70", False, True),
        ("2.69", False, False),
        ("4.00", False, True),
    ],
)
def test_cpns_teknis_s1_needs_ipk_2_50_exact_or_2_70_other(
    ipk: str, exact: bool, eligible: bool
) -> None:
    education = replace(S1_INFORMATIKA, ipk=Decimal(ipk), exact_science=exact)
    result = check(replace(APPLICANT, educations=(education,)))
    assert result.eligible is eligible
    if not eligible:
        assert result.reasons == (
            Reason(
                ReasonCode.IPK_BELOW_MINIMUM,
                (
                    ("ipk", ipk),
                    ("minimum", "2.50" if exact else "2.70"),
                    ("kind", "exact" if exact else "other"),
                ),
            ),
        )


def test_cpns_teknis_d3_is_held_to_the_ipk_minimum() -> None:
    formation = replace(
        PRANATA_KOMPUTER,
        position="Pranata Komputer Terampil",
        qualifications=("D-III Teknik Informatika",),
    )
    d3 = replace(S1_INFORMATIKA, level="D3", ipk=Decimal("2.49"))
    assert codes(replace(APPLICANT, educations=(d3,)), formation) == ["ipk_below_minimum"]
    d3_other = replace(d3, ipk=Decimal("2.69"), exact_science=False)
    assert codes(replace(APPLICANT, educations=(d3_other,)), formation) == ["ipk_below_minimum"]


def test_cpns_teknis_d4_is_held_to_the_ipk_minimum() -> None:
    formation = replace(PRANATA_KOMPUTER, qualifications=("D-IV Teknik Informatika",))
    d4 = replace(S1_INFORMATIKA, level="D4", ipk=Decimal("2.00"))
    assert codes(replace(APPLICANT, educations=(d4,)), formation) == ["ipk_below_minimum"]


def test_health_formations_are_exempt_from_the_ipk_minimum() -> None:
    nurse = replace(NURSE, educations=(replace(D3_KEPERAWATAN, ipk=Decimal("2.00")),))
    assert check(nurse, PERAWAT).eligible


def test_an_s2_formation_is_outside_the_ipk_rule() -> None:
    formation = replace(PRANATA_KOMPUTER, qualifications=("S-2 Teknik Informatika",))
    s2 = replace(S1_INFORMATIKA, level="S2", ipk=Decimal("2.00"))
    assert check(replace(APPLICANT, educations=(s2,)), formation).eligible


def test_pppk_formations_are_outside_the_cpns_ipk_rule() -> None:
    formation = replace(PRANATA_KOMPUTER, procurement_type="PPPK")
    low = replace(S1_INFORMATIKA, ipk=Decimal("2.00"))
    assert check(replace(APPLICANT, educations=(low,)), formation).eligible


def test_a_missing_ipk_is_reported_when_the_rule_applies() -> None:
    education = replace(S1_INFORMATIKA, ipk=None)
    assert check(replace(APPLICANT, educations=(education,))).reasons == (
        Reason(ReasonCode.IPK_MISSING, (("minimum", "2.50"), ("kind", "exact"))),
    )


# STR ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("str_number", "valid_until", "lifetime", "expected"),
    [
        ("", None, False, [ReasonCode.STR_MISSING]),
        ("  ", date(2026, 1, 1), False, [ReasonCode.STR_MISSING]),
        ("", None, True, [ReasonCode.STR_MISSING]),
        ("0102553211", date(2021, 6, 29), False, [ReasonCode.STR_EXPIRED]),
        ("0102553211", date(2021, 6, 30), False, []),
        ("0102553211", date(2026, 12, 31), False, []),
        ("0102553211", None, True, []),
        ("0102553211", date(2020, 1, 1), True, []),
        ("0102553211", None, False, [ReasonCode.STR_VALIDITY_MISSING]),
    ],
)
def test_a_health_formation_needs_an_str_valid_on_the_registration_date(
    str_number: str, valid_until: date | None, lifetime: bool, expected: list[ReasonCode]
) -> None:
    nurse = replace(
        NURSE, str_number=str_number, str_valid_until=valid_until, str_lifetime=lifetime
    )
    assert codes(nurse, PERAWAT) == expected


def test_an_str_that_expired_the_day_before_names_both_dates() -> None:
    nurse = replace(NURSE, str_valid_until=date(2021, 6, 29))
    assert check(nurse, PERAWAT).reasons == (
        Reason(
            ReasonCode.STR_EXPIRED,
            (("valid_until", "2021-06-29"), ("reference_date", "2021-06-30")),
        ),
    )


def test_an_exempt_health_position_needs_no_str() -> None:
    formation = replace(
        PERAWAT,
        position="Penyuluh Kesehatan Masyarakat Ahli Pertama",
        qualifications=("S-1 Kesehatan Masyarakat",),
    )
    kesmas = replace(
        NURSE,
        str_number="",
        str_valid_until=None,
        educations=(replace(S1_INFORMATIKA, programme="Kesehatan Masyarakat"),),
    )
    assert codes(kesmas, formation) == ["str_missing"]
    exempting = replace(CASN, str_exempt_positions=("penyuluh kesehatan masyarakat",))
    assert check(kesmas, formation, exempting).eligible


def test_a_teknis_formation_asks_no_str() -> None:
    assert check(replace(APPLICANT, str_number="")).eligible


# Disability, PPPK Guru, civil servants, statements --------------------------------------------

DISABILITAS = replace(PRANATA_KOMPUTER, code="CPNS-D-001", formation_type="disabilitas")


def test_a_disability_formation_needs_a_declared_disability() -> None:
    assert check(APPLICANT, DISABILITAS).reasons == (
        Reason(ReasonCode.DISABILITY_NOT_DECLARED, (("formation_type", "disabilitas"),)),
    )
    assert check(replace(APPLICANT, has_disability=True), DISABILITAS).eligible


def test_an_applicant_with_a_disability_may_apply_to_a_general_formation() -> None:
    assert check(replace(APPLICANT, has_disability=True)).eligible


def test_pppk_guru_needs_one_of_the_four_groups() -> None:
    result = check(replace(TEACHER, pppk_guru_group=None), GURU_KELAS)
    assert result.reasons == (
        Reason(
            ReasonCode.PPPK_GROUP_MISSING,
            (("allowed", "thk2; honorer_negeri; guru_swasta; ppg"),),
        ),
    )
    other = check(replace(TEACHER, pppk_guru_group="umum"), GURU_KELAS)
    assert other.codes == ("pppk_group_not_allowed",)
    assert other.reasons[0].param("group") == "umum"


@pytest.mark.parametrize("group", ["thk2", "honorer_negeri", "guru_swasta", "ppg"])
def test_each_pppk_guru_group_may_apply(group: str) -> None:
    assert check(replace(TEACHER, pppk_guru_group=group), GURU_KELAS).eligible


def test_a_cpns_formation_asks_for_no_pppk_group() -> None:
    assert check(replace(APPLICANT, pppk_guru_group=None)).eligible


def test_a_civil_servant_cannot_apply() -> None:
    assert codes(replace(APPLICANT, is_civil_servant=True)) == ["civil_servant"]


@pytest.mark.parametrize("statement", CASN.statements)
def test_each_missing_statement_is_its_own_reason(statement: str) -> None:
    applicant = replace(APPLICANT, statements=frozenset(CASN.statements) - {statement})
    assert check(applicant).reasons == (
        Reason(ReasonCode.STATEMENT_MISSING, (("statement", statement),)),
    )


def test_casn_asks_for_the_statements_of_the_announcement() -> None:
    assert CASN.statements == ("not_asn", "no_conviction", "not_in_party", "willing_10_years")


# Several reasons at once ----------------------------------------------------------------------


def test_missing_profile_data_comes_first() -> None:
    applicant = replace(TEACHER, birth_date=None, educations=(), pppk_guru_group=None)
    assert codes(applicant, GURU_KELAS) == [
        "birth_date_missing",
        "education_missing",
        "pppk_group_missing",
    ]


def test_every_failing_gate_is_reported_in_order() -> None:
    formation = replace(PERAWAT, formation_type="disabilitas")
    applicant = replace(
        NURSE,
        birth_date=born_aged(17, 3),
        educations=(S1_INFORMATIKA,),
        str_valid_until=date(2021, 1, 1),
        is_civil_servant=True,
        statements=frozenset({"no_conviction"}),
    )
    assert codes(applicant, formation) == [
        "age_below_minimum",
        "qualification_not_matched",
        "str_expired",
        "disability_not_declared",
        "civil_servant",
        "statement_missing",
        "statement_missing",
        "statement_missing",
    ]
    statements = [r.param("statement") for r in check(applicant, formation).reasons[-3:]]
    assert statements == ["not_asn", "not_in_party", "willing_10_years"]


def test_education_gates_follow_age_and_precede_the_rest() -> None:
    education = replace(S1_INFORMATIKA, accreditation="none", ipk=Decimal("2.00"))
    applicant = replace(
        APPLICANT,
        birth_date=born_aged(40),
        educations=(education,),
        is_civil_servant=True,
    )
    assert codes(applicant, DISABILITAS) == [
        "age_above_maximum",
        "not_accredited",
        "ipk_below_minimum",
        "disability_not_declared",
        "civil_servant",
    ]


facts = st.builds(
    ApplicantFacts,
    birth_date=st.none() | st.dates(min_value=date(1940, 1, 1), max_value=date(2025, 1, 1)),
    educations=st.lists(
        st.builds(
            EducationFact,
            level=st.sampled_from(CASN.level_order),
            programme=st.sampled_from(["Teknik Informatika", "Keperawatan", "Hukum"]),
            accreditation=st.sampled_from([*sorted(ACCREDITED), "none"]),
            graduated_on=st.dates(min_value=date(1960, 1, 1), max_value=date(2021, 6, 1)),
            ipk=st.none() | st.decimals(min_value=0, max_value=4, places=2),
            exact_science=st.booleans(),
        ),
        max_size=3,
    ).map(tuple),
    str_number=st.sampled_from(["", "0102553211"]),
    str_valid_until=st.none() | st.dates(min_value=date(2019, 1, 1), max_value=date(2024, 1, 1)),
    statements=st.frozensets(st.sampled_from(CASN.statements)),
    pppk_guru_group=st.none() | st.sampled_from(["thk2", "ppg", "umum"]),
    domicile_regency=st.sampled_from(["1104", "3520"]),
)
formations = st.sampled_from(
    [PRANATA_KOMPUTER, PERAWAT, GURU_KELAS, DISABILITAS, SPESIALIS_ANAK, MITRA_STATISTIK]
)


@given(applicant=facts, formation=formations)
def test_reasons_come_in_the_documented_order_and_decide_eligibility(
    applicant: ApplicantFacts, formation: FormationFacts
) -> None:
    result = check(applicant, formation)
    order = list(ReasonCode)
    positions = [order.index(ReasonCode(code)) for code in result.codes]
    assert positions == sorted(positions)
    assert result.eligible is (not result.reasons)
    assert result.preference_points == 0
    assert result.preferences_met == ()


def test_a_reason_parameter_that_is_not_there_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        Reason(ReasonCode.CIVIL_SERVANT).param("years")


# Mitra Statistik ------------------------------------------------------------------------------


def mitra(applicant: ApplicantFacts, on: date = MITRA_REGISTRATION) -> Eligibility:
    return check(applicant, MITRA_STATISTIK, MITRA, on)


EVERYTHING_PREFERRED = replace(
    MITRA_APPLICANT,
    educations=(SLTA,),
    domicile_regency="3520",
    has_smartphone=True,
    has_motorcycle=True,
    has_survey_experience=True,
)


def test_a_mitra_meeting_every_preference_scores_50() -> None:
    result = mitra(EVERYTHING_PREFERRED)
    assert result.eligible
    assert result.preference_points == 50
    assert result.preferences_met == (
        "education_min",
        "domicile",
        "age_band",
        "devices",
        "vehicle",
        "experience",
    )


def test_a_mitra_meeting_no_preference_is_still_eligible_with_0_points() -> None:
    applicant = replace(MITRA_APPLICANT, birth_date=born_aged(60, on=MITRA_REGISTRATION))
    result = mitra(applicant)
    assert result.eligible
    assert result.preference_points == 0
    assert result.preferences_met == ()
    assert result.matched_education is None


@pytest.mark.parametrize(
    ("changes", "code", "points"),
    [
        ({"educations": (SLTA,)}, "education_min", 10),
        ({"domicile_regency": "3520"}, "domicile", 10),
        ({"has_computer": True}, "devices", 5),
        ({"has_tablet": True}, "devices", 5),
        ({"has_smartphone": True}, "devices", 5),
        ({"has_motorcycle": True}, "vehicle", 5),
        ({"has_survey_experience": True}, "experience", 10),
    ],
)
def test_each_mitra_preference_adds_its_points(
    changes: dict[str, Any], code: str, points: int
) -> None:
    base = replace(MITRA_APPLICANT, birth_date=born_aged(55, on=MITRA_REGISTRATION))
    result = mitra(replace(base, **changes))
    assert result.preferences_met == (code,)
    assert result.preference_points == points


@pytest.mark.parametrize(
    ("level", "met"), [("SMP", False), ("SLTA", True), ("D3", True), ("S3", True), ("X", False)]
)
def test_education_counts_from_slta_up(level: str, met: bool) -> None:
    applicant = replace(MITRA_APPLICANT, educations=(replace(SLTA, level=level),))
    assert ("education_min" in mitra(applicant).preferences_met) is met


@pytest.mark.parametrize(
    ("years", "months", "met"),
    [(17, 11, False), (18, 0, True), (50, 11, True), (51, 0, False)],
)
def test_the_preferred_age_is_18_to_50_on_the_registration_date(
    years: int, months: int, met: bool
) -> None:
    born = born_aged(years, months, on=MITRA_REGISTRATION)
    result = mitra(replace(MITRA_APPLICANT, birth_date=born))
    assert result.eligible
    assert ("age_band" in result.preferences_met) is met


@pytest.mark.parametrize(
    ("years", "code"),
    [(16, "age_below_minimum"), (17, None), (65, None), (66, "age_above_maximum")],
)
def test_the_mitra_age_window_is_only_a_sanity_gate(years: int, code: str | None) -> None:
    born = born_aged(years, on=MITRA_REGISTRATION)
    assert list(mitra(replace(MITRA_APPLICANT, birth_date=born)).codes) == (
        [] if code is None else [code]
    )


def test_a_mitra_is_not_asked_for_education_accreditation_or_ipk() -> None:
    unaccredited = replace(S1_INFORMATIKA, accreditation="none", ipk=Decimal("1.00"))
    assert mitra(replace(MITRA_APPLICANT, educations=())).eligible
    assert mitra(replace(MITRA_APPLICANT, educations=(unaccredited,))).eligible


def test_an_asn_cannot_become_a_mitra() -> None:
    result = mitra(replace(EVERYTHING_PREFERRED, is_civil_servant=True))
    assert not result.eligible
    assert result.codes == ("civil_servant",)
    assert result.preference_points == 50


def test_a_mitra_must_state_they_are_not_asn() -> None:
    result = mitra(replace(MITRA_APPLICANT, statements=frozenset()))
    assert result.reasons == (Reason(ReasonCode.STATEMENT_MISSING, (("statement", "not_asn"),)),)


@given(
    applicant=st.builds(
        ApplicantFacts,
        birth_date=st.dates(min_value=date(1958, 11, 2), max_value=date(2006, 11, 1)),
        educations=st.lists(
            st.builds(EducationFact, level=st.sampled_from([*MITRA.level_order, "?"])),
            max_size=2,
        ).map(tuple),
        is_civil_servant=st.just(False),
        statements=st.just(frozenset({"not_asn"})),
    )
)
def test_nobody_is_turned_away_for_lacking_preferences(applicant: ApplicantFacts) -> None:
    result = mitra(applicant)
    assert result.eligible, result.reasons
    points = {p.code: p.points for p in MITRA.preferences}
    assert result.preference_points == sum(points[code] for code in result.preferences_met)
    assert 0 <= result.preference_points <= 50


def test_casn_scores_no_preferences() -> None:
    preferred = replace(
        APPLICANT, has_smartphone=True, has_motorcycle=True, has_survey_experience=True
    )
    assert check(preferred).preference_points == 0


# Policies as data -----------------------------------------------------------------------------


def test_two_policies_are_shipped() -> None:
    assert policy_codes() == ("casn-2021", "mitra-bps-2024")


@pytest.mark.parametrize("code", ["casn-2021", "mitra-bps-2024"])
def test_each_shipped_file_is_exactly_its_policy_written_out(code: str) -> None:
    text = resources.files("seleksi.rules.policies").joinpath(f"{code}.json").read_text("utf-8")
    policy = load_policy(code)
    assert json.loads(text) == policy_to_dict(policy)
    assert policy.code == code
    assert policy.source


def test_the_shipped_policies_hold_the_figures_of_their_announcements() -> None:
    cpns = CASN.age_window("CPNS")
    assert cpns is not None
    assert (cpns.minimum, cpns.maximum) == (18, 35)
    assert cpns.exceptions[0].maximum == 40
    assert CASN.age_window("PPPK") == AgeWindow(20, 59)
    assert CASN.ipk_minimums == (
        IpkMinimum(("teknis",), ("S1", "D4", "D3"), Decimal("2.50"), Decimal("2.70"), ("CPNS",)),
    )
    assert CASN.source == "Pengumuman 800/144/BKPSDM-AT/2021; PermenPANRB 27/2021 (reported)"
    assert MITRA.age_window("MITRA") == AgeWindow(17, 65)
    assert "no hard age limit" in MITRA.note
    assert not MITRA.qualification_gate
    assert not MITRA.require_accreditation
    assert sum(p.points for p in MITRA.preferences) == 50


def test_an_unknown_policy_code_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="casn-2021"):
        load_policy("../settings")


identifiers = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=8)
keywords = st.text(alphabet=string.ascii_letters + " -", min_size=1, max_size=12).filter(
    lambda keyword: bool(normalise_text(keyword))
)
decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=10**6)


@st.composite
def windows(draw: st.DrawFn) -> AgeWindow:
    minimum = draw(st.integers(0, 80))
    maximum = draw(st.integers(minimum, 120))
    exceptions = draw(
        st.lists(
            st.builds(
                AgeException,
                position_keywords=st.lists(keywords, min_size=1, max_size=3).map(tuple),
                maximum=st.integers(minimum, 120),
                note=st.text(max_size=20),
            ),
            max_size=2,
        )
    )
    return AgeWindow(minimum, maximum, tuple(exceptions))


@st.composite
def preferences(draw: st.DrawFn, levels: tuple[str, ...]) -> Preference:
    code = draw(st.sampled_from(list(PreferenceCode)))
    points = draw(st.integers(0, 100))
    params: tuple[tuple[str, str], ...] = ()
    if code is PreferenceCode.EDUCATION_MIN:
        params = (("level", draw(st.sampled_from(levels))),)
    elif code is PreferenceCode.DOMICILE:
        params = (("regency", draw(st.text(max_size=6))),)
    elif code is PreferenceCode.AGE_BAND:
        low = draw(st.integers(0, 99))
        params = (("minimum", str(low)), ("maximum", str(draw(st.integers(low, 120)))))
    return Preference(code.value, points, params)


@st.composite
def policies(draw: st.DrawFn) -> EligibilityPolicy:
    levels = tuple(draw(st.lists(identifiers, min_size=1, max_size=6, unique=True)))
    some_levels = st.lists(st.sampled_from(levels), max_size=3).map(tuple)
    texts = st.lists(st.text(max_size=12), max_size=3).map(tuple)
    return EligibilityPolicy(
        code=draw(identifiers),
        source=draw(st.text(max_size=40)),
        age=tuple(draw(st.dictionaries(identifiers, windows(), max_size=3)).items()),
        require_accreditation=draw(st.booleans()),
        qualification_gate=draw(st.booleans()),
        ipk_minimums=tuple(
            draw(
                st.lists(
                    st.builds(
                        IpkMinimum,
                        position_categories=texts,
                        levels=some_levels,
                        exact_sciences=decimals,
                        others=decimals,
                        procurement_types=texts,
                    ),
                    max_size=2,
                )
            )
        ),
        str_required_categories=draw(texts),
        str_exempt_positions=draw(texts),
        disability_formation_types=draw(texts),
        pppk_guru_groups=draw(texts),
        statements=draw(texts),
        preferences=tuple(draw(st.lists(preferences(levels), max_size=4))),
        level_prefixes=tuple(
            draw(st.lists(st.tuples(st.sampled_from(levels), st.text(max_size=8)), max_size=6))
        ),
        level_order=levels,
        note=draw(st.text(max_size=40)),
    )


@given(policy=policies())
def test_any_policy_survives_the_round_trip_through_json(policy: EligibilityPolicy) -> None:
    data = policy_to_dict(policy)
    assert policy_from_dict(data) == policy
    assert policy_from_dict(json.loads(json.dumps(data))) == policy


@pytest.mark.parametrize(
    "changes",
    [
        {"note": "diubah"},
        {"statements": ()},
        {
            "preferences": (
                Preference("vehicle", 7),
                Preference("domicile", 3, (("regency", "1104"),)),
            )
        },
        {"str_exempt_positions": ("Administrator Kesehatan", "Epidemiolog Kesehatan")},
        {"ipk_minimums": (IpkMinimum(("teknis",), ("S1",), Decimal("3.00"), Decimal("3.0")),)},
        {"age": (("CPNS", AgeWindow(18, 40)),)},
    ],
)
def test_a_changed_shipped_policy_survives_the_round_trip(changes: dict[str, Any]) -> None:
    policy = replace(CASN, **changes)
    assert policy_from_dict(json.loads(json.dumps(policy_to_dict(policy)))) == policy


def test_decimals_are_written_as_text() -> None:
    data = policy_to_dict(CASN)
    assert data["ipk_minimums"][0]["exact_sciences"] == "2.50"
    assert data["ipk_minimums"][0]["others"] == "2.70"


def test_keys_with_a_default_may_be_left_out() -> None:
    data = policy_to_dict(MITRA)
    del data["note"]
    del data["age"]["MITRA"]["exceptions"]
    for preference in data["preferences"]:
        if not preference["params"]:
            del preference["params"]
    assert policy_from_dict(data) == replace(MITRA, note="")


def spoil(path: str, value: object) -> dict[str, Any]:
    data = policy_to_dict(CASN)
    *parents, last = path.split(".")
    target: Any = data
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is DELETE:
        del target[last]
    elif last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value
    return data


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("ipk_minimums.0.exact_sciences", 2.5, r"ipk_minimums\[0\]\.exact_sciences"),
        ("ipk_minimums.0.others", "dua", r"ipk_minimums\[0\]\.others"),
        ("age.CPNS.maximum", "35", r"age\.CPNS\.maximum"),
        ("age.CPNS.minimum", True, r"age\.CPNS\.minimum"),
        ("age.PPPK.minimum", 70, r"age\.PPPK: age window 70-59"),
        ("require_accreditation", "yes", "require_accreditation"),
        ("level_order", DELETE, "missing level_order"),
        ("typo", 1, "unknown typo"),
        ("statements", "not_asn", "statements: expected a list"),
        ("level_prefixes.0", ["SD"], r"level_prefixes\[0\]"),
        ("level_prefixes.0", ["SMA", "SMA"], "not in level_order: SMA"),
        ("preferences", [{"code": "charm", "points": 5}], "unknown preference 'charm'"),
        ("preferences", [{"code": "domicile", "points": 5}], "domicile takes regency"),
        (
            "preferences",
            [{"code": "age_band", "points": 5, "params": {"minimum": "50", "maximum": "18"}}],
            "not a range",
        ),
        ("preferences", [{"code": "vehicle", "points": -1}], "negative points"),
    ],
)
def test_a_bad_policy_file_is_refused_with_the_place_of_the_mistake(
    path: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        policy_from_dict(spoil(path, value))


def test_two_windows_for_one_procurement_type_are_refused() -> None:
    with pytest.raises(ValueError, match="two age windows"):
        replace(CASN, age=(("CPNS", AgeWindow(18, 35)), ("CPNS", AgeWindow(18, 40))))
