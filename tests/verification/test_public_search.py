"""The public administrative result: linked from the selection once published, searchable by
registration number without telling a TMS number apart from one that does not exist, and
paged by formation and by number."""

import pytest
from django.test import Client

from seleksi.applications.models import Application
from seleksi.public import views
from seleksi.verification import services
from tests.verification.conftest import Scene

ACEH = "aceh-tengah-casn-2021"
RESULTS = f"/seleksi/{ACEH}/hasil-administrasi/"


def publish(scene: Scene, *, tms: int = 0) -> None:
    """Decide every application (the one at index `tms` TMS on its diploma) and publish."""
    for index, candidate in enumerate(scene.applications):
        services.application_claim(application=candidate, verifier=scene.verifier)
        services.application_decide(
            application=candidate,
            verifier=scene.verifier,
            marks=[
                services.MarkInput(
                    item=code,
                    mark="TMS" if index == tms and code == "ijazah" else "MS",
                    reason_code="ijazah-tidak-sesuai" if index == tms and code == "ijazah" else "",
                )
                for code, _label in services.checklist(candidate)
            ],
        )
    services.result_publish(selection=scene.selection, actor=scene.committee)


def answer(html: str) -> str:
    return html.split('id="search-answer"')[1].split("</div>")[0]


def test_the_selection_page_links_the_result_only_once_it_is_published(scene: Scene) -> None:
    before = Client().get(f"/seleksi/{ACEH}/").content.decode()
    announcements = before.split('id="pengumuman"')[1].split("</ul>")[0]
    assert 'id="link-results"' not in announcements
    assert 'Hasil seleksi administrasi: <span class="muted">belum diumumkan' in announcements
    assert 'id="link-formations"' in announcements
    assert RESULTS not in Client().get("/").content.decode()

    publish(scene)

    after = Client().get(f"/seleksi/{ACEH}/").content.decode()
    assert f'href="{RESULTS}" id="link-results"' in after
    assert RESULTS in Client().get("/").content.decode()


def test_a_search_finds_an_ms_number_with_its_formation(scene: Scene) -> None:
    publish(scene)
    listed = scene.applications[1]
    html = Client().get(RESULTS, {"nomor": f" {listed.number} "}).content.decode()
    found = answer(html)
    assert f"Nomor {listed.number} tercantum: MS, formasi {listed.formation.code}" in found
    assert listed.applicant.full_name not in html


def test_a_search_for_a_tms_number_reads_exactly_like_one_for_an_unknown_number(
    scene: Scene,
) -> None:
    publish(scene, tms=0)
    tms_number = scene.applications[0].number
    unknown = "0" + tms_number[1:-1] + "9"
    assert not Application.objects.filter(number=unknown).exists()
    for_tms = answer(Client().get(RESULTS, {"nomor": tms_number}).content.decode())
    for_unknown = answer(Client().get(RESULTS, {"nomor": unknown}).content.decode())
    assert f"Nomor {tms_number} tidak tercantum sebagai MS." in for_tms
    assert for_tms.replace(tms_number, "N") == for_unknown.replace(unknown, "N")
    page = Client().get(RESULTS).content.decode()
    assert tms_number not in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ('<script>alert("x")</script>', "hanya berisi huruf, angka"),
        ("A" * 33, "paling banyak 32 karakter"),
        ("   ", "Ketik nomor pendaftaran"),
        ("0010000001' OR '1'='1", "hanya berisi huruf, angka"),
    ],
)
def test_a_malformed_number_is_refused_with_a_message_and_never_echoed_raw(
    scene: Scene, typed: str, message: str
) -> None:
    publish(scene)
    response = Client().get(RESULTS, {"nomor": typed})
    assert response.status_code == 200
    html = response.content.decode()
    error = html.split('id="nomor-error"')[1].split("</div>")[0]
    assert message in error
    assert "<script>alert" not in html
    assert "tercantum" not in answer(html)


def test_the_result_is_paged_by_formation_and_by_number(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PUBLIC_RESULT_FORMATIONS_PER_PAGE", 2)
    monkeypatch.setattr(views, "PUBLIC_NUMBERS_PER_PAGE", 2)
    crowded = scene.applications[1].formation
    Application.objects.filter(pk__in=[a.pk for a in scene.applications[2:5]]).update(
        formation=crowded
    )
    publish(scene, tms=0)
    client = Client()

    first = client.get(RESULTS)
    rows = first.context["rows"]
    assert len(rows) == 2 and first.context["page"].paginator.num_pages == 2
    assert first.context["totals"] == {"formations": 4, "ms": 6, "tms": 1}
    crowded_row = next(row for row in rows if row["formation__code"] == crowded.code)
    assert crowded_row["ms"] == 4 and len(crowded_row["numbers"]) == 2 and crowded_row["more"]
    assert f"?formasi={crowded.code}" in first.content.decode()

    numbers = sorted(a.number for a in scene.applications[1:5])
    one = client.get(RESULTS, {"formasi": crowded.code})
    assert list(one.context["page"].object_list) == numbers[:2]
    two = client.get(RESULTS, {"formasi": crowded.code, "page": 2})
    assert list(two.context["page"].object_list) == numbers[2:]
    assert "MS: <strong>4</strong>" in two.content.decode()


def test_an_unknown_formation_or_selection_is_not_found(scene: Scene) -> None:
    publish(scene)
    assert Client().get(RESULTS, {"formasi": "TIDAK-ADA"}).status_code == 404
    scene.selection.is_published = False
    scene.selection.save(update_fields=["is_published"])
    assert Client().get(RESULTS).status_code == 404
    assert Client().get(f"/seleksi/{ACEH}/").status_code == 404


def test_before_publication_the_page_says_so_and_offers_no_search(scene: Scene) -> None:
    html = Client().get(RESULTS, {"nomor": scene.applications[1].number}).content.decode()
    assert 'id="results-none"' in html
    assert 'id="number-search"' not in html and 'id="search-answer"' not in html
    assert "tercantum" not in html


def test_the_numbers_of_a_page_of_formations_come_in_one_query(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    publish(scene, tms=0)
    client = Client()
    counts = []
    for per_page in (1, 4):
        monkeypatch.setattr(views, "PUBLIC_RESULT_FORMATIONS_PER_PAGE", per_page)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(RESULTS)
        assert len(page.context["rows"]) == per_page
        assert all(len(row["numbers"]) == row["ms"] for row in page.context["rows"])
        counts.append(len(queries))
    assert counts[0] == counts[1]
