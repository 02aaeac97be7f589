"""Publication and assignment are bulk operations: the statements they run do not grow with
the number of applications, and every application still gets its move, its audit event and,
where it is told, its e-mail."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from seleksi.accounts.models import User
from seleksi.agencies.models import Agency, Role
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.outbox.models import Message
from seleksi.selections.models import Formation, Selection
from seleksi.verification import services
from seleksi.verification.models import Objection, Publication
from tests.factories import formation_rows, import_rows, make_agency, make_selection, make_staff

pytestmark = pytest.mark.django_db


class World:
    """One agency with a committee member and two verifiers; selections made on demand."""

    def __init__(self) -> None:
        self.agency: Agency = make_agency()
        self.committee = make_staff("panitia", self.agency, Role.COMMITTEE)
        self.verifiers = [make_staff(f"verifikator{i}", self.agency, Role.VERIFIER) for i in (1, 2)]

    def selection(self, size: int, *, stage: str, assigned: bool = False) -> Selection:
        """`size` submitted applications in `stage`, every third one TMS."""
        selection = make_selection(self.agency, f"seleksi-{size}")
        import_rows(selection, formation_rows(1, prefix=f"S{size}"))
        formation = Formation.objects.get(selection=selection)
        people = User.objects.bulk_create(
            User(username=f"pelamar-{size}-{i}", email=f"pelamar{size}.{i}@contoh.invalid")
            for i in range(size)
        )
        long_ago = timezone.now() - timedelta(days=30)
        published = stage in {"published", "answered"}
        Application.objects.bulk_create(
            Application(
                applicant=person,
                selection=selection,
                formation=formation,
                number=f"{selection.pk:03d}{i:07d}",
                verification_token=f"token-{selection.pk}-{i}",
                status=Application.Status.SUBMITTED,
                submitted_at=long_ago + timedelta(minutes=i),
                admin_stage=stage,
                admin_result="" if stage == "waiting" else ("TMS" if i % 3 == 0 else "MS"),
                published_result=("TMS" if i % 3 == 0 else "MS") if published else "",
                published_at=long_ago if published else None,
                assigned_to=self.verifiers[0] if assigned else None,
            )
            for i, person in enumerate(people)
        )
        return selection


@pytest.fixture
def world() -> World:
    return World()


def statements(action: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        action()
    return [query["sql"] for query in queries.captured_queries]


def test_publishing_runs_the_same_statements_for_5_and_for_50_applications(world: World) -> None:
    small, large = world.selection(5, stage="checked"), world.selection(50, stage="checked")
    few = statements(lambda: services.result_publish(selection=small, actor=world.committee))
    many = statements(lambda: services.result_publish(selection=large, actor=world.committee))
    assert len(few) == len(many), "\n".join(many)
    published = Application.objects.filter(selection=large)
    assert set(published.values_list("admin_stage", flat=True)) == {"published"}
    assert not published.exclude(published_result=F("admin_result")).exists()
    assert Publication.objects.get(selection=large).counts == {"MS": 33, "TMS": 17}
    events = AuditEvent.objects.filter(action="verification.published", selection_id=large.pk)
    assert events.count() == 50
    assert set(events.values_list("actor_role", "agency_id", "rule_version")) == {
        ("committee", world.agency.pk, large.policy_code)
    }
    by_subject = {e.subject_id: e.details["result"] for e in events}
    assert by_subject == {str(a.pk): a.admin_result for a in published}
    assert Message.objects.filter(to__startswith="pelamar50.").count() == 50


def test_publishing_after_objections_runs_the_same_statements_for_5_and_for_50(
    world: World,
) -> None:
    small, large = world.selection(5, stage="published"), world.selection(50, stage="published")
    for selection in (small, large):
        answered = Application.objects.filter(selection=selection).order_by("pk")[:2]
        for application in answered:
            Objection.objects.create(
                application=application,
                reason="Ijazah saya sesuai kualifikasi formasi ini.",
                answer_due_on=timezone.localdate(),
                status=Objection.Status.ACCEPTED,
                answer="Diterima.",
            )
        Application.objects.filter(pk__in=[a.pk for a in answered]).update(
            admin_stage="answered", admin_result="MS"
        )
        Publication.objects.create(
            selection=selection, kind="administrative", published_by=world.committee
        )
    few = statements(
        lambda: services.result_publish_after_objections(selection=small, actor=world.committee)
    )
    many = statements(
        lambda: services.result_publish_after_objections(selection=large, actor=world.committee)
    )
    assert len(few) == len(many), "\n".join(many)
    final = Application.objects.filter(selection=large)
    assert set(final.values_list("admin_stage", flat=True)) == {"final"}
    assert not final.exclude(published_result=F("admin_result")).exists()
    answered_events = AuditEvent.objects.filter(
        action="verification.published_after_objection", selection_id=large.pk
    )
    assert [e.details for e in answered_events.order_by("subject_id")] == [
        {"result": "MS", "changed": True},  # the first was TMS (0 % 3) and its objection won
        {"result": "MS", "changed": False},
    ]
    assert (
        AuditEvent.objects.filter(action="verification.final", selection_id=large.pk).count() == 48
    )
    assert Message.objects.filter(to__startswith="pelamar50.").count() == 2  # the answered only


def test_assigning_evenly_runs_the_same_statements_for_5_and_for_50(world: World) -> None:
    small, large = world.selection(5, stage="waiting"), world.selection(50, stage="waiting")
    few = statements(
        lambda: services.application_assign_evenly(
            selection=small, verifiers=world.verifiers, actor=world.committee
        )
    )
    handed: dict[int, int] = {}

    def assign_large() -> None:
        handed.update(
            services.application_assign_evenly(
                selection=large, verifiers=world.verifiers, actor=world.committee
            )
        )

    many = statements(assign_large)
    assert len(few) == len(many), "\n".join(many)
    assert handed == {world.verifiers[0].pk: 25, world.verifiers[1].pk: 25}
    in_turn = Application.objects.filter(selection=large).order_by("submitted_at", "pk")
    assert [a.assigned_to_id for a in in_turn[:4]] == [v.pk for v in world.verifiers] * 2


def test_assigning_by_hand_runs_the_same_statements_for_5_and_for_50(world: World) -> None:
    small, large = world.selection(5, stage="waiting"), world.selection(50, stage="waiting")
    verifier = world.verifiers[1]

    def assign(selection: Selection) -> Callable[[], Any]:
        chosen = Application.objects.filter(selection=selection)
        return lambda: services.application_assign(
            applications=chosen, verifier=verifier, actor=world.committee
        )

    assert len(statements(assign(small))) == len(statements(assign(large)))
    assert Application.objects.filter(selection=large, assigned_to=verifier).count() == 50
    events = AuditEvent.objects.filter(action="verification.assigned", selection_id=large.pk)
    assert events.count() == 50 and {e.details["verifier"] for e in events} == {verifier.pk}
    assert {e.actor_role for e in events} == {"committee"}


def test_one_application_in_a_wrong_stage_refuses_the_whole_hand_assignment(
    world: World,
) -> None:
    selection = world.selection(5, stage="checked")
    first = Application.objects.filter(selection=selection).order_by("pk").first()
    assert first is not None
    Application.objects.filter(pk=first.pk).update(admin_stage="published")
    with pytest.raises(services.VerificationRefused) as refused:
        services.application_assign(
            applications=Application.objects.filter(selection=selection),
            verifier=world.verifiers[0],
            actor=world.committee,
        )
    assert refused.value.code == "not_allowed_now"
    assert not Application.objects.filter(selection=selection).exclude(assigned_to=None).exists()
    assert not AuditEvent.objects.filter(action="verification.assigned").exists()


def test_an_application_that_changed_stage_refuses_the_whole_publication(world: World) -> None:
    selection = world.selection(5, stage="checked")
    first = Application.objects.filter(selection=selection).order_by("pk").first()
    assert first is not None
    Application.objects.filter(pk=first.pk).update(admin_stage="decided")
    with pytest.raises(services.VerificationRefused) as refused:
        services.result_publish(selection=selection, actor=world.committee)
    assert (refused.value.code, refused.value.detail) == ("undecided", "1")
    assert not Application.objects.filter(selection=selection, admin_stage="published").exists()
    assert not AuditEvent.objects.filter(action="verification.published").exists()
    assert not Message.objects.exists()
