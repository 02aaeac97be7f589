import pytest
from django.apps import apps
from django.db import connection
from django.utils import translation

from seleksi.reference.loading import load_reference_data
from seleksi.reference.models import EducationLevel, Province, Regency

pytestmark = pytest.mark.django_db


def snapshot() -> list[list[tuple[object, ...]]]:
    return [
        list(Province.objects.order_by("code").values_list("code", "name")),
        list(Regency.objects.order_by("code").values_list("code", "province_id", "name")),
        list(EducationLevel.objects.order_by("code").values_list("code", "name", "order")),
    ]


def test_the_migration_loaded_38_provinces_and_514_regencies() -> None:
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert Regency.objects.filter(province__isnull=True).count() == 0


def test_regency_codes_are_the_first_four_digits_of_a_nik() -> None:
    aceh_tengah = Regency.objects.select_related("province").get(code="1104")
    assert aceh_tengah.name == "Kabupaten Aceh Tengah"
    assert aceh_tengah.province.name == "Aceh"
    assert aceh_tengah.dotted_code == "11.04"
    assert str(aceh_tengah) == "Kabupaten Aceh Tengah"
    magetan = Regency.objects.select_related("province").get(code="3520")
    assert magetan.name == "Kabupaten Magetan"
    assert magetan.province.name == "Jawa Timur"
    assert all(len(code) == 4 for code in Regency.objects.values_list("code", flat=True))


def test_education_levels_run_from_sd_to_s3_in_order() -> None:
    assert list(EducationLevel.objects.values_list("code", flat=True)) == [
        "SD",
        "SMP",
        "SLTA",
        "D1",
        "D2",
        "D3",
        "D4",
        "S1",
        "PROFESI",
        "S2",
        "SP1",
        "S3",
    ]
    assert EducationLevel.objects.get(code="SLTA").name == "SMA/SMK/sederajat"


def test_running_the_loader_twice_changes_nothing() -> None:
    before = snapshot()
    first = load_reference_data(apps)
    second = load_reference_data(apps)
    assert snapshot() == before
    assert (first.created, first.updated) == (0, 0)
    assert (second.created, second.updated) == (0, 0)
    assert second.unchanged == 38 + 514 + 12


def test_the_loader_restores_a_changed_name_and_keeps_extra_rows() -> None:
    Regency.objects.filter(code="3520").update(name="Magetan (typo)")
    Province.objects.create(code="99", name="Provinsi Uji")
    outcome = load_reference_data(apps)
    assert (outcome.created, outcome.updated) == (0, 1)
    assert Regency.objects.get(code="3520").name == "Kabupaten Magetan"
    assert Province.objects.filter(code="99").exists()


def test_the_loader_adds_missing_rows() -> None:
    with connection.cursor() as cursor:  # plain SQL: profiles elsewhere may protect the row
        cursor.execute("DELETE FROM reference_educationlevel WHERE code = %s", ["PROFESI"])
    outcome = load_reference_data(apps)
    assert (outcome.created, outcome.updated) == (1, 0)
    assert EducationLevel.objects.get(code="PROFESI").order == 90


def test_names_of_the_lists_read_in_indonesian() -> None:
    with translation.override("id"):
        assert str(Regency._meta.verbose_name) == "kabupaten/kota"
        assert translation.gettext("Choose a regency or city") == "Pilih kabupaten/kota"
    with translation.override("en"):
        assert str(Regency._meta.verbose_name) == "regency or city"
