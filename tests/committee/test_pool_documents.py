"""The committee's SPK and BAST downloads and the honorarium recap workbook."""

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from seleksi.agencies.models import Role
from seleksi.committee.pool_document_views import work_document_response
from seleksi.pool.documents import CONTRACT, own_assignment
from seleksi.pool.models import Assignment
from tests.factories import make_staff, make_user
from tests.pool.conftest import PPL_CAP, Office, make_office
from tests.pool.test_documents import NIK, activity_of, assign, record, with_nik


@pytest.fixture
def office(db: None) -> Office:
    return make_office()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def contract(office: Office) -> Assignment:
    activity = activity_of(
        office, "Survei Harga Produsen", date(office.year, 3, 1), date(office.year, 4, 30)
    )
    member = with_nik(office.member("sri wahyuni"))
    return assign(activity, member, rate=13_000, quantity=250)


def signed_in(user: object) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)  # type: ignore[arg-type]
    return client


# The SPK and BAST ----------------------------------------------------------------------------


def test_the_committee_downloads_the_contract_with_name_activity_and_total(
    office: Office, contract: Assignment
) -> None:
    response = signed_in(office.committee).get(reverse("committee:pool_spk", args=[contract.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    filename = f"spk-{contract.activity_id}-{contract.pk}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    text = pdf_text(response.content)
    assert "Sri Wahyuni" in text
    assert "Survei Harga Produsen" in text
    assert "Kabupaten Magetan" in text
    assert "3.250.000" in text and "1.625.000" in text
    assert "Tiga juta dua ratus lima puluh ribu rupiah" in text
    assert f"{contract.activity_id}.{contract.pk}/SPK/" in text


def test_the_contract_is_in_the_portal_s_language_whatever_the_reader_s(
    office: Office, contract: Assignment
) -> None:
    client = signed_in(office.committee)  # reads the pages in English

    text = pdf_text(client.get(reverse("committee:pool_spk", args=[contract.pk])).content)

    assert "Petugas pendataan lapangan (PPL)" in text and "Enumerator (PPL)" not in text
    assert "1 Maret" in text and "30 April" in text and "March" not in text


def test_the_contract_prints_the_nik_masked(office: Office, contract: Assignment) -> None:
    response = signed_in(office.committee).get(reverse("committee:pool_spk", args=[contract.pk]))

    text = pdf_text(response.content)
    assert "3520************" in text
    assert NIK not in text and NIK[4:] not in text
    assert NIK not in response["Content-Disposition"]


def test_the_hand_over_record_shows_the_recorded_earnings(
    office: Office, contract: Assignment
) -> None:
    record(contract, office.year, 4, 1_700_000)

    response = signed_in(office.committee).get(reverse("committee:pool_bast", args=[contract.pk]))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Sri Wahyuni" in text and "Survei Harga Produsen" in text
    assert "1.700.000" in text and "3.325.000" in text
    assert "Tiga juta tiga ratus dua puluh lima ribu rupiah" in text
    assert f"{contract.activity_id}.{contract.pk}/BAST/" in text


def test_the_mitra_s_own_copy_is_the_same_document(office: Office, contract: Assignment) -> None:
    mine = own_assignment(user=contract.member.user, pk=contract.pk)
    assert mine is not None

    text = pdf_text(work_document_response(mine, CONTRACT).content)

    assert "Sri Wahyuni" in text and "3.250.000" in text


@pytest.mark.parametrize("name", ["pool_spk", "pool_bast"])
def test_other_agencies_staff_and_the_agency_s_verifier_get_a_404(
    office: Office, contract: Assignment, name: str
) -> None:
    other = make_office("bps-ngawi")
    url = reverse(f"committee:{name}", args=[contract.pk])

    assert signed_in(other.committee).get(url).status_code == 404
    assert signed_in(office.verifier).get(url).status_code == 404
    assert signed_in(make_staff("admin", office.agency, Role.ADMIN)).get(url).status_code == 404


@pytest.mark.parametrize("name", ["pool_spk", "pool_bast"])
def test_an_applicant_even_the_mitra_gets_a_404_here(
    office: Office, contract: Assignment, name: str
) -> None:
    url = reverse(f"committee:{name}", args=[contract.pk])

    assert signed_in(contract.member.user).get(url).status_code == 404
    assert signed_in(make_user("pelamar")).get(url).status_code == 404


@pytest.mark.parametrize("name", ["pool_spk", "pool_bast"])
def test_anonymous_readers_are_sent_to_sign_in(contract: Assignment, name: str) -> None:
    response = Client().get(reverse(f"committee:{name}", args=[contract.pk]))

    assert response.status_code == 302
    assert "/masuk/" in response["Location"] or "login" in response["Location"]


def test_an_assignment_of_another_agency_is_not_found_by_its_id(
    office: Office, contract: Assignment
) -> None:
    other = make_office("bps-ngawi")
    theirs = assign(
        activity_of(other, "Survei Ngawi", date(other.year, 3, 1), date(other.year, 3, 31)),
        other.member("joko"),
    )
    client = signed_in(office.committee)

    assert client.get(reverse("committee:pool_spk", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("committee:pool_bast", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("committee:pool_spk", args=[theirs.pk + 1000])).status_code == 404


def test_the_documents_are_read_only(office: Office, contract: Assignment) -> None:
    url = reverse("committee:pool_spk", args=[contract.pk])
    assert signed_in(office.committee).post(url).status_code == 405


# The recap -----------------------------------------------------------------------------------


def recap_url(office: Office, year: int | None = None) -> str:
    return reverse("committee:pool_recap", args=[office.agency.code, year or office.year])


def test_the_recap_workbook_has_a_summary_and_a_sheet_per_paid_month(
    office: Office, contract: Assignment
) -> None:
    budi = office.member("budi")
    other_activity = activity_of(
        office, "Susenas", date(office.year, 4, 1), date(office.year, 5, 31)
    )
    second = assign(other_activity, budi, rate=10_000, quantity=100)
    record(second, office.year, 5, 900_000)

    response = signed_in(office.committee).get(recap_url(office))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="rekap-honor-{office.agency.code}-{office.year}.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Recap", "Caps", "03 March", "04 April", "05 May"]
    header, *rows = list(workbook["Recap"].iter_rows(values_only=True))
    assert header[:5] == ("No.", "Mitra id", "Name", "Regency", "Roles")
    assert header[5:17] == (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
    by_name = {row[2]: row for row in rows}
    assert set(by_name) == {"Sri Wahyuni", "Budi"}
    for row in rows:
        assert row[17] == sum(amount or 0 for amount in row[5:17])
    assert by_name["Budi"][8:10] == (500_000, 900_000)
    assert by_name["Budi"][17] == 1_400_000
    assert by_name["Sri Wahyuni"][17] == 3_250_000
    may = list(workbook["05 May"].iter_rows(values_only=True))
    assert may[0][5:7] == ("Amount (rupiah)", "Recorded by the office")
    assert may[1][1:3] == ("Budi", "Susenas") and may[1][5:7] == (900_000, True)
    april = {row[1]: row for row in workbook["04 April"].iter_rows(min_row=2, values_only=True)}
    assert april["Budi"][5:7] == (500_000, False)
    assert april["Sri Wahyuni"][5:7] == (1_625_000, False)
    caps = list(workbook["Caps"].iter_rows(values_only=True))
    assert caps[1][0] == "PML" and caps[2][0] == "PPL" and caps[2][1:] == (PPL_CAP,) * 12
    assert by_name["Budi"][5:8] == (None, None, None)


def test_a_name_written_as_a_formula_stays_text(office: Office, contract: Assignment) -> None:
    user = contract.member.user
    user.full_name = '=HYPERLINK("http://example.invalid","klik")'
    user.save(update_fields=["full_name"])

    response = signed_in(office.committee).get(recap_url(office))

    workbook = load_workbook(io.BytesIO(response.content))
    for sheet in workbook.worksheets:
        if sheet.title == "Caps":
            continue
        for row in sheet.iter_rows(min_row=2):
            name = row[2] if sheet.title == "Recap" else row[1]
            assert name.data_type == "s"
            assert str(name.value).endswith('=HYPERLINK("http://example.invalid","klik")')
            assert not str(name.value).startswith("=")


def test_the_recap_of_a_year_without_work_or_caps_is_a_header(office: Office) -> None:
    client = signed_in(office.committee)

    without_caps = load_workbook(io.BytesIO(client.get(recap_url(office, 2001)).content))
    assert without_caps.sheetnames == ["Recap"]
    assert without_caps["Recap"].max_row == 1
    with_caps = load_workbook(io.BytesIO(client.get(recap_url(office, office.year - 1)).content))
    assert with_caps.sheetnames == ["Recap", "Caps"]
    assert with_caps["Recap"].max_row == 1


def test_the_recap_is_only_for_the_agency_s_committee(office: Office, contract: Assignment) -> None:
    other = make_office("bps-ngawi")
    url = recap_url(office)

    assert signed_in(other.committee).get(url).status_code == 404
    assert signed_in(office.verifier).get(url).status_code == 404
    assert signed_in(contract.member.user).get(url).status_code == 404
    assert Client().get(url).status_code == 302


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_year_out_of_reach_or_an_unknown_agency_is_not_found(office: Office, year: int) -> None:
    client = signed_in(office.committee)

    assert client.get(recap_url(office, year)).status_code == 404
    unknown = reverse("committee:pool_recap", args=["tidak-ada", office.year])
    assert client.get(unknown).status_code == 404
