"""Hostile allocation files end to end: formulas in exported cells, decompression bombs,
damaged workbooks, and large uploads that must not be parsed in a web request."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import load_workbook

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.rules.formations import EXPORT_COLUMNS
from seleksi.selections.models import Formation, Selection
from seleksi.selections.tables import write_csv, write_xlsx
from seleksi.selections.tasks import IMPORT_FOLDER
from tests.factories import PASSWORD, formation_rows, import_rows, make_agency, make_selection
from tests.factories import make_staff as make_staff_member
from tests.selections.test_tables import (
    BROKEN_PARTS,
    DAMAGED,
    excel_like_workbook,
    rewritten,
    with_padded_sheet,
)

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
HOSTILE = ["H-0001", "CPNS", "umum", HYPERLINK, "+S-1 Hukum; @S-2", "-Dinas", "1", "teknis"]


@pytest.fixture
def selection() -> Selection:
    selection = make_selection(make_agency("aceh"), "aceh-2026")
    import_rows(selection, [HOSTILE, *formation_rows(2, "A")])
    make_staff_member("admin.aceh", selection.agency, Role.ADMIN)
    return selection


def signed_in(language: str = "en") -> Client:
    client = Client()
    assert client.login(username="admin.aceh", password=PASSWORD)
    client.cookies["django_language"] = language
    return client


def allocation(selection: Selection) -> list[tuple[str, str, str, int | None]]:
    return list(
        Formation.objects.filter(selection=selection)
        .order_by("code")
        .values_list("code", "position", "placement_unit", "quota")
    )


def hostile_row_of_workbook(content: bytes) -> list[tuple[object, str]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "H-0001")
    return [(cell.value, cell.data_type) for cell in row[:7]]


# Formula injection -----------------------------------------------------------------------


def test_the_public_xlsx_holds_the_hostile_name_as_a_text_cell(selection: Selection) -> None:
    response = Client().get("/seleksi/aceh-2026/formasi.xlsx")
    assert response.status_code == 200
    assert hostile_row_of_workbook(response.content) == [
        ("H-0001", "s"),
        ("CPNS", "s"),
        ("umum", "s"),
        ("'" + HYPERLINK, "s"),
        ("'+S-1 Hukum; @S-2", "s"),
        ("'-Dinas", "s"),
        (1, "n"),
    ]


def test_the_public_csv_neutralises_every_cell_that_would_run(selection: Selection) -> None:
    response = Client().get("/seleksi/aceh-2026/formasi.csv")
    line = next(x for x in response.content.decode().splitlines() if x.startswith("H-0001"))
    assert line == (
        'H-0001,CPNS,umum,"\'=HYPERLINK(""http://x"",""y"")",\'+S-1 Hukum; @S-2,\'-Dinas,1,teknis,'
    )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_console_export_opens_as_text_and_imports_back_exactly(
    selection: Selection, file_format: str
) -> None:
    client = signed_in()
    url = f"/kelola/selections/selection/{selection.pk}/formasi/ekspor.{file_format}"
    exported = client.get(url).content
    if file_format == "xlsx":
        assert hostile_row_of_workbook(exported)[3] == ("'" + HYPERLINK, "s")
    else:
        assert b"\n'=" not in exported and b",=" not in exported and b",'-Dinas," in exported
    before = allocation(selection)
    Formation.objects.filter(selection=selection).delete()
    upload = SimpleUploadedFile(f"formasi.{file_format}", exported)
    response = client.post(
        f"/kelola/selections/selection/{selection.pk}/formasi/impor/", {"file": upload}
    )
    assert response.status_code == 302
    assert allocation(selection) == before
    assert Formation.objects.get(code="H-0001").qualifications_text == "+S-1 Hukum; @S-2"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_command_round_trips_hostile_cells(
    selection: Selection, file_format: str, tmp_path: Path
) -> None:
    target = tmp_path / f"formasi.{file_format}"
    call_command(
        "export_formations",
        "--selection",
        selection.code,
        "--format",
        file_format,
        "-o",
        str(target),
    )
    if file_format == "xlsx":
        assert hostile_row_of_workbook(target.read_bytes())[3] == ("'" + HYPERLINK, "s")
    else:
        assert "'=HYPERLINK" in target.read_text(encoding="utf-8")
    before = allocation(selection)
    Formation.objects.filter(selection=selection).delete()
    call_command(
        "import_formations", "--selection", selection.code, str(target), stdout=io.StringIO()
    )
    assert allocation(selection) == before


# Unreadable workbooks --------------------------------------------------------------------


def good_workbook() -> bytes:
    return excel_like_workbook([list(EXPORT_COLUMNS), *formation_rows(4, "B")])


UNREADABLE: dict[str, Callable[[], bytes]] = {
    **{
        damage: (lambda damage=damage: rewritten(good_workbook(), BROKEN_PARTS[damage]))
        for damage in BROKEN_PARTS
    },
    "decompression bomb": lambda: with_padded_sheet(write_xlsx(formation_rows(2, "B")), 300),
}
BOMB = (
    "The workbook unpacks to more than 100 MB, far more than any allocation needs. Keep only "
    "the allocation sheet, without images, or save it as CSV UTF-8."
)


@pytest.mark.parametrize("kind", UNREADABLE)
def test_the_command_refuses_an_unreadable_workbook_with_one_message(
    selection: Selection, kind: str, tmp_path: Path
) -> None:
    path = tmp_path / "formasi.xlsx"
    path.write_bytes(UNREADABLE[kind]())
    before, events = allocation(selection), AuditEvent.objects.count()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_formations",
            "--selection",
            selection.code,
            str(path),
            "--language=en",
            stdout=io.StringIO(),
            stderr=(stderr := io.StringIO()),
        )
    assert str(raised.value) == "formasi.xlsx: " + (
        BOMB if kind == "decompression bomb" else DAMAGED
    )
    assert stderr.getvalue() == ""
    assert allocation(selection) == before and AuditEvent.objects.count() == events


@pytest.mark.parametrize("kind", UNREADABLE)
def test_the_console_refuses_an_unreadable_workbook_next_to_the_field(
    selection: Selection, kind: str
) -> None:
    before, events = allocation(selection), AuditEvent.objects.count()
    upload = SimpleUploadedFile("formasi.xlsx", UNREADABLE[kind]())
    response = signed_in().post(
        f"/kelola/selections/selection/{selection.pk}/formasi/impor/", {"file": upload}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert errors == [BOMB if kind == "decompression bomb" else DAMAGED]
    assert allocation(selection) == before and AuditEvent.objects.count() == events


# Large uploads go to the task worker -----------------------------------------------------


@pytest.fixture
def small_background_threshold(settings: Any) -> None:
    settings.SELEKSI_IMPORT_BACKGROUND_FROM_KB = 1


def stored_imports() -> list[str]:
    if not default_storage.exists(IMPORT_FOLDER):
        return []
    return default_storage.listdir(IMPORT_FOLDER)[1]


def test_a_large_upload_is_imported_by_the_worker_not_the_request(
    selection: Selection,
    small_background_threshold: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    rows = formation_rows(40, "B")
    client = signed_in()
    url = f"/kelola/selections/selection/{selection.pk}/formasi/impor/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"file": SimpleUploadedFile("besar.csv", write_csv(rows))})
    assert response.status_code == 302 and response["Location"] == url
    assert Formation.objects.filter(selection=selection, code__startswith="B-").count() == 0
    requested = AuditEvent.objects.get(action="formations.import_requested")
    assert requested.actor is not None and requested.details["source"] == "console:besar.csv"
    assert len(stored_imports()) == 1
    assert "waiting for the task worker" in client.get(url).content.decode()

    for callback in callbacks:
        callback()

    assert Formation.objects.filter(selection=selection).count() == 40
    imported = AuditEvent.objects.get(
        action="formations.imported", details__source="console:besar.csv"
    )
    assert imported.actor == requested.actor and imported.details["created"] == 40
    assert stored_imports() == []
    page = client.get(url).content.decode()
    assert "Last import: console:besar.csv" in page and "40 added" in page


def test_a_large_bad_upload_is_not_parsed_in_the_request_and_its_errors_are_shown_later(
    selection: Selection,
    small_background_threshold: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    rows = formation_rows(40, "B")
    rows[5][6] = "banyak"
    before = allocation(selection)
    client = signed_in()
    url = f"/kelola/selections/selection/{selection.pk}/formasi/impor/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("besar.csv", write_csv(rows))})
    assert response.status_code == 302  # the request did not read the rows
    assert allocation(selection) == before
    failed = AuditEvent.objects.get(action="formations.import_failed")
    assert failed.details["issues"] == [
        {"row": 7, "column": "kuota", "code": "not_whole_number", "value": "banyak", "limit": ""}
    ]
    assert stored_imports() == []
    page = client.get(url).content.decode()
    assert "The task worker did not import console:besar.csv" in page
    assert "“banyak” is not a whole number; write the quota as 1, 2, 3…" in page


def test_a_large_unreadable_workbook_fails_in_the_worker_with_its_message(
    selection: Selection,
    small_background_threshold: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    damaged = rewritten(good_workbook(), BROKEN_PARTS["sheet XML cut short"])
    client = signed_in()
    url = f"/kelola/selections/selection/{selection.pk}/formasi/impor/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("rusak.xlsx", damaged)})
    assert response.status_code == 302
    failed = AuditEvent.objects.get(action="formations.import_failed")
    assert failed.details["file_error"] == {"code": "damaged_workbook", "values": {}}
    assert DAMAGED in client.get(url).content.decode()


def test_a_bomb_is_refused_before_it_is_handed_to_the_worker(
    selection: Selection, small_background_threshold: None
) -> None:
    upload = SimpleUploadedFile("formasi.xlsx", UNREADABLE["decompression bomb"]())
    response = signed_in().post(
        f"/kelola/selections/selection/{selection.pk}/formasi/impor/", {"file": upload}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="formations.import_requested").exists()
    assert stored_imports() == []


def test_a_large_file_of_another_type_is_refused_before_it_is_handed_to_the_worker(
    selection: Selection, small_background_threshold: None
) -> None:
    upload = SimpleUploadedFile("formasi.pdf", b"%PDF-1.4\n" + b"x" * 4096)
    response = signed_in().post(
        f"/kelola/selections/selection/{selection.pk}/formasi/impor/", {"file": upload}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["Only .csv and .xlsx files can be imported."]
    assert not AuditEvent.objects.filter(action="formations.import_requested").exists()
