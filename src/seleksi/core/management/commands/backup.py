from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from seleksi.core.backup import BackupRefused, backup


class Command(BaseCommand):
    help = (
        "Back up the whole installation into a new folder: every table of the database, read "
        "as one consistent snapshot, and every document in the file storage, with a manifest "
        "of sizes and SHA-256 checksums, the Seleksi version, the database vendor and the "
        "migration state. The backup holds personal data (encrypted NIK, identity documents): "
        "it is written readable by its owner only (folders 0700, files 0600); keep it "
        "encrypted and off the server. Restore it with `seleksi restore FOLDER`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            required=True,
            type=Path,
            help="A new (or empty) folder to write the backup into.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup(options["output"])
        except BackupRefused as refused:
            raise CommandError(refused.message) from None
        self.stdout.write(summary.described(f"written to {options['output']}"))
