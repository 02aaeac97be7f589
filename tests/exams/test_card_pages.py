"""The exam-card pages: the participant's own download, the committee's batches with their
progress and ZIP, and the public check of a card's QR code."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from seleksi.agencies.models import Role
from seleksi.exams.models import Booking, CardBatch
from seleksi.exams.services import booking_move
from tests.accounts.helpers import signed_in
from tests.exams.card_scene import pdf_text, seated_scene
from tests.exams.scene import TestScene
from tests.factories import make_agency, make_staff

pytestmark = pytest.mark.django_db


def card_address(scene: TestScene, index: int = 0, stage: str = "skd") -> str:
    return f"/lamaran/{scene.applications[index].number}/kartu-ujian/{stage}.pdf"


def cards_page(scene: TestScene, stage: str = "skd") -> str:
    return f"/panitia/{scene.selection.code}/ujian/{stage}/kartu/"


def done_batch(scene: TestScene) -> CardBatch:
    batch = CardBatch.objects.create(
        selection=scene.selection,
        stage="skd",
        status=CardBatch.Status.DONE,
        total=1,
        done=1,
        requested_by=scene.committee,
    )
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        archive.writestr("P00001.pdf", b"%PDF-1.7 test")
    batch.archive.save("x.zip", ContentFile(content.getvalue()))
    return batch


# --- the participant's card ----------------------------------------------------------------


def test_the_participant_downloads_their_own_card(media: Path) -> None:
    scene = seated_scene()
    application = scene.applications[0]
    response = signed_in(application.applicant).get(card_address(scene))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "kartu-ujian-P00001-skd.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "P00001" in text and "sesi-1" in text
    booking = Booking.objects.get(application=application)
    assert f"http://testserver/verifikasi/{booking.token}" in "".join(text.split())


def test_another_applicant_gets_a_404_for_someone_elses_card(media: Path) -> None:
    scene = seated_scene()
    other = signed_in(scene.applications[1].applicant)
    assert other.get(card_address(scene, 0)).status_code == 404


def test_staff_get_a_404_for_a_participants_card_address(media: Path) -> None:
    scene = seated_scene()
    assert signed_in(scene.committee).get(card_address(scene)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(media: Path) -> None:
    scene = seated_scene()
    response = Client().get(card_address(scene))
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


def test_a_stage_without_a_seat_has_no_card(media: Path) -> None:
    scene = seated_scene(participants=6, capacities=(2, 3))
    seatless = scene.applications[5]
    assert not Booking.objects.filter(application=seatless).exists()
    assert signed_in(seatless.applicant).get(card_address(scene, 5)).status_code == 404
    owner = signed_in(scene.applications[0].applicant)
    assert owner.get(card_address(scene, 0, stage="skb")).status_code == 404


# --- the committee's batches ---------------------------------------------------------------


def test_the_committee_prints_all_cards_and_downloads_the_zip(media: Path) -> None:
    scene = seated_scene()
    committee = signed_in(scene.committee)
    page = committee.get(cards_page(scene))
    assert page.status_code == 200
    assert b'id="make-cards"' in page.content
    response = committee.post(cards_page(scene))
    assert response.status_code == 302
    batch = CardBatch.objects.get()
    assert batch.status == CardBatch.Status.DONE  # the test backend runs the task at once
    page = committee.get(cards_page(scene)).content.decode()
    assert f"/panitia/kartu/{batch.pk}.zip" in page
    assert "<progress" in page and 'hx-trigger="every 2s"' not in page
    download = committee.get(f"/panitia/kartu/{batch.pk}.zip")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert len(archive.namelist()) == 4


def test_a_batch_being_made_shows_its_progress_and_is_polled(media: Path) -> None:
    scene = seated_scene()
    CardBatch.objects.create(
        selection=scene.selection,
        stage="skd",
        status=CardBatch.Status.RUNNING,
        total=400,
        done=150,
        requested_by=scene.committee,
    )
    committee = signed_in(scene.committee)
    page = committee.get(cards_page(scene)).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert 'max="400" value="150"' in page
    fragment = committee.get(cards_page(scene) + "proses/")
    assert fragment.status_code == 200
    assert fragment.content.decode().lstrip().startswith('<div id="card-batches"')
    assert "<html" not in fragment.content.decode()
    assert "150" in fragment.content.decode() and "400" in fragment.content.decode()


def test_a_stage_without_seats_is_refused_with_a_message(media: Path) -> None:
    scene = seated_scene()
    committee = signed_in(scene.committee)
    response = committee.post(cards_page(scene, "skb"), follow=True)
    assert response.status_code == 200
    assert not CardBatch.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_an_unknown_stage_is_a_404(media: Path) -> None:
    scene = seated_scene()
    assert signed_in(scene.committee).get(cards_page(scene, "tari")).status_code == 404


@pytest.mark.parametrize("who", ["verifier", "site_staff", "other_committee", "applicant"])
def test_others_get_a_404_for_the_cards_page_progress_and_zip(media: Path, who: str) -> None:
    scene = seated_scene()
    batch = done_batch(scene)
    user = {
        "verifier": lambda: make_staff("verifikator-k", scene.selection.agency, Role.VERIFIER),
        "site_staff": lambda: scene.site_staff,
        "other_committee": lambda: make_staff("panitia-k", make_agency("lain-k"), Role.COMMITTEE),
        "applicant": lambda: scene.applications[0].applicant,
    }[who]()
    client = signed_in(user)
    assert client.get(cards_page(scene)).status_code == 404
    assert client.post(cards_page(scene)).status_code == 404
    assert client.get(cards_page(scene) + "proses/").status_code == 404
    assert client.get(f"/panitia/kartu/{batch.pk}.zip").status_code == 404
    assert CardBatch.objects.count() == 1


def test_a_batch_not_done_has_no_zip_yet(media: Path) -> None:
    scene = seated_scene()
    batch = CardBatch.objects.create(
        selection=scene.selection, stage="skd", total=4, requested_by=scene.committee
    )
    assert signed_in(scene.committee).get(f"/panitia/kartu/{batch.pk}.zip").status_code == 404


# --- the public check of the QR code --------------------------------------------------------


def test_the_verification_page_recognises_an_exam_card(media: Path) -> None:
    scene = seated_scene()
    booking = Booking.objects.get(application=scene.applications[0])
    response = Client().get(f"/verifikasi/{booking.token}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "P00001" in page and "sesi-1" in page and "Ruang 1" in page and "GOR Kota" in page
    assert "Pe*****" in page and "Peserta 01 Gayo" not in page
    assert 'id="card-current"' in page and 'id="card-moved"' not in page


def test_after_a_move_the_same_code_shows_the_new_session_and_says_so(media: Path) -> None:
    scene = seated_scene()
    booking = Booking.objects.get(application=scene.applications[0])
    booking_move(
        booking=booking,
        session_id=scene.sessions[1].pk,
        actor=scene.committee,
        reason="Ruang 1 dipakai untuk peserta disabilitas.",
    )
    page = Client().get(f"/verifikasi/{booking.token}").content.decode()
    assert 'id="card-session" class="mono">sesi-2<' in page
    assert 'id="card-moved"' in page and 'id="card-current"' not in page


def test_a_bogus_card_code_is_not_found(media: Path) -> None:
    seated_scene()
    response = Client().get("/verifikasi/kPalsuSekali123")
    assert response.status_code == 404
    assert 'id="card-session"' not in response.content.decode()
