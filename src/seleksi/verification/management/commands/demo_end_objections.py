from typing import Any

from django.core.management.base import BaseCommand

from seleksi.verification.demo import demo_objection_period_end


class Command(BaseCommand):
    help = (
        "Try the result after objections with the demo: end the objection period of the demo "
        "selections whose administrative result is published. Audited."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ended = demo_objection_period_end()
        if not ended:
            self.stdout.write("no demo selection has a published administrative result yet")
        for selection in ended:
            if selection.scheduled:
                self.stdout.write(
                    f"{selection.code}: the schedule dates its objection stage; nothing moved"
                )
            else:
                self.stdout.write(
                    f"{selection.code}: objection period ended "
                    f"({selection.applications} published applications moved back)"
                )
