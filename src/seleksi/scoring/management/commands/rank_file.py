"""`seleksi rank-file`: the ranking engine on two CSV files, without a database.

The committee's spreadsheets go in (FORMASI.csv, NILAI.csv), the ranked list comes out
(`rules.rank_files` reads and writes them). The stage, the policy and the engine are checked
and chosen as for `seleksi rank` (`scoring.engine`). Every problem in the files is reported per
row, in the language of `--language` (Bahasa Indonesia unless told), and nothing is written
unless both files are valid. Notes for the committee (optimalisasi placements, ties at the
quota, the run's fingerprint) go to stderr.

A plain NILAI.csv is read, ranked and written on the columnar path
(`rules.rank_file_columns`), a million lines in about a second; any other file, and every file
with a problem, goes through the row reader and the reference engine, which word the problems.
Both give the same bytes out. `seleksi.__main__` starts this command with only the settings it
needs (`seleksi.settings_files`): no database, no applications.

The cyclic garbage collector is paused while the millions of objects of a national SKD stage
are made.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import ngettext

from seleksi.rules.fingerprint import run_fingerprint
from seleksi.rules.rank_file_columns import csv_of, rank_files_columnar
from seleksi.rules.rank_files import (
    OUTPUT_COLUMNS,
    RankFileErrors,
    csv_text,
    output_rows,
    parse_formations,
    read_rank_files,
)
from seleksi.rules.ranking import Stage, committee_notes
from seleksi.rules.score_files import FileErrors, read_table
from seleksi.scoring.engine import RankingPolicyError, rank_stage, ranking_policy_for
from seleksi.scoring.messages import describe_score_problem


class Command(BaseCommand):
    help = (
        "Rank test results from CSV files (FORMASI.csv, NILAI.csv) with a ranking policy, "
        "without a database. A malformed file exits 1 with one error per line on stderr and "
        "writes no output."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--policy", required=True, help="ranking policy, e.g. cpns-2021")
        parser.add_argument("--stage", required=True, choices=[stage.value for stage in Stage])
        parser.add_argument("--formations", required=True, help="FORMASI.csv")
        parser.add_argument("--scores", required=True, help="NILAI.csv")
        parser.add_argument("--output", help="OUT.csv; stdout when left out")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the messages",
        )
        parser.add_argument(
            "--no-columnar",
            dest="columnar",
            action="store_false",
            help="read every line with the row reader and rank with the reference engine",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]), _cyclic_gc_paused():
            self._rank_files(options)

    def _rank_files(self, options: dict[str, Any]) -> None:
        stage = Stage(options["stage"])
        try:
            policy = ranking_policy_for(stage, options["policy"])
        except RankingPolicyError as error:
            raise CommandError(str(error)) from error
        if options["columnar"] and self._rank_columnar(policy, stage, options):
            return
        try:
            formations, scores = read_rank_files(
                policy, stage, Path(options["formations"]), Path(options["scores"])
            )
        except RankFileErrors as error:
            for name, problem in error.problems:
                self.stderr.write(f"{name}: {describe_score_problem(problem)}")
            count = len(error.problems)
            raise CommandError(
                ngettext(
                    "%(count)d error; no output was written",
                    "%(count)d errors; no output was written",
                    count,
                )
                % {"count": count}
            ) from error

        results = rank_stage(policy, stage, formations, scores)
        text = csv_text(OUTPUT_COLUMNS[stage], output_rows(stage, results))
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
        for note in committee_notes(results):
            self.stderr.write(note)
        fingerprint = run_fingerprint(policy, stage, formations, scores)
        self.stderr.write(f"kebijakan {policy.code} v{policy.version}; sidik jari {fingerprint}")

    def _rank_columnar(self, policy: Any, stage: Stage, options: dict[str, Any]) -> bool:
        """Rank on the columnar path; False when the files are for the row reader."""
        try:
            formations = parse_formations(policy, stage, read_table(Path(options["formations"])))
        except FileErrors:
            return False
        ranked = rank_files_columnar(policy, stage, formations, Path(options["scores"]))
        if ranked is None:
            return False
        if options["output"]:
            with Path(options["output"]).open("w", encoding="utf-8") as handle:
                ranked.output.write_csv(handle, line_terminator="\n")
        else:
            self.stdout.write(csv_of(ranked.output), ending="")
        for note in ranked.notes:
            self.stderr.write(note)
        self.stderr.write(
            f"kebijakan {policy.code} v{policy.version}; sidik jari {ranked.fingerprint}"
        )
        return True


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A national SKD stage is millions of objects in no reference cycle, made in a few
    seconds: the cyclic garbage collector would walk them all again and again for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
