from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from seleksi.rules.ranking import Stage
from seleksi.scoring.engine import RankingInputError
from seleksi.scoring.ranking_runs import ranking_run
from seleksi.selections.models import Selection


class Command(BaseCommand):
    help = (
        "Rank a selection's stored scores of one stage (skd, akhir, pppk, mitra) with a ranking "
        "policy and store the run and its rows. Default policy: cpns-2021 (skd, akhir), "
        "pppk-guru-2021 (pppk), mitra-bps-2024 (mitra). Every run is stored; a run on the same "
        "data has the same fingerprint and is reported as identical to the earlier run. "
        "Nothing to rank exits 1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--selection", required=True, help="selection code")
        parser.add_argument("--stage", required=True, choices=[stage.value for stage in Stage])
        parser.add_argument("--policy", help="ranking policy, e.g. cpns-2021")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the messages",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._rank(options)

    def _rank(self, options: dict[str, Any]) -> None:
        selection = Selection.objects.filter(code=options["selection"]).first()
        if selection is None:
            raise CommandError(
                _("The selection “%(code)s” does not exist.") % {"code": options["selection"]}
            )
        try:
            outcome = ranking_run(
                selection=selection,
                stage=options["stage"],
                policy_code=options["policy"],
                actor=None,
            )
        except RankingInputError as error:
            messages = error.texts
            if isinstance(error, LookupError):
                raise CommandError("; ".join(messages)) from error
            for message in messages:
                self.stderr.write(message)
            raise CommandError(
                ngettext(
                    "%(count)d error; no ranking was stored",
                    "%(count)d errors; no ranking was stored",
                    len(messages),
                )
                % {"count": len(messages)}
            ) from error
        run = outcome.run
        counts = ", ".join(f"{code} {count}" for code, count in run.counts.items())
        self.stdout.write(
            _(
                "%(selection)s %(stage)s: run %(run)d, %(rows)d rows (%(counts)s); "
                "policy %(policy)s v%(version)s; fingerprint %(fingerprint)s"
            )
            % {
                "selection": selection.code,
                "stage": run.stage,
                "run": run.pk,
                "rows": run.row_count,
                "counts": counts,
                "policy": run.policy_code,
                "version": run.policy_version,
                "fingerprint": run.fingerprint,
            }
        )
        if outcome.identical_to is not None:
            self.stdout.write(
                _("identical to run %(run)d: the same inputs and policy")
                % {"run": outcome.identical_to}
            )
        for note in outcome.notes:
            self.stderr.write(note)
