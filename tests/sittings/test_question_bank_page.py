import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.sittings.models import BankQuestion, StageTest
from seleksi.sittings.services import SittingsRefused, stage_test_set
from tests.exams.scene import TestScene, make_test_scene
from tests.factories import PASSWORD, make_staff
from tests.sittings.test_question_bank import csv, full_bank, line
from tests.sittings.test_sittings import start


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


# --- the stages sat on Seleksi ---------------------------------------------------------------


def set_stage(client: Client, scene: TestScene, stage: str, blueprint: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("committee:stage_test", args=[scene.selection.code]),
        {"stage": stage, "blueprint": blueprint},
        follow=True,
    )


def test_the_bank_page_offers_each_test_stage_its_own_blueprints(scene: TestScene) -> None:
    html = client_of(scene.committee).get(page(scene)).content.decode()
    section = html[html.index('id="stage-test-list"') :]
    for stage in ("skd", "pppk", "mitra"):
        assert f'id="stage-{stage}"' in section
    assert 'id="stage-interview"' not in section and 'id="stage-skb"' not in section
    skd = section[section.index('id="stage-skd"') : section.index('id="stage-pppk"')]
    assert 'value="skd-2021"' in skd and "mitra-bps-2024" not in skd
    assert "an outside CAT&#x27;s file" in skd


def test_the_committee_sets_changes_and_clears_a_stages_test(scene: TestScene) -> None:
    client = client_of(scene.committee)
    response = set_stage(client, scene, "skd", "skd-2021")
    assert (
        "Basic competence test (SKD) is sat on Seleksi with skd-2021." in response.content.decode()
    )
    assert StageTest.objects.get(selection=scene.selection, stage="skd").blueprint == "skd-2021"
    html = client.get(page(scene)).content.decode()
    assert "on Seleksi with <strong>skd-2021</strong>" in html
    wrong = set_stage(client, scene, "skd", "mitra-bps-2024").content.decode()
    assert "Choose one of the blueprints offered for that stage." in wrong
    assert StageTest.objects.get(selection=scene.selection, stage="skd").blueprint == "skd-2021"
    cleared = set_stage(client, scene, "skd", "").content.decode()
    assert "takes its scores from an outside CAT" in cleared
    assert not StageTest.objects.filter(selection=scene.selection).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="sittings.stage_test")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["sittings.stage_test_set", "sittings.stage_test_cleared"]


def test_a_blueprint_made_for_another_stage_is_refused_by_the_service(scene: TestScene) -> None:
    with pytest.raises(SittingsRefused) as caught:
        stage_test_set(
            selection=scene.selection,
            actor=scene.committee,
            stage="skd",
            blueprint_code="mitra-bps-2024",
        )
    assert caught.value.code == "other_stage"
    with translation.override("en"):
        assert caught.value.message == (
            "The blueprint mitra-bps-2024 is made for another stage (mitra)."
        )


def test_the_stages_test_stays_once_a_sitting_started(scene: TestScene) -> None:
    client = client_of(scene.committee)
    upload(client, scene, csv(*full_bank()))
    set_stage(client, scene, "skd", "skd-2021")
    start(scene)
    refused = set_stage(client, scene, "skd", "").content.decode()
    assert "Sittings of this stage have started" in refused
    assert StageTest.objects.filter(selection=scene.selection, stage="skd").exists()
    html = client.get(page(scene)).content.decode()
    skd = html[html.index('id="stage-skd"') : html.index('id="stage-pppk"')]
    assert "it can no longer change" in skd and "<form" not in skd


def test_another_agency_cannot_set_a_stages_test(scene: TestScene) -> None:
    other = make_test_scene(code="lain-tahap", prefix="L")
    for user in (other.committee, scene.site_staff, scene.applications[0].applicant):
        response = client_of(user).post(
            reverse("committee:stage_test", args=[scene.selection.code]),
            {"stage": "skd", "blueprint": "skd-2021"},
        )
        assert response.status_code == 404
    assert not StageTest.objects.exists()
