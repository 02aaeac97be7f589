import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from seleksi.agencies.models import Role
from seleksi.sittings.models import BankQuestion
from tests.exams.scene import TestScene, make_test_scene
from tests.factories import PASSWORD, make_staff
from tests.sittings.test_question_bank import csv, full_bank, line


@pytest.fixture
def scene(db: None) -> TestScene:
    return make_test_scene()


def client_of(user: object) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    assert client.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return client


def page(scene: TestScene) -> str:
    return reverse("committee:question_bank", args=[scene.selection.code])


def upload(client: Client, scene: TestScene, content: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        page(scene),
        {"blueprint": "skd-2021", "file": SimpleUploadedFile("bank.csv", content, "text/csv")},
    )


def test_the_committee_uploads_a_bank_and_sees_counts_never_the_text(scene: TestScene) -> None:
    client = client_of(scene.committee)
    rows = full_bank()
    rows[0] = line("twk", "5 0 0 0 0", text="Rahasia soal nomor satu")
    response = upload(client, scene, csv(*rows))
    assert response.status_code == 302
    html = client.get(page(scene)).content.decode()
    assert "110 questions were added to the bank." in html
    assert "every participant" in html and "draw can be filled" in html
    assert "Rahasia soal" not in html
    assert BankQuestion.objects.count() == 110


def test_a_bad_bank_lists_each_row_and_saves_nothing(scene: TestScene) -> None:
    response = upload(client_of(scene.committee), scene, csv(line("twk", "5 5 0 0 0")))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="bank-problems"' in html
    assert "Row 2: Exactly one option" in html
    assert not BankQuestion.objects.exists()


def test_a_short_bank_says_which_component_cannot_be_drawn(scene: TestScene) -> None:
    client = client_of(scene.committee)
    upload(client, scene, csv(*full_bank()[:40]))
    html = client.get(page(scene)).content.decode()
    assert "cannot fill a draw yet: component tiu" in html


def test_everyone_else_gets_not_found(scene: TestScene) -> None:
    verifier = make_staff("verifikator-soal", scene.selection.agency, Role.VERIFIER)
    other = make_test_scene(code="lain-soal", prefix="L")
    for user in (verifier, scene.site_staff, other.committee, scene.applications[0].applicant):
        client = client_of(user)
        assert client.get(page(scene)).status_code == 404
        assert upload(client, scene, csv(*full_bank())).status_code == 404
    assert not BankQuestion.objects.exists()
    assert Client().get(page(scene)).status_code == 302
