"""`requeue-stalled-tasks`: a task left RUNNING by a dead worker goes back to the queue once
it is older than the limit; a recent one, and a finished one, are left alone; a task that
has lost its worker too often is failed instead of looping. The real kill is in
`test_faults_worker.py`."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from seleksi.core.stalled import LOST_WORKER, stalled_tasks_requeue

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def task_row(status: str, started_at: datetime | None, workers: int = 1) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        started_at=started_at,
        worker_ids=[f"worker-{n}" for n in range(workers)],
        args_kwargs={"args": [], "kwargs": {}},
        task_path="seleksi.outbox.tasks.queued_send",
        backend_name="default",
        run_after=get_date_max(),
    )


def status_of(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return str(row.status)


def test_only_tasks_running_longer_than_the_limit_go_back_to_the_queue() -> None:
    lost = task_row(TaskResultStatus.RUNNING, NOW - timedelta(minutes=31))
    busy = task_row(TaskResultStatus.RUNNING, NOW - timedelta(minutes=29))
    done = task_row(TaskResultStatus.SUCCESSFUL, NOW - timedelta(hours=2))
    waiting = task_row(TaskResultStatus.READY, None)

    recovery = stalled_tasks_requeue(older_than=timedelta(minutes=30), now=NOW)

    assert (recovery.requeued, recovery.failed) == (1, 0)
    assert status_of(lost) == TaskResultStatus.READY and lost.started_at is None
    assert lost.worker_ids == ["worker-0"]  # who claimed it before stays on record
    assert status_of(busy) == TaskResultStatus.RUNNING
    assert status_of(done) == TaskResultStatus.SUCCESSFUL
    assert status_of(waiting) == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=lost.pk).exists()  # a worker will take it


def test_a_second_pass_finds_nothing_to_do() -> None:
    task_row(TaskResultStatus.RUNNING, NOW - timedelta(hours=1))
    assert stalled_tasks_requeue(older_than=timedelta(minutes=30), now=NOW).requeued == 1
    again = stalled_tasks_requeue(older_than=timedelta(minutes=30), now=NOW)
    assert (again.requeued, again.failed) == (0, 0)


def test_a_task_that_lost_its_worker_too_often_is_failed_not_requeued() -> None:
    cursed = task_row(TaskResultStatus.RUNNING, NOW - timedelta(hours=1), workers=3)
    recovery = stalled_tasks_requeue(older_than=timedelta(minutes=30), max_attempts=3, now=NOW)
    assert (recovery.requeued, recovery.failed) == (0, 1)
    assert status_of(cursed) == TaskResultStatus.FAILED
    assert cursed.exception_class_path == LOST_WORKER
    assert cursed.finished_at == NOW


def test_the_command_says_what_it_did() -> None:
    task_row(TaskResultStatus.RUNNING, timezone.now() - timedelta(minutes=11))
    printed = StringIO()
    call_command("requeue_stalled_tasks", "--older-than", "10", stdout=printed)
    assert printed.getvalue().strip() == "1 stalled task(s) requeued, 0 failed"


def test_the_limit_is_at_least_a_minute() -> None:
    with pytest.raises(Exception, match="older-than"):
        call_command("requeue_stalled_tasks", "--older-than", "0")


@pytest.mark.parametrize("limit", ["0", "-5", "soon"])
def test_a_limit_that_is_not_a_positive_number_of_minutes_is_refused_and_nothing_moves(
    limit: str,
) -> None:
    lost = task_row(TaskResultStatus.RUNNING, NOW - timedelta(hours=2))
    with pytest.raises(CommandError, match="older-than"):
        call_command("requeue_stalled_tasks", "--older-than", limit)
    assert status_of(lost) == TaskResultStatus.RUNNING
