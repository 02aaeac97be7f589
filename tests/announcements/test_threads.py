"""Two committee members publishing the same draft at the same moment, each on its own
connection: one publishes, the other is refused, and the rows are written once."""

import pytest

from seleksi.announcements import services
from seleksi.announcements.models import Announcement, AnnouncementRow, Kind
from seleksi.announcements.services import AnnouncementRefused
from seleksi.audit.models import AuditEvent
from tests.announcements.conftest import make_world
from tests.concurrency import at_once


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_publications_at_once_publish_once() -> None:
    world = make_world()
    world.rank("skd")
    draft = world.draft(Kind.SKD)

    def publish() -> Announcement:
        return services.announcement_publish(
            announcement=draft, actor=world.committee, confirm_number=draft.number
        )

    outcomes = at_once(publish, publish)
    published = [o for o in outcomes if isinstance(o, Announcement)]
    refused = [o for o in outcomes if isinstance(o, AnnouncementRefused)]
    assert len(published) == 1 and len(refused) == 1, outcomes
    assert refused[0].code == "already_published"
    assert AnnouncementRow.objects.filter(announcement=draft).count() == 8
    assert AuditEvent.objects.filter(action="announcement.published").count() == 1
