from typing import Any

from django.core.management.base import BaseCommand, CommandError

from seleksi.scoring.demo import SIGN_IN, demo_scores_load
from seleksi.selections.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Demo only: participants with SKD and SKB scores for three openings of the demo CASN "
        "selection, ranked (runs left unconfirmed for the committee). Does nothing when the "
        "selection already has scores. The participants are checked MS by the demo verifier "
        "(seleksi load-demo) and left for the committee to publish."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_scores_load()
        if report.refused:
            raise CommandError(f"demo-scores: {report.skipped}; tidak ada yang diubah")
        if report.skipped:
            self.stdout.write(f"demo-scores: {report.skipped}; tidak ada yang diubah")
            return
        runs = ", ".join(str(run) for run in report.runs)
        self.stdout.write(
            f"demo-scores: {report.participants} peserta demo, nilai SKD dan SKB, "
            f"pemeringkatan {runs} (belum dikonfirmasi); lamaran mereka sudah diperiksa (MS), "
            "hasil seleksi administrasi belum diumumkan: panitia mengumumkannya dari halaman "
            "antrean verifikasi"
        )
        self.stdout.write(
            f"demo-scores: {SIGN_IN['L']} (lulus, L) dan {SIGN_IN['TL']} (tidak lulus, TL) "
            f"dapat masuk dengan sandi {DEMO_PASSWORD} untuk melihat hasilnya di dasbor "
            "setelah panitia mengumumkan hasil akhir"
        )
