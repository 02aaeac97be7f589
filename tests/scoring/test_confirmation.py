"""`ranking_run_confirm`: the committee confirms the latest run of a stage once, with a note,
and the confirmation is in the audit trail."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.scoring.confirmation import RankingConfirmationRefused, ranking_run_confirm
from seleksi.scoring.models import RankingRun
from seleksi.selections.models import Selection
from tests.factories import make_agency, make_selection, make_staff, make_superuser


@dataclass
class Scene:
    selection: Selection
    committee: User
    verifier: User
    other_committee: User


@pytest.fixture
def scene(db: None) -> Scene:
    agency = make_agency()
    return Scene(
        selection=make_selection(agency, "konfirmasi-2026"),
        committee=make_staff("panitia.contoh", agency, Role.COMMITTEE),
        verifier=make_staff("verifikator.contoh", agency, Role.VERIFIER),
        other_committee=make_staff("panitia.lain", make_agency("pemkab-lain"), Role.COMMITTEE),
    )


@pytest.fixture(autouse=True)
def _english() -> object:
    with translation.override("en"):
        yield


def make_run(selection: Selection, stage: str = "akhir", fingerprint: str = "c" * 64) -> RankingRun:
    return RankingRun.objects.create(
        selection=selection,
        stage=stage,
        policy_code="cpns-2021",
        policy_version=1,
        fingerprint=fingerprint,
        created_at=timezone.now(),
        row_count=0,
        counts={},
    )


def refusal(run: RankingRun, actor: User, note: str = "Sudah diperiksa.") -> str:
    with pytest.raises(RankingConfirmationRefused) as caught:
        ranking_run_confirm(run=run, actor=actor, note=note)
    return caught.value.code


def test_it_records_who_when_and_why_with_one_audit_event(scene: Scene) -> None:
    run = make_run(scene.selection)
    before = timezone.now()

    confirmed = ranking_run_confirm(
        run=run, actor=scene.committee, note="  Seri A03 diperiksa; sesuai.  "
    )

    stored = RankingRun.objects.get(pk=run.pk)
    assert confirmed.pk == run.pk
    assert stored.confirmed_by == scene.committee
    assert stored.confirmed_at is not None and stored.confirmed_at >= before
    assert stored.confirmation_note == "Seri A03 diperiksa; sesuai."
    event = AuditEvent.objects.get(action="ranking.confirmed")
    assert (event.subject_type, event.subject_id) == ("selections.selection", str(run.selection_id))
    assert event.selection_id == scene.selection.pk
    assert event.agency_id == scene.selection.agency_id
    assert (event.actor, event.actor_role) == (scene.committee, "committee")
    assert event.rule_version == "cpns-2021 v1"
    assert event.reason == "Seri A03 diperiksa; sesuai."
    assert event.details == {
        "run": run.pk,
        "stage": "akhir",
        "fingerprint": "c" * 64,
        "note": "Seri A03 diperiksa; sesuai.",
    }


def test_a_note_is_required(scene: Scene) -> None:
    run = make_run(scene.selection)

    for note in ("", "   \n "):
        assert refusal(run, scene.committee, note) == "note_required"

    assert RankingRun.objects.get(pk=run.pk).confirmed_at is None
    assert not AuditEvent.objects.exists()


def test_only_the_agencys_committee_confirms(scene: Scene) -> None:
    run = make_run(scene.selection)

    assert refusal(run, scene.verifier) == "forbidden"
    assert refusal(run, scene.other_committee) == "forbidden"

    assert RankingRun.objects.get(pk=run.pk).confirmed_at is None
    ranking_run_confirm(run=run, actor=make_superuser(), note="Platform check.")
    assert RankingRun.objects.get(pk=run.pk).confirmed_at is not None


def test_a_run_is_confirmed_once(scene: Scene) -> None:
    run = make_run(scene.selection)
    ranking_run_confirm(run=run, actor=scene.committee, note="Pertama.")

    with pytest.raises(RankingConfirmationRefused) as caught:
        ranking_run_confirm(run=run, actor=scene.committee, note="Kedua.")

    assert caught.value.code == "already_confirmed"
    assert "already confirmed by panitia.contoh" in caught.value.message
    assert RankingRun.objects.get(pk=run.pk).confirmation_note == "Pertama."
    assert AuditEvent.objects.filter(action="ranking.confirmed").count() == 1


def test_a_stale_copy_of_the_run_does_not_confirm_it_twice(scene: Scene) -> None:
    """Two requests holding the same unconfirmed run: the second reads the stored state."""
    first_copy = make_run(scene.selection)
    second_copy = RankingRun.objects.get(pk=first_copy.pk)
    ranking_run_confirm(run=first_copy, actor=scene.committee, note="Pertama.")

    assert second_copy.confirmed_at is None
    assert refusal(second_copy, scene.committee, "Kedua.") == "already_confirmed"
    assert AuditEvent.objects.filter(action="ranking.confirmed").count() == 1


def test_an_outdated_run_is_refused_and_names_the_newer_one(scene: Scene) -> None:
    older = make_run(scene.selection)
    newer = make_run(scene.selection)

    with pytest.raises(RankingConfirmationRefused) as caught:
        ranking_run_confirm(run=older, actor=scene.committee, note="Sudah diperiksa.")

    assert caught.value.code == "outdated"
    assert f"(run #{newer.pk})" in caught.value.message
    assert RankingRun.objects.get(pk=older.pk).confirmed_at is None
    ranking_run_confirm(run=newer, actor=scene.committee, note="Yang terbaru.")
    assert RankingRun.objects.get(pk=newer.pk).confirmed_at is not None


def test_runs_of_other_stages_and_selections_do_not_make_a_run_outdated(scene: Scene) -> None:
    run = make_run(scene.selection, stage="skd")
    make_run(scene.selection, stage="akhir")
    make_run(make_selection(scene.selection.agency, "lain-2026"), stage="skd")

    ranking_run_confirm(run=run, actor=scene.committee, note="SKD diperiksa.")

    assert RankingRun.objects.get(pk=run.pk).confirmed_at is not None


def test_a_newer_run_may_be_confirmed_after_an_older_one(scene: Scene) -> None:
    older = make_run(scene.selection)
    ranking_run_confirm(run=older, actor=scene.committee, note="Pertama.")
    newer = make_run(scene.selection)

    ranking_run_confirm(run=newer, actor=scene.committee, note="Setelah nilai diperbaiki.")

    assert AuditEvent.objects.filter(action="ranking.confirmed").count() == 2


def test_it_locks_the_run_while_it_checks(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    run = make_run(scene.selection)
    manager = RankingRun.objects
    locked: list[bool] = []

    def select_for_update(**options: object) -> QuerySet[RankingRun]:
        locked.append(connection.in_atomic_block)
        return manager.get_queryset().select_for_update(**options)  # type: ignore[arg-type]

    monkeypatch.setattr(manager, "select_for_update", select_for_update)
    with CaptureQueriesContext(connection) as captured:
        ranking_run_confirm(run=run, actor=scene.committee, note="Sudah diperiksa.")

    assert locked == [True]
    if connection.features.has_select_for_update:
        first_read = next(q["sql"] for q in captured if "scoring_rankingrun" in q["sql"])
        assert "FOR UPDATE" in first_read
