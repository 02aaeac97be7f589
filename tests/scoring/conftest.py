"""A small selection with CPNS and PPPK openings and a handful of applications, made straight
in the tables: importing scores needs only submitted applications and their numbers."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone

from seleksi.applications.models import Application
from seleksi.selections.models import Formation, Selection
from tests.factories import formation_rows, import_rows, make_agency, make_selection, make_user
from tests.scoring.ranked import FORMATIONS, SKD, Ranked, add_applications


@dataclass
class Scene:
    selection: Selection
    other_selection: Selection
    tmp_path: Path

    def write(self, name: str, text: str) -> Path:
        path = self.tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path


def make_application(
    selection: Selection, formation_code: str, number: str, *, submitted: bool = True
) -> Application:
    return Application.objects.create(
        applicant=make_user(f"pelamar-{number.lower()}"),
        selection=selection,
        formation=Formation.objects.get(selection=selection, code=formation_code),
        number=number,
        status=Application.Status.SUBMITTED if submitted else Application.Status.DRAFT,
        submitted_at=timezone.now() if submitted else None,
    )


@pytest.fixture
def scene(db: None, tmp_path: Path) -> Scene:
    """F-0001 and F-0002 are CPNS, F-0003 is PPPK (see tests.factories.formation_rows).
    C1..C3 submitted CPNS, C9 a CPNS draft, P1 and P2 submitted PPPK; X1 in another selection."""
    agency = make_agency()
    selection = make_selection(agency, "contoh-2026")
    import_rows(selection, formation_rows(3))
    for number, code in (("C1", "F-0001"), ("C2", "F-0001"), ("C3", "F-0002")):
        make_application(selection, code, number)
    make_application(selection, "F-0001", "C9", submitted=False)
    for number in ("P1", "P2"):
        make_application(selection, "F-0003", number)
    other = make_selection(agency, "lain-2026")
    import_rows(other, formation_rows(1, prefix="L"))
    make_application(other, "L-0001", "X1")
    return Scene(selection, other, tmp_path)


@pytest.fixture
def ranked(db: None, tmp_path: Path) -> Ranked:
    selection = make_selection(make_agency(), "peringkat-2026")
    import_rows(selection, FORMATIONS)
    add_applications(selection, SKD)
    return Ranked(selection, tmp_path)
