from typing import Any

from django.core.management.base import BaseCommand

from seleksi.scoring.demo import demo_scores_load


class Command(BaseCommand):
    help = (
        "Demo only: participants with SKD and SKB scores for three openings of the demo CASN "
        "selection, ranked (runs left unconfirmed for the committee). Does nothing when the "
        "selection already has scores."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_scores_load()
        if report.skipped:
            self.stdout.write(f"demo-scores: {report.skipped}; tidak ada yang diubah")
            return
        runs = ", ".join(str(run) for run in report.runs)
        self.stdout.write(
            f"demo-scores: {report.participants} peserta demo, nilai SKD dan SKB, "
            f"pemeringkatan {runs} (belum dikonfirmasi)"
        )
