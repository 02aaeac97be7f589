"""`seleksi import-scores`: CAT results into the database, all or nothing."""

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.rules.score_files import FileProblem, Problem
from seleksi.scoring.models import Score
from seleksi.scoring.services import scores_import
from tests.scoring.conftest import Scene

SKD = """nomor_peserta,kehadiran,twk,tiu,tkp
C1,H,100,120,200
C2,TH,,,
C3,H,65,80,166
"""

PPPK_HEADER = (
    "nomor_peserta,kode_formasi,tahap,kehadiran,teknis,manajerial_sosiokultural,wawancara,"
    "serdik_linier,usia_35_aktif_3_tahun,disabilitas,thk2_aktif_3_tahun\n"
)


def run(scene: Scene, stage: str, name: str, text: str) -> tuple[str, str]:
    path = scene.write(name, text)
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "import_scores",
        "--selection",
        scene.selection.code,
        "--stage",
        stage,
        str(path),
        stdout=stdout,
        stderr=stderr,
    )
    return stdout.getvalue(), stderr.getvalue()


def refused(scene: Scene, stage: str, name: str, text: str) -> list[str]:
    """The stderr lines of a refused import, after checking that nothing was stored. The
    English source is pinned here; the catalog test pins the Indonesian."""
    before = Score.objects.count(), AuditEvent.objects.filter(action="scores.imported").count()
    stderr = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_scores",
            "--selection",
            scene.selection.code,
            "--stage",
            stage,
            str(scene.write(name, text)),
            "--language=en",
            stdout=StringIO(),
            stderr=stderr,
        )
    assert str(raised.value).endswith("no scores were saved")
    after = Score.objects.count(), AuditEvent.objects.filter(action="scores.imported").count()
    assert after == before
    return stderr.getvalue().splitlines()


def scores(stage: str) -> dict[tuple[str, int], Score]:
    return {
        (score.application.number, score.round): score
        for score in Score.objects.filter(stage=stage).select_related("application")
    }


def test_it_imports_a_valid_skd_file(scene: Scene) -> None:
    stdout, _ = run(scene, "skd", "NILAI.csv", SKD)

    assert stdout.startswith("contoh-2026 skd: 3 rows, 3 created, 0 updated, 0 unchanged;")
    stored = scores("skd")
    assert (stored["C1", 1].twk, stored["C1", 1].tiu, stored["C1", 1].tkp) == (100, 120, 200)
    assert stored["C1", 1].is_present and stored["C1", 1].source_name == "NILAI.csv"
    assert not stored["C2", 1].is_present and stored["C2", 1].twk is None
    event = AuditEvent.objects.get(action="scores.imported")
    assert event.selection_id == scene.selection.pk
    assert event.rule_version == "cpns-2021 v1"
    assert event.details == {
        "stage": "skd",
        "source": "NILAI.csv",
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "sha256": stored["C1", 1].source_sha256,
    }


def test_re_importing_the_same_file_changes_nothing_and_records_no_event(scene: Scene) -> None:
    run(scene, "skd", "NILAI.csv", SKD)
    first = {key: score.imported_at for key, score in scores("skd").items()}

    stdout, _ = run(scene, "skd", "NILAI-lagi.csv", SKD)

    assert "3 rows, 0 created, 0 updated, 3 unchanged" in stdout
    assert stdout.rstrip().endswith("nothing changed, no audit event")
    assert {key: score.imported_at for key, score in scores("skd").items()} == first
    assert {score.source_name for score in scores("skd").values()} == {"NILAI.csv"}
    assert AuditEvent.objects.filter(action="scores.imported").count() == 1


def test_a_corrected_file_updates_only_the_rows_that_differ(scene: Scene) -> None:
    run(scene, "skd", "NILAI.csv", SKD)

    stdout, _ = run(scene, "skd", "NILAI-2.csv", SKD.replace("C3,H,65,80,166", "C3,H,66,80,166"))

    assert "3 rows, 0 created, 1 updated, 2 unchanged" in stdout
    stored = scores("skd")
    assert stored["C3", 1].twk == 66 and stored["C3", 1].source_name == "NILAI-2.csv"
    assert stored["C1", 1].source_name == "NILAI.csv"
    assert AuditEvent.objects.filter(action="scores.imported").count() == 2


def test_every_bad_row_is_reported_and_nothing_is_saved(scene: Scene) -> None:
    text = """nomor_peserta,kehadiran,twk,tiu,tkp
C1,H,151,120,200
C2,HADIR,10,10,10
C3,H,,80,-1
,H,1,2,3
C1,H,1,x,3
"""
    assert refused(scene, "skd", "NILAI.csv", text) == [
        "NILAI.csv: line 2, column twk: 151 is outside the range 0..150",
        "NILAI.csv: line 3, column kehadiran: “HADIR” is not one of H, TH",
        "NILAI.csv: line 4, column twk: must be filled in",
        "NILAI.csv: line 4, column tkp: -1 is outside the range 0..225",
        "NILAI.csv: line 5, column nomor_peserta: must be filled in",
        "NILAI.csv: line 6, column nomor_peserta: “C1” is already on line 2",
        "NILAI.csv: line 6, column tiu: “x” is not a whole number",
    ]


