"""The committee's test site (lokasi) and session (sesi) tables: a good file creates what it
lists with its audit events; a bad one names the row of every problem and saves nothing."""

import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook

from seleksi.audit.models import AuditEvent
from seleksi.exams.imports import ImportOutcome, sessions_import, sites_import
from seleksi.exams.models import Room, SessionRoom, TestSession, TestSite
from seleksi.exams.services import ExamsRefused, RoomDraft, site_save
from seleksi.selections.models import Stage
from seleksi.selections.tables import TableFileError
from tests.exams.scene import TestScene
from tests.factories import make_staff

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
SITE_HEADER = "kode_lokasi,nama_lokasi,alamat,tautan_peta,kode_ruang,nama_ruang,kursi,lantai_dasar"
SESSION_HEADER = (
    "kode_sesi,tahap,tanggal,jam_mulai,durasi_menit,kode_lokasi,kode_ruang,kapasitas,formasi,"
    "akomodasi"
)
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The messages are read in English, whatever the test's default language: they are
    lazy and are put into words when read, not when the import made them."""
    with translation.override("en"):
        yield


def csv(header: str, *rows: str) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def import_sites(scene: TestScene, content: bytes, name: str = "lokasi.csv") -> ImportOutcome:
    with translation.override("en"):
        return sites_import(
            selection=scene.selection, actor=scene.committee, filename=name, content=content
        )


def import_sessions(scene: TestScene, content: bytes, name: str = "sesi.csv") -> ImportOutcome:
    with translation.override("en"):
        return sessions_import(
            selection=scene.selection, actor=scene.committee, filename=name, content=content
        )


def session_count(scene: TestScene) -> int:
    return TestSession.objects.filter(selection=scene.selection).count()


# --- sites ------------------------------------------------------------------------------------


def test_a_sites_file_creates_sites_with_their_rooms_and_audit_events(scene: TestScene) -> None:
    outcome = import_sites(
        scene,
        csv(
            SITE_HEADER,
            "smk-1,SMK 1,Jl. Contoh 2,https://maps.example/smk,lab-a,Lab A,30,ya",
            "smk-1,SMK 1,Jl. Contoh 2,https://maps.example/smk,lab-b,Lab B,25,tidak",
            "aula,Aula Kantor,,,utama,Aula,100,1",
        ),
    )
    assert outcome.ok, outcome.lines
    assert (outcome.saved, outcome.rooms) == (2, 3)
    site = TestSite.objects.get(selection=scene.selection, code="smk-1")
    assert (site.name, site.address, site.map_url) == (
        "SMK 1",
        "Jl. Contoh 2",
        "https://maps.example/smk",
    )
    assert list(site.rooms.values_list("code", "seats", "ground_floor")) == [
        ("lab-a", 30, True),
        ("lab-b", 25, False),
    ]
    assert AuditEvent.objects.filter(action="exams.site_created").count() == 2
    event = AuditEvent.objects.get(action="exams.sites_imported")
    assert event.details["source"] == "lokasi.csv"


def test_a_sites_file_updates_a_stored_site_by_its_code(scene: TestScene) -> None:
    outcome = import_sites(scene, csv(SITE_HEADER, "gor,GOR Baru,,,r1,Ruang Satu,60,yes"))
    assert outcome.ok, outcome.lines
    scene.site.refresh_from_db()
    assert scene.site.name == "GOR Baru"
    assert Room.objects.get(site=scene.site, code="r1").seats == 60
    assert Room.objects.filter(site=scene.site).count() == 2


def test_site_rows_that_disagree_are_named_and_nothing_is_saved(scene: TestScene) -> None:
    outcome = import_sites(
        scene,
        csv(
            SITE_HEADER,
            "smk-1,SMK 1,,,lab-a,Lab A,30,ya",
            "aula,Aula,,,utama,Aula,100,tidak",
            "smk-1,SMK Satu,,,lab-b,Lab B,25,tidak",
        ),
    )
    assert outcome.lines == [
        "Row 4: “nama_lokasi” is “SMK Satu” here but “SMK 1” on row 2, the first row of smk-1; "
        "write the same value on every row of smk-1."
    ]
    assert not TestSite.objects.filter(code__in=["smk-1", "aula"]).exists()


def test_bad_cells_of_a_sites_file_are_each_named_with_their_row(scene: TestScene) -> None:
    outcome = import_sites(
        scene,
        csv(
            SITE_HEADER,
            "smk 1,SMK 1,,ftp://x,lab-a,Lab A,tiga puluh,mungkin",
            "aula,Aula,,,utama,Aula,0,tidak",
            "aula,Aula,,,utama,Aula lagi,10,tidak",
        ),
    )
    lines = outcome.lines
    assert lines[0].startswith("Row 2: “smk 1” in “kode_lokasi” is not a valid code")
    assert any(
        line.startswith("Row 2: “ftp://x” in “tautan_peta” is not a web address") for line in lines
    )
    assert "Row 2: “tiga puluh” in “kursi” is not a whole number; write it as 1, 2, 3…" in lines
    assert "Row 2: “mungkin” in “lantai_dasar” is not ya or tidak; write ya or tidak." in lines
    assert "Row 3: “kursi” is 0; it must be at least 1." in lines
    assert "Row 4: Room utama of aula is already on row 3; list each room once." in lines
    assert TestSite.objects.filter(selection=scene.selection).count() == 1


def test_seats_below_a_stored_sessions_capacity_are_refused_with_the_row(
    scene: TestScene,
) -> None:
    """sesi-1 offers 2 seats in r1: the room cannot go down to 1."""
    outcome = import_sites(
        scene,
        csv(SITE_HEADER, "gor,GOR Kota,,,r2,Ruang 2,80,ya", "gor,GOR Kota,,,r1,Ruang 1,1,tidak"),
    )
    assert outcome.lines == [
        "Row 3: Room r1 cannot have 1 seats: session sesi-1 offers 2 seats in it. Keep at "
        "least 2 seats."
    ]
    assert list(scene.site.rooms.order_by("code").values_list("seats", flat=True)) == [50, 50]


def test_site_save_itself_refuses_fewer_seats_than_a_session_offers(scene: TestScene) -> None:
    with pytest.raises(ExamsRefused) as refused:
        site_save(
            selection=scene.selection,
            actor=scene.committee,
            code="gor",
            name="GOR Kota",
            rooms=[RoomDraft("r2", "Ruang 2", 2)],
        )
    assert refused.value.code == "seats_below_capacity"
    assert Room.objects.get(site=scene.site, code="r2").seats == 50


def test_a_missing_column_is_named_on_the_header_row(scene: TestScene) -> None:
    outcome = import_sites(scene, csv("kode_lokasi,nama_lokasi,kode_ruang,nama_ruang", "x,X,r,R"))
    assert outcome.lines == [
        "Row 1: The header has no column named “kursi”; add it (see the example file)."
    ]


def test_a_malformed_csv_is_refused_as_a_file(scene: TestScene) -> None:
    with pytest.raises(TableFileError) as refused, translation.override("en"):
        sites_import(
            selection=scene.selection,
            actor=scene.committee,
            filename="lokasi.csv",
            content=csv(SITE_HEADER, 'smk-1,"SMK 1,,,lab-a,Lab A,30,ya'),
        )
    assert refused.value.code == "malformed_csv"
    assert not TestSite.objects.filter(code="smk-1").exists()


def test_a_verifier_cannot_import(scene: TestScene) -> None:
    from seleksi.agencies.models import Role

    verifier = make_staff("verifikator-uji", scene.selection.agency, Role.VERIFIER)
    with pytest.raises(ExamsRefused):
        sites_import(
            selection=scene.selection,
            actor=verifier,
            filename="lokasi.csv",
            content=csv(SITE_HEADER, "smk-1,SMK 1,,,lab-a,Lab A,30,ya"),
        )
    assert not TestSite.objects.filter(code="smk-1").exists()


# --- sessions ---------------------------------------------------------------------------------


def test_a_sessions_file_creates_sessions_with_rooms_capacities_and_audit_events(
    scene: TestScene,
) -> None:
    outcome = import_sessions(
        scene,
        csv(
            SESSION_HEADER,
            "skd-a,SKD,2031-05-04,07:30,100,gor,r1,40,F-0001; F-0002,tidak",
            "skd-a,skd,04/05/2031,07.30,100,gor,r2,30,F-0002;F-0001,tidak",
            "skd-b,skd,04-05-2031,10:30,90,gor,r1,10,,ya",
        ),
    )
    assert outcome.ok, outcome.lines
    assert (outcome.saved, outcome.rooms) == (2, 3)
    first = TestSession.objects.get(selection=scene.selection, code="skd-a")
    assert first.stage == "skd"
    assert first.starts_at == datetime(2031, 5, 4, 7, 30, tzinfo=WIB)
    assert first.duration_minutes == 100
    assert list(first.rooms.values_list("room__code", "capacity", "taken")) == [
        ("r1", 40, 0),
        ("r2", 30, 0),
    ]
    assert sorted(first.formations.values_list("code", flat=True)) == ["F-0001", "F-0002"]
    second = TestSession.objects.get(selection=scene.selection, code="skd-b")
    assert second.accommodation_only
    assert not second.formations.exists()
    assert AuditEvent.objects.filter(action="exams.session_created").count() == 2
    assert AuditEvent.objects.get(action="exams.sessions_imported").details["sessions"] == 2


def test_the_start_time_is_read_in_the_agencys_time_zone(scene: TestScene) -> None:
    agency = scene.selection.agency
    agency.time_zone = "Asia/Jayapura"
    agency.save()
    outcome = import_sessions(scene, csv(SESSION_HEADER, "wit,skd,2031-05-04,08:00,60,gor,r1,5,,"))
    assert outcome.ok, outcome.lines
    session = TestSession.objects.get(code="wit")
    assert session.starts_at == datetime(2031, 5, 3, 23, 0, tzinfo=ZoneInfo("UTC"))


def test_an_unknown_site_names_the_row_and_saves_nothing(scene: TestScene) -> None:
    outcome = import_sessions(
        scene,
        csv(
            SESSION_HEADER,
            "ok,skd,2031-05-04,07:30,100,gor,r1,40,,",
            "salah,skd,2031-05-04,07:30,100,gedung-x,r1,40,,",
        ),
    )
    assert outcome.lines == [
        "Row 3: There is no test site gedung-x in this selection; add the site first (by hand "
        "or with the sites file) or correct the code."
    ]
    assert session_count(scene) == 2


def test_overlapping_sessions_in_one_room_name_the_row_of_that_room(scene: TestScene) -> None:
    outcome = import_sessions(
        scene,
        csv(
            SESSION_HEADER,
            "pagi,skd,2031-05-04,07:30,100,gor,r2,40,,",
            "siang,skd,2031-05-04,09:00,100,gor,r1,40,,",
            "siang,skd,2031-05-04,09:00,100,gor,r2,40,,",
        ),
    )
    assert outcome.lines == [
        "Row 4: Room r2 is already used at that time by session pagi; choose another time or "
        "another room."
    ]
    assert session_count(scene) == 2


def test_a_session_over_a_stored_one_in_its_room_is_refused(scene: TestScene) -> None:
    stored = scene.sessions[0]
    local = timezone.localtime(stored.starts_at, WIB) + timedelta(minutes=30)
    outcome = import_sessions(
        scene,
        csv(
            SESSION_HEADER,
            f"tabrakan,skd,{local:%Y-%m-%d},{local:%H:%M},60,gor,r1,10,,",
        ),
    )
    assert outcome.lines == [
        "Row 2: Room r1 is already used at that time by session sesi-1; choose another time or "
        "another room."
    ]
    assert session_count(scene) == 2


def test_a_capacity_above_the_rooms_seats_names_the_row(scene: TestScene) -> None:
    outcome = import_sessions(
        scene,
        csv(
            SESSION_HEADER,
            "besar,skd,2031-05-04,07:30,100,gor,r1,50,,",
            "besar,skd,2031-05-04,07:30,100,gor,r2,51,,",
        ),
    )
    assert outcome.lines == [
        "Row 3: The capacity 51 in room r2 is above the room's 50 seats; lower the capacity or "
        "give the room more seats."
    ]
    assert session_count(scene) == 2
    assert not SessionRoom.objects.filter(session__code="besar").exists()


def test_a_date_outside_the_stages_schedule_names_the_row(scene: TestScene) -> None:
    Stage.objects.create(
        selection=scene.selection,
        order=5,
        kind=Stage.Kind.SKD,
        name="SKD",
        starts_on=date(2031, 5, 1),
        ends_on=date(2031, 5, 10),
    )
    outcome = import_sessions(
        scene,
        csv(
            SESSION_HEADER,
            "dalam,skd,2031-05-10,07:30,100,gor,r1,40,,",
            "luar,skd,2031-05-11,07:30,100,gor,r1,40,,",
        ),
    )
    assert outcome.lines == [
        "Row 3: 11 May 2031 is outside this stage's dates in the schedule (1 May 2031 to "
        "10 May 2031); choose a day within them or correct the schedule first."
    ]
    assert session_count(scene) == 2


def test_session_rows_that_disagree_are_named_with_the_first_row(scene: TestScene) -> None:
    outcome = import_sessions(
        scene,
        csv(
            SESSION_HEADER,
            "a,skd,2031-05-04,07:30,100,gor,r1,40,,",
            "a,skd,2031-05-05,07:30,100,gor,r2,40,,",
        ),
    )
    assert outcome.lines == [
        "Row 3: “tanggal” is “2031-05-05” here but “2031-05-04” on row 2, the first row of a; "
        "write the same value on every row of a."
    ]
    assert session_count(scene) == 2


def test_unreadable_cells_and_stored_problems_are_reported_together(scene: TestScene) -> None:
    outcome = import_sessions(
        scene,
        csv(
            SESSION_HEADER,
            "a,ujian,31-02-2031,25:00,0,gor,r1,40,,",
            "b,skd,2031-05-04,07:30,100,gor,r9,40,F-9999,",
            "c,skd,2031-05-04,07:30,100,gor,r1,x,,",
        ),
    )
    assert outcome.lines == [
        "Row 2: “ujian” is not a test stage; write skd, skb, pppk, mitra or interview.",
        "Row 2: “31-02-2031” in “tanggal” is not a date; write it as YYYY-MM-DD (2026-05-04), "
        "DD-MM-YYYY or DD/MM/YYYY.",
        "Row 2: “25:00” in “jam_mulai” is not a time of day; write it as HH:MM, for example 07:30.",
        "Row 2: “durasi_menit” is 0; it must be at least 1.",
        "Row 3: There is no formation F-9999 in this selection; correct the code, or leave "
        "the formations empty to open the session to everyone.",
        "Row 3: Test site gor has no room r9; add the room to the site first or correct the code.",
        "Row 4: “x” in “kapasitas” is not a whole number; write it as 1, 2, 3…",
    ]
    assert session_count(scene) == 2


def test_a_missing_session_column_is_named(scene: TestScene) -> None:
    header = SESSION_HEADER.replace(",kapasitas", "")
    outcome = import_sessions(scene, csv(header, "a,skd,2031-05-04,07:30,100,gor,r1,,"))
    assert outcome.lines == [
        "Row 1: The header has no column named “kapasitas”; add it (see the example file)."
    ]


def test_a_taken_session_code_is_refused(scene: TestScene) -> None:
    outcome = import_sessions(
        scene, csv(SESSION_HEADER, "sesi-1,skd,2031-05-04,07:30,100,gor,r1,40,,")
    )
    assert outcome.lines == [
        "Row 2: A session with the code sesi-1 already exists; choose another code."
    ]


def test_a_workbook_with_date_and_time_cells_creates_its_sessions(scene: TestScene) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(SESSION_HEADER.split(","))
    sheet.append(
        ["xl-1", "SKD", date(2031, 5, 4), time(13, 0), 120, "gor", "r1", 20, None, "tidak"]
    )
    sheet.append(
        ["xl-1", "SKD", date(2031, 5, 4), time(13, 0), 120, "gor", "r2", 25, None, "tidak"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = import_sessions(scene, buffer.getvalue(), name="sesi.xlsx")
    assert outcome.ok, outcome.lines
    session = TestSession.objects.get(code="xl-1")
    assert session.starts_at == datetime(2031, 5, 4, 13, 0, tzinfo=WIB)
    assert sum(session.rooms.values_list("capacity", flat=True)) == 45


def test_a_workbook_problem_names_its_row_too(scene: TestScene) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(SESSION_HEADER.split(","))
    sheet.append(["xl-1", "skd", "besok", "13:00", 120, "gor", "r1", 20, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = import_sessions(scene, buffer.getvalue(), name="sesi.xlsx")
    assert outcome.lines == [
        "Row 2: “besok” in “tanggal” is not a date; write it as YYYY-MM-DD (2026-05-04), "
        "DD-MM-YYYY or DD/MM/YYYY."
    ]
    assert session_count(scene) == 2


def test_the_example_files_import_cleanly(scene: TestScene) -> None:
    sites = import_sites(scene, (EXAMPLES / "lokasi-ujian.csv").read_bytes())
    assert sites.ok, sites.lines
    sessions = import_sessions(scene, (EXAMPLES / "sesi-ujian.csv").read_bytes())
    assert sessions.ok, sessions.lines
    assert sessions.saved == 4
