"""A selection ranked end to end: two formations for one position, SKD and SKB scores,
educations with IPK; shared by the ranking, replacement and page tests."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from seleksi.accounts.models import Education
from seleksi.applications.models import Application
from seleksi.scoring.models import Score
from seleksi.selections.models import Formation, Selection
from tests.factories import make_user

# Both formations are for the same position (jabatan), so optimalisasi may move people.
FORMATIONS = [
    ["F-A", "CPNS", "umum", "Analis Kebijakan", "S-1 Hukum", "Dinas A", "1", "teknis"],
    ["F-B", "CPNS", "disabilitas", "Analis Kebijakan", "S-1 Hukum", "Dinas B", "1", "teknis"],
]

# number, formation, attendance, twk, tiu, tkp
SKD = [
    ("A01", "F-A", "H", 100, 120, 200),
    ("A02", "F-A", "H", 90, 100, 180),
    ("A03", "F-A", "H", 90, 100, 180),
    ("A04", "F-A", "H", 80, 90, 170),
    ("A05", "F-A", "H", 60, 120, 200),
    ("A06", "F-A", "TH", None, None, None),
    ("B01", "F-B", "H", 50, 70, 170),
    ("B02", "F-B", "H", 40, 50, 200),
]

# number, attendance, skb; B01 is absent at SKB, so F-B's seat is left empty
SKB = [("A01", "H", "70"), ("A02", "H", "80"), ("A03", "H", "80"), ("B01", "TH", None)]
# A02 and A03 are equal on everything but the highest IPK over their educations
IPKS = {"A01": ["3.00"], "A02": ["3.20"], "A03": ["3.10", "3.60"], "B01": []}


@dataclass
class Ranked:
    selection: Selection
    tmp_path: Path


def add_applications(
    selection: Selection, skd: list[tuple[str, str, str, int | None, int | None, int | None]]
) -> None:
    formations = {f.code: f for f in Formation.objects.filter(selection=selection)}
    now = timezone.now()
    scores = []
    for number, code, attendance, twk, tiu, tkp in skd:
        application = Application.objects.create(
            applicant=make_user(f"pelamar-{number.lower()}", birth_date=birth_date(number)),
            selection=selection,
            formation=formations[code],
            number=number,
            status=Application.Status.SUBMITTED,
            submitted_at=now,
        )
        scores.append(
            Score(
                selection=selection,
                application=application,
                stage=Score.Stage.SKD,
                attendance=attendance,
                twk=twk,
                tiu=tiu,
                tkp=tkp,
                imported_at=now,
                source_name="NILAI.csv",
                source_sha256="0" * 64,
            )
        )
    Score.objects.bulk_create(scores)


def add_skb(selection: Selection, programmes: dict[str, str] | None = None) -> None:
    """SKB scores and educations; everybody studied Hukum (S-1 Hukum is what both formations
    ask for) unless `programmes` says otherwise."""
    applications = {a.number: a for a in Application.objects.filter(selection=selection)}
    now = timezone.now()
    for number, attendance, skb in SKB:
        application = applications[number]
        Score.objects.create(
            selection=selection,
            application=application,
            stage=Score.Stage.SKB,
            attendance=attendance,
            skb=None if skb is None else Decimal(skb),
            imported_at=now,
            source_name="NILAI-SKB.csv",
            source_sha256="1" * 64,
        )
        for year, ipk in enumerate(IPKS[number], start=2015):
            Education.objects.create(
                user=application.applicant,
                level_id="S1",
                institution="Universitas Contoh",
                study_programme=(programmes or {}).get(number, "Hukum"),
                accreditation=Education.Accreditation.A,
                graduated_on=date(year, 8, 1),
                ipk=Decimal(ipk),
            )


def birth_date(number: str) -> date:
    return date(1990, 1, 1 + int(number[1:]))
