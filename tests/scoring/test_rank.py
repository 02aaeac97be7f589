"""`seleksi rank`: the ranking engine on stored scores, kept as a run with its rows, and the
same answer as `seleksi rank-file` on the equivalent CSV files."""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from seleksi.accounts.models import Education
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.scoring.models import RankingRow, RankingRun, Score
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.selections.models import Formation, Selection
from tests.factories import import_rows, make_agency, make_selection, make_user

# Both formations are for the same position (jabatan), so optimalisasi may move people.
FORMATIONS = [
    ["F-A", "CPNS", "umum", "Analis Kebijakan", "S-1 Hukum", "Dinas A", "1", "teknis"],
    ["F-B", "CPNS", "disabilitas", "Analis Kebijakan", "S-1 Hukum", "Dinas B", "1", "teknis"],
]

# number, formation, attendance, twk, tiu, tkp
SKD = [
    ("A01", "F-A", "H", 100, 120, 200),
    ("A02", "F-A", "H", 90, 100, 180),
    ("A03", "F-A", "H", 90, 100, 180),
    ("A04", "F-A", "H", 80, 90, 170),
    ("A05", "F-A", "H", 60, 120, 200),
    ("A06", "F-A", "TH", None, None, None),
    ("B01", "F-B", "H", 50, 70, 170),
    ("B02", "F-B", "H", 40, 50, 200),
]

# number, attendance, skb; B01 is absent at SKB, so F-B's seat is left empty
SKB = [("A01", "H", "70"), ("A02", "H", "80"), ("A03", "H", "80"), ("B01", "TH", None)]
# A02 and A03 are equal on everything but the highest IPK over their educations
IPKS = {"A01": ["3.00"], "A02": ["3.20"], "A03": ["3.10", "3.60"], "B01": []}


@dataclass
class Ranked:
    selection: Selection
    tmp_path: Path


def add_applications(
    selection: Selection, skd: list[tuple[str, str, str, int | None, int | None, int | None]]
) -> None:
    formations = {f.code: f for f in Formation.objects.filter(selection=selection)}
    now = timezone.now()
    scores = []
    for number, code, attendance, twk, tiu, tkp in skd:
        application = Application.objects.create(
            applicant=make_user(f"pelamar-{number.lower()}", birth_date=birth_date(number)),
            selection=selection,
            formation=formations[code],
            number=number,
            status=Application.Status.SUBMITTED,
            submitted_at=now,
        )
        scores.append(
            Score(
                selection=selection,
                application=application,
                stage=Score.Stage.SKD,
                attendance=attendance,
                twk=twk,
                tiu=tiu,
                tkp=tkp,
                imported_at=now,
                source_name="NILAI.csv",
                source_sha256="0" * 64,
            )
        )
    Score.objects.bulk_create(scores)


def add_skb(selection: Selection) -> None:
    applications = {a.number: a for a in Application.objects.filter(selection=selection)}
    now = timezone.now()
    for number, attendance, skb in SKB:
        application = applications[number]
        Score.objects.create(
            selection=selection,
            application=application,
            stage=Score.Stage.SKB,
            attendance=attendance,
            skb=None if skb is None else Decimal(skb),
            imported_at=now,
            source_name="NILAI-SKB.csv",
            source_sha256="1" * 64,
        )
        for year, ipk in enumerate(IPKS[number], start=2015):
            Education.objects.create(
                user=application.applicant,
                level_id="S1",
                institution="Universitas Contoh",
                accreditation=Education.Accreditation.A,
                graduated_on=date(year, 8, 1),
                ipk=Decimal(ipk),
            )


def birth_date(number: str) -> date:
    return date(1990, 1, 1 + int(number[1:]))


@pytest.fixture
def ranked(db: None, tmp_path: Path) -> Ranked:
    selection = make_selection(make_agency(), "peringkat-2026")
    import_rows(selection, FORMATIONS)
    add_applications(selection, SKD)
    return Ranked(selection, tmp_path)


def rank(selection: Selection, stage: str, *extra: str) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "rank",
        "--selection",
        selection.code,
        "--stage",
        stage,
        *extra,
        stdout=stdout,
        stderr=stderr,
    )
    return stdout.getvalue(), stderr.getvalue()


