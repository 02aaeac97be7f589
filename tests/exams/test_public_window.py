from django.test import Client
from django.urls import reverse

from seleksi.exams.models import BookingWindow
from tests.exams.scene import TestScene


def in_english() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def test_the_selection_page_announces_when_seats_can_be_booked(scene: TestScene) -> None:
    url = reverse("selections:detail", args=[scene.selection.code])
    html = in_english().get(url).content.decode()
    assert 'id="booking-windows"' in html
    assert "choose their session" in html
    BookingWindow.objects.update(mode=BookingWindow.Mode.ASSIGNED)
    html = in_english().get(url).content.decode()
    assert "the committee assigns the seats" in html
    indonesian = Client().get(url).content.decode()
    assert "panitia menetapkan kursi" in indonesian


def test_a_selection_without_a_window_says_nothing_of_booking(scene: TestScene) -> None:
    BookingWindow.objects.all().delete()
    url = reverse("selections:detail", args=[scene.selection.code])
    assert 'id="booking-windows"' not in Client().get(url).content.decode()
