"""Values typed the Indonesian way: an IPK with a decimal comma, a phone number with spaces
or dashes, and drop-downs whose empty choice speaks the page's language."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from seleksi.accounts.models import Education, User
from seleksi.applicant.account_forms import EducationForm, ProfileForm, RegistrationForm
from seleksi.applicant.reasons import describe_reason
from seleksi.rules.eligibility import Reason
from tests.accounts.helpers import CommitClient, make_applicant, registration_form, signed_in

pytestmark = pytest.mark.django_db

EDUCATION = {
    "level": "S1",
    "institution": "Universitas Gajah Putih",
    "study_programme": "Teknik Informatika",
    "accreditation": "B",
    "graduated_on": "2019-08-30",
}
IPK_HINT = {
    "id": "angka 0 sampai 4 dengan paling banyak dua angka di belakang koma, mis. 3,41",
    "en": "a number from 0 to 4 with at most two decimals, e.g. 3.41",
}


def in_language(client: Client, language: str) -> Client:
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("typed", ["3,41", "3.41", " 3,41 "])
def test_an_ipk_with_a_comma_or_a_point_is_stored_as_3_41(language: str, typed: str) -> None:
    owner = in_language(signed_in(make_applicant()), language)
    response = owner.post("/akun/profil/pendidikan/tambah/", {**EDUCATION, "ipk": typed})
    assert response.status_code == 302
    assert Education.objects.get().ipk == Decimal("3.41")


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("typed", ["341", "3,411", "4,5", "3.4,1", "1.000,5", "tiga", "-1"])
def test_an_impossible_ipk_is_refused_next_to_the_field_saying_what_to_type(
    language: str, typed: str
) -> None:
    owner = in_language(signed_in(make_applicant()), language)
    response = owner.post("/akun/profil/pendidikan/tambah/", {**EDUCATION, "ipk": typed})
    assert response.status_code in (200, 400)
    assert not Education.objects.exists()
    assert len(response.context["form"].errors["ipk"]) == 1  # not one per broken rule
    html = response.content.decode()
    field = html[html.index('id="field-ipk"') : html.index('id="field-is_exact_science"')]
    assert IPK_HINT[language] in field


def test_the_ipk_box_is_text_with_the_decimal_keypad_not_a_number_box() -> None:
    # A number box lets the phone's browser drop the comma of "3,41" and send "341".
    html = str(EducationForm()["ipk"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html
    assert 'type="number"' not in html and "step=" not in html


def test_the_ipk_is_shown_with_the_separator_of_the_interface_language() -> None:
    owner = signed_in(make_applicant())
    owner.post("/akun/profil/pendidikan/tambah/", {**EDUCATION, "ipk": "3,41"})
    education = Education.objects.get()
    edit = f"/akun/profil/pendidikan/{education.pk}/"
    assert 'name="ipk" value="3,41"' in owner.get(edit).content.decode()
    assert "<td>3,41</td>" in owner.get("/akun/profil/").content.decode()
    english = in_language(owner, "en")
    assert 'name="ipk" value="3.41"' in english.get(edit).content.decode()
    assert "<td>3.41</td>" in english.get("/akun/profil/").content.decode()


@pytest.mark.parametrize(
    "typed", ["0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890", "(0274) 123456"]
)
def test_a_phone_number_with_spaces_dashes_or_country_code_registers(typed: str) -> None:
    client = CommitClient()
    response = client.post("/akun/daftar/", registration_form(phone=typed))
    assert response.status_code == 302
    expected = "0274123456" if typed.startswith("(") else "081234567890"
    assert User.objects.get().phone == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0812 3456 789O", "Tulis nomor dengan angka"),
        ("0812 345", "9 sampai 13 angka"),
        ("0812 3456 7890 1234", "9 sampai 13 angka"),
        ("+65 6123 4567", "nomor Indonesia yang diawali 0 atau +62"),
    ],
)
def test_a_wrong_phone_number_is_refused_next_to_the_field(typed: str, message: str) -> None:
    response = CommitClient().post("/akun/daftar/", registration_form(phone=typed))
    assert response.status_code == 400
    assert not User.objects.exists()
    errors = " ".join(str(e) for e in response.context["form"].errors["phone"])
    assert message in errors


@pytest.mark.parametrize(("language", "label"), [("id", "— Pilih —"), ("en", "— Choose —")])
def test_every_select_of_the_profile_forms_has_an_empty_choice_in_the_page_language(
    language: str, label: str
) -> None:
    with translation.override(language):
        forms = (ProfileForm(), EducationForm(), RegistrationForm())
        html = "".join(str(field) for form in forms for field in form)
    assert "Select an option" not in html and "---------" not in html
    for name in ("disability_type", "disability_degree", "accreditation"):
        assert f'name="{name}"' in html
        first_option = html[html.index(f'<select name="{name}"') :].split("</option>")[0]
        assert first_option.endswith((f'<option value="">{label}', f"selected>{label}"))


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("id", "IPK Anda 2,75 berada di bawah batas minimal 3,00."),
        ("en", "Your IPK 2.75 is below the minimum 3.00."),
    ],
)
def test_an_ipk_reason_uses_the_decimal_separator_of_the_page(language: str, text: str) -> None:
    reason = Reason("ipk_below_minimum", (("ipk", "2.75"), ("minimum", "3.00"), ("kind", "x")))
    with translation.override(language):
        assert describe_reason(reason) == text
