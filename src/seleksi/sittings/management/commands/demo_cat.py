from typing import Any

from django.core.management.base import BaseCommand

from seleksi.sittings.demo import demo_cat


class Command(BaseCommand):
    help = (
        "Try the computer-assisted test with the demo: practice question banks, and the SKD of "
        "Aceh Tengah and the mitra test of Magetan sat on Seleksi. Run after load-demo; a second "
        "run adds nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for line in demo_cat():
            self.stdout.write(line)
