import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from seleksi.agencies.models import Role
from seleksi.audit.models import AppendOnlyError, AuditEvent
from seleksi.audit.services import AuditSubject, audit_record, audit_record_many
from seleksi.selections.models import Selection
from tests.factories import make_agency, make_selection, make_staff, make_superuser

pytestmark = pytest.mark.django_db


def an_event() -> AuditEvent:
    agency = make_agency()
    selection = make_selection(agency)
    admin = make_staff("admin", agency, Role.ADMIN)
    return audit_record(
        actor=admin,
        action="selection.published",
        subject=selection,
        reason="Jadwal pengumuman",
        rule_version="cpns-2021",
        details={"before": False, "after": True},
    )


def test_it_records_who_what_when_why_and_under_which_rule() -> None:
    event = an_event()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor is not None and stored.actor.username == "admin"
    assert stored.actor_role == "admin"
    assert stored.action == "selection.published"
    assert stored.subject_type == "selections.selection"
    assert stored.reason == "Jadwal pengumuman" and stored.rule_version == "cpns-2021"
    assert stored.agency_id is not None and stored.selection_id is not None
    assert stored.occurred_at is not None and stored.details == {"before": False, "after": True}


def test_it_names_the_system_and_superusers_as_actors() -> None:
    selection = make_selection(make_agency())
    system = audit_record(actor=None, action="selection.created", subject=selection)
    root = audit_record(actor=make_superuser(), action="selection.updated", subject=selection)
    assert (system.actor_role, system.actor_id) == ("system", None)
    assert root.actor_role == "superuser"


def test_it_refuses_unsaved_subjects_and_vague_actions() -> None:
    selection = make_selection(make_agency())
    with pytest.raises(ValueError, match="dotted"):
        audit_record(actor=None, action="changed", subject=selection)
    selection.pk = None
    with pytest.raises(ValueError, match="saved"):
        audit_record(actor=None, action="selection.created", subject=selection)


def test_events_cannot_be_changed_or_deleted_through_the_orm() -> None:
    event = an_event()
    event.reason = "ditulis ulang"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "Jadwal pengumuman"


def test_the_database_refuses_to_rewrite_an_event_even_with_raw_sql() -> None:
    event = an_event()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [event.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == "Jadwal pengumuman"


def test_many_events_at_once_fill_the_same_fields_as_one_event() -> None:
    agency = make_agency()
    selection = make_selection(agency)
    committee = make_staff("panitia", agency, Role.COMMITTEE)
    single = audit_record(
        actor=committee,
        action="selection.checked",
        subject=selection,
        reason="alasan",
        rule_version="casn-2021",
        details={"result": "MS"},
    )
    audit_record_many(
        actor=committee,
        action="selection.checked",
        model=Selection,
        subjects=[AuditSubject(selection.pk, str(selection), {"result": "MS"}, "alasan")],
        agency_id=agency.pk,
        selection_id=selection.pk,
        rule_version="casn-2021",
    )
    bulk = AuditEvent.objects.exclude(pk=single.pk).get()
    fields = [f.name for f in AuditEvent._meta.fields if f.name not in {"id", "occurred_at"}]
    assert {f: getattr(bulk, f) for f in fields} == {f: getattr(single, f) for f in fields}
    assert bulk.actor_role == "committee"


@pytest.mark.parametrize("system", [True, False])
def test_many_events_cost_the_same_statements_for_5_and_for_500_subjects(system: bool) -> None:
    agency = make_agency()
    selection = make_selection(agency)
    actor = None if system else make_staff("panitia", agency, Role.COMMITTEE)

    def record(count: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            written = audit_record_many(
                actor=actor,
                action="verification.published",
                model=Selection,
                subjects=(AuditSubject(i, f"#{i}", {"result": "MS"}) for i in range(count)),
                agency_id=agency.pk,
                selection_id=selection.pk,
            )
        assert written == count
        return len(queries.captured_queries)

    assert record(5) == record(500)
    assert AuditEvent.objects.count() == 505
    roles = set(AuditEvent.objects.values_list("actor_role", flat=True))
    assert roles == {"system" if system else "committee"}


def test_many_events_refuse_a_vague_action_and_write_nothing() -> None:
    selection = make_selection(make_agency())
    with pytest.raises(ValueError, match="dotted"):
        audit_record_many(
            actor=None,
            action="published",
            model=Selection,
            subjects=[AuditSubject(selection.pk, "x")],
            agency_id=None,
            selection_id=selection.pk,
        )
    assert not AuditEvent.objects.exists()
