"""The notices' texts in the console: superusers start from the shipped text, edit it, see
the message rendered; the edited text is what applicants receive; nobody else edits."""

import pytest

from seleksi.agencies.models import Role
from seleksi.notices.models import NoticeTemplate
from seleksi.notices.services import notify
from tests.accounts.helpers import signed_in
from tests.factories import make_staff, make_superuser
from tests.notices.world import World

ADD = "/kelola/notices/noticetemplate/add/"


def test_a_superuser_edits_a_text_with_a_preview_and_applicants_get_it(world: World) -> None:
    client = signed_in(make_superuser())
    listing = client.get("/kelola/notices/noticetemplate/").content.decode()
    assert f"{ADD}?code=absent&amp;language=en" in listing
    start = client.get(ADD, {"code": "absent", "language": "id"})
    assert start.status_code == 200
    assert "Dicatat tidak hadir (TH) pada $stage" in start.content.decode()
    saved = client.post(
        ADD,
        {
            "code": "absent",
            "language": "id",
            "subject": "Tidak hadir: $number",
            "body": "Yth. $name, Anda tidak hadir pada $stage.\n$url\n",
        },
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    stored = NoticeTemplate.objects.get(code="absent", language="id")
    page = client.get(f"/kelola/notices/noticetemplate/{stored.pk}/change/").content.decode()
    assert 'id="notice-preview"' in page and "Tidak hadir: A-2026-000123" in page
    assert "$number" in page  # the placeholders the shipped text uses

    application = world.applications[0]
    notice = notify(
        user=application.applicant,
        event="uji",
        template="absent",
        context={"number": application.number, "stage": "SKD"},
        selection=world.selection,
    )
    assert notice is not None and notice.subject == f"Tidak hadir: {application.number}"
    assert notice.body.startswith(f"Yth. {application.applicant.display_name}, Anda tidak hadir")


def test_a_lone_dollar_sign_is_refused_with_what_to_write(world: World) -> None:
    client = signed_in(make_superuser())
    client.cookies["django_language"] = "en"
    response = client.post(
        ADD, {"code": "absent", "language": "en", "subject": "Absent", "body": "Costs 5 $ now"}
    )
    assert response.status_code == 200
    assert "write $$ for a dollar sign" in response.content.decode()
    assert not NoticeTemplate.objects.exists()


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.ADMIN])
def test_agency_staff_do_not_edit_the_texts(world: World, role: Role) -> None:
    client = signed_in(make_staff(f"staf-{role}", world.agency, role))
    assert client.get(ADD).status_code == 403
    assert client.get("/kelola/notices/noticetemplate/").status_code == 403
