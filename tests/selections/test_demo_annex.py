"""The generated Aceh Tengah 2021 annex: group totals, codes, round trip and determinism."""

import hashlib
import os
import re
import subprocess
import sys
from collections import Counter

import pytest

from seleksi.rules.formations import (
    CODE_PATTERN,
    EXPORT_COLUMNS,
    MAX_CODE,
    MAX_TEXT,
    FormationRow,
    FormationType,
    PositionCategory,
    ProcurementType,
    format_formation_row,
    parse_formation_table,
)
from seleksi.selections.demo_annex import (
    CPNS_DISABILITAS,
    CPNS_KESEHATAN,
    CPNS_TEKNIS,
    KECAMATAN,
    PPPK_GURU,
    aceh_tengah_formations,
    fit_quotas,
)

ROWS = aceh_tengah_formations()


def openings(
    procurement: ProcurementType, formation: FormationType, category: PositionCategory
) -> int:
    return sum(
        row.quota or 0
        for row in ROWS
        if row.procurement_type is procurement
        and row.formation_type is formation
        and row.position_category is category
    )


def test_it_allocates_exactly_749_pppk_teacher_openings() -> None:
    total = openings(ProcurementType.PPPK, FormationType.UMUM, PositionCategory.GURU)
    assert total == 749


def test_it_allocates_exactly_6_cpns_disabilitas_technical_openings() -> None:
    total = openings(ProcurementType.CPNS, FormationType.DISABILITAS, PositionCategory.TEKNIS)
    assert total == 6


def test_it_allocates_exactly_148_cpns_general_health_openings() -> None:
    total = openings(ProcurementType.CPNS, FormationType.UMUM, PositionCategory.KESEHATAN)
    assert total == 148


def test_it_allocates_151_technical_openings_of_which_6_for_disability() -> None:
    general = openings(ProcurementType.CPNS, FormationType.UMUM, PositionCategory.TEKNIS)
    disability = openings(ProcurementType.CPNS, FormationType.DISABILITAS, PositionCategory.TEKNIS)
    assert (general, disability, general + disability) == (145, 6, 151)


def test_its_total_is_the_announced_1048_openings() -> None:
    # The printed groups add up to 1054; the legal total is 1048 = 749 + 148 + 151, so the
    # 151 technical openings are read as including the 6 disability ones.
    assert sum(row.quota or 0 for row in ROWS) == 749 + 148 + 151 == 1048


def test_it_has_no_rows_outside_the_four_groups() -> None:
    groups = Counter(
        (row.procurement_type, row.formation_type, row.position_category) for row in ROWS
    )
    assert set(groups) == {
        (ProcurementType.PPPK, FormationType.UMUM, PositionCategory.GURU),
        (ProcurementType.CPNS, FormationType.DISABILITAS, PositionCategory.TEKNIS),
        (ProcurementType.CPNS, FormationType.UMUM, PositionCategory.KESEHATAN),
        (ProcurementType.CPNS, FormationType.UMUM, PositionCategory.TEKNIS),
    }


def test_every_row_has_a_position_category() -> None:
    assert all(row.position_category is not None for row in ROWS)


def test_every_quota_is_at_least_one_and_at_most_eight() -> None:
    assert all(row.quota is not None and 1 <= row.quota <= 8 for row in ROWS)


def test_most_quotas_are_between_one_and_four() -> None:
    small = sum(1 for row in ROWS if row.quota is not None and row.quota <= 4)
    assert small >= 0.9 * len(ROWS)


def test_it_has_a_few_hundred_rows() -> None:
    assert 300 <= len(ROWS) <= 1000


def test_the_disabilitas_openings_are_six_single_technical_lines() -> None:
    disabilitas = [row for row in ROWS if row.formation_type is FormationType.DISABILITAS]
    assert len(disabilitas) == 6
    assert all(row.quota == 1 for row in disabilitas)


def test_codes_are_unique_even_ignoring_case() -> None:
    codes = [row.code.upper() for row in ROWS]
    assert len(set(codes)) == len(codes)


def test_codes_are_valid_for_the_importer() -> None:
    assert all(CODE_PATTERN.fullmatch(row.code) and len(row.code) <= MAX_CODE for row in ROWS)


def test_codes_carry_their_group_prefix_and_a_zero_padded_counter() -> None:
    groups = {
        PPPK_GURU.code_prefix: (ProcurementType.PPPK, FormationType.UMUM),
        CPNS_DISABILITAS.code_prefix: (ProcurementType.CPNS, FormationType.DISABILITAS),
        CPNS_KESEHATAN.code_prefix: (ProcurementType.CPNS, FormationType.UMUM),
        CPNS_TEKNIS.code_prefix: (ProcurementType.CPNS, FormationType.UMUM),
    }
    for row in ROWS:
        match = re.fullmatch(r"(AT21-(?:PPPK|CPNS)-[GDKT])-(\d{4})", row.code)
        assert match is not None, row.code
        assert groups[match.group(1)] == (row.procurement_type, row.formation_type)