def rank_file(scene: Ranked, stage: str, scores: str) -> tuple[dict[str, dict[str, str]], str]:
    """The rows of `seleksi rank-file` by participant number, and its fingerprint."""
    formasi = "kode_formasi,jabatan,unit_penempatan,jenis_formasi,kuota\n" + "".join(
        f"{code},{position},{unit},{kind},{quota}\n"
        for code, _, kind, position, _, unit, quota, _ in FORMATIONS
    )
    (scene.tmp_path / "FORMASI.csv").write_text(formasi, encoding="utf-8")
    (scene.tmp_path / "NILAI.csv").write_text(scores, encoding="utf-8")
    stderr = StringIO()
    call_command(
        "rank_file",
        "--policy",
        "cpns-2021",
        "--stage",
        stage,
        "--formations",
        str(scene.tmp_path / "FORMASI.csv"),
        "--scores",
        str(scene.tmp_path / "NILAI.csv"),
        "--output",
        str(scene.tmp_path / "OUT.csv"),
        stdout=StringIO(),
        stderr=stderr,
    )
    with (scene.tmp_path / "OUT.csv").open(encoding="utf-8") as output:
        rows = {row["nomor_peserta"]: row for row in csv.DictReader(output)}
    return rows, stderr.getvalue().rsplit("sidik jari ", 1)[1].strip()


def stored(run: RankingRun) -> dict[str, RankingRow]:
    return {row.application.number: row for row in run.rows.select_related("application")}


def cell(value: object) -> str:
    return "" if value is None else str(value)


def test_it_ranks_skd_like_rank_file_on_the_same_data(ranked: Ranked) -> None:
    stdout, _ = rank(ranked.selection, "skd")

    run = RankingRun.objects.get()
    nilai = "nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp\n" + "".join(
        f"{number},{code},{attendance},{cell(twk)},{cell(tiu)},{cell(tkp)}\n"
        for number, code, attendance, twk, tiu, tkp in SKD
    )
    expected, fingerprint = rank_file(ranked, "skd", nilai)
    rows = stored(run)
    assert {n: (cell(r.rank), r.outcome) for n, r in rows.items()} == {
        n: (row["peringkat"], row["kode"]) for n, row in expected.items()
    }
    assert {n: (r.formation_code, cell(r.skd_total)) for n, r in rows.items()} == {
        n: (row["kode_formasi"], row["total"]) for n, row in expected.items()
    }
    assert [r.application.number for r in run.rows.select_related("application")] == list(expected)
    assert run.fingerprint == fingerprint
    assert (run.stage, run.policy_code, run.policy_version) == ("skd", "cpns-2021", 1)
    assert run.row_count == 8
    assert run.counts == {"P/L": 4, "P": 1, "T/L": 2, "TH": 1}
    assert stdout.startswith(f"peringkat-2026 skd: run {run.pk}, 8 rows (P/L 4, P 1, T/L 2, TH 1)")
    assert fingerprint in stdout
    assert "identical to" not in stdout


def test_it_records_an_audit_event(ranked: Ranked) -> None:
    rank(ranked.selection, "skd")

    run = RankingRun.objects.get()
    event = AuditEvent.objects.get(action="ranking.run")
    assert event.subject_type == "selections.selection"
    assert event.subject_id == str(ranked.selection.pk)
    assert event.selection_id == ranked.selection.pk
    assert event.rule_version == "cpns-2021 v1"
    assert event.details == {
        "stage": "skd",
        "run": run.pk,
        "fingerprint": run.fingerprint,
        "rows": 8,
        "counts": {"P/L": 4, "P": 1, "T/L": 2, "TH": 1},
        "identical_to": None,
    }


def test_a_rerun_on_the_same_data_is_stored_and_identical(ranked: Ranked) -> None:
    rank(ranked.selection, "skd")
    stdout, _ = rank(ranked.selection, "skd")

    first, second = RankingRun.objects.order_by("pk")
    assert second.fingerprint == first.fingerprint
    assert f"identical to run {first.pk}" in stdout
    assert [(r.application_id, r.rank, r.outcome) for r in first.rows.all()] == [
        (r.application_id, r.rank, r.outcome) for r in second.rows.all()
    ]
    assert AuditEvent.objects.filter(action="ranking.run").count() == 2


def test_a_changed_score_changes_the_fingerprint(ranked: Ranked) -> None:
    rank(ranked.selection, "skd")
    Score.objects.filter(application__number="A04").update(tkp=171)
    stdout, _ = rank(ranked.selection, "skd")

    first, second = RankingRun.objects.order_by("pk")
    assert second.fingerprint != first.fingerprint
    assert "identical to" not in stdout


