from typing import Any

from django.core.management.base import BaseCommand, CommandError

from seleksi.pool.demo import (
    AGENCY,
    MITRA_DUA,
    MITRA_SATU,
    PRICES_ACTIVITY,
    SUSENAS_ACTIVITY,
    demo_pool_load,
)
from seleksi.selections.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Demo only: the mitra pool of the Magetan statistics office for this year (cap table, "
        "twelve stand-in mitra, an ended, an ongoing and an open activity), loaded through the "
        "pool's services as the demo committee member. Needs seleksi load-demo first; a second "
        "run changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_pool_load()
        if report.refused:
            raise CommandError(f"demo-pool: {report.skipped}; tidak ada yang diubah")
        if report.skipped:
            self.stdout.write(f"demo-pool: {report.skipped}; tidak ada yang diubah")
            return
        for line in report.created:
            self.stdout.write(f"demo-pool: {line}")
        self.stdout.write(
            f"demo-pool: {MITRA_SATU} dan {MITRA_DUA} dapat masuk dengan sandi {DEMO_PASSWORD} "
            "untuk melihat penugasan, honor dan penilaian mereka di /dasbor/mitra/"
        )
        self.stdout.write(
            f"demo-pool: {MITRA_DUA} sudah hampir mencapai batas honorarium PPL bulan ini "
            f"({PRICES_ACTIVITY}); menugaskannya di {SUSENAS_ACTIVITY} ({AGENCY}) melewati batas"
        )
