"""`seleksi demo-person`: a new identity the fixture registry accepts, printed for a tester to
register through the pages, kept in the data directory and never in the packaged fixture."""

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.accounts.registry import FixturePopulationRegistry, registry_records
from seleksi.rules.nik import parse_kk, parse_nik
from tests.accounts.helpers import registration_form

pytestmark = pytest.mark.django_db

FIELDS = {
    "full_name": "Nama lengkap",
    "birth_date": "Tanggal lahir",
    "sex": "Jenis kelamin",
    "nik": "NIK",
    "kk": "Nomor KK",
}


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    return tmp_path


def demo_people(*args: str) -> list[dict[str, str]]:
    """Run the command; the people it printed, as the registration form wants them."""
    stdout = StringIO()
    call_command("demo_person", *args, stdout=stdout)
    people = []
    for block in stdout.getvalue().split("\n\n")[:-1]:
        shown = dict(line.split(" : ", 1) for line in block.splitlines())
        person = {key: shown[label.ljust(14)].strip() for key, label in FIELDS.items()}
        day, month, year = re.match(r"(\d\d)-(\d\d)-(\d{4})", person["birth_date"]).groups()  # type: ignore[union-attr]
        person["birth_date"] = f"{year}-{month}-{day}"
        person["sex"] = "L" if person["sex"] == "Laki-laki" else "P"
        people.append(person)
    return people


def test_a_printed_person_registers_through_the_page(client: Client) -> None:
    (person,) = demo_people()

    response = client.post("/akun/daftar/", registration_form(person, email="baru@contoh.invalid"))

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="baru@contoh.invalid")
    assert user.nik == person["nik"] and user.registry_status == "match"


def test_each_person_is_new_and_passes_the_number_checks(data_dir: Path) -> None:
    people = demo_people("--count", "5", "--sex", "P", "--regency", "3520")

    assert len({person["nik"] for person in people}) == 5
    assert len({(person["full_name"], person["birth_date"]) for person in people}) == 5
    known = registry_records()
    for person in people:
        nik = parse_nik(person["nik"], today=timezone.localdate())
        assert nik.ok and nik.nik is not None
        assert nik.nik.sex == "P" and nik.nik.regency_code == "3520"
        assert nik.nik.birth_date.isoformat() == person["birth_date"]
        assert parse_kk(person["kk"]) == ()
        assert known[person["nik"]]["kk"] == person["kk"]


def test_the_packaged_fixture_is_left_alone(settings: Any) -> None:
    fixture = Path(settings.SELEKSI_REGISTRY_FIXTURE)
    before = fixture.read_bytes()

    (person,) = demo_people()

    assert fixture.read_bytes() == before
    assert person["nik"] not in before.decode()
    assert person["nik"] in FixturePopulationRegistry().records


def test_it_refuses_a_real_registry_and_a_bad_regency(settings: Any, data_dir: Path) -> None:
    settings.SELEKSI_POPULATION_REGISTRY = "example.Dukcapil"
    with pytest.raises(CommandError, match="adaptor fixture"):
        demo_people()
    settings.SELEKSI_POPULATION_REGISTRY = "seleksi.accounts.registry.FixturePopulationRegistry"
    with pytest.raises(CommandError, match="regency"):
        demo_people("--regency", "9900")
    with pytest.raises(CommandError, match="--count"):
        demo_people("--count", "0")
    assert not list(data_dir.iterdir())
