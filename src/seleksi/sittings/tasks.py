"""Background work of the computer-assisted test: closing sittings whose time is up.

Decisions worth knowing:

- `sitting_close` takes a sitting id, nothing else, and is idempotent: a finished sitting is
  left as it is, and one not yet due (its time was extended) is enqueued again for its new
  end. The server, not the participant's browser, ends a sitting.
- A backend that cannot defer a task (the immediate one of the tests) enqueues nothing at the
  start; `sittings_close_due` (the `seleksi close-sittings` command, or a timer) closes every
  sitting left open past its time, whatever happened to the worker.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.tasks import default_task_backend, task
from django.utils import timezone

from . import selectors
from .models import Sitting
from .sittings import sitting_finish

logger = logging.getLogger(__name__)


@task()
def sitting_close(*, sitting_id: int) -> str:
    """Close and score the sitting if its time and grace are over; returns its status."""
    sitting = Sitting.objects.filter(pk=sitting_id).first()
    if sitting is None:
        return "missing"
    if sitting.status == Sitting.Status.FINISHED:
        return str(sitting.status)
    grace = timedelta(seconds=settings.SELEKSI_ANSWER_GRACE_SECONDS)
    if timezone.now() <= sitting.ends_at + grace:
        sitting_close_enqueue(
            sitting_id=sitting.pk, when=sitting.ends_at + grace + timedelta(seconds=1)
        )
        return str(sitting.status)
    return str(sitting_finish(sitting=sitting, actor=None).status)


def sitting_close_enqueue(*, sitting_id: int, when: datetime) -> None:
    """Enqueue `sitting_close` for `when` if the backend can defer tasks."""
    if not default_task_backend.supports_defer:
        return
    sitting_close.using(run_after=when).enqueue(sitting_id=sitting_id)


def sittings_close_due() -> int:
    """Close every sitting left open past its time and grace; returns how many."""
    grace = timedelta(seconds=settings.SELEKSI_ANSWER_GRACE_SECONDS)
    closed = 0
    for sitting_id in selectors.sittings_due(now=timezone.now(), grace=grace):
        sitting = Sitting.objects.get(pk=sitting_id)
        if sitting_finish(sitting=sitting, actor=None).closed_by == Sitting.ClosedBy.SERVER:
            closed += 1
    if closed:
        logger.info("closed %d sittings whose time was up", closed)
    return closed
