from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from seleksi.core.stalled import DEFAULT_MAX_ATTEMPTS, stalled_tasks_requeue


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Put back in the queue the background tasks whose worker died: every task running "
        "for longer than --older-than minutes. Choose a limit above the longest task and "
        "above the outbox's ten-minute claim; run it from a timer every few minutes. A task "
        "that has lost --max-attempts workers is marked failed instead. Safe to run on "
        "several machines at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=_positive,
            default=30,
            metavar="MINUTES",
            help="How long a task may run before its worker is taken for lost (default 30).",
        )
        parser.add_argument(
            "--max-attempts",
            type=_positive,
            default=DEFAULT_MAX_ATTEMPTS,
            help=f"Workers a task may lose before it is failed (default {DEFAULT_MAX_ATTEMPTS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        recovery = stalled_tasks_requeue(
            older_than=timedelta(minutes=options["older_than"]),
            max_attempts=options["max_attempts"],
        )
        self.stdout.write(f"{recovery.requeued} stalled task(s) requeued, {recovery.failed} failed")
