from django.test import Client
from django.urls import reverse

from seleksi.exams.models import Booking, SessionRoom
from tests.exams.scene import TestScene, make_participant
from tests.factories import PASSWORD


def signed_in(scene: TestScene, index: int) -> Client:
    client = Client()
    assert client.login(username=scene.applications[index].applicant.username, password=PASSWORD)
    return client


def page(scene: TestScene, index: int = 0) -> str:
    return reverse("applicant:booking", args=[scene.applications[index].number, "skd"])


def test_the_page_lists_the_sessions_with_seats_left(scene: TestScene) -> None:
    response = signed_in(scene, 0).get(page(scene))
    html = response.content.decode()
    assert response.status_code == 200
    assert "sesi-1" in html and "sesi-2" in html
    assert "2 kursi tersisa" in html or "2 seats left" in html


def test_choosing_asks_for_confirmation_and_books_nothing_yet(scene: TestScene) -> None:
    client = signed_in(scene, 0)
    response = client.post(page(scene), {"session": scene.sessions[0].pk})
    html = response.content.decode()
    assert 'id="booking-confirmation"' in html
    assert "sesi-1" in html
    assert not Booking.objects.exists()


def test_confirming_books_and_the_page_then_offers_no_change(scene: TestScene) -> None:
    client = signed_in(scene, 0)
    response = client.post(page(scene), {"session": scene.sessions[0].pk, "confirmed": "1"})
    assert response.status_code == 302
    html = client.get(page(scene)).content.decode()
    assert 'id="booking-facts"' in html
    assert 'name="session"' not in html
    detail = client.get(reverse("applicant:detail", args=[scene.applications[0].number]))
    assert "sesi-1" in detail.content.decode()


def test_a_double_submission_books_once_and_says_so(scene: TestScene) -> None:
    client = signed_in(scene, 0)
    data = {"session": scene.sessions[0].pk, "confirmed": "1"}
    client.post(page(scene), data)
    response = client.post(page(scene), {"session": scene.sessions[1].pk, "confirmed": "1"})
    assert response.status_code == 200
    assert Booking.objects.count() == 1
    assert SessionRoom.objects.get(session=scene.sessions[1]).taken == 0
    assert 'id="booking-facts"' in response.content.decode()


def test_a_full_session_is_refused_with_the_free_ones_offered(scene: TestScene) -> None:
    for index in (0, 1):
        signed_in(scene, index).post(
            page(scene, index), {"session": scene.sessions[0].pk, "confirmed": "1"}
        )
    response = signed_in(scene, 2).post(
        page(scene, 2), {"session": scene.sessions[0].pk, "confirmed": "1"}
    )
    html = response.content.decode()
    assert "penuh" in html
    assert 'id="alternatives"' in html and "sesi-2" in html
    assert Booking.objects.count() == 2


def test_another_persons_application_and_a_bogus_stage_are_not_found(scene: TestScene) -> None:
    client = signed_in(scene, 1)
    assert client.get(page(scene, 0)).status_code == 404
    assert (
        client.post(page(scene, 0), {"session": scene.sessions[0].pk, "confirmed": "1"}).status_code
        == 404
    )
    bogus = reverse("applicant:booking", args=[scene.applications[1].number, "lain"])
    assert client.get(bogus).status_code == 404
    assert not Booking.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(scene: TestScene) -> None:
    response = Client().get(page(scene))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_applicant_without_final_ms_is_told_why(scene: TestScene) -> None:
    application = make_participant(scene.selection, "Q00009", admin_stage="published")
    client = Client()
    assert client.login(username=application.applicant.username, password=PASSWORD)
    url = reverse("applicant:booking", args=[application.number, "skd"])
    html = client.get(url).content.decode()
    assert 'name="session"' not in html
    assert "MS" in html
    client.post(url, {"session": scene.sessions[0].pk, "confirmed": "1"})
    assert not Booking.objects.exists()


def test_the_seat_counts_fragment_swaps_each_count(scene: TestScene) -> None:
    signed_in(scene, 1).post(page(scene, 1), {"session": scene.sessions[0].pk, "confirmed": "1"})
    url = reverse("applicant:booking_seats", args=[scene.applications[0].number, "skd"])
    ids = f"?s={scene.sessions[0].pk}&s={scene.sessions[1].pk}"
    html = signed_in(scene, 0).get(url + ids).content.decode()
    assert f'id="seats-{scene.sessions[0].pk}"' in html
    assert 'hx-swap-oob="true"' in html
    assert "1 kursi tersisa" in html or "1 seat left" in html
