from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from seleksi.audit.services import audit_record
from seleksi.selections.demo import SEED_CODES
from seleksi.selections.models import Selection, Stage


class Command(BaseCommand):
    help = (
        "Try applying with the demo: move the registration window of the demo selections to "
        "include today (the announcements' own dates are in the past). Audited."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=30, help="days the window stays open")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        for selection in Selection.objects.filter(code__in=SEED_CODES).select_related("agency"):
            today = selection.agency.today()
            changed = Stage.objects.filter(
                selection=selection, kind=Stage.Kind.REGISTRATION
            ).update(starts_on=today, ends_on=today + timedelta(days=options["days"]))
            if changed:
                audit_record(
                    actor=None,
                    action="selection.registration_moved",
                    subject=selection,
                    reason="demo: registration opened for trying the application flow",
                    details={"starts_on": today.isoformat(), "days": options["days"]},
                )
                self.stdout.write(
                    f"{selection.code}: registration open until "
                    f"{today + timedelta(days=options['days'])}"
                )
