import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from seleksi.selections.models import Selection
from seleksi.selections.selectors import formation_export_rows
from seleksi.selections.tables import write_csv, write_xlsx


class Command(BaseCommand):
    help = "Export the formation allocation of a selection in the import format."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--selection", required=True, help="selection code")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        selection = Selection.objects.filter(code=options["selection"]).first()
        if selection is None:
            raise CommandError(f"selection '{options['selection']}' does not exist")
        rows = formation_export_rows(selection.formations.order_by("code"))
        content = write_csv(rows) if options["format"] == "csv" else write_xlsx(rows)
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        elif options["format"] == "xlsx" and sys.stdout.isatty():
            raise CommandError("refusing to write a workbook to a terminal; use --output FILE")
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
