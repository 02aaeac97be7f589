from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from seleksi.selections.messages import describe_issue
from seleksi.selections.models import Selection
from seleksi.selections.services import formations_import, formations_parse_file
from seleksi.selections.tables import TableFileError


class Command(BaseCommand):
    help = (
        "Import the formation allocation of a selection from a .csv or .xlsx file. "
        "Nothing is written unless every row is valid; errors go to stderr, one per line."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--selection", required=True, help="selection code")
        parser.add_argument("file", help="path to a .csv or .xlsx file")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the messages",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        selection = Selection.objects.filter(code=options["selection"]).first()
        if selection is None:
            raise CommandError(
                _("The selection “%(code)s” does not exist.") % {"code": options["selection"]}
            )
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        try:
            parsed = formations_parse_file(filename=path.name, content=content)
        except TableFileError as error:
            raise CommandError(f"{path.name}: {error.message}") from error
        outcome = formations_import(
            selection=selection, parsed=parsed, actor=None, source=f"command:{path.name}"
        )
        if not outcome.ok:
            for issue in outcome.issues:
                where = (
                    _("line %(line)d, column %(column)s")
                    % {"line": issue.row, "column": issue.column}
                    if issue.column
                    else _("line %(line)d") % {"line": issue.row}
                )
                self.stderr.write(f"{path.name}: {where}: {describe_issue(issue)}")
            count = len(outcome.issues)
            raise CommandError(
                ngettext(
                    "%(count)d error; nothing was imported",
                    "%(count)d errors; nothing was imported",
                    count,
                )
                % {"count": count}
            )
        self.stdout.write(
            f"{selection.code}: {outcome.created} created, {outcome.updated} updated, "
            f"{outcome.deleted} removed, {outcome.unchanged} unchanged; "
            f"total quota {outcome.total_quota}"
        )
