"""Check-in on a phone: site staff sign in, reach today's session from the workspace by
clicking, type a participant number, compare the name and the photo, check them in and see
the count go up; a second attempt is refused. The camera path reads an exam card's QR code
from a (simulated) camera with the vendored reader."""

import base64
import io
import re
from pathlib import Path
from typing import Any

import pytest
import qrcode
from django.contrib.staticfiles import finders
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from seleksi.exams.models import Booking, TestSession
from tests.e2e.steps import sign_in_at
from tests.exams.checkin_scene import booked, session_today, with_photo
from tests.exams.scene import TestScene, make_test_scene
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


def the_day() -> tuple[TestScene, TestSession]:
    """P00001 (with a passport photo) and P00002 booked in a session that starts today."""
    scene = make_test_scene()
    today = session_today(scene)
    booked(scene.applications[0], today)
    booked(scene.applications[1], today)
    with_photo(scene.applications[0])
    return scene, today


def in_english(page: Page, base: str) -> None:
    """The test reads the English texts, so it does not depend on the translation catalogue;
    the page in front of the person is shown again in English."""
    page.wait_for_url(lambda url: "/akun/masuk/" not in url)  # the sign-in has landed
    page.wait_for_load_state()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.reload()


def test_site_staff_check_a_participant_in_by_typing_the_number(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    scene, today = the_day()
    base = live_server.url
    sign_in_at(page, base, scene.site_staff.username, PASSWORD)
    in_english(page, base)
    expect(page).to_have_url(re.compile(r"/panitia/$"))

    page.locator(f"#desk-{scene.selection.code}").get_by_role(
        "link", name="Check-in (hadir)"
    ).click()
    expect(page).to_have_url(re.compile(rf"/panitia/{scene.selection.code}/hadir/$"))
    page.locator("#checkin-sessions").get_by_role("link", name=today.code).click()
    expect(page).to_have_url(re.compile(rf"/panitia/hadir/sesi/{today.pk}/$"))

    count = page.locator("#checkin-count")
    expect(count).to_have_text("0 of 2 present")
    box = page.get_by_label("Participant number or card code")
    expect(box).to_be_focused()
    box.fill("p00001")
    box.press("Enter")

    result = page.locator("#checkin-result")
    expect(result).to_contain_text(scene.applications[0].applicant.display_name)
    expect(result).to_contain_text("P00001")
    photo = result.locator("img.checkin-photo")
    expect(photo).to_be_visible()
    page.wait_for_function(
        "() => { const img = document.querySelector('img.checkin-photo');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    button = result.get_by_role("button", name="Check in (Hadir)")
    expect(button).to_be_focused()
    button.click()

    expect(result).to_contain_text("Participant P00001 is checked in (hadir) at")
    expect(count).to_have_text("1 of 2 present")
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    assert Booking.objects.get(application=scene.applications[0]).attendance == "H"

    box.fill("P00001")
    box.press("Enter")
    expect(result).to_contain_text("Participant P00001 was already checked in at")
    expect(result.get_by_role("button", name="Check in (Hadir)")).to_have_count(0)
    expect(count).to_have_text("1 of 2 present")


FAKE_CAMERA = """
(() => {
  delete window.BarcodeDetector;  // read with the vendored library, as on a phone without one
  const picture = new Image();
  picture.src = %(picture)s;
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    window.cameraAskedFor = constraints;
    await picture.decode();
    const canvas = document.createElement("canvas");
    canvas.width = 640;
    canvas.height = 480;
    const context = canvas.getContext("2d");
    const draw = () => {
      context.fillStyle = "#777";
      context.fillRect(0, 0, 640, 480);
      context.drawImage(picture, 170, 90, 300, 300);
    };
    draw();
    setInterval(draw, 100);
    return canvas.captureStream(10);
  };
})();
"""


def qr_picture(text: str) -> str:
    buffer = io.BytesIO()
    qrcode.make(text, border=4).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def test_the_camera_reads_the_exam_card_qr_and_finds_the_participant(
    live_server: LiveServer, page: Page, transactional_db: None
) -> None:
    if not finders.find("seleksi/vendor/jsQR.js"):
        pytest.skip("the QR library is not vendored: run scripts/vendor-js (needs npm)")
    scene, today = the_day()
    base = live_server.url
    token = Booking.objects.get(application=scene.applications[1]).token
    card = qr_picture(f"{base}/verifikasi/{token}")
    page.add_init_script(FAKE_CAMERA % {"picture": repr(card)})
    sign_in_at(page, base, scene.site_staff.username, PASSWORD)
    in_english(page, base)
    page.goto(base + f"/panitia/hadir/sesi/{today.pk}/")

    assert page.evaluate("window.seleksiCheckinToken('https://x.test/verifikasi/kAbC_-123')") == (
        "kAbC_-123"
    )
    assert page.evaluate("window.seleksiCheckinToken('https://x.test/verifikasi/aAccount')") is None
    page.get_by_role("button", name="Scan QR").click()

    result = page.locator("#checkin-result")
    expect(result).to_contain_text("P00002", timeout=15_000)
    expect(result).to_contain_text(scene.applications[1].applicant.display_name)
    assert page.evaluate("window.cameraAskedFor.video.facingMode.ideal") == "environment"
    expect(page.locator("#scanner")).to_be_hidden()  # the camera is off again
    result.get_by_role("button", name="Check in (Hadir)").click()
    expect(page.locator("#checkin-count")).to_have_text("1 of 2 present")
    assert Booking.objects.get(application=scene.applications[1]).attendance == "H"


NO_BARCODE_DETECTOR = "delete window.BarcodeDetector;"


def test_without_any_qr_reader_the_page_offers_typing_only(
    live_server: LiveServer, page: Page, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seleksi.committee import checkin_views

    monkeypatch.setattr(checkin_views, "_is_vendored", lambda path: False)
    scene, today = the_day()
    base = live_server.url
    page.add_init_script(NO_BARCODE_DETECTOR)
    sign_in_at(page, base, scene.site_staff.username, PASSWORD)
    in_english(page, base)
    page.goto(base + f"/panitia/hadir/sesi/{today.pk}/")
    box = page.get_by_label("Participant number or card code")
    expect(box).to_be_focused()
    expect(page.get_by_role("button", name="Scan QR")).to_be_hidden()
    box.fill("P00002")
    box.press("Enter")
    expect(page.locator("#checkin-result")).to_contain_text(
        scene.applications[1].applicant.display_name
    )


def test_a_qr_reader_that_fails_to_load_says_so_and_may_be_tried_again(
    live_server: LiveServer, page: Page, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seleksi.committee import checkin_views

    monkeypatch.setattr(checkin_views, "_is_vendored", lambda path: True)
    monkeypatch.setattr(checkin_views, "QR_LIBRARY", "seleksi/vendor/missing.js")
    scene, today = the_day()
    base = live_server.url
    page.add_init_script(NO_BARCODE_DETECTOR)
    sign_in_at(page, base, scene.site_staff.username, PASSWORD)
    in_english(page, base)
    page.goto(base + f"/panitia/hadir/sesi/{today.pk}/")
    scan = page.get_by_role("button", name="Scan QR")
    scan.click()
    expect(page.locator("#scan-status")).to_have_text(
        "The QR reader could not be loaded: type the participant number, or try again."
    )
    expect(scan).to_be_enabled()
    expect(page.get_by_label("Participant number or card code")).to_be_focused()
    expect(page.locator("#scanner")).to_be_hidden()
