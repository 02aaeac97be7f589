import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.test import RequestFactory
from pytest_django import DjangoAssertNumQueries

from seleksi.reference.forms import EducationLevelChoiceField, RegencyChoiceField
from seleksi.reference.models import EducationLevel, Province, Regency

pytestmark = pytest.mark.django_db


class DomicileForm(forms.Form):
    regency = RegencyChoiceField()
    education = EducationLevelChoiceField(required=False)


def test_declaring_the_fields_reads_nothing_from_the_database(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(0):
        DomicileForm()


def test_the_regency_select_has_one_optgroup_per_province_and_every_regency() -> None:
    html = str(DomicileForm()["regency"])
    assert html.count("<optgroup ") == 38
    assert '<optgroup label="Aceh">' in html
    assert '<option value="1104">Kabupaten Aceh Tengah</option>' in html
    assert html.count('<option value="') == 514 + 1
    assert '<option value="" selected>Pilih kabupaten/kota</option>' in html


def test_the_regency_select_marks_the_current_choice() -> None:
    form = DomicileForm(initial={"regency": Regency.objects.get(code="3520")})
    assert '<option value="3520" selected>Kabupaten Magetan</option>' in str(form["regency"])


def test_the_field_accepts_a_known_code_and_rejects_an_unknown_one() -> None:
    form = DomicileForm({"regency": "3520", "education": "S1"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["regency"] == Regency.objects.get(code="3520")
    assert form.cleaned_data["education"] == EducationLevel.objects.get(code="S1")
    for unknown in ("9999", "35.20", "Magetan"):
        form = DomicileForm({"regency": unknown})
        assert not form.is_valid()
        assert "regency" in form.errors


def test_the_regency_is_required_unless_the_form_says_otherwise() -> None:
    form = DomicileForm({"regency": ""})
    assert not form.is_valid()
    assert "regency" in form.errors


def test_the_education_select_lists_levels_lowest_first() -> None:
    html = str(DomicileForm()["education"])
    assert html.index('value="SD"') < html.index('value="S1"') < html.index('value="S3"')
    assert "Profesi (Ners, Dokter, Apoteker, dan sejenisnya)" in html


def test_the_field_snippet_has_a_search_box_above_the_full_select() -> None:
    html = render_to_string("reference/_regency_field.html", {"field": DomicileForm()["regency"]})
    assert (
        '<label for="id_regency">Kabupaten/kota <span aria-hidden="true">*</span></label>' in html
    )
    assert '<div class="field regency-field" id="field-regency">' in html
    assert 'type="search"' in html
    assert 'hx-get="/referensi/kabupaten/"' in html
    assert 'hx-target="#id_regency"' in html
    assert 'hx-include="#id_regency"' in html
    assert """hx-vals='{"field": "regency"}'""" in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert '<p class="help" id="id_regency_status" role="status" aria-live="polite">' in html
    assert html.index('type="search"') < html.index('<select name="regency"')
    assert html.count("<optgroup ") == 38
    assert "Open Database License (ODbL)" in html


def console_request(path: str, *, superuser: bool) -> HttpRequest:
    """A console request by an unsaved staff member: the permissions depend on the flag only."""
    request = RequestFactory().get(path)
    request.user = get_user_model()(
        username="root" if superuser else "petugas",
        is_staff=True,
        is_superuser=superuser,
        is_active=True,
    )
    return request


@pytest.mark.parametrize("model", [Province, Regency, EducationLevel])
def test_superusers_may_only_read_the_lists_in_the_console(model: type[Model]) -> None:
    model_admin = admin.site.get_model_admin(model)
    root = console_request("/kelola/", superuser=True)
    staff = console_request("/kelola/", superuser=False)
    assert model_admin.has_module_permission(root)
    assert model_admin.has_view_permission(root)
    assert not model_admin.has_add_permission(root)
    assert not model_admin.has_change_permission(root)
    assert not model_admin.has_delete_permission(root)
    assert not model_admin.has_module_permission(staff)
    assert not model_admin.has_view_permission(staff)


def test_the_console_finds_a_regency_by_name() -> None:
    request = console_request("/kelola/reference/regency/?q=magetan", superuser=True)
    response = admin.site.get_model_admin(Regency).changelist_view(request)
    html = response.rendered_content  # type: ignore[attr-defined]
    assert "Kabupaten Magetan" in html
    assert "Kabupaten Aceh Tengah" not in html
