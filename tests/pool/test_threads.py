"""Two staff assigning the last place of a role at the same moment, each on its own
connection: one is assigned, the other refused, and the role never holds more than needed."""

import pytest
from django.apps import apps

from seleksi.audit.models import AuditEvent
from seleksi.pool import services
from seleksi.pool.models import Assignment
from seleksi.pool.services import PoolRefused
from seleksi.reference.loading import load_reference_data
from tests.concurrency import at_once
from tests.pool.conftest import make_office, role


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_staff_assigning_the_last_place_never_pass_the_number_needed() -> None:
    load_reference_data(apps)  # a live-server test run before may have emptied the tables
    office = make_office()
    activity = office.activity()
    pml = role(activity, "pml")  # one place
    first, second = office.member("mitra-a"), office.member("mitra-b")

    def assign(member: object) -> object:
        return lambda: services.assignment_add(
            activity_role=pml,
            member=member,  # type: ignore[arg-type]
            actor=office.committee,
            quantity=1,
        )

    outcomes = at_once(assign(first), assign(second))
    assigned = [o for o in outcomes if isinstance(o, Assignment)]
    refused = [o for o in outcomes if isinstance(o, PoolRefused)]
    assert len(assigned) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "role_full"
    assert Assignment.objects.filter(activity_role=pml).count() == 1
    assert AuditEvent.objects.filter(action="pool.assigned").count() == 1
