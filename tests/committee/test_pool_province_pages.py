"""The province office's committee opens the pool pages, documents and recap of an office
below it; the office below opens nothing of the province's, nor of a sibling office."""

from datetime import date

import pytest
from django.test import Client

from seleksi.agencies.models import Agency, Role
from seleksi.pool.models import Assignment
from tests.factories import make_agency, make_staff
from tests.pool.conftest import Office, make_office
from tests.pool.test_documents import activity_of, assign


@pytest.fixture
def scene(db: None) -> tuple[Office, Office, Client, Assignment]:
    office, sibling = make_office(), make_office("bps-tetangga")
    province = make_agency("bps-provinsi", name="BPS Provinsi", kind=Agency.Kind.STATISTICS_OFFICE)
    Agency.objects.filter(pk__in=[office.agency.pk, sibling.agency.pk]).update(parent=province)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(make_staff("panitia-provinsi", province, Role.COMMITTEE))
    activity = activity_of(
        office, "Survei Ubinan", date(office.year, 3, 1), date(office.year, 3, 31)
    )
    return (
        office,
        sibling,
        client,
        assign(activity, office.member("sri wahyuni"), rate=100_000, quantity=1),
    )


def test_the_province_committee_reads_and_prints_for_the_office_below(
    scene: tuple[Office, Office, Client, Assignment],
) -> None:
    office, _sibling, client, assignment = scene
    code = office.agency.code

    pool = client.get(f"/panitia/mitra/{code}/")
    assert pool.status_code == 200
    assert "Sri Wahyuni" in pool.content.decode()
    assert client.get(f"/panitia/kegiatan/{assignment.activity_id}/").status_code == 200
    assert client.get(f"/panitia/penugasan/{assignment.pk}/spk.pdf").content.startswith(b"%PDF")
    recap = client.get(f"/panitia/mitra/{code}/rekap-honor/{office.year}.xlsx")
    assert recap.status_code == 200


def test_the_office_below_opens_nothing_of_a_sibling_office(
    scene: tuple[Office, Office, Client, Assignment],
) -> None:
    office, sibling, _client, assignment = scene
    client = Client()
    client.force_login(sibling.committee)

    assert client.get(f"/panitia/mitra/{office.agency.code}/").status_code == 404
    assert client.get(f"/panitia/kegiatan/{assignment.activity_id}/").status_code == 404
    assert client.get(f"/panitia/penugasan/{assignment.pk}/spk.pdf").status_code == 404
    assert client.get("/panitia/mitra/bps-provinsi/").status_code == 404
