from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.accounts.services import account_anonymise


class Command(BaseCommand):
    help = (
        "Anonymise applicant accounts whose retention period (SELEKSI_RETENTION_YEARS since "
        "their last sign-in, or registration if they never signed in) has ended. Rows and "
        "results stay; names, contact data and identity numbers go. Run it daily."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count")

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - timedelta(days=365 * settings.SELEKSI_RETENTION_YEARS)
        expired = (
            User.objects.filter(anonymised_at=None, is_staff=False, is_superuser=False)
            .filter(memberships=None)
            .filter(Q(last_login__lt=cutoff) | Q(last_login=None, date_joined__lt=cutoff))
        )
        count = 0
        for user in expired.iterator():
            if not options["dry_run"]:
                account_anonymise(user=user)
            count += 1
        verb = "would anonymise" if options["dry_run"] else "anonymised"
        self.stdout.write(f"{verb} {count} account(s) inactive since before {cutoff:%Y-%m-%d}")
