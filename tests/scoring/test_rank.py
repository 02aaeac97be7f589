"""`seleksi rank`: the ranking engine on stored scores, kept as a run with its rows, and the
same answer as `seleksi rank-file` on the equivalent CSV files."""

import csv
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from seleksi.audit.models import AuditEvent
from seleksi.scoring.models import RankingRow, RankingRun, Score
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.selections.models import Selection
from tests.factories import import_rows, make_agency, make_selection
from tests.scoring.ranked import (
    FORMATIONS,
    IPKS,
    SKB,
    SKD,
    Ranked,
    add_applications,
    add_skb,
    birth_date,
)


def rank(selection: Selection, stage: str, *extra: str) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "rank",
        "--selection",
        selection.code,
        "--stage",
        stage,
        "--language",
        "en",
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
    assert "Optimalisasi: A02 (F-A) fills formation F-B." in stderr


def test_it_refuses_a_selection_without_scores_for_the_stage(ranked: Ranked) -> None:
    stderr = StringIO()
    with pytest.raises(CommandError, match="1 error; no ranking was stored"):
        call_command(
            "rank",
            "--selection",
            ranked.selection.code,
            "--stage",
            "akhir",
            "--language",
            "en",
            stdout=StringIO(),
            stderr=stderr,
        )
    assert "The selection peringkat-2026 has no SKB scores yet." in stderr.getvalue()
    assert not RankingRun.objects.exists()
    assert not AuditEvent.objects.filter(action="ranking.run").exists()


def test_it_refuses_skd_without_scores_and_pppk(db: None) -> None:
    selection = make_selection(make_agency(), "kosong-2026")
    import_rows(selection, FORMATIONS)

    with pytest.raises(CommandError):
        rank(selection, "skd")
    with pytest.raises(CommandError):
        rank(selection, "pppk")
    with pytest.raises(CommandError, match="The policy cpns-2021 has no stage pppk"):
        rank(selection, "pppk", "--policy", "cpns-2021")
    with pytest.raises(CommandError, match="There is no ranking policy “cpns-2099”"):
        rank(selection, "skd", "--policy", "cpns-2099")
    with pytest.raises(CommandError, match="The selection “tidak-ada” does not exist"):
        call_command("rank", "--selection", "tidak-ada", "--stage", "skd", "--language", "en")
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

    # at most 10: one asks whether the selection runs its own test, one counts the scores
    # (a stage of millions is read in pieces)
    assert queries("lima-2026", "L", 5) == queries("lima-belas-2026", "M", 15) <= 10


def test_it_refuses_an_skb_score_without_a_present_skd_score(ranked: Ranked) -> None:
    add_skb(ranked.selection)
    Score.objects.filter(application__number="A01", stage=Score.Stage.SKD).update(
        attendance=Score.Attendance.ABSENT, twk=None, tiu=None, tkp=None
    )

    stderr = StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command(
            "rank",
            "--selection",
            ranked.selection.code,
            "--stage",
            "akhir",
            "--language",
            "en",
            stdout=StringIO(),
            stderr=stderr,
        )
    assert "Participant A01 has an SKB score but no SKD score." in stderr.getvalue()
    assert not RankingRun.objects.exists()


def test_optimalisasi_on_the_database_also_checks_qualifications(ranked: Ranked) -> None:
    add_skb(ranked.selection, programmes={"A02": "Ekonomi"})

    _, stderr = rank(ranked.selection, "akhir")

    rows = stored(RankingRun.objects.get(stage="akhir"))
    # A02 is the best not-yet-passed applicant for Analis Kebijakan, but S-1 Ekonomi is not
    # S-1 Hukum: the empty F-B seat goes to A01, the next in the final order who qualifies.
    assert (rows["A02"].outcome, rows["A02"].placed_formation_code) == ("TL", "")
    assert (rows["A01"].outcome, rows["A01"].placed_formation_code) == ("L-2", "F-B")
    assert "Optimalisasi: A01 (F-A) fills formation F-B." in stderr


def test_a_present_skd_score_without_its_subtests_is_refused(ranked: Ranked) -> None:
    Score.objects.filter(application__number="A01", stage=Score.Stage.SKD).update(tiu=None)
    stderr = StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command(
            "rank",
            "--selection",
            ranked.selection.code,
            "--stage",
            "skd",
            "--language",
            "en",
            stdout=StringIO(),
            stderr=stderr,
        )
    assert (
        "Participant A01 was present at the SKD but their scores are incomplete."
        in stderr.getvalue()
    )
    assert not RankingRun.objects.exists()
