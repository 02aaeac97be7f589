"""The scene of the computer-assisted test's tests: the exams scene (a selection, sessions,
applicants) with a full SKD bank imported by its committee and, when asked, the SKD sat on
Seleksi."""

from seleksi.sittings.services import questions_import, stage_test_set
from tests.exams.scene import TestScene, make_test_scene
from tests.sittings.test_question_bank import csv, full_bank


def make_cat_scene(*, stage_test: bool = False) -> TestScene:
    scene = make_test_scene()
    questions_import(
        selection=scene.selection,
        actor=scene.committee,
        blueprint_code="skd-2021",
        filename="bank.csv",
        content=csv(*full_bank()),
    )
    if stage_test:
        stage_test_set(
            selection=scene.selection, actor=scene.committee, stage="skd", blueprint_code="skd-2021"
        )
    return scene