def test_unknown_draft_foreign_and_duplicate_numbers_are_refused(scene: Scene) -> None:
    text = """nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp
C1,F-0001,H,100,100,200
C404,F-0001,H,100,100,200
X1,L-0001,H,100,100,200
C9,F-0001,H,100,100,200
C2,F-0002,H,100,100,200
P1,F-0003,H,100,100,200
C1,F-0001,H,100,100,200
"""
    assert refused(scene, "skd", "NILAI.csv", text) == [
        "NILAI.csv: line 3, column nomor_peserta: “C404” is not registered in the selection "
        "contoh-2026",
        "NILAI.csv: line 4, column nomor_peserta: “X1” is not registered in the selection "
        "contoh-2026",
        "NILAI.csv: line 5, column nomor_peserta: application “C9” has not been submitted",
        "NILAI.csv: line 6, column kode_formasi: “F-0002” is not the formation of participant "
        "C2 (F-0001)",
        "NILAI.csv: line 7, column nomor_peserta: “P1” applied for a PPPK formation; "
        "skd scores are only for CPNS formations",
        "NILAI.csv: line 8, column nomor_peserta: “C1” is already on line 2",
    ]


def test_a_formula_or_anything_else_out_of_format_is_not_a_participant_number(
    scene: Scene,
) -> None:
    text = (
        "nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp\n"
        '"=HYPERLINK(""http://x"",""y"")",F-0001,H,100,100,200\n'
        "@C1,F-0001,H,100,100,200\n"
        "C2,=F-0001,H,100,100,200\n"
    )
    assert refused(scene, "skd", "NILAI.csv", text) == [
        'NILAI.csv: line 2, column nomor_peserta: “=HYPERLINK("http://x","y")” is not a '
        "participant number: use 1 to 32 letters, digits and . _ / -, beginning with a letter "
        "or a digit",
        "NILAI.csv: line 3, column nomor_peserta: “@C1” is not a participant number: use 1 to "
        "32 letters, digits and . _ / -, beginning with a letter or a digit",
        "NILAI.csv: line 4, column kode_formasi: “=F-0001” is not a formation code: use up to "
        "50 letters, digits and . _ / -, beginning with a letter or a digit",
    ]


def test_the_outcome_keeps_codes_and_says_them_in_the_active_language(scene: Scene) -> None:
    outcome = scores_import(
        selection=scene.selection,
        stage="skd",
        source_name="NILAI.csv",
        content=b"nomor_peserta,kehadiran,twk,tiu,tkp\nC1,H,151,1,1\n",
        actor=None,
    )
    assert outcome.problems == (
        FileProblem(Problem.OUT_OF_RANGE, 2, "twk", {"value": "151", "low": "0", "high": "150"}),
    )
    with translation.override("en"):
        assert outcome.errors == ("line 2, column twk: 151 is outside the range 0..150",)


def test_a_file_without_a_required_column_or_rows_is_refused(scene: Scene) -> None:
    assert refused(scene, "skb", "SKB.csv", "nomor_peserta,skb\nC1,80\n") == [
        "SKB.csv: line 1, column kehadiran: the column is missing"
    ]
    assert refused(scene, "skb", "SKB.csv", "nomor_peserta,kehadiran,skb\n\n") == [
        "SKB.csv: there are no score rows"
    ]
    assert refused(scene, "skb", "SKB.csv", "") == ["SKB.csv: the file is empty"]


def test_skb_scores_keep_up_to_three_decimals(scene: Scene) -> None:
    stdout, _ = run(
        scene, "skb", "SKB.csv", "nomor_peserta,kehadiran,skb\nC1,H,85.125\nC2,H,70.5\n"
    )

    assert "2 rows, 2 created" in stdout
    stored = scores("skb")
    assert stored["C1", 1].skb == Decimal("85.125") and stored["C2", 1].skb == Decimal("70.5")
    again, _ = run(
        scene, "skb", "SKB.csv", "nomor_peserta,kehadiran,skb\nC1,H,85.125\nC2,H,70.500\n"
    )
    assert "0 created, 0 updated, 2 unchanged" in again

    text = "nomor_peserta,kehadiran,skb\nC1,H,85.1234\nC2,H,100.001\nC3,H,\n"
    assert refused(scene, "skb", "SKB.csv", text) == [
        "SKB.csv: line 2, column skb: “85.1234” has more than 3 digits after the decimal point",
        "SKB.csv: line 3, column skb: 100.001 is outside the range 0..100",
        "SKB.csv: line 4, column skb: must be filled in",
    ]