def test_sorting_by_code_keeps_each_group_together_in_counter_order() -> None:
    codes = sorted(row.code for row in ROWS)
    prefixes = [code.rsplit("-", 1)[0] for code in codes]
    runs = [prefix for index, prefix in enumerate(prefixes) if prefixes[index - 1] != prefix]
    assert runs == ["AT21-CPNS-D", "AT21-CPNS-K", "AT21-CPNS-T", "AT21-PPPK-G"]
    for prefix in runs:
        counters = [int(code.rsplit("-", 1)[1]) for code in codes if code.startswith(prefix)]
        assert counters == list(range(1, len(counters) + 1))


def test_rows_come_in_code_order() -> None:
    codes = [row.code for row in ROWS]
    assert codes == sorted(codes)


def test_no_position_is_offered_twice_at_the_same_unit_in_the_same_formation_type() -> None:
    keys = Counter((row.position, row.placement_unit, row.formation_type) for row in ROWS)
    assert [key for key, count in keys.items() if count > 1] == []


def test_every_row_survives_an_export_and_import_round_trip_unchanged() -> None:
    result = parse_formation_table(EXPORT_COLUMNS, [format_formation_row(row) for row in ROWS])
    assert result.issues == ()
    assert result.rows == ROWS


def test_two_calls_return_equal_tuples() -> None:
    first = aceh_tengah_formations()
    aceh_tengah_formations.cache_clear()
    second = aceh_tengah_formations()
    assert first == second
    assert isinstance(second, tuple)
    assert all(isinstance(row, FormationRow) for row in second)


def _digest(rows: tuple[FormationRow, ...]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.parametrize("hash_seed", ["0", "12345"])
def test_it_is_identical_in_a_fresh_interpreter_with_another_hash_seed(hash_seed: str) -> None:
    script = (
        "import hashlib\n"
        "from seleksi.selections.demo_annex import aceh_tengah_formations\n"
        "print(hashlib.sha256(repr(aceh_tengah_formations()).encode()).hexdigest())\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        check=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
    )
    assert completed.stdout.strip() == _digest(ROWS)


def test_it_offers_at_least_12_distinct_pppk_teacher_positions() -> None:
    positions = {row.position for row in ROWS if row.procurement_type is ProcurementType.PPPK}
    assert len(positions) >= 12


def test_it_offers_at_least_10_distinct_health_positions() -> None:
    positions = {
        row.position for row in ROWS if row.position_category is PositionCategory.KESEHATAN
    }
    assert len(positions) >= 10


def test_class_teachers_go_to_sd_and_subject_teachers_to_sd_or_smp() -> None:
    for row in ROWS:
        if row.procurement_type is not ProcurementType.PPPK:
            continue
        if row.position == "Guru Kelas Ahli Pertama":
            assert row.placement_unit.startswith("SD Negeri "), row
        else:
            assert row.placement_unit.startswith(("SD Negeri ", "SMP Negeri ")), row


def test_schools_and_puskesmas_are_in_real_aceh_tengah_kecamatan() -> None:
    pattern = re.compile(r"(?:SD Negeri \d+|SMP Negeri \d+|Puskesmas|Kecamatan) (.+)")
    for row in ROWS:
        match = pattern.fullmatch(row.placement_unit)
        if match:
            assert match.group(1) in KECAMATAN, row.placement_unit


def test_qualifications_use_the_announcement_style_and_no_separator() -> None:
    style = re.compile(r"(?:S-1|D-III|D-IV|Profesi) \S.*")
    for row in ROWS:
        assert row.qualifications
        for name in row.qualifications:
            assert ";" not in name
            assert style.fullmatch(name), name
            assert len(name) <= MAX_TEXT
            assert name == " ".join(name.split())


def test_each_qualification_is_spelled_the_same_way_everywhere() -> None:
    spellings: dict[str, set[str]] = {}
    for row in ROWS:
        for name in row.qualifications:
            spellings.setdefault(name.casefold(), set()).add(name)
    assert {key: names for key, names in spellings.items() if len(names) > 1} == {}


def test_the_same_position_always_asks_for_the_same_qualifications() -> None:
    by_position: dict[str, set[tuple[str, ...]]] = {}
    for row in ROWS:
        by_position.setdefault(row.position, set()).add(row.qualifications)
    assert {position: q for position, q in by_position.items() if len(q) > 1} == {}


def test_fitting_quotas_reaches_the_total_within_the_caps() -> None:
    quotas = fit_quotas([5, 1, 1, 1], [8, 2, 2, 2], 7)
    assert sum(quotas) == 7
    assert all(1 <= quota <= cap for quota, cap in zip(quotas, [8, 2, 2, 2], strict=True))
    assert fit_quotas([1, 1], [4, 4], 8) == [4, 4]


def test_fitting_quotas_refuses_a_total_the_lines_cannot_hold() -> None:
    with pytest.raises(ValueError):
        fit_quotas([1, 1], [2, 2], 5)
    with pytest.raises(ValueError):
        fit_quotas([1, 1, 1], [2, 2, 2], 2)
