from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from seleksi.core.backup import BackupRefused, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `seleksi backup` into an empty installation (migrated to the "
        "same version, with no accounts, applications or documents yet). Every checksum in "
        "the manifest is checked first; a damaged or changed backup, another migration state "
        "or an installation that is not empty is refused and nothing is written. Then every "
        "row is loaded in one transaction and the documents are copied into the file storage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The backup folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore(options["archive"])
        except BackupRefused as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(summary.described(f"restored from {options['archive']}"))
