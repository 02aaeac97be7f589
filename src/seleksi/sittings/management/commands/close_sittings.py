from typing import Any

from django.core.management.base import BaseCommand

from seleksi.sittings.tasks import sittings_close_due


class Command(BaseCommand):
    help = (
        "Close and score every computer-assisted test sitting whose time (and the answer grace) "
        "is over. The worker does this for each sitting as its time ends; run this from a timer "
        "as a safety net, or after the worker was down. Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        closed = sittings_close_due()
        self.stdout.write(f"{closed} sitting(s) closed")
