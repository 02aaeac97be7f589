"""`seleksi rank-file`: CSV in, ranked CSV out, no database."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

FORMASI = """kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota
F2,Analis Kebijakan,Dinas B,umum,2
F1,Analis Kebijakan,Dinas A,umum,1
"""

SKD = """nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp
003,F1,H,100,100,200
001,F1,H,100,100,200
002,F1,H,90,110,200
004,F1,H,100,100,190
005,F1,TH,,,
006,F1,H,60,100,200
007,F2,H,65,80,166
"""

AKHIR = """nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp,skb,ipk,tanggal_lahir
A,F1,H,100,133,200,66,3.10,1995-01-01
B,F1,H,100,100,200,70,3.90,1990-01-01
C,F1,H,100,100,200,40.5,3.00,1996-02-29
D,F2,H,65,80,166,70,3.00,1999-12-31
E,F2,TH,,,,,,
"""

PPPK_FORMASI = """kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota,ambang_teknis
G1,Guru Matematika,SMA 1,umum,1,300
"""

PPPK = (
    "nomor_peserta,kode_formasi,tahap,kehadiran,teknis,manajerial_sosiokultural,wawancara,"
    "serdik_linier,usia_35_aktif_3_tahun,disabilitas,thk2_aktif_3_tahun\n"
    "P1,G1,1,H,250,150,30,N,N,N,N\n"
    "P1,G1,2,H,320,150,30,N,N,N,N\n"
    "P2,G1,1,H,250,150,30,N,Y,N,N\n"
    "P3,G1,1,H,400,129,30,N,N,N,N\n"
    "P4,G1,1,TH,,,,N,N,N,N\n"
)


def run(
    tmp_path: Path, stage: str, formations: str, scores: str, policy: str = "cpns-2021"
) -> tuple[str, str]:
    (tmp_path / "FORMASI.csv").write_text(formations, encoding="utf-8")
    (tmp_path / "NILAI.csv").write_text(scores, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command(
        "rank_file",
        "--policy",
        policy,
        "--stage",
        stage,
        "--formations",
        str(tmp_path / "FORMASI.csv"),
        "--scores",
        str(tmp_path / "NILAI.csv"),
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_it_ranks_skd_to_stdout(tmp_path: Path) -> None:
    out, err = run(tmp_path, "skd", FORMASI, SKD)
    assert out.splitlines() == [
        "nomor_peserta,kode_formasi,twk,tiu,tkp,total,peringkat,kode",
        "002,F1,90,110,200,400,1,P/L",
        "001,F1,100,100,200,400,2,P/L",
        "003,F1,100,100,200,400,2,P/L",
        "004,F1,100,100,190,390,4,P",
        "006,F1,60,100,200,360,,T/L",
        "005,F1,,,,,,TH",
        "007,F2,65,80,166,311,1,P/L",
    ]
    assert "sidik jari" in err
    again, err_again = run(tmp_path, "skd", FORMASI, SKD)
    assert again == out and err_again == err


def test_it_ranks_the_final_stage_with_optimalisasi_into_a_file(tmp_path: Path) -> None:
    (tmp_path / "FORMASI.csv").write_text(FORMASI, encoding="utf-8")
    (tmp_path / "NILAI.csv").write_text(AKHIR, encoding="utf-8")
    err = StringIO()
    call_command(
        "rank_file",
        "--policy=cpns-2021",
        "--stage=akhir",
        f"--formations={tmp_path / 'FORMASI.csv'}",
        f"--scores={tmp_path / 'NILAI.csv'}",
        f"--output={tmp_path / 'OUT.csv'}",
        stdout=StringIO(),
        stderr=err,
    )
    # A and B are equal exactly (71.0909...); A has the higher SKD total. F2 has a free seat:
    # B, the best not-yet-passed applicant of the same position, fills it (L-2).
    assert (tmp_path / "OUT.csv").read_text(encoding="utf-8").splitlines() == [
        "nomor_peserta,kode_formasi,nilai_skd,nilai_skb,nilai_akhir,peringkat,kode",
        "A,F1,78.727,66.000,71.091,1,L",
        "B,F1,72.727,70.000,71.091,2,L-2",
        "C,F1,72.727,40.500,53.391,3,TL",
        "D,F2,56.545,70.000,64.618,1,L",
        "E,F2,,,,,TH",
    ]
    assert "optimalisasi: B (F1) mengisi formasi F2" in err.getvalue()


def test_it_ranks_pppk(tmp_path: Path) -> None:
    out, _ = run(tmp_path, "pppk", PPPK_FORMASI, PPPK, policy="pppk-guru-2021")
    assert out.splitlines() == [
        "nomor_peserta,kode_formasi,teknis_afirmasi,total,peringkat,kode",
        "P2,G1,325.000,505.000,1,L",
        "P1,G1,320.000,500.000,2,TL",
        "P3,G1,400.000,559.000,,TL",
        "P4,G1,,,,TH",
    ]


def test_a_malformed_file_exits_with_per_row_errors_and_writes_nothing(tmp_path: Path) -> None:
    scores = (
        SKD.replace("004,F1,H,100,100,190", "004,F1,H,100,100,abc")
        .replace("005,F1,TH", "005,F9,X")
        .replace("007,F2,H,65,80,166", "001,F2,H,151,80,166")
    )
    (tmp_path / "FORMASI.csv").write_text(FORMASI, encoding="utf-8")
    (tmp_path / "NILAI.csv").write_text(scores, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="6 errors; no output was written"):
        call_command(
            "rank_file",
            "--policy=cpns-2021",
            "--stage=skd",
            f"--formations={tmp_path / 'FORMASI.csv'}",
            f"--scores={tmp_path / 'NILAI.csv'}",
            f"--output={tmp_path / 'OUT.csv'}",
            "--language=en",
            stdout=StringIO(),
            stderr=err,
        )
    assert err.getvalue().splitlines() == [
        "NILAI.csv: line 5, column tkp: “abc” is not a whole number",
        "NILAI.csv: line 6, column kode_formasi: “F9” is not in the formation file",
        "NILAI.csv: line 6, column kehadiran: “X” is not one of H, TH",
        "NILAI.csv: line 8, column twk: 151 is outside the range 0..150",
        "NILAI.csv: line 8, column nomor_peserta: “001” is already on line 3",
        "NILAI.csv: line 8, column kode_formasi: "
        "participant 001 is already listed under another formation",
    ]
    assert not (tmp_path / "OUT.csv").exists()


def test_it_reports_bad_dates_flags_and_formation_columns(tmp_path: Path) -> None:
    bad_formations = FORMASI.replace("Dinas B,umum,2", "Dinas B,khusus,dua")
    bad_final = AKHIR.replace("1995-01-01", "1995-02-30").replace("3.90", "4.5")
    with pytest.raises(CommandError):
        run(tmp_path, "akhir", bad_formations, bad_final)
    with pytest.raises(CommandError):
        run(tmp_path, "pppk", PPPK_FORMASI, PPPK.replace("N,Y,N,N", "N,ya,N,N"), "pppk-guru-2021")

    def errors(stage: str, formations: str, scores: str, policy: str) -> list[str]:
        err = StringIO()
        (tmp_path / "FORMASI.csv").write_text(formations, encoding="utf-8")
        (tmp_path / "NILAI.csv").write_text(scores, encoding="utf-8")
        with pytest.raises(CommandError):
            call_command(
                "rank_file",
                f"--policy={policy}",
                f"--stage={stage}",
                f"--formations={tmp_path / 'FORMASI.csv'}",
                f"--scores={tmp_path / 'NILAI.csv'}",
                "--language=en",
                stdout=StringIO(),
                stderr=err,
            )
        return err.getvalue().splitlines()

    assert errors("akhir", bad_formations, bad_final, "cpns-2021") == [
        "FORMASI.csv: line 2, column jenis_formasi: “khusus” is not one of umum, "
        "disabilitas, cumlaude, diaspora, papua, dokter, khusus-lapangan",
        "FORMASI.csv: line 2, column kuota: “dua” is not a whole number",
        "NILAI.csv: line 2, column tanggal_lahir: “1995-02-30” is not a date (format YYYY-MM-DD)",
        "NILAI.csv: line 3, column ipk: 4.5 is outside the range 0..4",
    ]
    assert errors("pppk", PPPK_FORMASI, PPPK.replace("N,Y,N,N", "N,ya,N,N"), "pppk-guru-2021") == [
        "NILAI.csv: line 4, column usia_35_aktif_3_tahun: “ya” is not one of Y, N"
    ]
    assert errors("pppk", PPPK_FORMASI, PPPK.replace("P1,G1,2,", "P1,G1,1,"), "pppk-guru-2021") == [
        "NILAI.csv: line 3, column nomor_peserta: “P1” is already on line 2 for round 1"
    ]


MITRA_FORMASI = """kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota
MITRA-1,Mitra Statistik,BPS Kabupaten,umum,2
"""
MITRA = (
    "nomor_peserta,kode_formasi,kehadiran,nilai_tes,pendidikan_minimal,domisili,rentang_usia,"
    "perangkat,kendaraan,pengalaman,nilai_kinerja\n"
    "M1,MITRA-1,H,70,Y,Y,Y,Y,Y,Y,\n"
    "M2,MITRA-1,H,90,Y,Y,N,N,N,N,8.5\n"
    "M3,MITRA-1,H,70,Y,Y,Y,Y,Y,Y,\n"
    "M4,MITRA-1,H,100,N,N,N,N,N,N,\n"
    "M5,MITRA-1,TH,,Y,N,N,N,N,N,\n"
)


def test_it_ranks_mitra_by_test_score_plus_preference_points(tmp_path: Path) -> None:
    out, err = run(tmp_path, "mitra", MITRA_FORMASI, MITRA, policy="mitra-bps-2024")
    assert out.splitlines() == [
        "nomor_peserta,kode_formasi,nilai_tes,poin_preferensi,total,peringkat,kode",
        "M2,MITRA-1,90.000,37.000,127.000,1,L",
        "M1,MITRA-1,70.000,50.000,120.000,2,L",
        "M3,MITRA-1,70.000,50.000,120.000,2,TL",
        "M4,MITRA-1,100.000,0.000,100.000,4,TL",
        "M5,MITRA-1,,,,,TH",
    ]
    assert "M3 (MITRA-1) seri pada batas kuota" in err


def test_a_malformed_mitra_file_names_row_and_column(tmp_path: Path) -> None:
    scores = MITRA.replace("M2,MITRA-1,H,90,Y,Y,N,N,N,N,8.5", "M2,MITRA-1,H,101,Y,ya,N,N,N,N,11")
    (tmp_path / "FORMASI.csv").write_text(MITRA_FORMASI, encoding="utf-8")
    (tmp_path / "NILAI.csv").write_text(scores, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="no output was written"):
        call_command(
            "rank_file",
            "--policy=mitra-bps-2024",
            "--stage=mitra",
            f"--formations={tmp_path / 'FORMASI.csv'}",
            f"--scores={tmp_path / 'NILAI.csv'}",
            f"--output={tmp_path / 'OUT.csv'}",
            "--language=en",
            stdout=StringIO(),
            stderr=err,
        )
    assert not (tmp_path / "OUT.csv").exists()
    assert err.getvalue().splitlines() == [
        "NILAI.csv: line 3, column nilai_tes: 101 is outside the range 0..100",
        "NILAI.csv: line 3, column domisili: “ya” is not one of Y, N",
        "NILAI.csv: line 3, column nilai_kinerja: 11 is outside the range 0..10",
    ]


def refused(tmp_path: Path, formations: str, scores: str, *options: str) -> list[str]:
    """The error lines of a refused `rank-file` SKD run; no output file is written."""
    (tmp_path / "FORMASI.csv").write_text(formations, encoding="utf-8")
    (tmp_path / "NILAI.csv").write_text(scores, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "rank_file",
            "--policy=cpns-2021",
            "--stage=skd",
            f"--formations={tmp_path / 'FORMASI.csv'}",
            f"--scores={tmp_path / 'NILAI.csv'}",
            f"--output={tmp_path / 'OUT.csv'}",
            *options,
            stdout=StringIO(),
            stderr=err,
        )
    assert not (tmp_path / "OUT.csv").exists()
    return err.getvalue().splitlines()


def test_a_formula_as_participant_number_is_refused_and_never_written(tmp_path: Path) -> None:
    hostile = SKD.replace("006,F1,H", '"=HYPERLINK(""http://x"",""y"")",F1,H')
    assert refused(tmp_path, FORMASI, hostile, "--language=en") == [
        'NILAI.csv: line 7, column nomor_peserta: “=HYPERLINK("http://x","y")” is not a '
        "participant number: use 1 to 32 letters, digits and . _ / -, beginning with a letter "
        "or a digit"
    ]


def test_a_formula_as_formation_code_is_refused_in_either_file(tmp_path: Path) -> None:
    formations = FORMASI.replace("F2,Analis", "@F2,Analis")
    assert refused(tmp_path, formations, SKD, "--language=en")[0] == (
        "FORMASI.csv: line 2, column kode_formasi: “@F2” is not a formation code: use up to 50 "
        "letters, digits and . _ / -, beginning with a letter or a digit"
    )


def test_refusals_are_in_the_language_asked_for(tmp_path: Path) -> None:
    bad = SKD.replace("004,F1,H,100,100,190", "004,F1,H,100,100,abc")
    english = refused(tmp_path, FORMASI, bad, "--language=en")
    assert english == ["NILAI.csv: line 5, column tkp: “abc” is not a whole number"]
    with pytest.raises(CommandError, match="no ranking policy “tidak-ada”"):
        call_command(
            "rank_file",
            "--policy=tidak-ada",
            "--stage=skd",
            f"--formations={tmp_path / 'FORMASI.csv'}",
            f"--scores={tmp_path / 'NILAI.csv'}",
            "--language=en",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    with pytest.raises(CommandError, match="has no stage mitra"):
        call_command(
            "rank_file",
            "--policy=cpns-2021",
            "--stage=mitra",
            f"--formations={tmp_path / 'FORMASI.csv'}",
            f"--scores={tmp_path / 'NILAI.csv'}",
            "--language=en",
            stdout=StringIO(),
            stderr=StringIO(),
        )
