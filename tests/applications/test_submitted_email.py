"""Submitting an application ("akhiri pendaftaran") sends the applicant one confirmation
e-mail through the outbox: number, selection, formation, the time at the agency, the link to
the application and what comes next."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from seleksi.agencies.models import Agency
from seleksi.applications import services
from seleksi.applications.models import Application
from seleksi.outbox.models import Message
from seleksi.selections.models import Stage
from tests.accounts.helpers import signed_in
from tests.applications.test_applications import ACEH, formation, person, start, upload_everything

pytestmark = pytest.mark.usefixtures("demo")


def submitted(client: Client) -> Application:
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    upload_everything(client, application)
    client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    return application


def test_it_queues_one_readable_confirmation_to_the_applicant(
    mailoutbox: list[Any],
) -> None:
    applicant = person()
    application = submitted(signed_in(applicant))

    message = Message.objects.get(to=applicant.email)
    assert message.subject == f"Pendaftaran selesai: lamaran {application.number}"
    assert message.status == Message.Status.SENT  # the worker sent it after the commit
    assert [sent.to for sent in mailoutbox] == [[applicant.email]]
    assert mailoutbox[0].subject == message.subject
    text = mailoutbox[0].body
    assert application.number in text
    assert application.selection.title in text
    assert application.formation.position in text and application.formation.code in text
    assert f"http://testserver/lamaran/{application.number}/" in text
    assert services.agency_time(application.submitted_at, application.selection.agency) in text
    assert " WIB" in text and "pukul" in text
    assert "Panitia memeriksa data dan dokumen Anda" in text
    assert "{%" not in text and "{{" not in text
    assert "Menurut jadwal" not in text  # the demo schedule gives no date


def test_it_gives_the_scheduled_date_of_the_administrative_result(mailoutbox: list[Any]) -> None:
    today = timezone.localdate()
    Stage.objects.filter(selection__code=ACEH, kind=Stage.Kind.ADMINISTRATIVE).update(
        starts_on=today + timedelta(days=40), ends_on=today + timedelta(days=45)
    )

    submitted(signed_in(person()))

    with translation.override("id"):
        expected = formats.date_format(today + timedelta(days=40), "j F Y")
    assert f"hasil seleksi administrasi diumumkan mulai {expected}." in mailoutbox[0].body


def test_a_second_submission_sends_nothing_more(mailoutbox: list[Any]) -> None:
    applicant = person()
    client = signed_in(applicant)
    application = submitted(client)

    again = client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    with pytest.raises(services.ApplicationRefused):
        services.application_submit(application=application, user=applicant)

    assert again.status_code == 302
    assert Message.objects.filter(to=applicant.email).count() == 1
    assert len(mailoutbox) == 1


def test_a_refused_submission_sends_nothing(mailoutbox: list[Any]) -> None:
    client = signed_in(person())
    application = start(client, formation("Pranata Komputer Ahli Pertama"))

    client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})

    assert not Message.objects.exists() and not mailoutbox


@pytest.mark.parametrize(
    ("zone", "written"),
    [
        (Agency.TimeZone.WIB, "5 Maret 2024 pukul 07.30 WIB"),
        (Agency.TimeZone.WITA, "5 Maret 2024 pukul 08.30 WITA"),
        (Agency.TimeZone.WIT, "5 Maret 2024 pukul 09.30 WIT"),
    ],
)
def test_the_time_is_written_the_indonesian_way_in_the_agencys_zone(
    zone: str, written: str
) -> None:
    agency = Agency(code="contoh", name="Contoh", time_zone=zone)
    moment = datetime(2024, 3, 5, 0, 30, tzinfo=UTC)

    with translation.override("id"):
        assert services.agency_time(moment, agency) == written
