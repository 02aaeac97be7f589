"""No page an applicant opens shows a drop-down's empty choice in English or as dashes."""

import pytest

from seleksi.accounts.models import User
from tests.accounts.helpers import signed_in
from tests.applications.test_applications import ACEH, STATEMENTS, formation

pytestmark = pytest.mark.usefixtures("demo")

UNTRANSLATED = ("Select an option", "---------")


def test_no_indonesian_applicant_page_has_an_english_or_dashed_empty_choice() -> None:
    teacher = User.objects.get(email="pelamar.teknis@demo.seleksi.invalid")
    client = signed_in(teacher)
    target = formation("Pranata Komputer Ahli Pertama")
    before_applying = [f"/seleksi/{ACEH}/melamar/", f"/seleksi/{ACEH}/melamar/{target.code}/"]
    for url in before_applying:
        html = client.get(url).content.decode()
        assert not [word for word in UNTRANSLATED if word in html], url
    applied = client.post(f"/seleksi/{ACEH}/melamar/{target.code}/", STATEMENTS)
    assert applied.status_code == 302
    education = teacher.educations.first()
    assert education is not None
    pages = [
        "/",
        f"/seleksi/{ACEH}/",
        f"/seleksi/{ACEH}/formasi/",
        "/akun/profil/",
        "/akun/profil/ubah/",
        "/akun/profil/pendidikan/tambah/",
        f"/akun/profil/pendidikan/{education.pk}/",
        "/akun/profil/pertanyaan-pengaman/",
        applied["Location"],
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'lang="id"' in html
        assert not [word for word in UNTRANSLATED if word in html], url
    mitra = signed_in(User.objects.get(email="pelamar.mitra@demo.seleksi.invalid"))
    for url in ("/akun/profil/identitas/", "/akun/profil/ubah/"):
        html = mitra.get(url).content.decode()
        assert not [word for word in UNTRANSLATED if word in html], url
    registration = client.__class__().get("/akun/daftar/").content.decode()
    assert not [word for word in UNTRANSLATED if word in registration]
    assert "<select" in registration
