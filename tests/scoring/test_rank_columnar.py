"""`seleksi rank` on the columnar path (`scoring.ranking_frames`): ordinary data is ranked on
frames, with exactly the rows and the fingerprint of the object path, and every refusal is the
object path's own."""

import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from seleksi.accounts.models import Education, User
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.rules.ranking import PREFERENCE_CODES, load_ranking_policy
from seleksi.scoring import ranking_frames, ranking_runs
from seleksi.scoring.engine import RankingInputError
from seleksi.scoring.models import RANKING_ROW_COLUMNS, RankingRow, RankingRun, Score
from seleksi.scoring.ranking_runs import RankingRunOutcome, ranking_run
from seleksi.selections.models import Formation, Selection
from tests.exams.test_ranking_attendance import seated_selection
from tests.factories import import_rows, make_agency, make_selection

pytestmark = pytest.mark.django_db

CPNS = [
    ["F-A", "CPNS", "umum", "Analis Kebijakan", "S-1 Hukum", "Dinas A", "3", "teknis"],
    ["F-B", "CPNS", "disabilitas", "Analis Kebijakan", "S-1 Hukum", "Dinas B", "2", "teknis"],
    ["F-C", "CPNS", "umum", "Pranata Komputer", "S-1 Informatika", "Dinas C", "1", "teknis"],
    ["F-D", "CPNS", "umum", "Analis Kebijakan", "S-1 Hukum", "Dinas D", "2", "teknis"],
]
NOBODY_APPLIED = "F-D"
"""its seats go to others of the same position (optimalisasi)"""
PPPK = [
    ["G1", "PPPK", "umum", "Guru Matematika", "S-1 Pendidikan Matematika", "SMA 1", "2", "guru"],
    ["G2", "PPPK", "umum", "Guru Fisika", "S-1 Pendidikan Fisika", "SMA 2", "1", "guru"],
]
PASS_MARKS = {"G1": "300", "G2": "280"}
MITRA = [
    ["MITRA-1", "MITRA", "umum", "Mitra Statistik", "SMA/SMK", "BPS Kabupaten", "4", ""],
    ["MITRA-2", "MITRA", "umum", "Mitra Pengolahan", "SMA/SMK", "BPS Kota", "2", ""],
]
STAGES = ("skd", "akhir", "pppk", "mitra")


def applications(
    selection: Selection, count: int, rng: random.Random, *, mitra: bool = False
) -> list[Application]:
    """`count` submitted applications spread over the selection's formations; a few
    applicants share a birth date and one has none (the final stage's last tie-breaks)."""
    formations = list(
        Formation.objects.filter(selection=selection).exclude(code=NOBODY_APPLIED).order_by("code")
    )
    prefix = f"{selection.code[0].upper()}{selection.code.rsplit('-', 1)[1]}-"
    users = User.objects.bulk_create(
        User(
            username=f"peserta-{prefix}{n:03d}",
            birth_date=None if n == 7 else date(1990 + rng.randrange(3), 1 + rng.randrange(2), 1),
        )
        for n in range(count)
    )
    preferences = sorted(PREFERENCE_CODES)
    return Application.objects.bulk_create(
        Application(
            applicant=user,
            selection=selection,
            formation=rng.choice(formations),
            number=f"{prefix}{n:03d}",
            status=Application.Status.SUBMITTED,
            submitted_at=timezone.now(),
            eligibility={
                "eligible": True,
                "preferences_met": rng.sample(preferences, rng.randrange(len(preferences) + 1)),
            }
            if mitra
            else {},
        )
        for n, user in enumerate(users)
    )


def score(
    application: Application, stage: str, present: bool, *, round_: int = 1, **figures: Any
) -> Score:
    """A stored score; an absent participant's figures stay empty, as the import leaves them."""
    return Score(
        selection_id=application.selection_id,
        application=application,
        stage=stage,
        round=round_,
        attendance="H" if present else "TH",
        imported_at=timezone.now(),
        source_name="NILAI.csv",
        source_sha256="0" * 64,
        **(figures if present else {}),
    )


def new_selection(code: str) -> Selection:
    return make_selection(make_agency(f"instansi-{code}"), code)


