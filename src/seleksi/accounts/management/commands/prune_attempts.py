from typing import Any

from django.core.management.base import BaseCommand

from seleksi.accounts.throttle import prune


class Command(BaseCommand):
    help = (
        "Remove sign-in, recovery and NIK-check counters whose window has ended, and spent "
        "form challenges. They count nothing any more. Run it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"removed {prune()} expired counter(s)")
