import pytest
from django.test import Client

from seleksi.reference.models import Province, Regency
from seleksi.reference.selectors import regencies_grouped, regency_search

pytestmark = pytest.mark.django_db

URL = "/referensi/kabupaten/"


def names(query: str, limit: int = 20) -> list[str]:
    return [regency.name for regency in regency_search(query=query, limit=limit)]


def test_every_word_must_match_the_name_or_the_province() -> None:
    found = regency_search(query="aceh teng")
    assert [regency.name for regency in found] == [
        "Kabupaten Aceh Tengah",
        "Kabupaten Aceh Tenggara",
    ]
    assert names("ACEH   tengah") == ["Kabupaten Aceh Tengah"]


def test_a_province_name_finds_its_regencies() -> None:
    assert names("magetan") == ["Kabupaten Magetan"]
    assert names("magetan jawa timur") == ["Kabupaten Magetan"]
    in_east_java = regency_search(query="jawa timur", limit=100)
    assert len(in_east_java) == 38
    assert {regency.province_id for regency in in_east_java} == {"35"}
    assert [r.name for r in in_east_java] == sorted(r.name for r in in_east_java)
    assert "Kabupaten Magetan" in [r.name for r in in_east_java]


def test_a_code_finds_its_regency_with_or_without_the_dot() -> None:
    assert names("3520") == ["Kabupaten Magetan"]
    assert names("35.20") == ["Kabupaten Magetan"]
    assert names(" 11.04 ") == ["Kabupaten Aceh Tengah"]


def test_a_code_prefix_finds_the_regencies_starting_with_it() -> None:
    found = regency_search(query="35.", limit=100)
    assert len(found) == 38
    assert all(regency.code.startswith("35") for regency in found)


def test_an_empty_query_finds_nothing() -> None:
    assert regency_search(query="") == []
    assert regency_search(query="   ") == []


def test_search_stops_at_the_limit() -> None:
    assert len(regency_search(query="kabupaten")) == 20
    assert len(regency_search(query="kabupaten", limit=5)) == 5


def test_the_grouped_choices_cover_every_regency_once() -> None:
    groups = regencies_grouped()
    assert [province for province, _ in groups] == list(
        Province.objects.order_by("code").values_list("name", flat=True)
    )
    codes = [code for _, regencies in groups for code, _ in regencies]
    assert len(codes) == 514
    assert set(codes) == set(Regency.objects.values_list("code", flat=True))
    aceh = dict(groups)["Aceh"]
    assert ("1104", "Kabupaten Aceh Tengah") in aceh
    assert [name for _, name in aceh] == sorted(name for _, name in aceh)


def test_the_options_view_returns_matching_options_cacheable_for_an_hour(
    client: Client,
) -> None:
    response = client.get(URL, {"q": "jawa timur"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="3520">Kabupaten Magetan — Jawa Timur</option>' in html
    assert "<select" not in html and "<html" not in html
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=3600"} <= cache_control


def test_the_options_view_returns_at_most_20_options(client: Client) -> None:
    html = client.get(URL, {"q": "kota"}).content.decode()
    assert html.count('<option value="') - html.count('<option value="">') == 20


def test_the_options_view_says_when_nothing_matches(client: Client) -> None:
    response = client.get(URL, {"q": "atlantis"})
    assert response.status_code == 200
    assert "Tidak ada kabupaten/kota yang cocok dengan “atlantis”" in response.content.decode()


def test_the_options_view_answers_an_empty_query_with_no_content(client: Client) -> None:
    for query in ({}, {"q": ""}, {"q": "   "}):
        response = client.get(URL, query)
        assert response.status_code == 204
        assert response.content == b""


def test_the_options_view_cuts_the_query_at_100_characters(client: Client) -> None:
    html = client.get(URL, {"q": "magetan" + " " * 100 + "atlantis"}).content.decode()
    assert '<option value="3520" selected>' in html


def test_the_options_view_only_answers_get(client: Client) -> None:
    assert client.post(URL, {"q": "magetan"}).status_code == 405


def test_a_single_match_is_chosen_at_once(client: Client) -> None:
    html = client.get(URL, {"q": "magetan"}).content.decode()
    assert '<option value="3520" selected>Kabupaten Magetan — Jawa Timur</option>' in html
    assert '<option value="">Pilih kabupaten/kota</option>' in html


def test_the_current_choice_stays_chosen_when_the_matches_do_not_include_it(
    client: Client,
) -> None:
    query = {"q": "jawa timur", "field": "domicile_regency", "domicile_regency": "1104"}
    html = client.get(URL, query).content.decode()
    assert '<option value="1104" selected>Kabupaten Aceh Tengah — Aceh</option>' in html
    assert '<option value="3520">Kabupaten Magetan — Jawa Timur</option>' in html
    among = client.get(URL, {**query, "domicile_regency": "3520"}).content.decode()
    assert '<option value="3520" selected>Kabupaten Magetan — Jawa Timur</option>' in among
    assert among.count(" selected>") == 1


def test_an_unknown_current_choice_or_field_name_is_ignored(client: Client) -> None:
    for query in (
        {"q": "jawa timur", "field": "domicile_regency", "domicile_regency": "9999"},
        {"q": "jawa timur", "field": "<b>", "<b>": "1104"},
    ):
        html = client.get(URL, query).content.decode()
        assert '<option value="3520">Kabupaten Magetan — Jawa Timur</option>' in html
        assert " selected>" not in html


def test_the_status_line_tells_how_many_matched(client: Client) -> None:
    def status(query: str) -> str:
        html = client.get(URL, {"q": query}, headers={"HX-Target": "id_domicile_regency"})
        text = html.content.decode()
        assert '<p id="id_domicile_regency_status" hx-swap-oob="innerHTML">' in text
        return text.split('hx-swap-oob="innerHTML">')[1].split("</p>")[0]

    assert status("magetan") == "Satu yang cocok: Kabupaten Magetan, sudah dipilih."
    assert status("aceh teng") == "2 yang cocok; pilih dari daftar."
    assert status("kota") == "20 yang pertama cocok; ketik lebih banyak untuk mempersempit daftar."
    assert status("atlantis").startswith("Tidak ada kabupaten/kota yang cocok dengan “atlantis”.")


def test_the_status_line_needs_a_plain_target_id(client: Client) -> None:
    html = client.get(URL, {"q": "magetan"}, headers={"HX-Target": 'x" onload="y'})
    assert "hx-swap-oob" not in html.content.decode()
