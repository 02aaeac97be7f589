from typing import Any

from django.core.management.base import BaseCommand

from seleksi.exams.demo import demo_test_stage


class Command(BaseCommand):
    help = (
        "Try the test stage with the demo: test sites, sessions a week from today and a booking "
        "window open from now, for both demo selections (Aceh Tengah: seats assigned by the "
        "committee; Magetan: sessions chosen by the applicants). Audited."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for line in demo_test_stage():
            self.stdout.write(line)
