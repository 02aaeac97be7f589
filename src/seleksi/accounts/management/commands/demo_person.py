from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, translation

from seleksi.accounts.demo import DEMO_PERSON_REGENCY, demo_person_add
from seleksi.accounts.registry import FixturePopulationRegistry, demo_people_path
from seleksi.rules.nik import Sex

FIXTURE_REGISTRY = f"{FixturePopulationRegistry.__module__}.{FixturePopulationRegistry.__name__}"


class Command(BaseCommand):
    help = (
        "Demo only: add a new person to the fixture population registry and print the NIK, "
        "KK, name and birth date to type in the registration form (/akun/daftar/)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, default=1, help="how many people (1-50)")
        parser.add_argument("--sex", choices=[str(sex) for sex in Sex], help="L or P")
        parser.add_argument(
            "--regency",
            default=DEMO_PERSON_REGENCY,
            help="kode wilayah of the regency, 4 digits (default 1104, Aceh Tengah; "
            "3520 is Magetan)",
        )
        parser.add_argument(
            "--born", type=date.fromisoformat, help="birth date YYYY-MM-DD (default random)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SELEKSI_POPULATION_REGISTRY != FIXTURE_REGISTRY:
            raise CommandError(
                "demo-person: SELEKSI_POPULATION_REGISTRY bukan adaptor fixture; orang demo "
                "hanya dikenal oleh adaptor fixture"
            )
        if not 1 <= options["count"] <= 50:
            raise CommandError("demo-person: --count harus 1 sampai 50")
        sex = Sex(options["sex"]) if options["sex"] else None
        for number in range(options["count"]):
            try:
                person = demo_person_add(
                    sex=sex, regency_code=options["regency"], birth_date=options["born"]
                )
            except ValueError as error:
                raise CommandError(f"demo-person: {error}") from error
            with translation.override("id"):
                born = formats.date_format(person.birth_date, "j F Y")
            if number:
                self.stdout.write("")
            self.stdout.write(
                "\n".join(
                    (
                        f"Nama lengkap   : {person.full_name}",
                        f"Tanggal lahir  : {person.birth_date:%d-%m-%Y} ({born})",
                        "Jenis kelamin  : "
                        + ("Laki-laki" if person.sex is Sex.MALE else "Perempuan"),
                        f"NIK            : {person.nik}",
                        f"Nomor KK       : {person.kk}",
                    )
                )
            )
        self.stdout.write(
            f"\nTerdaftar di registri kependudukan demo ({demo_people_path()}). Daftarkan di "
            "/akun/daftar/ dengan data di atas dan alamat e-mail mana saja; tautan aktivasi "
            "tercetak di log task worker (worker.log di direktori data, biasanya var/)."
        )
