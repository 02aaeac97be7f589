import pytest
from django.db import DatabaseError, connection, transaction

from seleksi.agencies.models import Role
from seleksi.audit.models import AppendOnlyError, AuditEvent
from seleksi.audit.services import audit_record
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
