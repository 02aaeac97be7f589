from typing import Any

from django.core.management.base import BaseCommand

from seleksi.rules.nik import mask_number
from seleksi.selections.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load both demo selections and demo staff accounts. Safe to run again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_load()
        if report.created:
            for item in report.created:
                self.stdout.write(f"created {item}")
        else:
            self.stdout.write("demo data already present; nothing changed")
        if options["quiet_logins"]:
            return
        self.stdout.write("")
        self.stdout.write(
            f"Demo staff (password for all: {DEMO_PASSWORD}), sign in at /akun/masuk/ "
            "(their workspace is /panitia/, the console /kelola/):"
        )
        for login in report.logins:
            self.stdout.write(f"  {login.username:<24} {login.role:<24} {login.agency}")
        self.stdout.write("")
        self.stdout.write(
            "Demo applicants (same password), sign in at /akun/masuk/ with the e-mail address:"
        )
        for applicant in report.applicants:
            self.stdout.write(
                f"  {applicant.email:<40} {mask_number(applicant.nik)}  {applicant.note}"
            )
