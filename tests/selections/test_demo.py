from typing import Any

import pytest
from django.db.models import Sum

from seleksi.accounts.models import User
from seleksi.agencies.models import Agency, Membership
from seleksi.audit.models import AuditEvent
from seleksi.selections.demo import DEMO_PASSWORD, demo_load
from seleksi.selections.models import (
    Contact,
    DocumentRule,
    Formation,
    FormationQualification,
    Requirement,
    Selection,
    Stage,
)

pytestmark = pytest.mark.django_db

MODELS = (
    Agency,
    Membership,
    User,
    Selection,
    Stage,
    Requirement,
    DocumentRule,
    Contact,
    Formation,
    FormationQualification,
    AuditEvent,
)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        model.__name__: sorted(tuple(str(v) for v in row) for row in model.objects.values_list())
        for model in MODELS
    }


def quota(**filters: str) -> int:
    figure = Formation.objects.filter(**filters).aggregate(total=Sum("quota"))["total"]
    return int(figure or 0)


def test_loading_twice_changes_nothing() -> None:
    first = demo_load()
    before = snapshot()
    second = demo_load()
    assert first.created and not second.created
    assert snapshot() == before


def test_aceh_tengah_has_the_announced_allocation() -> None:
    demo_load()
    code = "aceh-tengah-casn-2021"
    assert quota(selection__code=code) == 1048
    assert quota(selection__code=code, procurement_type="PPPK", position_category="guru") == 749
    assert quota(selection__code=code, formation_type="disabilitas") == 6
    assert quota(selection__code=code, formation_type="umum", position_category="kesehatan") == 148
    teknis = quota(selection__code=code, procurement_type="CPNS", position_category="teknis")
    assert teknis == 151


def test_magetan_keeps_its_preferred_criteria_and_schedule() -> None:
    demo_load()
    selection = Selection.objects.get(code="bps-magetan-mitra-2024")
    preferred = selection.requirements.filter(category=Requirement.Category.PREFERRED)
    assert preferred.count() == 6
    assert selection.stages.get(kind="final_selection").starts_on.isoformat() == "2023-12-01"
    pool = selection.formations.get()
    assert pool.procurement_type == "MITRA" and pool.quota is None


def test_demo_staff_can_sign_in_and_belong_to_their_agency() -> None:
    report = demo_load()
    assert {login.username for login in report.logins} >= {"superadmin", "admin.acehtengah"}
    admin = User.objects.get(username="admin.acehtengah")
    assert admin.check_password(DEMO_PASSWORD)
    assert admin.memberships.get().agency.code == "pemkab-aceh-tengah"
    assert User.objects.get(username="superadmin").is_superuser


def test_the_demo_registration_can_be_opened_to_try_applying() -> None:
    from io import StringIO

    from django.core.management import call_command

    demo_load()
    call_command("demo_open_registration", "--days", "7", stdout=StringIO())
    for code in ("aceh-tengah-casn-2021", "bps-magetan-mitra-2024"):
        assert Selection.objects.get(code=code).status() == "open"
    assert AuditEvent.objects.filter(action="selection.registration_moved").count() == 2
