"""`seleksi demo-end-objections`: the demo committee can reach the result after objections
without waiting the objection period's days."""

from io import StringIO

import pytest
from django.core.management import call_command

from seleksi.accounts.models import User
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.scoring.demo import demo_scores_load
from seleksi.selections.demo import demo_load
from seleksi.selections.models import Selection
from seleksi.verification import services

pytestmark = pytest.mark.django_db
ACEH = "aceh-tengah-casn-2021"


def run() -> str:
    out = StringIO()
    call_command("demo_end_objections", stdout=out)
    return out.getvalue()


def test_it_ends_the_period_so_the_result_after_objections_can_be_published() -> None:
    demo_load()
    demo_scores_load()
    selection = Selection.objects.get(code=ACEH)
    committee = User.objects.get(username="panitia.acehtengah")
    assert "no demo selection" in run()  # nothing published yet: nothing to end

    # One participant found TMS, so that the period matters (the demo checks all 40 MS).
    first = Application.objects.filter(selection=selection).order_by("number").first()
    assert first is not None
    Application.objects.filter(pk=first.pk).update(admin_result="TMS")
    services.result_publish(selection=selection, actor=committee)
    with pytest.raises(services.VerificationRefused) as refused:
        services.result_publish_after_objections(selection=selection, actor=committee)
    assert refused.value.code == "objection_window_open"

    assert f"{ACEH}: objection period ended (40 published applications moved back)" in run()
    assert f"{ACEH}: objection period ended (0 published" in run()  # a second run moves nothing
    services.result_publish_after_objections(selection=selection, actor=committee)
    assert AuditEvent.objects.filter(action="verification.objection_period_ended").count() == 2