def test_pppk_rounds_are_stored_per_tahap_with_their_affirmations(scene: Scene) -> None:
    text = PPPK_HEADER + (
        "P1,F-0003,1,H,250,150,30,Y,N,N,Y\n"
        "P1,F-0003,2,H,300,160,32,Y,N,N,Y\n"
        "P2,F-0003,1,TH,,,,N,N,Y,N\n"
    )
    stdout, _ = run(scene, "pppk", "PPPK.csv", text)

    assert "3 rows, 3 created" in stdout
    stored = scores("pppk")
    assert stored["P1", 2].teknis == 300 and stored["P1", 1].teknis == 250
    assert stored["P1", 1].serdik_linier and stored["P1", 1].thk2_active_3_years
    assert not stored["P1", 1].age_35_active_3_years and not stored["P1", 1].disability
    assert not stored["P2", 1].is_present and stored["P2", 1].disability
    assert AuditEvent.objects.get(action="scores.imported").rule_version == "pppk-guru-2021 v1"


def test_pppk_errors_name_the_tahap_and_the_columns(scene: Scene) -> None:
    text = PPPK_HEADER + (
        "P1,F-0003,1,H,250,150,30,Y,N,N,N\n"
        "P1,F-0003,1,H,250,150,30,Y,N,N,N\n"
        "P1,F-0003,4,H,501,201,41,ya,N,N,N\n"
        "P2,F-0001,1,H,250,150,30,N,N,N,N\n"
        "C1,F-0001,1,H,250,150,30,N,N,N,N\n"
    )
    assert refused(scene, "pppk", "PPPK.csv", text) == [
        "PPPK.csv: line 3, column nomor_peserta: “P1” is already on line 2 for round 1",
        "PPPK.csv: line 4, column tahap: 4 is outside the range 1..3",
        "PPPK.csv: line 4, column teknis: 501 is outside the range 0..500",
        "PPPK.csv: line 4, column manajerial_sosiokultural: 201 is outside the range 0..200",
        "PPPK.csv: line 4, column wawancara: 41 is outside the range 0..40",
        "PPPK.csv: line 4, column serdik_linier: “ya” is not one of Y, N",
        "PPPK.csv: line 5, column kode_formasi: “F-0001” is not the formation of participant "
        "P2 (F-0003)",
        "PPPK.csv: line 6, column nomor_peserta: “C1” applied for a CPNS formation; "
        "pppk scores are only for PPPK formations",
    ]


def test_an_unknown_selection_or_missing_file_is_a_command_error(scene: Scene) -> None:
    with pytest.raises(CommandError, match="The selection “tidak-ada” does not exist"):
        call_command(
            "import_scores", "--selection", "tidak-ada", "--stage", "skd", "x.csv", "--language=en"
        )
    with pytest.raises(CommandError, match=r"x\.csv: cannot be read: No such file"):
        call_command(
            "import_scores",
            "--selection",
            scene.selection.code,
            "--stage",
            "skd",
            str(scene.tmp_path / "x.csv"),
            "--language=en",
        )


def test_the_console_script_exits_1_with_the_errors_on_stderr(tmp_path: Path) -> None:
    script = shutil.which("seleksi", path=str(Path(sys.executable).parent)) or "seleksi"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["SELEKSI_DATA_DIR"] = str(tmp_path / "data")

    def seleksi(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([script, *args], env=env, capture_output=True, check=False)

    assert seleksi("migrate", "-v", "0").returncode == 0
    assert seleksi("load-demo").returncode == 0
    path = tmp_path / "NILAI.csv"
    path.write_text("nomor_peserta,kehadiran,twk,tiu,tkp\n999,H,1,2,3\n", encoding="utf-8")

    result = seleksi(
        "import-scores",
        "--selection",
        "aceh-tengah-casn-2021",
        "--stage",
        "skd",
        str(path),
        "--language",
        "en",
    )

    assert result.returncode == 1
    assert result.stderr.decode().splitlines()[0] == (
        "NILAI.csv: line 2, column nomor_peserta: “999” is not registered in the selection "
        "aceh-tengah-casn-2021"
    )


def test_the_number_of_queries_does_not_grow_with_the_rows(scene: Scene) -> None:
    def queries(text: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            run(scene, "skd", "NILAI.csv", text)
        return len(captured)

    header = "nomor_peserta,kehadiran,twk,tiu,tkp\n"
    one = queries(header + "C1,H,100,120,200\n")
    three = queries(header + "C1,H,101,120,200\nC2,H,1,2,3\nC3,H,4,5,6\n")  # 1 update, 2 new
    assert three == one + 1  # the bulk update


def test_a_participant_found_tms_gets_no_score_and_nothing_is_saved(scene: Scene) -> None:
    Application.objects.filter(number="C2").update(published_result="TMS")
    text = """nomor_peserta,kehadiran,twk,tiu,tkp
C1,H,100,100,200
C2,H,100,100,200
"""
    assert refused(scene, "skd", "NILAI.csv", text) == [
        "NILAI.csv: line 3, column nomor_peserta: “C2” did not pass the administrative "
        "selection (TMS): only those who passed take the tests",
    ]
    assert not Score.objects.exists()
