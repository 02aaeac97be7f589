"""The mitra stage on the database: test scores (and past ratings) imported with
`seleksi import-scores --stage mitra`, preference points from what each applicant met when
submitting, ranked with `mitra-bps-2024` by `seleksi rank --stage mitra`."""

import csv
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.scoring.models import RankingRun, Score
from seleksi.scoring.replacements import withdrawal_record
from seleksi.selections.models import Formation, Selection
from tests.factories import import_rows, make_agency, make_selection, make_staff
from tests.scoring.conftest import make_application

POOL = ["MITRA-1", "MITRA", "umum", "Mitra Statistik", "SMA/SMK", "BPS Kabupaten", "2", ""]
# number → preferences met when submitting (codes of the eligibility policy)
PREFERENCES = {
    "M1": ["education_min", "domicile", "age_band", "devices", "vehicle", "experience"],  # 50
    "M2": ["education_min", "domicile"],  # 20
    "M3": ["education_min", "domicile", "age_band", "devices", "vehicle", "experience"],  # 50
    "M4": [],
    "M5": ["education_min"],
}
SCORES = """nomor_peserta,kehadiran,nilai_tes,nilai_kinerja
M1,H,70,
M2,H,90,8.5
M3,H,70,
M4,H,100,
M5,TH,,
"""


@pytest.fixture
def selection(db: None) -> Selection:
    selection = make_selection(make_agency(), "mitra-2026")
    import_rows(selection, [POOL])
    for number, met in PREFERENCES.items():
        application = make_application(selection, "MITRA-1", number)
        Application.objects.filter(pk=application.pk).update(
            eligibility={"eligible": True, "preferences_met": met}
        )
    return selection


def import_scores(selection: Selection, tmp_path: Path, text: str = SCORES) -> str:
    path = tmp_path / "NILAI-MITRA.csv"
    path.write_text(text, encoding="utf-8")
    stdout = StringIO()
    call_command(
        "import_scores",
        "--selection",
        selection.code,
        "--stage",
        "mitra",
        str(path),
        stdout=stdout,
        stderr=StringIO(),
    )
    return stdout.getvalue()


def rank(selection: Selection) -> str:
    stderr = StringIO()
    call_command(
        "rank",
        "--selection",
        selection.code,
        "--stage",
        "mitra",
        "--language",
        "en",
        stdout=StringIO(),
        stderr=stderr,
    )
    return stderr.getvalue()


def test_test_scores_and_ratings_are_imported(selection: Selection, tmp_path: Path) -> None:
    import_scores(selection, tmp_path)
    stored = {
        score.application.number: (score.attendance, score.test_score, score.performance_rating)
        for score in Score.objects.filter(stage="mitra").select_related("application")
    }
    assert stored["M2"] == ("H", Decimal("90.000"), Decimal("8.500"))
    assert stored["M1"] == ("H", Decimal("70.000"), None)
    assert stored["M5"] == ("TH", None, None)


def test_it_ranks_by_test_score_plus_preference_points(
    selection: Selection, tmp_path: Path
) -> None:
    import_scores(selection, tmp_path)
    stderr = rank(selection)

    run = RankingRun.objects.get(stage="mitra")
    assert run.policy_code == "mitra-bps-2024"
    rows = [
        (
            row.application.number,
            str(row.test_score),
            str(row.preference_points),
            str(row.final_score),
            row.rank,
            row.outcome,
            row.tied_at_cut,
        )
        for row in run.rows.select_related("application").order_by("order")
    ]
    # M2: 90 + 20 + 8.5/10 of 20 = 127; M1 and M3 equal on total and test score share rank 2
    # and straddle the quota of 2: M1 takes the seat by number, flagged for the committee.
    assert rows == [
        ("M2", "90.000", "37.000", "127.000", 1, "L", False),
        ("M1", "70.000", "50.000", "120.000", 2, "L", True),
        ("M3", "70.000", "50.000", "120.000", 2, "TL", True),
        ("M4", "100.000", "0.000", "100.000", 4, "TL", False),
        ("M5", "None", "None", "None", None, "TH", False),
    ]
    assert "Tie at the quota: M3 (MITRA-1), rank 2; code TL must be confirmed" in stderr


def test_a_pool_without_a_quota_asks_for_one(selection: Selection, tmp_path: Path) -> None:
    import_scores(selection, tmp_path)
    Formation.objects.filter(selection=selection).update(quota=None)
    stderr = StringIO()
    with pytest.raises(CommandError, match="1 error; no ranking was stored"):
        call_command(
            "rank",
            "--selection",
            selection.code,
            "--stage",
            "mitra",
            "--language",
            "en",
            stdout=StringIO(),
            stderr=stderr,
        )
    assert "set the number of partners to accept as the formation's quota" in stderr.getvalue()
    assert not RankingRun.objects.exists()


def test_out_of_range_scores_and_ratings_are_refused(selection: Selection, tmp_path: Path) -> None:
    bad = "nomor_peserta,kehadiran,nilai_tes,nilai_kinerja\nM1,H,101,\nM2,H,90,11\nM3,H,,\n"
    stderr = StringIO()
    path = tmp_path / "BURUK.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError, match="3 errors; no scores were saved"):
        call_command(
            "import_scores",
            "--selection",
            selection.code,
            "--stage",
            "mitra",
            str(path),
            "--language",
            "en",
            stdout=StringIO(),
            stderr=stderr,
        )
    errors = stderr.getvalue()
    assert "line 2, column nilai_tes: 101 is outside the range 0..100" in errors
    assert "line 3, column nilai_kinerja: 11 is outside the range 0..10" in errors
    assert "line 4, column nilai_tes: must be filled in" in errors
    assert not Score.objects.exists()


