import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from seleksi.audit.models import AuditEvent
from seleksi.rules.formations import EXPORT_COLUMNS
from seleksi.selections.demo import demo_load
from seleksi.selections.models import Formation, FormationQualification
from seleksi.selections.tables import write_csv
from tests.factories import formation_rows, import_rows, make_agency, make_selection

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def export_csv(code: str, tmp_path: Path, name: str = "out.csv") -> bytes:
    target = tmp_path / name
    run("export_formations", "--selection", code, "--output", str(target))
    return target.read_bytes()


def test_export_then_import_round_trips_byte_for_byte_on_the_demo(tmp_path: Path) -> None:
    demo_load()
    code = "aceh-tengah-casn-2021"
    first = export_csv(code, tmp_path, "first.csv")
    Formation.objects.filter(selection__code=code).delete()
    (tmp_path / "edited.csv").write_bytes(first)
    out, _ = run("import_formations", "--selection", code, str(tmp_path / "edited.csv"))
    assert "642 created" in out and "total quota 1048" in out
    assert export_csv(code, tmp_path, "second.csv") == first


def test_xlsx_export_imports_back_unchanged(tmp_path: Path) -> None:
    demo_load()
    code = "aceh-tengah-casn-2021"
    before = export_csv(code, tmp_path)
    workbook = tmp_path / "formasi.xlsx"
    run("export_formations", "--selection", code, "--format", "xlsx", "-o", str(workbook))
    out, _ = run("import_formations", "--selection", code, str(workbook))
    assert "0 created, 0 updated, 0 removed, 642 unchanged" in out
    assert export_csv(code, tmp_path, "after.csv") == before


def test_a_bad_file_writes_nothing_and_lists_every_error(tmp_path: Path) -> None:
    selection = make_selection(make_agency())
    import_rows(selection, formation_rows(5))
    snapshot = list(Formation.objects.values_list("code", "quota").order_by("code"))
    events_before = AuditEvent.objects.count()
    rows = [list(r) for r in formation_rows(8)]
    rows[2][6] = "banyak"
    rows[6][1] = "Honorer"
    path = tmp_path / "salah.csv"
    path.write_bytes(write_csv([tuple(r) for r in rows]))
    with pytest.raises(CommandError, match="2 errors; nothing was imported"):
        call_command(
            "import_formations",
            "--selection",
            selection.code,
            str(path),
            "--language=en",
            stdout=io.StringIO(),
            stderr=(err := io.StringIO()),
        )
    lines = err.getvalue().splitlines()
    assert lines == [
        "salah.csv: line 4, column kuota: “banyak” is not a whole number; "
        "write the quota as 1, 2, 3…",
        "salah.csv: line 8, column jenis_pengadaan: “Honorer” is not a procurement type; "
        "use one of: CPNS, PPPK, MITRA.",
    ]
    assert list(Formation.objects.values_list("code", "quota").order_by("code")) == snapshot
    assert AuditEvent.objects.count() == events_before


def test_an_import_updates_adds_removes_and_is_audited(tmp_path: Path) -> None:
    selection = make_selection(make_agency())
    import_rows(selection, formation_rows(4))
    rows = formation_rows(5)[1:]
    rows[0][6] = "9"
    rows[0][4] = "S-1 Baru; S-1 Lama"
    path = tmp_path / "baru.csv"
    path.write_bytes(write_csv([tuple(r) for r in rows]))
    out, _ = run("import_formations", "--selection", selection.code, str(path))
    assert "1 created, 1 updated, 1 removed, 2 unchanged" in out
    changed = Formation.objects.get(code="F-0002")
    assert changed.quota == 9
    assert list(changed.qualifications.values_list("name", flat=True)) == ["S-1 Baru", "S-1 Lama"]
    assert not Formation.objects.filter(code="F-0001").exists()
    assert FormationQualification.objects.filter(formation__selection=selection).count() == 6
    event = AuditEvent.objects.filter(action="formations.imported").first()
    assert event is not None
    assert event.details["created"] == 1 and event.details["source"] == "command:baru.csv"
    assert event.selection_id == selection.pk and event.actor_role == "system"


def test_the_command_refuses_an_unknown_selection_or_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(",".join(EXPORT_COLUMNS) + "\n")
    with pytest.raises(CommandError, match="The selection “tidak-ada” does not exist"):
        run("import_formations", "--selection", "tidak-ada", str(path), "--language=en")
    selection = make_selection(make_agency())
    with pytest.raises(CommandError, match="No such file"):
        run("import_formations", "--selection", selection.code, str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match=r"^1 error; nothing was imported$"):
        run("import_formations", "--selection", selection.code, str(path), "--language=en")
    path.write_bytes(b"\xff\xfe\x00k")
    with pytest.raises(CommandError, match="UTF-8"):
        run("import_formations", "--selection", selection.code, str(path))
