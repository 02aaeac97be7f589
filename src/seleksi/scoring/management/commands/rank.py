from typing import Any

from django.core.management.base import BaseCommand, CommandError

from seleksi.rules.ranking import Stage
from seleksi.scoring.ranking_runs import RankingInputError, ranking_run
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

    def handle(self, *args: Any, **options: Any) -> None:
        selection = Selection.objects.filter(code=options["selection"]).first()
        if selection is None:
            raise CommandError(f"seleksi “{options['selection']}” tidak ada")
        try:
            outcome = ranking_run(
                selection=selection,
                stage=options["stage"],
                policy_code=options["policy"],
                actor=None,
            )
        except LookupError as error:
            raise CommandError(str(error)) from error
        except RankingInputError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(
                f"{len(error.messages)} kesalahan; tidak ada peringkat yang disimpan"
            ) from error
        run = outcome.run
        counts = ", ".join(f"{code} {count}" for code, count in run.counts.items())
        self.stdout.write(
            f"{selection.code} {run.stage}: run {run.pk}, {run.row_count} rows ({counts}); "
            f"kebijakan {run.policy_code} v{run.policy_version}; sidik jari {run.fingerprint}"
        )
        if outcome.identical_to is not None:
            self.stdout.write(f"identical to run {outcome.identical_to}")
        for note in outcome.notes:
            self.stderr.write(note)