def test_the_rating_column_is_optional(selection: Selection, tmp_path: Path) -> None:
    import_scores(selection, tmp_path, "nomor_peserta,kehadiran,nilai_tes\nM1,H,70\n")
    assert Score.objects.get().performance_rating is None


def ratings(selection: Selection) -> dict[str, tuple[str, Decimal | None, Decimal | None]]:
    return {
        score.application.number: (score.attendance, score.test_score, score.performance_rating)
        for score in Score.objects.filter(selection=selection, stage="mitra").select_related(
            "application"
        )
    }


def test_a_file_without_the_rating_column_keeps_the_stored_ratings(
    selection: Selection, tmp_path: Path
) -> None:
    import_scores(selection, tmp_path)
    import_scores(
        selection, tmp_path, "nomor_peserta,kehadiran,nilai_tes\nM1,H,71\nM2,H,91\nM5,TH,\n"
    )
    stored = ratings(selection)
    assert stored["M2"] == ("H", Decimal("91.000"), Decimal("8.500"))
    assert stored["M1"] == ("H", Decimal("71.000"), None)
    Score.objects.filter(application__number="M5").update(performance_rating=Decimal("6.5"))
    import_scores(selection, tmp_path, "nomor_peserta,kehadiran,nilai_tes\nM5,TH,\n")
    assert ratings(selection)["M5"] == ("TH", None, Decimal("6.500"))


def test_a_file_with_the_rating_column_sets_or_clears_the_rating(
    selection: Selection, tmp_path: Path
) -> None:
    import_scores(selection, tmp_path)
    import_scores(
        selection,
        tmp_path,
        "nomor_peserta,kehadiran,nilai_tes,nilai_kinerja\nM1,H,70,7.25\nM2,H,90,\n",
    )
    stored = ratings(selection)
    assert stored["M1"][2] == Decimal("7.250")
    assert stored["M2"][2] is None


def test_a_withdrawn_mitra_is_replaced_by_the_next_in_rank(
    selection: Selection, tmp_path: Path
) -> None:
    import_scores(selection, tmp_path)
    rank(selection)
    run = RankingRun.objects.get(stage="mitra")
    RankingRun.objects.filter(pk=run.pk).update(confirmed_at=timezone.now())
    actor = make_staff("panitia", selection.agency, Role.COMMITTEE)

    proposal = withdrawal_record(
        run=run,
        participant="M2",
        reason="APS",
        note="Mengundurkan diri karena bekerja di luar kota",
        actor=actor,
    )
    # M3 shared rank 2 with M1 and was left out by number; it is next for the freed seat
    assert (proposal.seat_code, proposal.replacement.number) == ("MITRA-1", "M3")
    assert proposal.replacement_code == "L"


def test_the_database_and_rank_file_agree_row_for_row(selection: Selection, tmp_path: Path) -> None:
    import_scores(selection, tmp_path)
    rank(selection)
    run = RankingRun.objects.get(stage="mitra")
    columns = ["pendidikan_minimal", "domisili", "rentang_usia", "perangkat", "kendaraan"]
    codes = ["education_min", "domicile", "age_band", "devices", "vehicle", "experience"]
    header = "nomor_peserta,kode_formasi,kehadiran,nilai_tes," + ",".join(columns)
    lines = [f"{header},pengalaman,nilai_kinerja"]
    for line in SCORES.splitlines()[1:]:
        number, attendance, test, rating = line.split(",")
        flags = ",".join("Y" if code in PREFERENCES[number] else "N" for code in codes)
        lines.append(f"{number},MITRA-1,{attendance},{test},{flags},{rating}")
    (tmp_path / "FORMASI.csv").write_text(
        "kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota\n"
        "MITRA-1,Mitra Statistik,BPS Kabupaten,umum,2\n",
        encoding="utf-8",
    )
    (tmp_path / "NILAI.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    stderr = StringIO()
    call_command(
        "rank_file",
        "--policy=mitra-bps-2024",
        "--stage=mitra",
        f"--formations={tmp_path / 'FORMASI.csv'}",
        f"--scores={tmp_path / 'NILAI.csv'}",
        f"--output={tmp_path / 'OUT.csv'}",
        stdout=StringIO(),
        stderr=stderr,
    )
    with (tmp_path / "OUT.csv").open(encoding="utf-8") as output:
        expected = [tuple(row.values()) for row in csv.DictReader(output)]

    def cell(value: object) -> str:
        return "" if value is None else str(value)

    stored = [
        (
            row.application.number,
            row.formation_code,
            cell(row.test_score),
            cell(row.preference_points),
            cell(row.final_score),
            cell(row.rank),
            row.outcome,
        )
        for row in run.rows.select_related("application").order_by("order")
    ]
    assert stored == expected
    assert run.fingerprint == stderr.getvalue().rsplit("sidik jari ", 1)[1].strip()
