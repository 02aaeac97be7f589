"""The administrative state of an application has one spelling per value: the database
refuses any other, and a draft carries no verification at all."""

import pytest
from django.db import IntegrityError, transaction

from seleksi.applications.models import Application
from seleksi.rules.verification import Stage
from seleksi.verification import selectors
from tests.verification.conftest import Scene


def refused_by_the_database(**values: object) -> bool:
    try:
        with transaction.atomic():
            Application.objects.filter(pk=values.pop("pk")).update(**values)
    except IntegrityError:
        return True
    return False


def test_a_submitted_application_waits_without_anyone_spelling_it(scene: Scene) -> None:
    assert {scene.refreshed(i).admin_stage for i in range(len(scene.applications))} == {
        Stage.WAITING
    }
    counts = selectors.stage_counts(scene.selection)
    assert counts[Stage.WAITING] == len(scene.applications)
    assert set(selectors.queue(selection=scene.selection, stage=Stage.WAITING)) == set(
        scene.applications
    )


@pytest.mark.parametrize("stage", ["", "Waiting", "menunggu"])
def test_the_database_refuses_an_undeclared_stage(scene: Scene, stage: str) -> None:
    assert refused_by_the_database(pk=scene.applications[0].pk, admin_stage=stage)
    assert scene.refreshed(0).admin_stage == Stage.WAITING


@pytest.mark.parametrize("field", ["admin_result", "published_result"])
def test_the_database_refuses_an_undeclared_result(scene: Scene, field: str) -> None:
    assert refused_by_the_database(pk=scene.applications[0].pk, **{field: "ms"})
    assert not refused_by_the_database(pk=scene.applications[0].pk, **{field: "TMS"})


def test_the_database_refuses_a_verified_draft(scene: Scene) -> None:
    draft = Application.objects.create(
        applicant=scene.admin,
        selection=scene.selection,
        formation=scene.applications[0].formation,
        number="draft-1",
    )
    assert draft.admin_stage == Stage.WAITING
    assert refused_by_the_database(pk=draft.pk, admin_stage=Stage.CHECKED)
    assert refused_by_the_database(pk=draft.pk, admin_result="MS")
    assert not refused_by_the_database(
        pk=draft.pk, status=Application.Status.SUBMITTED, admin_stage=Stage.CHECKED
    )
