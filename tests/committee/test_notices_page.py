"""The committee's messages page: the selection's notices with their delivery state, and the
broadcast (preview with the recipient count, then one send however often it is submitted).
Only the committee of the selection's agency opens it."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.notices.models import Notice
from seleksi.notices.services import notify
from seleksi.outbox.models import Message
from seleksi.rules.verification import Stage
from tests.accounts.helpers import signed_in
from tests.factories import make_staff
from tests.notices.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def url(world: World) -> str:
    return f"/panitia/{world.selection.code}/pesan/"


def broadcast(world: World, **fields: str) -> dict[str, str]:
    return {
        "formation": "",
        "stage": "",
        "subject": "Jadwal wawancara",
        "body": "Yth. $name, nomor $number ($formation): lihat $url",
        **fields,
    }


def test_the_committee_sees_each_notice_with_its_delivery_state(world: World) -> None:
    for index in range(3):
        application = world.applications[index]
        notify(
            user=application.applicant,
            event=f"uji:{index}",
            template="administrative_result",
            context={"number": application.number},
            selection=world.selection,
        )
    Message.objects.filter(to=world.applicant(1).email).update(
        status=Message.Status.FAILED, attempts=6, last_error="SMTPRecipientsRefused 550"
    )
    client = signed_in(world.committee)
    client.cookies["django_language"] = "en"
    html = client.get(url(world)).content.decode()
    assert html.count("Hasil seleksi administrasi telah diumumkan") == 3
    assert "SMTPRecipientsRefused 550" in html and ">Sent" in html
    failed = client.get(url(world), {"keadaan": "failed"}).content.decode()
    assert world.applicant(1).display_name in failed
    assert world.applicant(0).display_name not in failed.split('id="notices"')[1]
    assert "Pelamar" in html and "https://" not in html.split('id="notices"')[1]


def test_a_broadcast_is_previewed_with_its_count_then_sent_once(world: World) -> None:
    client = signed_in(world.committee)
    client.cookies["django_language"] = "en"
    formation = world.applications[0].formation.code
    preview = client.post(
        url(world), {**broadcast(world, formation=formation), "action": "preview"}
    )
    assert preview.status_code == 200
    html = preview.content.decode()
    expected = sum(1 for a in world.applications if a.formation.code == formation)
    assert expected == 2
    assert f"{expected} applicants will receive this message." in html
    first = world.applications[0]
    assert f"Yth. {first.applicant.display_name}, nomor {first.number}" in html
    assert not Notice.objects.exists() and mail.outbox == []

    key = preview.context["preview"].key
    send = {**broadcast(world, formation=formation), "key": key, "action": "send"}
    done = client.post(url(world), send, follow=True)
    assert "The message was sent to 2 applicants." in done.content.decode()
    assert Notice.objects.filter(event=f"broadcast:{key}").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        a.applicant.email for a in world.applications if a.formation.code == formation
    )
    again = client.post(url(world), send, follow=True)
    assert "already been sent" in again.content.decode()
    assert Notice.objects.count() == 2 and len(mail.outbox) == 2
    [event] = AuditEvent.objects.filter(action="notices.broadcast")
    assert event.details["count"] == 2
    assert event.details["filters"] == {"formation": formation, "stage": ""}
    assert event.reason == "Jadwal wawancara" and "$number" in event.details["body"]


def test_the_stage_narrows_the_recipients(world: World) -> None:
    from seleksi.applications.models import Application

    Application.objects.filter(pk=world.applications[2].pk).update(
        admin_stage=Stage.PUBLISHED, published_result="TMS"
    )
    client = signed_in(world.committee)
    client.cookies["django_language"] = "en"
    preview = client.post(url(world), {**broadcast(world, stage="tms"), "action": "preview"})
    assert preview.context["preview"].count == 1
    nobody = client.post(url(world), {**broadcast(world, stage="lulus"), "action": "preview"})
    assert nobody.status_code == 400
    assert "Nobody matches these choices" in nobody.content.decode()


def test_a_broadcast_without_a_subject_is_refused_and_keeps_the_text(world: World) -> None:
    client = signed_in(world.committee)
    client.cookies["django_language"] = "en"
    response = client.post(url(world), {**broadcast(world, subject=""), "action": "preview"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Write the subject of the message." in html
    assert "lihat $url" in html
    forged = client.post(url(world), {**broadcast(world), "key": "../x", "action": "send"})
    assert forged.status_code == 400 and "preview the message again" in forged.content.decode()
    assert not Notice.objects.exists()


@pytest.mark.parametrize("who", ["verifier", "other_committee", "applicant"])
def test_only_the_selections_committee_opens_the_page(world: World, who: str) -> None:
    if who == "verifier":
        user = world.verifier
    elif who == "applicant":
        user = world.applicant(0)
    else:
        other = build_world("pemkab-lain", people=1)
        user = other.committee
    client = signed_in(user)
    assert client.get(url(world)).status_code == 404
    sent = client.post(url(world), {**broadcast(world), "action": "preview"})
    assert sent.status_code == 404
    assert not Notice.objects.exists()


def test_strangers_are_sent_to_sign_in(world: World) -> None:
    response = Client().get(url(world))
    assert response.status_code == 302


def test_the_staff_menu_links_the_page_for_the_committee_only(world: World) -> None:
    menu: Any = signed_in(world.committee).get("/panitia/").content.decode()
    assert url(world) in menu
    admin = make_staff("admin-contoh", world.agency, Role.ADMIN)
    assert url(world) not in signed_in(admin).get("/panitia/").content.decode()
