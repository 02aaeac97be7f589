"""The public pages of result announcements: the list, one announcement with its filter,
search and pages by order range, its cache, the PDF and the downloads; drafts and other
selections' announcements are not found."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from seleksi.accounts.models import User
from seleksi.announcements import public
from seleksi.announcements.models import Announcement
from seleksi.public import announcement_files, announcement_views
from tests.factories import formation_rows, import_rows, make_agency, make_selection, make_user
from tests.public.announcement_scene import Line, make_announcement, skd_lines

HOSTILE_NAME = "=HYPERLINK(Jahat)"


@dataclass
class Scene:
    selection: Any
    other: Any
    announcement: Announcement
    actor: User


@pytest.fixture(autouse=True)
def _private_storage(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.SELEKSI_ANNOUNCEMENT_CACHE_SECONDS = 600


@pytest.fixture
def scene(db: None) -> Scene:
    """F-0001 has 230 ranked rows (three pages of 100), F-0002 five, F-0003 two (one absent,
    one with a name that would be a formula)."""
    agency = make_agency(
        name="Pemerintah Kabupaten Contoh",
        unit_name="Badan Kepegawaian Daerah",
        address="Jalan Merdeka 1, Contoh",
    )
    selection = make_selection(agency, "contoh-2026", title="Seleksi CASN Contoh 2026")
    import_rows(selection, formation_rows(3))
    other = make_selection(agency, "lain-2026", title="Seleksi Lain")
    import_rows(other, formation_rows(1, prefix="L"))
    actor = make_user("panitia")
    lines = skd_lines("F-0001", 230, "A") + skd_lines("F-0002", 5, "B")
    lines += [
        Line("F-0003", "C00001", HOSTILE_NAME, code="P/L", rank=1, figures=["+1", "-2", "@3", "6"]),
        Line("F-0003", "C00002", "Budi Santoso", code="TH", note="tidak hadir"),
    ]
    announcement = make_announcement(selection, lines, actor=actor)
    return Scene(selection, other, announcement, actor)


def english() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def detail_url(scene: Scene, announcement: Announcement | None = None) -> str:
    announcement = announcement or scene.announcement
    return reverse("public:announcement", args=[scene.selection.code, announcement.pk])


def table_of(content: bytes) -> str:
    html = content.decode()
    return html[html.index('<div id="announcement-table">') : html.index("</main>")]


def row_numbers(html: str) -> list[str]:
    import re

    return re.findall(r'<td class="mono">([^<]+)</td>', html)


def test_the_list_names_each_published_announcement_in_order(scene: Scene) -> None:
    later = make_announcement(
        scene.selection,
        [Line("F-0002", "B00001", "Peserta Nomor 1", code="L", rank=1)],
        actor=scene.actor,
        number="800/002/BKPSDM/2026",
        title="Hasil Akhir",
        kind="akhir",
        columns=[],
    )
    make_announcement(
        scene.selection,
        [Line("F-0002", "B00002", "Peserta Nomor 2", code="L", rank=1)],
        actor=scene.actor,
        number="800/DRAFT/2026",
        title="Masih draf",
        published=False,
    )

    response = english().get(reverse("public:announcements", args=[scene.selection.code]))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("800/001/BKPSDM/2026") < html.index("800/002/BKPSDM/2026")
    assert "Basic competence test (SKD) result" in html
    assert "Final result" in html
    assert "237" in html
    assert "Masih draf" not in html
    assert detail_url(scene, later) in html


def test_the_page_shows_header_counts_legend_and_the_first_hundred_rows(scene: Scene) -> None:
    response = english().get(detail_url(scene))

    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Hasil Seleksi Kompetensi Dasar",
        "800/001/BKPSDM/2026",
        "1 April 2026",
        "<p>Berdasarkan hasil seleksi,</p>",
        "Kepala BKPSDM",
        "197001011990031001",
        "Seleksi CASN Contoh 2026",
        "passed the SKD pass marks and ranked within the cut",
        "absent from the test (tidak hadir)",
        "SKD score",
        "TWK",
        "Pe****",
    ):
        assert text in html, text
    assert "Peserta Nomor" not in html
    numbers = row_numbers(html)
    assert numbers[0] == "A00001"
    assert numbers[-1] == "A00100"
    assert len(numbers) == 100
    assert "Page 1 of 3" in html
    assert response["Cache-Control"] == "public, max-age=300"


def test_pages_of_the_whole_table_span_formations_and_stop_at_the_last(scene: Scene) -> None:
    client = english()

    third = client.get(detail_url(scene), {"page": "3"}).content.decode()
    beyond = client.get(detail_url(scene), {"page": "99"}).content.decode()
    nonsense = client.get(detail_url(scene), {"page": "-1x"}).content.decode()

    numbers = row_numbers(third)
    assert numbers[0] == "A00201"
    assert numbers[29] == "A00230"
    assert numbers[30:35] == ["B00001", "B00002", "B00003", "B00004", "B00005"]
    assert numbers[-2:] == ["C00001", "C00002"]
    assert len(numbers) == 37
    assert 'colspan="10">F-0002' in third
    assert "Page 3 of 3" in third
    assert row_numbers(beyond) == numbers
    assert row_numbers(nonsense)[0] == "A00001"


def test_a_formation_is_paged_by_its_own_order_range(scene: Scene) -> None:
    client = english()

    second = client.get(detail_url(scene), {"formasi": "F-0001", "page": "2"}).content.decode()
    last = client.get(detail_url(scene), {"formasi": "F-0001", "page": "3"}).content.decode()
    small = client.get(detail_url(scene), {"formasi": "F-0002"}).content.decode()

    assert row_numbers(second)[0] == "A00101"
    assert row_numbers(second)[-1] == "A00200"
    assert "Page 2 of 3" in second
    assert "formasi=F-0001&amp;page=3" in second
    assert row_numbers(last) == [f"A{n:05d}" for n in range(201, 231)]
    assert row_numbers(small) == [f"B{n:05d}" for n in range(1, 6)]
    assert "Page 1 of" not in small
    assert 'value="F-0002" selected' in small


def test_an_unknown_formation_is_refused_with_a_message_and_the_whole_table(scene: Scene) -> None:
    response = english().get(detail_url(scene), {"formasi": "<script>"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a formation from the list; the whole table is shown." in html
    assert "<script>" not in html.split('id="announcement-table"')[1]
    assert row_numbers(html)[0] == "A00001"


def test_a_number_search_marks_the_row_on_its_formation_page(scene: Scene) -> None:
    response = english().get(detail_url(scene), {"nomor": " A00150 "})

    html = response.content.decode()
    assert "Number A00150 is listed in formation F-0001 with code P" in html
    assert row_numbers(html)[0] == "A00101"
    assert 'class="found" id="found-row"' in html
    assert html.index('id="found-row"') < html.index("A00150</td>")


def test_a_number_not_listed_says_so(scene: Scene) -> None:
    html = english().get(detail_url(scene), {"nomor": "Z99999"}).content.decode()

    assert "Number Z99999 is not in this announcement." in html
    assert 'id="found-row"' not in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("A' OR 1=1--", "A registration number has only letters, digits"),
        ("A" * 40, "A registration number has at most 32 characters."),
        ("", "Type a registration number."),
    ],
)
def test_a_malformed_number_is_refused_with_a_translated_message(
    scene: Scene, typed: str, message: str
) -> None:
    response = english().get(detail_url(scene), {"nomor": typed})

    assert response.status_code == 200
    assert message in response.content.decode()


def test_indonesian_is_the_default_language(scene: Scene) -> None:
    html = Client().get(detail_url(scene), {"nomor": "Z99999"}).content.decode()

    assert 'lang="id"' in html


def test_a_draft_is_not_found(scene: Scene) -> None:
    draft = make_announcement(
        scene.selection,
        [Line("F-0002", "B00001", "Peserta Nomor 1", code="L", rank=1)],
        actor=scene.actor,
        number="800/DRAFT/2026",
        published=False,
    )
    client = Client()
    code = scene.selection.code

    for name, extra in (
        ("public:announcement", []),
        ("public:announcement_pdf", []),
        ("public:announcement_download", ["csv"]),
        ("public:announcement_download", ["xlsx"]),
    ):
        assert client.get(reverse(name, args=[code, draft.pk, *extra])).status_code == 404


def test_another_selections_code_does_not_open_the_announcement(scene: Scene) -> None:
    client = Client()
    pk = scene.announcement.pk

    assert client.get(reverse("public:announcement", args=["lain-2026", pk])).status_code == 404
    assert client.get(reverse("public:announcement", args=["tidak-ada", pk])).status_code == 404
    assert (
        client.get(
            reverse("public:announcement_download", args=["lain-2026", pk, "csv"])
        ).status_code
        == 404
    )
    assert client.get(reverse("public:announcements", args=["tidak-ada"])).status_code == 404


def test_an_unpublished_selection_hides_its_announcements(scene: Scene) -> None:
    scene.selection.is_published = False
    scene.selection.save()

    assert Client().get(detail_url(scene)).status_code == 404


def test_a_correction_is_noticed_on_both_announcements(scene: Scene) -> None:
    correction = make_announcement(
        scene.selection,
        [Line("F-0002", "B00001", "Peserta Nomor 1", code="P/L", rank=1)],
        actor=scene.actor,
        number="800/001.A/BKPSDM/2026",
        title="Ralat Hasil SKD",
        corrects=scene.announcement,
        correction_reason="Nilai TKP peserta B00001 salah ketik.",
        dated_on=date(2026, 4, 3),
    )
    client = english()

    old = client.get(detail_url(scene)).content.decode()
    new = client.get(detail_url(scene, correction)).content.decode()
    listed = client.get(
        reverse("public:announcements", args=[scene.selection.code])
    ).content.decode()

    assert "has been corrected by announcement 800/001.A/BKPSDM/2026 of 3 April 2026" in old
    assert detail_url(scene, correction) in old
    assert "This announcement corrects announcement 800/001/BKPSDM/2026 of 1 April 2026." in new
    assert "Nilai TKP peserta B00001 salah ketik." in new
    assert detail_url(scene) in new
    assert "Corrected by 800/001.A/BKPSDM/2026" in listed
    assert "Corrects 800/001/BKPSDM/2026" in listed


def test_a_correction_published_later_shows_on_a_cached_page(scene: Scene) -> None:
    client = english()
    client.get(detail_url(scene))

    make_announcement(
        scene.selection,
        [Line("F-0002", "B00001", "Peserta Nomor 1", code="P/L", rank=1)],
        actor=scene.actor,
        number="800/001.A/BKPSDM/2026",
        corrects=scene.announcement,
    )

    assert "800/001.A/BKPSDM/2026" in client.get(detail_url(scene)).content.decode()


def test_a_cached_table_comes_back_the_same_without_reading_rows(
    scene: Scene, django_assert_num_queries: Any
) -> None:
    client = english()
    parameters = {"formasi": "F-0001", "page": "2"}
    first = client.get(detail_url(scene), parameters)
    with CaptureQueriesContext(connection) as missed:
        client.get(detail_url(scene), {"formasi": "F-0001", "page": "3"})

    with django_assert_num_queries(2) as captured:
        second = client.get(detail_url(scene), parameters)

    assert table_of(second.content) == table_of(first.content)
    read = " ".join(query["sql"].lower() for query in captured.captured_queries)
    assert "announcementrow" not in read
    assert '"formations"' not in read
    assert any("announcementrow" in query["sql"].lower() for query in missed.captured_queries)


def test_with_the_cache_off_every_request_reads_the_rows(scene: Scene, settings: Any) -> None:
    settings.SELEKSI_ANNOUNCEMENT_CACHE_SECONDS = 0
    client = english()
    client.get(detail_url(scene))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(detail_url(scene))

    assert any("announcementrow" in query["sql"].lower() for query in captured.captured_queries)
    assert "max-age=300" not in response["Cache-Control"]


def test_a_signed_in_persons_page_is_private(scene: Scene) -> None:
    client = english()
    client.force_login(make_user("pembaca"))

    response = client.get(detail_url(scene))

    assert response["Cache-Control"] == "private, no-cache"
    assert "pembaca" in response.content.decode() or "My account" in response.content.decode()


def test_the_csv_lists_every_row_with_formula_cells_guarded(scene: Scene) -> None:
    url = reverse(
        "public:announcement_download", args=[scene.selection.code, scene.announcement.pk, "csv"]
    )

    response = Client().get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="pengumuman-contoh-2026-' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    records = list(csv.reader(io.StringIO(text)))
    assert records[0] == [
        "formasi_kode", "formasi", "nomor_peserta", "nama", "twk", "tiu", "tkp", "skd_score",
        "total", "peringkat", "kode", "keterangan",
    ]  # fmt: skip
    assert len(records) == 1 + 237
    hostile = next(record for record in records if record[2] == "C00001")
    assert hostile[3] == "'=H" + "*" * 15
    assert hostile[4:7] == ["'+1", "'-2", "'@3"]
    absent = records[-1]
    assert absent[2] == "C00002"
    assert absent[9:] == ["", "TH", "tidak hadir"]
    assert records[1][:4] == ["F-0001", "Analis 1 · Unit 1", "A00001", "Pe***** No*** 1*"]


def test_the_xlsx_opens_a_formula_looking_name_as_text(scene: Scene) -> None:
    url = reverse(
        "public:announcement_download", args=[scene.selection.code, scene.announcement.pk, "xlsx"]
    )

    response = Client().get(url)

    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows())
    assert len(rows) == 1 + 237
    hostile = next(row for row in rows if row[2].value == "C00001")
    assert hostile[3].data_type == "s"
    assert str(hostile[3].value).startswith("'=")
    assert hostile[4].data_type == "s"
    assert rows[1][9].value == 1
    again = Client().get(url)
    assert b"".join(again.streaming_content) == content  # type: ignore[attr-defined]


def test_the_pdf_names_the_selection_the_agency_and_the_participants(scene: Scene) -> None:
    url = reverse("public:announcement_pdf", args=[scene.selection.code, scene.announcement.pk])

    response = Client().get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    for expected in (
        "Seleksi CASN Contoh 2026",
        "Pemerintah Kabupaten Contoh".upper(),
        "Jalan Merdeka 1, Contoh",
        "800/001/BKPSDM/2026",
        "A00001",
        "A00230",
        "B00005",
        "C00002",
        "Kepala BKPSDM",
        "http://testserver" + detail_url(scene),
    ):
        assert expected in text, expected
    assert "Peserta Nomor" not in text


def test_a_file_being_made_asks_the_next_request_to_come_back(scene: Scene) -> None:
    announcement = public.announcement_published_get(code="contoh-2026", pk=scene.announcement.pk)
    assert announcement is not None
    with translation.override("en"):
        name = announcement_files.stored_name(announcement, "xlsx", "xlsx")
    cache.add(announcement_files.making_key(name), 1, 60)
    url = reverse(
        "public:announcement_download", args=[scene.selection.code, announcement.pk, "xlsx"]
    )

    response = english().get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Try again in a minute" in response.content.decode()
    cache.delete(announcement_files.making_key(name))
    assert Client().get(url).status_code == 200


def test_a_large_pdf_is_made_by_the_task_worker_and_served_once_made(
    scene: Scene, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(announcement_views, "MADE_IN_REQUEST_ROWS", 100)
    url = reverse("public:announcement_pdf", args=[scene.selection.code, scene.announcement.pk])
    client = english()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        asked = client.get(url)
    again = client.get(url)
    for callback in callbacks:
        callback()
    made = client.get(url)

    assert asked.status_code == 503
    assert "Try again in a minute" in asked.content.decode()
    assert len(callbacks) == 1
    assert again.status_code == 503
    assert made.status_code == 200
    content = b"".join(made.streaming_content)  # type: ignore[attr-defined]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "A00230" in text
    assert "http://testserver" + detail_url(scene) in text


def test_the_home_and_the_selection_page_list_the_announcements(
    scene: Scene, django_assert_max_num_queries: Any
) -> None:
    second = make_announcement(
        scene.selection,
        [Line("F-0002", "B00001", "Peserta Nomor 1", code="L", rank=1)],
        actor=scene.actor,
        number="800/002/BKPSDM/2026",
        title="Hasil Akhir",
    )
    make_announcement(
        scene.other,
        [Line("L-0001", "L00001", "Peserta Lain", code="L", rank=1)],
        actor=scene.actor,
        number="800/009/2026",
        title="Hasil Seleksi Lain",
    )
    client = english()

    home = client.get(reverse("selections:home")).content.decode()
    detail = client.get(reverse("selections:detail", args=[scene.selection.code])).content.decode()

    assert home.index("Hasil Seleksi Kompetensi Dasar") < home.index("Hasil Akhir")
    assert "Hasil Seleksi Lain" in home
    assert reverse("public:announcements", args=[scene.selection.code]) in home
    assert detail.index(detail_url(scene)) < detail.index(detail_url(scene, second))
    assert "Hasil Seleksi Lain" not in detail


def test_the_home_reads_announcements_in_one_query_for_all_selections(scene: Scene) -> None:
    client = english()
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("selections:home"))
    for n in range(3):
        selection = make_selection(make_agency(f"lain-{n}"), f"tambahan-{n}")
        import_rows(selection, formation_rows(1, prefix=f"T{n}"))
        make_announcement(
            selection,
            [Line(f"T{n}-0001", f"T{n}0001", "Peserta Tambahan", code="L", rank=1)],
            actor=scene.actor,
            number=f"800/{n}/2026",
        )

    with CaptureQueriesContext(connection) as four:
        client.get(reverse("selections:home"))

    announcement_queries = [
        q for q in four.captured_queries if "announcements_announcement" in q["sql"]
    ]
    assert len(announcement_queries) == 1
    assert len(four.captured_queries) == len(one.captured_queries)
