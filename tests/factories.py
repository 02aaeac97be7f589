"""Small builders for test data: a few named people and a selection with openings."""

from datetime import date
from typing import Any

from seleksi.accounts.models import User
from seleksi.agencies.models import Agency, Membership, Role
from seleksi.rules.formations import EXPORT_COLUMNS, parse_formation_table
from seleksi.selections.models import Selection, Stage
from seleksi.selections.services import formations_import

PASSWORD = "correct horse battery staple"


def make_agency(code: str = "pemkab-contoh", **fields: Any) -> Agency:
    defaults = {"name": f"Agency {code}", "kind": Agency.Kind.REGIONAL_GOVERNMENT}
    return Agency.objects.create(code=code, **{**defaults, **fields})


def make_user(username: str, **fields: Any) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **fields)
    return user


def make_staff(username: str, agency: Agency, role: Role) -> User:
    user = make_user(username, is_staff=True)
    Membership.objects.create(agency=agency, user=user, role=role)
    return user


def make_superuser(username: str = "root") -> User:
    return User.objects.create_superuser(username=username, password=PASSWORD)


def make_selection(
    agency: Agency,
    code: str = "contoh-2026",
    *,
    registration: tuple[date | None, date | None] = (date(2026, 1, 1), date(2026, 1, 31)),
    final: tuple[date | None, date | None] | None = (date(2026, 3, 1), date(2026, 3, 1)),
    published: bool = True,
    **fields: Any,
) -> Selection:
    selection = Selection.objects.create(
        agency=agency,
        code=code,
        kind=fields.pop("kind", Selection.Kind.CASN),
        title=fields.pop("title", f"Seleksi {code}"),
        is_published=published,
        **fields,
    )
    Stage.objects.create(
        selection=selection,
        order=1,
        kind=Stage.Kind.REGISTRATION,
        name="Pendaftaran",
        starts_on=registration[0],
        ends_on=registration[1],
    )
    if final is not None:
        Stage.objects.create(
            selection=selection,
            order=2,
            kind=Stage.Kind.RESULT,
            name="Pengumuman hasil",
            starts_on=final[0],
            ends_on=final[1],
        )
    return selection


def formation_rows(count: int, prefix: str = "F") -> list[list[str]]:
    """`count` valid rows in EXPORT_COLUMNS order, alternating types so filters have work."""
    rows = []
    for number in range(1, count + 1):
        pppk = number % 3 == 0
        rows.append(
            [
                f"{prefix}-{number:04d}",
                "PPPK" if pppk else "CPNS",
                "disabilitas" if number % 7 == 0 and not pppk else "umum",
                "Guru Kelas Ahli Pertama" if pppk else f"Analis {number % 5}",
                "S-1 PGSD; D-IV PGSD" if pppk else f"S-1 Jurusan {number % 4}",
                f"Unit {number % 6}",
                str(1 + number % 3),
                "guru" if pppk else "teknis",
            ]
        )
    return rows


def import_rows(selection: Selection, rows: list[list[str]], actor: User | None = None) -> None:
    parsed = parse_formation_table(EXPORT_COLUMNS, rows)
    assert parsed.ok, parsed.issues
    formations_import(selection=selection, parsed=parsed, actor=actor, source="test")
