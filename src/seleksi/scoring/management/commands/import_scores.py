from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from seleksi.rules.score_files import FileProblem, Problem
from seleksi.scoring.messages import describe_score_problem
from seleksi.scoring.models import Score
from seleksi.scoring.services import scores_import
from seleksi.selections.models import Selection


class Command(BaseCommand):
    help = (
        "Import the test results of one stage (skd, skb, pppk, mitra) from a CAT export in CSV, "
        "keyed by participant number. Nothing is written unless every row is valid; errors go "
        "to stderr, one per line, and the command exits 1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--selection", required=True, help="selection code")
        parser.add_argument("--stage", required=True, choices=Score.Stage.values)
        parser.add_argument("file", help="path to a .csv file (NILAI.csv)")
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
            problem = FileProblem(Problem.UNREADABLE, values={"reason": str(error.strerror)})
            raise CommandError(f"{path.name}: {describe_score_problem(problem)}") from error
        outcome = scores_import(
            selection=selection,
            stage=options["stage"],
            source_name=path.name,
            content=content,
            actor=None,
        )
        if not outcome.ok:
            for message in outcome.errors:
                self.stderr.write(f"{path.name}: {message}")
            count = len(outcome.problems)
            raise CommandError(
                ngettext(
                    "%(count)d error; no scores were saved",
                    "%(count)d errors; no scores were saved",
                    count,
                )
                % {"count": count}
            )
        self.stdout.write(
            f"{selection.code} {outcome.stage}: {outcome.rows} rows, {outcome.created} created, "
            f"{outcome.updated} updated, {outcome.unchanged} unchanged; "
            f"sha256 {outcome.sha256[:12]}"
            + ("" if outcome.audited else "; nothing changed, no audit event")
        )
