import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from seleksi.selections.demo import demo_load
from seleksi.selections.tables import read_table
from tests.factories import formation_rows, import_rows, make_agency, make_selection

pytestmark = pytest.mark.django_db

ACEH = "aceh-tengah-casn-2021"
MAGETAN = "bps-magetan-mitra-2024"


@pytest.fixture
def demo() -> None:
    demo_load()


def test_the_home_page_lists_both_demo_selections_with_status(client: Client, demo: None) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response["Content-Language"] == "id"
    assert "Seleksi Calon Aparatur Sipil Negara Pemerintah Kabupaten Aceh Tengah" in html
    assert "Rekrutmen Calon Mitra Statistik BPS Kabupaten Magetan Tahun 2024" in html
    assert "800/144/BKPSDM-AT/2021" in html
    assert "1.048" in html  # quota total in Indonesian number format
    assert "status-finished" in html  # Magetan ended 15 December 2023
    assert "status-closed" in html  # Aceh Tengah's final stage has no date


def test_status_follows_the_calendar(client: Client) -> None:
    agency = make_agency()
    today = date.today()
    make_selection(
        agency,
        "buka",
        registration=(date(today.year - 1, 1, 1), date(today.year + 1, 1, 1)),
        final=None,
    )
    make_selection(agency, "nanti", registration=(date(today.year + 1, 1, 1), None), final=None)
    html = client.get("/").content.decode()
    assert html.count("status-open") == 1 and html.count("status-upcoming") == 1


def test_unpublished_selections_are_not_public(client: Client) -> None:
    make_selection(make_agency(), "rahasia", published=False)
    assert "rahasia" not in client.get("/").content.decode()
    assert client.get("/seleksi/rahasia/").status_code == 404
    assert client.get("/seleksi/rahasia/formasi/").status_code == 404
    assert client.get("/seleksi/rahasia/formasi.csv").status_code == 404


def test_the_announcement_page_shows_schedule_rules_documents_contacts(
    client: Client, demo: None
) -> None:
    html = client.get(f"/seleksi/{ACEH}/").content.decode()
    for text in (
        "Pendaftaran online melalui portal SSCASN",
        'datetime="2021-06-30"',
        'datetime="2021-07-21"',
        "IPK paling rendah 2,50",
        "Pas foto berwarna terbaru 4×6 cm",
        "200 KB",
        "800 KB",
        "0823 6700 2726",
        "bkpsdmat@gmail.com",
        "Gedung Institut Agama Islam Negeri Takengon",
    ):
        assert text in html, text
    magetan = client.get(f"/seleksi/{MAGETAN}/").content.decode()
    assert "Berumur 18 s.d. 50 tahun pada saat registrasi." in magetan
    assert 'datetime="2023-12-15"' in magetan
    assert "@bpsmagetan" in magetan


def test_openings_are_filtered_and_totalled_on_the_server(client: Client, demo: None) -> None:
    url = f"/seleksi/{ACEH}/formasi/"
    everything = client.get(url)
    assert everything.context["overall"].quota == 1048
    assert everything.context["page"].paginator.num_pages > 10
    response = client.get(url, {"jenis_formasi": "disabilitas"})
    assert response.context["totals"].quota == 6
    assert response.context["totals"].formations == 6
    pppk = client.get(url, {"jenis_pengadaan": "PPPK"})
    assert pppk.context["totals"].quota == 749
    health = client.get(url, {"jenis_pengadaan": "CPNS", "kategori_jabatan": "kesehatan"})
    assert health.context["totals"].quota == 148


def test_filtering_by_qualification_unit_and_position_is_exact(client: Client) -> None:
    selection = make_selection(make_agency())
    import_rows(selection, formation_rows(30))
    url = f"/seleksi/{selection.code}/formasi/"
    by_qualification = client.get(url, {"kualifikasi": "D-IV PGSD"})
    codes = {f.code for f in by_qualification.context["page"].object_list}
    assert codes == {f"F-{n:04d}" for n in range(3, 31, 3)}
    by_unit = client.get(url, {"unit": "Unit 1", "jabatan": "Analis 1"})
    assert [f.code for f in by_unit.context["page"].object_list] == ["F-0001"]
    search = client.get(url, {"q": "pgsd"})
    assert search.context["totals"].formations == 10
    both_words = client.get(url, {"q": "guru unit 5"})
    # every word must match somewhere: teachers (F-0003, F-0006, ...) whose code has a 5
    assert [f.code for f in both_words.context["page"].object_list] == ["F-0015"]


def test_an_unknown_filter_value_is_refused_with_a_message(client: Client) -> None:
    selection = make_selection(make_agency())
    import_rows(selection, formation_rows(3))
    response = client.get(f"/seleksi/{selection.code}/formasi/", {"jenis_formasi": "palsu"})
    assert response.status_code == 200
    assert response.context["form"].errors["jenis_formasi"]
    assert 'role="alert"' in response.content.decode()


def test_htmx_requests_get_only_the_results_fragment(client: Client, demo: None) -> None:
    url = f"/seleksi/{ACEH}/formasi/"
    fragment = client.get(url, {"jenis_formasi": "disabilitas"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html and 'id="totals"' in html
    assert "AT21-CPNS-D-0006" in html


def test_the_csv_download_follows_the_filters(client: Client, demo: None) -> None:
    response = client.get(f"/seleksi/{ACEH}/formasi.csv", {"jenis_formasi": "disabilitas"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, rows = read_table("x.csv", response.content)
    assert header[:7] == [
        "kode_formasi",
        "jenis_pengadaan",
        "jenis_formasi",
        "jabatan",
        "kualifikasi_pendidikan",
        "unit_penempatan",
        "kuota",
    ]
    assert len(rows) == 6 and {r[2] for r in rows} == {"disabilitas"}


def test_the_xlsx_download_opens_as_a_workbook(client: Client, demo: None) -> None:
    response = client.get(f"/seleksi/{ACEH}/formasi.xlsx", {"jenis_pengadaan": "PPPK"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    quotas = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(q for q in quotas if isinstance(q, int)) == 749
    assert client.get(f"/seleksi/{ACEH}/formasi.pdf").status_code == 404


def test_english_is_one_click_away(client: Client, demo: None) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert response["Content-Language"] == "en"
    assert "Published selections" in response.content.decode()
    indonesian = Client().get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Seleksi yang diumumkan" in indonesian.content.decode()  # the phone's setting is ignored
    assert indonesian["Content-Language"] == "id"
    assert "Cookie" in indonesian["Vary"]


def test_pages_read_without_javascript_and_label_every_filter(client: Client, demo: None) -> None:
    html = client.get(f"/seleksi/{ACEH}/formasi/").content.decode()
    for field in ("q", "jenis_pengadaan", "jenis_formasi", "jabatan", "kualifikasi", "unit"):
        assert f'<label for="id_{field}">' in html
    assert 'method="get"' in html  # the filter form submits without JavaScript
    assert 'href="?page=2"' in html  # and pagination is plain links
    assert "cdn" not in html.lower() and "https://" not in html.split("</head>")[0]
