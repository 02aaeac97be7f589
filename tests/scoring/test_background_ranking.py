"""A run started from the page for a stage with many scores goes to the task worker; the
page shows it waiting, then the run, or the reasons it failed."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.audit.services import audit_record
from seleksi.scoring.models import RankingRun
from seleksi.scoring.tasks import rank_in_background
from tests.factories import make_staff
from tests.scoring.ranked import Ranked

Capture = Callable[..., Any]


@pytest.fixture
def committee(ranked: Ranked, settings: Any) -> Client:
    settings.SELEKSI_RANKING_BACKGROUND_FROM = 0  # every run goes to the worker
    client = Client()
    client.force_login(make_staff("panitia", ranked.selection.agency, Role.COMMITTEE))
    return client


def runs_page(ranked: Ranked) -> str:
    return reverse("committee:runs", args=[ranked.selection.code])


def test_a_run_is_handed_to_the_worker_and_appears_when_done(
    ranked: Ranked, committee: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = committee.post(runs_page(ranked), {"stage": "skd"})
    assert response.status_code == 302 and response["Location"] == runs_page(ranked)
    assert len(callbacks) == 1
    run = RankingRun.objects.get()
    assert run.stage == "skd" and run.created_by is not None
    assert AuditEvent.objects.filter(action="ranking.requested").count() == 1
    body = committee.get(runs_page(ranked)).content.decode()
    assert f'id="run-{run.pk}"' in body
    assert 'id="background"' not in body


def test_a_waiting_request_is_shown(ranked: Ranked, committee: Client) -> None:
    committee.post(runs_page(ranked), {"stage": "skd"})  # on_commit never runs here
    assert not RankingRun.objects.exists()
    body = committee.get(runs_page(ranked)).content.decode()
    section = body.split('id="background"')[1].split("</section>")[0]
    assert "skd" in section and "alert-error" not in section


def test_a_failed_background_run_shows_its_reasons(
    ranked: Ranked, committee: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        committee.post(runs_page(ranked), {"stage": "akhir"})
    assert not RankingRun.objects.exists()
    failed = AuditEvent.objects.get(action="ranking.failed")
    assert failed.details["problems"] == [
        {"code": "no_scores", "values": {"selection": "peringkat-2026", "stage": "SKB"}}
    ]
    committee.cookies["django_language"] = "en"
    section = committee.get(runs_page(ranked)).content.decode().split('id="background"')[1]
    assert "The selection peringkat-2026 has no SKB scores yet." in section.split("</section>")[0]


def test_a_failure_on_the_worker_is_worded_in_the_reader_s_language(
    ranked: Ranked, committee: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    with translation.override("id"), django_capture_on_commit_callbacks(execute=True):
        committee.post(runs_page(ranked), {"stage": "akhir"})
    committee.cookies["django_language"] = "en"
    page = committee.get(runs_page(ranked)).content.decode()
    assert "The selection peringkat-2026 has no SKB scores yet." in page
    with translation.override("id"):
        indonesian = _("The selection %(selection)s has no %(stage)s scores yet.") % {
            "selection": "peringkat-2026",
            "stage": "SKB",
        }
    committee.cookies["django_language"] = "id"
    assert indonesian in committee.get(runs_page(ranked)).content.decode()


def test_an_older_failure_stored_as_text_is_still_shown(ranked: Ranked, committee: Client) -> None:
    audit_record(
        actor=None,
        action="ranking.failed",
        subject=ranked.selection,
        details={"stage": "akhir", "errors": ["seleksi peringkat-2026 belum punya nilai skb"]},
    )
    section = committee.get(runs_page(ranked)).content.decode().split('id="background"')[1]
    assert "seleksi peringkat-2026 belum punya nilai skb" in section.split("</section>")[0]


def test_a_later_run_of_the_stage_clears_an_older_request(
    ranked: Ranked, committee: Client, settings: Any
) -> None:
    audit_record(
        actor=None, action="ranking.requested", subject=ranked.selection, details={"stage": "skd"}
    )
    settings.SELEKSI_RANKING_BACKGROUND_FROM = 10_000  # small stage: ranked in the request
    response = committee.post(runs_page(ranked), {"stage": "skd"})
    assert response.status_code == 302
    assert RankingRun.objects.count() == 1
    assert 'id="background"' not in committee.get(runs_page(ranked)).content.decode()


def test_a_task_run_again_after_its_run_was_stored_stores_no_second_run(
    ranked: Ranked, committee: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    # A worker killed after the run committed, before the task was marked done: the task is
    # put back in the queue (requeue-stalled-tasks) and a second worker runs it again.
    with django_capture_on_commit_callbacks(execute=True):
        committee.post(runs_page(ranked), {"stage": "skd"})
    run = RankingRun.objects.get()
    request = AuditEvent.objects.get(action="ranking.requested")
    assert AuditEvent.objects.get(action="ranking.run").details["request"] == request.pk

    again = rank_in_background.call(
        selection_id=ranked.selection.pk,
        stage="skd",
        actor_id=run.created_by_id,
        request_id=request.pk,
    )

    assert again == run.pk
    assert RankingRun.objects.count() == 1
    assert AuditEvent.objects.filter(action="ranking.run").count() == 1


def test_a_failed_request_run_again_records_its_failure_once(
    ranked: Ranked, committee: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        committee.post(runs_page(ranked), {"stage": "akhir"})
    request = AuditEvent.objects.get(action="ranking.requested")

    again = rank_in_background.call(
        selection_id=ranked.selection.pk, stage="akhir", actor_id=None, request_id=request.pk
    )

    assert again is None
    assert AuditEvent.objects.filter(action="ranking.failed").count() == 1


def test_a_new_request_of_the_same_stage_is_run_again(
    ranked: Ranked, committee: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        committee.post(runs_page(ranked), {"stage": "skd"})
        committee.post(runs_page(ranked), {"stage": "skd"})
    requests = list(
        AuditEvent.objects.filter(action="ranking.requested").values_list("pk", flat=True)
    )
    answered = sorted(
        AuditEvent.objects.filter(action="ranking.run").values_list("details__request", flat=True)
    )
    assert RankingRun.objects.count() == 2
    assert answered == sorted(requests)
