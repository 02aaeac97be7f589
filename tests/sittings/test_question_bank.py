import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.rules.cat import load_blueprint
from seleksi.rules.question_files import bank_columns
from seleksi.selections.tables import TableFileError
from seleksi.sittings.models import BankQuestion
from seleksi.sittings.selectors import bank_counts, bank_questions, draw_check
from seleksi.sittings.services import SittingsRefused, questions_import
from tests.exams.scene import TestScene, make_test_scene
from tests.factories import make_staff

SKD = load_blueprint("skd-2021")
HEADER = list(bank_columns(SKD))


def line(component: str, points: str, topic: str = "", text: str = "Soal") -> list[str]:
    values = {"komponen": component, "topik": topic, "tingkat": "", "soal": text}
    for key, point in zip("abcde", points.split(), strict=True):
        values[f"opsi_{key}"] = f"Pilihan {key}"
        values[f"nilai_{key}"] = point
    return [values.get(column, "") for column in HEADER]


def csv(*rows: list[str]) -> bytes:
    return "\n".join(",".join(cells) for cells in [HEADER, *rows]).encode() + b"\n"


def full_bank() -> list[list[str]]:
    return (
        [line("twk", "5 0 0 0 0") for _ in range(30)]
        + [line("tiu", "0 5 0 0 0") for _ in range(35)]
        + [line("tkp", "1 2 3 4 5") for _ in range(45)]
    )


def bank_import(scene: TestScene, content: bytes, name: str = "bank.csv", actor=None):  # type: ignore[no-untyped-def]
    with translation.override("en"):
        return questions_import(
            selection=scene.selection,
            actor=actor or scene.committee,
            blueprint_code="skd-2021",
            filename=name,
            content=content,
        )


@pytest.fixture
def scene(db: None) -> TestScene:
    return make_test_scene()


def test_a_good_bank_is_saved_counted_audited_and_ready_to_draw(scene: TestScene) -> None:
    outcome = bank_import(scene, csv(*full_bank()))
    assert outcome.ok and outcome.saved == 110
    assert dict(outcome.per_component) == {"twk": 30, "tiu": 35, "tkp": 45}
    counts = {
        row["component"]: row["questions"]
        for row in bank_counts(selection=scene.selection, blueprint="skd-2021")
    }
    assert counts == {"twk": 30, "tiu": 35, "tkp": 45}
    assert draw_check(selection=scene.selection, blueprint=SKD).ready
    event = AuditEvent.objects.get(action="sittings.questions_imported")
    assert event.details["questions"] == 110
    assert "Soal" not in str(event.details)
    first = BankQuestion.objects.order_by("pk").first()
    assert first is not None and (first.source_line, first.source_name) == (2, "bank.csv")


def test_a_bank_with_any_problem_saves_nothing_and_names_each_row(scene: TestScene) -> None:
    rows = [
        *full_bank(),
        line("twk", "5 5 0 0 0"),
        line("tkp", "1 2 3 4 9"),
        line("xyz", "5 0 0 0 0"),
    ]
    outcome = bank_import(scene, csv(*rows))
    assert not outcome.ok
    assert not BankQuestion.objects.exists()
    text = "\n".join(outcome.problems)
    assert "Row 112: Exactly one option must carry the points of a right answer; 2 do." in text
    assert "Row 113: Option e has 9 points; this component allows 1 to 5." in text
    assert "Row 114: “xyz” is not a component of this test" in text


def test_a_bank_too_small_to_draw_says_which_component(scene: TestScene) -> None:
    bank_import(scene, csv(*full_bank()[:-1]))
    check = draw_check(selection=scene.selection, blueprint=SKD)
    assert not check.ready
    assert check.shortfall is not None and check.shortfall.component == "tkp"
    assert check.shortfall.available == 44


def workbook(rows: list[list[str]]) -> bytes:
    """As a spreadsheet saves it: the points are number cells."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for cells in rows:
        sheet.append([int(c) if c.isdigit() else c for c in cells])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_imports_like_a_csv(scene: TestScene) -> None:
    content = workbook(full_bank()[:3])
    assert bank_import(scene, content, name="bank.xlsx").saved == 3
    assert len(bank_questions(selection=scene.selection, blueprint="skd-2021")) == 3


def test_a_file_that_is_not_a_table_is_refused(scene: TestScene) -> None:
    with pytest.raises(TableFileError):
        bank_import(scene, b"%PDF-1.4 not a table", name="bank.pdf")
    assert not BankQuestion.objects.exists()


def test_only_the_agencys_committee_imports(scene: TestScene) -> None:
    verifier = make_staff("verifikator-bank", scene.selection.agency, Role.VERIFIER)
    other = make_test_scene(code="lain-bank", prefix="L")
    for actor in (verifier, scene.site_staff, other.committee, scene.applications[0].applicant):
        with pytest.raises(SittingsRefused):
            bank_import(scene, csv(*full_bank()), actor=actor)
    assert not BankQuestion.objects.exists()


def test_an_unknown_blueprint_is_refused(scene: TestScene) -> None:
    with pytest.raises(SittingsRefused) as caught:
        questions_import(
            selection=scene.selection,
            actor=scene.committee,
            blueprint_code="tidak-ada",
            filename="bank.csv",
            content=csv(*full_bank()),
        )
    assert caught.value.code == "unknown_blueprint"
