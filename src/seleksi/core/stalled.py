"""Tasks whose worker died: put back in the queue, or failed after too many lost workers.

Decisions worth knowing:
- The database queue (django_tasks_db) marks a task RUNNING when a worker claims it and
  finished when the worker records the outcome. A worker killed in between (kill -9, the
  machine lost, out of memory) leaves the row RUNNING for ever: no worker picks it up again
  and the package has nothing that notices. `stalled_tasks_requeue` is that something.
- A worker has no heartbeat, so "dead" is judged by age: a task RUNNING for longer than the
  limit is taken for lost. The limit must exceed the longest task and the outbox's claim
  lease (ten minutes), so that the e-mail a dead worker held is due again when its task
  runs again. It is run by a timer, not when a worker starts: a starting worker cannot tell
  a dead worker's task from a slow one on another machine.
- Each row is moved with a compare-and-swap UPDATE (`status = RUNNING` and the same
  `started_at` as read), so two copies of the command, or a worker that finishes at that
  moment, never act on the same row twice.
- Every worker that claimed a task stays in its `worker_ids`; a task that has lost
  `max_attempts` workers is failed instead (a task that kills its worker must not loop).
- Running a task again is safe because Seleksi's tasks check what is done before they
  write: a sent message is not sent again, a finished sitting or card batch is left as it
  is. Each move is logged with the task's path and id, never its arguments.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 3
LOST_WORKER = "seleksi.core.stalled.WorkerLost"
"""What a failed row names as its exception: no exception was raised, its workers died."""


@dataclass(frozen=True)
class Recovery:
    requeued: int = 0
    failed: int = 0


def stalled_tasks_requeue(
    *,
    older_than: timedelta,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> Recovery:
    """Back to READY every task RUNNING since before `now - older_than`; FAILED when
    `max_attempts` workers have claimed it already."""
    moment = now or timezone.now()
    stalled = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=moment - older_than
    ).values_list("pk", "started_at", "task_path", "worker_ids")
    requeued = failed = 0
    for pk, started_at, task_path, worker_ids in stalled.order_by("started_at"):
        same = DBTaskResult.objects.filter(
            pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        attempts = len(worker_ids or [])
        if attempts >= max_attempts:
            if same.update(
                status=TaskResultStatus.FAILED,
                finished_at=moment,
                exception_class_path=LOST_WORKER,
                traceback=f"its worker was lost {attempts} times",
                return_value=None,
            ):
                failed += 1
                logger.error(
                    "task %s (%s) failed: its worker was lost %s times", pk, task_path, attempts
                )
            continue
        if same.update(status=TaskResultStatus.READY, started_at=None):
            requeued += 1
            logger.warning(
                "task %s (%s) requeued: running since %s, its worker is taken for lost",
                pk,
                task_path,
                started_at,
            )
    return Recovery(requeued=requeued, failed=failed)