def cpns_selection(seed: int, *, final: bool) -> Selection:
    """SKD scores drawn on coarse steps (ties, failed marks, absences); with `final`, SKB
    scores for most of those present, educations with and without an IPK (one studied
    another subject, so optimalisasi checks qualifications)."""
    rng = random.Random(seed)
    selection = new_selection(f"akhir-{seed}" if final else f"skd-{seed}")
    import_rows(selection, CPNS)
    people = applications(selection, 40, rng)
    present: list[Application] = []
    scores = []
    for application in people:
        attends = rng.random() > 0.1
        scores.append(
            score(
                application,
                Score.Stage.SKD,
                attends,
                twk=rng.randrange(55, 151, 10),
                tiu=rng.randrange(65, 176, 15),
                tkp=rng.randrange(150, 226, 15),
            )
        )
        if attends:
            present.append(application)
    if final:
        for application in present:
            if rng.random() < 0.2:
                continue
            skb = Decimal(rng.choice(["60", "70.5", "70.5", "80.25", "90.125", "100"]))
            scores.append(score(application, Score.Stage.SKB, rng.random() > 0.1, skb=skb))
            for year in range(rng.randrange(4) // 2 + 1):
                Education.objects.create(
                    user=application.applicant,
                    level_id="S1",
                    institution="Universitas Contoh",
                    study_programme=rng.choice(["Hukum", "Hukum", "Ekonomi", "Informatika"]),
                    accreditation=Education.Accreditation.A,
                    graduated_on=date(2015 + year, 8, 1),
                    ipk=rng.choice([None, Decimal("3.10"), Decimal("3.50"), Decimal("3.75")]),
                )
    Score.objects.bulk_create(scores)
    return selection


def pppk_selection(seed: int) -> Selection:
    rng = random.Random(seed)
    rules = load_ranking_policy("pppk-guru-2021").pppk_rules()
    selection = new_selection(f"pppk-{seed}")
    import_rows(selection, [[*row, PASS_MARKS[row[0]]] for row in PPPK])
    scores = []
    for application in applications(selection, 30, rng):
        for round_ in range(1, rng.randrange(1, rules.rounds + 1) + 1):
            scores.append(
                score(
                    application,
                    Score.Stage.PPPK,
                    rng.random() > 0.15,
                    round_=round_,
                    teknis=rng.randrange(150, rules.teknis_maximum + 1, 50),
                    manajerial_sosiokultural=rng.randrange(
                        100, rules.manajerial_sosiokultural_maximum + 1, 20
                    ),
                    wawancara=rng.randrange(10, rules.wawancara_maximum + 1, 6),
                    serdik_linier=rng.random() < 0.1,
                    age_35_active_3_years=rng.random() < 0.2,
                    disability=rng.random() < 0.1,
                    thk2_active_3_years=rng.random() < 0.2,
                )
            )
    Score.objects.bulk_create(scores)
    return selection


def mitra_selection(seed: int) -> Selection:
    rng = random.Random(seed)
    selection = new_selection(f"mitra-{seed}")
    import_rows(selection, MITRA)
    Score.objects.bulk_create(
        score(
            application,
            Score.Stage.MITRA,
            rng.random() > 0.1,
            test_score=Decimal(rng.choice(["55", "70", "85.5", "90.125", "100"])),
            performance_rating=rng.choice([None, None, Decimal("7"), Decimal("8.5"), Decimal(10)]),
        )
        for application in applications(selection, 30, rng, mitra=True)
    )
    return selection


def scene(stage: str, seed: int) -> Selection:
    if stage == "pppk":
        return pppk_selection(seed)
    if stage == "mitra":
        return mitra_selection(seed)
    return cpns_selection(seed, final=stage == "akhir")


@contextmanager
def object_path_forbidden(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the object path was taken")

    with monkeypatch.context() as patch:
        patch.setattr(ranking_runs, "_stage_inputs", refuse)
        yield


@contextmanager
def object_path_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as patch:
        patch.setattr(ranking_frames, "ranked_stage", lambda **kwargs: None)
        yield


@contextmanager
def columnar_answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """What `ranked_stage` returned in each call (None: the object path ranked)."""
    answers: list[object] = []
    real: Callable[..., object] = ranking_frames.ranked_stage

    def spy(**kwargs: object) -> object:
        answers.append(real(**kwargs))
        return answers[-1]

    with monkeypatch.context() as patch:
        patch.setattr(ranking_frames, "ranked_stage", spy)
        yield answers


def stored_rows(run: RankingRun) -> list[tuple[Any, ...]]:
    return list(
        run.rows.order_by("order").values_list(*(c for c in RANKING_ROW_COLUMNS if c != "run_id"))
    )


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("stage", STAGES)
def test_both_paths_store_the_same_run(
    stage: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    selection = scene(stage, seed)

    with object_path_forbidden(monkeypatch):
        columnar = ranking_run(selection=selection, stage=stage, actor=None)
    with object_path_only(monkeypatch):
        reference = ranking_run(selection=selection, stage=stage, actor=None)

    rows = stored_rows(columnar.run)
    assert len(rows) == columnar.run.row_count > 20
    assert rows == stored_rows(reference.run)
    assert columnar.run.fingerprint == reference.run.fingerprint
    assert reference.identical_to == columnar.run.pk
    assert columnar.run.counts == reference.run.counts
    assert columnar.run.row_count == reference.run.row_count
    assert columnar.notes == reference.notes
    assert len({row[-2] for row in rows}) >= 3  # several outcome codes, not one


def test_a_fingerprint_that_fails_beside_the_ranking_leaves_nothing_stored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fingerprint is computed in a second thread while the stage is ranked: its failure
    reaches the caller and nothing of the run is stored."""
    selection = scene("skd", 1)
    ranked: list[object] = []
    rank = ranking_frames.rank_columns

    def failing(*arguments: Any) -> str:
        raise MemoryError("hashing failed")

    def ranking(*arguments: Any, **options: Any) -> object:
        ranked.append(rank(*arguments, **options))
        return ranked[-1]

    monkeypatch.setattr(ranking_frames, "fingerprint_columns", failing)
    monkeypatch.setattr(ranking_frames, "rank_columns", ranking)
    with object_path_forbidden(monkeypatch), pytest.raises(MemoryError, match="hashing failed"):
        ranking_run(selection=selection, stage="skd", actor=None)

    assert ranked and ranked[0] is not None  # the ranking beside it went on to the end
    assert not RankingRun.objects.filter(selection=selection).exists()
    assert not RankingRow.objects.filter(run__selection=selection).exists()
    assert not AuditEvent.objects.filter(action="ranking.run").exists()


@pytest.mark.parametrize("stage", STAGES)
def test_a_stage_read_in_pieces_stores_the_same_run(
    stage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stage larger than one text may hold is read a piece at a time, with nothing lost or
    read twice: here pieces of 7 scores."""
    selection = scene(stage, 3)
    monkeypatch.setattr(ranking_frames, "READ_PIECE", 7)
    texts: list[str] = []
    read = ranking_frames._texts

    def counted(*arguments: Any) -> Iterator[str]:
        for text in read(*arguments):
            texts.append(text)
            yield text

    monkeypatch.setattr(ranking_frames, "_texts", counted)
    with object_path_forbidden(monkeypatch):
        columnar = ranking_run(selection=selection, stage=stage, actor=None)
    with object_path_only(monkeypatch):
        reference = ranking_run(selection=selection, stage=stage, actor=None)
    assert stored_rows(columnar.run) == stored_rows(reference.run)
    assert columnar.run.fingerprint == reference.run.fingerprint
    lines = [text.count("\n") + 1 for text in texts if text]
    assert max(lines) == 7 and len(lines) >= 4


def test_the_scenes_hold_the_cases_worth_comparing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ties at the quota, optimalisasi, absences and PPPK rounds do occur in the scenes, so
    the comparison above covers them."""
    outcomes: dict[str, RankingRunOutcome] = {}
    with object_path_forbidden(monkeypatch):
        for stage in STAGES:
            outcomes[stage] = ranking_run(selection=scene(stage, 1), stage=stage, actor=None)
    final = outcomes["akhir"].run
    assert final.counts.get("L-2", 0) >= 1
    assert final.rows.exclude(placed_formation_code="").exists()
    assert all(outcome.run.counts.get("TH", 0) >= 1 for outcome in outcomes.values())
    assert outcomes["pppk"].run.rows.filter(test_round__gte=2).exists()
    assert outcomes["mitra"].run.rows.filter(preference_points__gt=0).exists()
    assert any(outcome.notes for outcome in outcomes.values())


def refusals(selection: Selection, stage: str) -> list[tuple[str, dict[str, str]]]:
    with pytest.raises(RankingInputError) as caught:
        ranking_run(selection=selection, stage=stage, actor=None)
    return [(str(r.code), dict(r.values)) for r in caught.value.refusals]


def first_score(selection: Selection, stage: str, **filters: Any) -> Any:
    return Score.objects.filter(selection=selection, stage=stage, **filters).order_by("pk")[:1]


def incomplete_skd(selection: Selection) -> None:
    Score.objects.filter(pk__in=first_score(selection, "skd", attendance="H")).update(tkp=None)


def skb_without_present_skd(selection: Selection) -> None:
    skb = Score.objects.filter(selection=selection, stage="skb", attendance="H").first()
    assert skb is not None
    Score.objects.filter(application=skb.application, stage="skd").update(
        attendance="TH", twk=None, tiu=None, tkp=None
    )


def skb_missing(selection: Selection) -> None:
    Score.objects.filter(pk__in=first_score(selection, "skb", attendance="H")).update(skb=None)


def no_scores(selection: Selection) -> None:
    Score.objects.filter(selection=selection).delete()


def no_skb_scores(selection: Selection) -> None:
    Score.objects.filter(selection=selection, stage="skb").delete()


def no_quota(selection: Selection) -> None:
    Formation.objects.filter(selection=selection, code__in=["F-B", "G2", "MITRA-2"]).update(
        quota=None
    )


def no_pass_mark(selection: Selection) -> None:
    Formation.objects.filter(selection=selection, code="G1").update(teknis_pass_mark=None)


def no_test_score(selection: Selection) -> None:
    Score.objects.filter(pk__in=first_score(selection, "mitra", attendance="H")).update(
        test_score=None
    )


def unknown_preference(selection: Selection) -> None:
    application = Score.objects.filter(selection=selection, attendance="H").first()
    assert application is not None
    Application.objects.filter(pk=application.application_id).update(
        eligibility={"preferences_met": ["domicile", "bicycle"]}
    )


REFUSALS: list[tuple[str, Callable[[Selection], None], str]] = [
    ("skd", incomplete_skd, "incomplete_skd"),
    ("skd", no_scores, "no_scores"),
    ("skd", no_quota, "no_quota"),
    ("akhir", incomplete_skd, "incomplete_skd"),
    ("akhir", skb_without_present_skd, "skb_without_skd"),
    ("akhir", skb_missing, "skb_missing"),
    ("akhir", no_skb_scores, "no_scores"),
    ("pppk", no_pass_mark, "no_teknis_threshold"),
    ("pppk", no_scores, "no_scores"),
    ("mitra", no_test_score, "test_missing"),
    ("mitra", unknown_preference, "unknown_preference"),
    ("mitra", no_quota, "no_mitra_quota"),
]


@pytest.mark.parametrize(
    ("stage", "change", "code"), REFUSALS, ids=[f"{s}-{c.__name__}" for s, c, _ in REFUSALS]
)
def test_every_refusal_is_the_object_paths_own(
    stage: str, change: Callable[[Selection], None], code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    selection = scene(stage, 3)
    change(selection)

    with columnar_answers(monkeypatch) as answers:
        refused = refusals(selection, stage)
    with object_path_only(monkeypatch):
        expected = refusals(selection, stage)

    assert refused == expected
    assert code in {found for found, _ in refused}
    assert answers in ([], [None])  # the formations refused first, or the frame declined
    assert not RankingRun.objects.exists()


def test_an_unknown_preference_is_named_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    selection = scene("mitra", 3)
    unknown_preference(selection)

    assert any("bicycle" in str(values) for _, values in refusals(selection, "mitra"))


def test_a_selection_with_its_own_test_ranks_on_the_object_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    selection = seated_selection(attendance={"A01": "TH"})

    with columnar_answers(monkeypatch) as answers:
        run = ranking_run(selection=selection, stage="skd", actor=None).run

    assert answers == [None]
    assert run.rows.get(application__number="A01").outcome == "TH"


def test_an_open_session_is_still_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    selection = seated_selection(attendance={"A01": ""})

    with columnar_answers(monkeypatch) as answers:
        refused = refusals(selection, "skd")

    assert answers == [None]
    assert [code for code, _ in refused] == ["session_open"]


LOADED = """
import sys
import django
from django.urls import get_resolver

django.setup()
get_resolver().url_patterns  # every page's module
import seleksi.scoring.ranking_runs, seleksi.core.bulk, seleksi.scoring.tasks
print("polars" in sys.modules)
"""


def test_a_process_that_ranks_nothing_does_not_load_polars(tmp_path: Path) -> None:
    """polars (some 0.1 s and 36 MB) comes with the first ranking, not with every web worker
    and command."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
        "DJANGO_SETTINGS_MODULE": "seleksi.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SELEKSI_DATA_DIR": str(tmp_path),
    }
    loaded = subprocess.run(
        [sys.executable, "-c", LOADED],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "False"
