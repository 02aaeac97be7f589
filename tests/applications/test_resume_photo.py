"""The printed resume carries the applicant's passport photo, and its verification page
speaks of a resume, not of a card."""

import re
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from seleksi.applicant import cards
from seleksi.applications.models import Application, Document
from tests.accounts.helpers import signed_in
from tests.applications.test_applications import formation, person, start, upload_everything

pytestmark = pytest.mark.usefixtures("demo")


def submitted(client: Client) -> Application:
    application = start(client, formation("Pranata Komputer Ahli Pertama"))
    upload_everything(client, application)
    client.post(f"/lamaran/{application.number}/akhiri/", {"confirm": "on"})
    application.refresh_from_db()
    assert application.is_submitted
    return application


def pdf_images(content: bytes) -> list[Image.Image]:
    """The distinct images (XObjects of subtype Image) of the PDF; pages share resources, so
    one image may be listed on every page."""
    assert content.startswith(b"%PDF-")
    count = len(re.findall(rb"/Subtype\s*/Image\b", content))
    listed = [image.image for image in PdfReader(BytesIO(content)).pages[0].images]
    assert len(listed) == count
    return [image for image in listed if image is not None]


def identity_block(content: bytes) -> str:
    """The text of the first block, beside which the photo stands: up to the education."""
    return PdfReader(BytesIO(content)).pages[0].extract_text().split("\nPendidikan\n")[0]


def test_the_resume_embeds_the_uploaded_passport_photo() -> None:
    client = signed_in(person())
    application = submitted(client)
    pdf = client.get(f"/lamaran/{application.number}/resume.pdf").content
    images = pdf_images(pdf)
    assert len(images) == 1
    photo = images[0]
    assert photo.height > photo.width  # the portrait, upright
    red, green, blue = photo.convert("RGB").getpixel((2, 2))
    assert red > 150 and green < 80 and blue < 80  # its red background
    assert "Pas foto" not in identity_block(pdf)


def test_without_a_photo_the_resume_prints_an_empty_pas_foto_box() -> None:
    client = signed_in(person())
    application = submitted(client)
    Document.objects.filter(application=application, rule__is_photo=True).delete()
    pdf = client.get(f"/lamaran/{application.number}/resume.pdf").content
    assert pdf_images(pdf) == []
    assert "Pas foto" in identity_block(pdf)


def test_an_unreadable_stored_photo_leaves_the_box_and_still_prints() -> None:
    client = signed_in(person())
    application = submitted(client)
    photo = Document.objects.get(application=application, rule__is_photo=True)
    storage, name = photo.file.storage, photo.file.name or ""
    storage.delete(name)
    storage.save(name, ContentFile(b"\xff\xd8\xff not a jpeg any more"))
    response = client.get(f"/lamaran/{application.number}/resume.pdf")
    assert response.status_code == 200
    assert pdf_images(response.content) == []
    assert "Pas foto" in identity_block(response.content)


def test_the_photo_is_a_data_uri_so_the_pdf_fetches_nothing() -> None:
    client = signed_in(person())
    application = submitted(client)
    uri = cards.photo_data_uri(application)
    assert uri is not None and uri.startswith("data:image/jpeg;base64,")
    Document.objects.filter(application=application, rule__is_photo=True).delete()
    assert cards.photo_data_uri(application) is None


def test_the_verification_page_names_the_resume_or_the_card() -> None:
    client = signed_in(person())
    application = submitted(client)
    resume = Client().get(f"/verifikasi/{application.verification_token}").content.decode()
    assert "Resume ini diterbitkan oleh Seleksi" in resume and "Kartu ini" not in resume
    assert "Resume pendaftaran" in resume
    token = cards.account_card_token(application.applicant_id)
    card = Client().get(f"/verifikasi/{token}").content.decode()
    assert "Kartu ini diterbitkan oleh Seleksi" in card and "Resume ini" not in card
    assert "Kartu informasi akun" in card
    english = Client()
    english.cookies["django_language"] = "en"
    assert (
        "This resume was issued"
        in english.get(f"/verifikasi/{application.verification_token}").content.decode()
    )
    unknown = Client().get("/verifikasi/palsu")
    assert unknown.status_code == 404
    assert "kartu atau resume dengan kode ini" in unknown.content.decode()
