"""`seleksi rank --stage pppk`: PPPK rounds imported with `seleksi import-scores`, ranked with
each formation's teknis pass mark (ambang teknis) from the allocation, and the same answer as
`seleksi rank-file` on the same data."""

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from seleksi.applications.models import Application
from seleksi.scoring.models import RankingRun
from seleksi.selections.models import Formation, Selection
from tests.factories import import_rows, make_agency, make_selection
from tests.scoring.conftest import make_application

ALLOCATION = [
    ["G1", "PPPK", "umum", "Guru Matematika", "S-1 Pendidikan Matematika", "SMA 1", "1", "guru"],
    ["G2", "PPPK", "umum", "Guru Fisika", "S-1 Pendidikan Fisika", "SMA 2", "1", "guru"],
]
PASS_MARKS = {"G1": "300", "G2": "280"}
FORMASI = """kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota,ambang_teknis
G1,Guru Matematika,SMA 1,umum,1,300
G2,Guru Fisika,SMA 2,umum,1,280
"""
ROUNDS = (
    "P1,G1,1,H,250,150,30,N,N,N,N\n"
    "P1,G1,2,H,320,150,30,N,N,N,N\n"
    "P2,G1,1,H,250,150,30,N,Y,N,N\n"
    "P3,G1,1,H,400,129,30,N,N,N,N\n"
    "P4,G1,1,TH,,,,N,N,N,N\n"
    "P5,G2,1,H,290,140,30,N,N,N,N\n"
    "P6,G2,1,H,260,140,30,N,N,Y,N\n"
)
HEADER = (
    "nomor_peserta,kode_formasi,tahap,kehadiran,teknis,manajerial_sosiokultural,wawancara,"
    "serdik_linier,usia_35_aktif_3_tahun,disabilitas,thk2_aktif_3_tahun\n"
)


def allocation(pass_marks: dict[str, str]) -> list[list[str]]:
    return [[*row, pass_marks.get(row[0], "")] for row in ALLOCATION]


@pytest.fixture
def selection(db: None) -> Selection:
    selection = make_selection(make_agency(), "pppk-2026")
    import_rows(selection, allocation(PASS_MARKS))
    for number in ("P1", "P2", "P3", "P4"):
        make_application(selection, "G1", number)
    for number in ("P5", "P6"):
        make_application(selection, "G2", number)
    return selection


def import_pppk(selection: Selection, tmp_path: Path) -> None:
    path = tmp_path / "NILAI-PPPK.csv"
    path.write_text(HEADER + ROUNDS, encoding="utf-8")
    call_command(
        "import_scores",
        "--selection",
        selection.code,
        "--stage",
        "pppk",
        str(path),
        stdout=StringIO(),
        stderr=StringIO(),
    )


def rank(selection: Selection) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "rank",
        "--selection",
        selection.code,
        "--stage",
        "pppk",
        "--language",
        "en",
        stdout=stdout,
        stderr=stderr,
    )
    return stdout.getvalue(), stderr.getvalue()


def test_the_allocation_keeps_the_teknis_pass_mark(selection: Selection) -> None:
    marks = dict(
        Formation.objects.filter(selection=selection).values_list("code", "teknis_pass_mark")
    )
    assert marks == {"G1": 300, "G2": 280}


def test_it_ranks_pppk_rounds_like_rank_file(selection: Selection, tmp_path: Path) -> None:
    import_pppk(selection, tmp_path)
    stdout, _ = rank(selection)
    run = RankingRun.objects.get()
    assert run.stage == "pppk" and run.policy_code == "pppk-guru-2021"

    (tmp_path / "FORMASI.csv").write_text(FORMASI, encoding="utf-8")
    (tmp_path / "NILAI.csv").write_text(HEADER + ROUNDS, encoding="utf-8")
    stderr = StringIO()
    call_command(
        "rank_file",
        "--policy",
        "pppk-guru-2021",
        "--stage",
        "pppk",
        "--formations",
        str(tmp_path / "FORMASI.csv"),
        "--scores",
        str(tmp_path / "NILAI.csv"),
        "--output",
        str(tmp_path / "OUT.csv"),
        stdout=StringIO(),
        stderr=stderr,
    )
    with (tmp_path / "OUT.csv").open(encoding="utf-8") as output:
        expected = list(csv.DictReader(output))

    rows = list(run.rows.select_related("application").order_by("order"))
    assert [
        {
            "nomor_peserta": row.application.number,
            "kode_formasi": row.formation_code,
            "teknis_afirmasi": "" if row.teknis_score is None else str(row.teknis_score),
            "total": "" if row.final_score is None else str(row.final_score),
            "peringkat": "" if row.rank is None else str(row.rank),
            "kode": row.outcome,
        }
        for row in rows
    ] == expected
    # P2's 15 % affirmation (75 points) lifts round 1 above P1's better round 2
    assert [(r["nomor_peserta"], r["kode"]) for r in expected[:2]] == [("P2", "L"), ("P1", "TL")]
    by_number = {row.application.number: row for row in rows}
    assert by_number["P1"].test_round == 2
    assert by_number["P4"].outcome == "TH" and by_number["P4"].test_round is None
    # P6: 260 + 10 % of 500 = 310 teknis beats P5's 290 on the total
    assert (by_number["P6"].outcome, by_number["P5"].outcome) == ("L", "TL")
    assert run.fingerprint == stderr.getvalue().rsplit("sidik jari ", 1)[1].strip()
    assert f"run {run.pk}" in stdout


def test_a_pppk_formation_without_a_pass_mark_is_named(db: None, tmp_path: Path) -> None:
    selection = make_selection(make_agency(), "tanpa-ambang-2026")
    import_rows(selection, allocation({"G1": "300"}))
    make_application(selection, "G1", "P1")
    stderr = StringIO()
    with pytest.raises(CommandError, match="no ranking was stored"):
        call_command(
            "rank",
            "--selection",
            selection.code,
            "--stage",
            "pppk",
            "--language",
            "en",
            stdout=StringIO(),
            stderr=stderr,
        )
    assert "Formation G2 has no technical pass mark (column ambang_teknis)." in stderr.getvalue()
    assert not RankingRun.objects.exists()


def test_pppk_without_scores_is_refused(selection: Selection) -> None:
    stderr = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "rank",
            "--selection",
            selection.code,
            "--stage",
            "pppk",
            "--language",
            "en",
            stdout=StringIO(),
            stderr=stderr,
        )
    assert f"The selection {selection.code} has no PPPK scores yet." in stderr.getvalue()
    assert Application.objects.filter(selection=selection).count() == 6
