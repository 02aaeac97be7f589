"""The public openings page folds its filter on a phone and says how many filters are on; the
selection page lists the openings and the announcements that are not out yet."""

import pytest
from django.test import Client

from tests.factories import formation_rows, import_rows, make_agency, make_selection

pytestmark = pytest.mark.django_db

CODE = "contoh-2026"
URL = f"/seleksi/{CODE}/formasi/"


@pytest.fixture
def selection() -> None:
    import_rows(make_selection(make_agency(), CODE), formation_rows(12))


def panel(html: str) -> str:
    return html.split('<details class="filter-panel"')[1].split("<summary>")[0]


def summary(html: str) -> str:
    return html.split("<summary>")[1].split("</summary>")[0]


def test_the_filter_is_folded_and_its_summary_counts_the_active_filters(
    client: Client, selection: None
) -> None:
    plain = client.get(URL).content.decode()
    assert " open" not in panel(plain)
    assert ">Saring</span>" in summary(plain)

    filtered = client.get(URL, {"jenis_pengadaan": "CPNS", "q": "Analis", "unit": ""})
    html = filtered.content.decode()
    assert " open" not in panel(html)
    assert "Saring (2 aktif)" in summary(html)
    assert html.index("filter-panel") < html.index('id="totals"')


def test_an_htmx_update_refreshes_the_count_out_of_band(client: Client, selection: None) -> None:
    fragment = client.get(URL, {"jenis_pengadaan": "PPPK"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html
    assert '<span id="filter-count" hx-swap-oob="true">Saring (1 aktif)</span>' in html
    whole = client.get(URL, {"jenis_pengadaan": "PPPK"}).content.decode()
    assert "hx-swap-oob" not in whole and whole.count('id="filter-count"') == 1


def test_a_refused_filter_opens_the_panel_to_show_its_error(
    client: Client, selection: None
) -> None:
    html = client.get(URL, {"jenis_formasi": "palsu"}).content.decode()
    assert " open" in panel(html)
    assert "aktif" not in summary(html)


def test_the_selection_page_says_which_announcements_are_not_out_yet(
    client: Client, selection: None
) -> None:
    html = client.get(f"/seleksi/{CODE}/").content.decode()
    announcements = html.split('id="pengumuman"')[1].split("</ul>")[0]
    assert f'href="{URL}" id="link-formations"' in announcements
    assert announcements.count("belum diumumkan") == 2
    assert "/hasil-administrasi/" not in announcements and "/penggantian/" not in announcements