def test_it_ranks_the_final_stage_with_ipk_and_optimalisasi(ranked: Ranked) -> None:
    add_skb(ranked.selection)

    _, stderr = rank(ranked.selection, "akhir")

    run = RankingRun.objects.get(stage="akhir")
    skb = {number: (attendance, value) for number, attendance, value in SKB}
    skd = {row[0]: row for row in SKD}
    nilai = "nomor_peserta,kode_formasi,kehadiran,twk,tiu,tkp,skb,ipk,tanggal_lahir\n" + "".join(
        f"{number},{skd[number][1]},{attendance},"
        + (
            f"{skd[number][3]},{skd[number][4]},{skd[number][5]},{value},"
            f"{max(IPKS[number], default='')},{birth_date(number).isoformat()}\n"
            if attendance == "H"
            else ",,,,,\n"
        )
        for number, (attendance, value) in skb.items()
    )
    expected, fingerprint = rank_file(ranked, "akhir", nilai)
    rows = stored(run)
    assert {
        n: (cell(r.skd_score), cell(r.skb_score), cell(r.final_score), cell(r.rank), r.outcome)
        for n, r in rows.items()
    } == {
        n: (row["nilai_skd"], row["nilai_skb"], row["nilai_akhir"], row["peringkat"], row["kode"])
        for n, row in expected.items()
    }
    assert run.fingerprint == fingerprint
    assert rows["A03"].outcome == "L"
    assert (rows["A02"].outcome, rows["A02"].placed_formation_code) == ("L-2", "F-B")
    assert rows["A02"].final_score == Decimal("74.909")
    assert run.counts == {"L": 1, "L-2": 1, "TL": 1, "TH": 1}
    assert "optimalisasi: A02 (F-A) mengisi formasi F-B" in stderr


def test_it_refuses_a_selection_without_scores_for_the_stage(ranked: Ranked) -> None:
    stderr = StringIO()
    with pytest.raises(CommandError, match="tidak ada peringkat yang disimpan"):
        call_command(
            "rank",
            "--selection",
            ranked.selection.code,
            "--stage",
            "akhir",
            stdout=StringIO(),
            stderr=stderr,
        )
    assert "seleksi peringkat-2026 belum punya nilai skb" in stderr.getvalue()
    assert not RankingRun.objects.exists()
    assert not AuditEvent.objects.filter(action="ranking.run").exists()


def test_it_refuses_skd_without_scores_and_pppk(db: None) -> None:
    selection = make_selection(make_agency(), "kosong-2026")
    import_rows(selection, FORMATIONS)

    with pytest.raises(CommandError):
        rank(selection, "skd")
    with pytest.raises(CommandError):
        rank(selection, "pppk")
    with pytest.raises(CommandError, match="tidak punya tahap pppk"):
        rank(selection, "pppk", "--policy", "cpns-2021")
    with pytest.raises(CommandError, match="tidak ada"):
        call_command("rank", "--selection", "tidak-ada", "--stage", "skd")
    assert not RankingRun.objects.exists()


def test_the_number_of_queries_does_not_grow_with_the_applicants(db: None) -> None:
    agency = make_agency()

    def queries(code: str, prefix: str, applicants: int) -> int:
        selection = make_selection(agency, code)
        import_rows(selection, FORMATIONS)
        add_applications(
            selection,
            [
                (f"{prefix}{n:03d}", "F-A" if n % 2 else "F-B", "H", 80, 90, 170)
                for n in range(applicants)
            ],
        )
        with CaptureQueriesContext(connection) as captured:
            ranking_run(selection=selection, stage="skd", actor=None)
        return len(captured)

    assert queries("lima-2026", "L", 5) == queries("lima-belas-2026", "M", 15) <= 8


def test_it_refuses_an_skb_score_without_a_present_skd_score(ranked: Ranked) -> None:
    add_skb(ranked.selection)
    Score.objects.filter(application__number="A01", stage=Score.Stage.SKD).update(
        attendance=Score.Attendance.ABSENT, twk=None, tiu=None, tkp=None
    )

    stderr = StringIO()
    with pytest.raises(CommandError, match="1 kesalahan"):
        call_command(
            "rank",
            "--selection",
            ranked.selection.code,
            "--stage",
            "akhir",
            stdout=StringIO(),
            stderr=stderr,
        )
    assert "peserta A01 punya nilai skb tetapi tidak punya nilai skd" in stderr.getvalue()
    assert not RankingRun.objects.exists()
