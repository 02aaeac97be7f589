"""The committee uploads a score file on the ranking page: the service of `seleksi
import-scores` judges it, every refusal is listed on the page in the reader's language and
nothing is saved; a mitra pool without a quota is explained, with the console link for
administrators."""

import html
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from seleksi.accounts.models import User
from seleksi.agencies.models import Role
from seleksi.applications.models import Application
from seleksi.audit.models import AuditEvent
from seleksi.committee import forms as committee_forms
from seleksi.scoring.models import RankingRun, Score
from seleksi.selections.models import Formation, Selection
from tests.factories import import_rows, make_agency, make_selection, make_staff
from tests.scoring.conftest import make_application
from tests.scoring.test_rank_mitra import POOL, PREFERENCES, SCORES

CODE = "mitra-2026"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"


@dataclass
class Scene:
    selection: Selection
    committee: User
    verifier: User
    admin: User

    @property
    def url(self) -> str:
        return reverse("committee:runs", args=[CODE])


@pytest.fixture
def scene(db: None) -> Scene:
    """The mitra pool of test_rank_mitra (MITRA-1, quota 2) with M1..M5 submitted."""
    agency = make_agency()
    selection = make_selection(agency, CODE)
    import_rows(selection, [POOL])
    for number, met in PREFERENCES.items():
        application = make_application(selection, "MITRA-1", number)
        Application.objects.filter(pk=application.pk).update(
            eligibility={"eligible": True, "preferences_met": met}
        )
    return Scene(
        selection,
        make_staff("panitia.contoh", agency, Role.COMMITTEE),
        make_staff("verifikator.contoh", agency, Role.VERIFIER),
        make_staff("admin.contoh", agency, Role.ADMIN),
    )


def signed_in(user: User, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def upload(
    client: Client, scene: Scene, content: bytes, *, name: str = "NILAI.csv", stage: str = "mitra"
) -> object:
    return client.post(
        scene.url,
        {
            "action": "upload",
            "scores-stage": stage,
            "scores-file": SimpleUploadedFile(name, content, content_type="text/csv"),
        },
    )


def imports() -> int:
    return AuditEvent.objects.filter(action="scores.imported").count()


def error_list(response: object) -> str:
    body = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    return body.split('id="upload-errors"')[1].split("</div>")[0]


def test_it_stores_the_scores_of_a_good_file_and_the_service_audits_the_import(
    scene: Scene,
) -> None:
    client = signed_in(scene.committee)

    response = upload(client, scene, SCORES.encode())

    assert response.status_code == 302
    stored = {s.application.number: s for s in Score.objects.select_related("application")}
    assert stored["M2"].test_score == 90 and str(stored["M2"].performance_rating) == "8.500"
    event = AuditEvent.objects.get(action="scores.imported")
    assert event.actor_id == scene.committee.pk
    assert event.details["stage"] == "mitra" and event.details["source"] == "NILAI.csv"
    page = client.get(scene.url).content.decode()
    assert "NILAI.csv: 5 rows read; 5 scores added, 0 changed, 0 unchanged." in page


def test_it_changes_nothing_and_records_nothing_when_the_same_file_comes_again(
    scene: Scene,
) -> None:
    client = signed_in(scene.committee)
    upload(client, scene, SCORES.encode())
    before = list(Score.objects.order_by("pk").values_list("pk", "test_score", "imported_at"))

    response = upload(client, scene, SCORES.encode())

    assert response.status_code == 302
    assert imports() == 1
    after = list(Score.objects.order_by("pk").values_list("pk", "test_score", "imported_at"))
    assert after == before
    page = client.get(scene.url).content.decode()
    assert "NILAI.csv: its 5 rows match the stored scores; nothing was changed." in page


def test_a_changed_score_in_a_new_file_is_updated_and_audited_again(scene: Scene) -> None:
    client = signed_in(scene.committee)
    upload(client, scene, SCORES.encode())

    upload(client, scene, SCORES.replace("M1,H,70,", "M1,H,75.5,").encode(), name="NILAI-2.csv")

    assert imports() == 2
    assert str(Score.objects.get(application__number="M1").test_score) == "75.500"


BAD_FILES = [
    pytest.param(
        b"nomor_peserta,kehadiran,nilai\nM1,H,70\n",
        "NILAI.csv: line 1, column nilai_tes: the column is missing",
        id="wrong-columns",
    ),
    pytest.param(
        SCORES.replace("M1,H,70,", "M1,H,7o,").encode(),
        "NILAI.csv: line 2, column nilai_tes: “7o” is not a number (use a decimal point)",
        id="bad-number",
    ),
    pytest.param(
        SCORES.replace("M4,H,100,", "M99,H,100,").encode(),
        "NILAI.csv: line 5, column nomor_peserta: “M99” is not registered in the selection "
        "mitra-2026",
        id="unknown-participant",
    ),
    pytest.param(
        PNG,
        "NILAI.csv: is not UTF-8 text; save it as “CSV UTF-8” and try again",
        id="binary",
    ),
    pytest.param(
        b"\x00\x01\x02\x03nomor_peserta\n",
        "NILAI.csv: is not UTF-8 text; save it as “CSV UTF-8” and try again",
        id="binary-nul",
    ),
    pytest.param(b"", "NILAI.csv: the file is empty", id="empty"),
    pytest.param(
        b"nomor_peserta,kehadiran,nilai_tes\n",
        "NILAI.csv: there are no score rows",
        id="header-only",
    ),
    pytest.param(
        b'nomor_peserta,kehadiran,nilai_tes\nM1,H,"70\n' + b"9" * 140_000 + b"\n",
        "cannot be split into cells: a quotation mark is not closed or a cell is far too long",
        id="malformed",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_bad_file_is_listed_on_the_page_and_nothing_is_saved(
    scene: Scene, content: bytes, message: str
) -> None:
    client = signed_in(scene.committee)

    response = upload(client, scene, content)

    errors = error_list(response)
    assert message in errors
    assert "error; no scores were saved" in errors or "errors; no scores were saved" in errors
    assert Score.objects.count() == 0
    assert imports() == 0


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_the_page_lists_what_the_command_says_of_the_same_file(
    scene: Scene, content: bytes, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "NILAI.csv"
    path.write_bytes(content)
    stderr = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_scores",
            f"--selection={CODE}",
            "--stage=mitra",
            "--language=en",
            str(path),
            stdout=StringIO(),
            stderr=stderr,
        )

    errors = error_list(upload(signed_in(scene.committee), scene, content))

    listed = [html.unescape(item.split("</li>")[0]) for item in errors.split("<li>")[1:]]
    assert listed == stderr.getvalue().splitlines()


def test_every_bad_row_is_listed_not_only_the_first(scene: Scene) -> None:
    bad = SCORES.replace("M1,H,70,", "M1,H,700,").replace("M3,H,70,", "M3,X,70,")

    errors = error_list(upload(signed_in(scene.committee), scene, bad.encode()))

    assert "line 2, column nilai_tes: 700 is outside the range 0..100" in errors
    assert "line 4, column kehadiran: “X” is not one of H, TH" in errors
    assert "2 errors; no scores were saved" in errors
    assert Score.objects.count() == 0


def test_the_errors_are_in_indonesian_in_the_indonesian_interface(scene: Scene) -> None:
    client = signed_in(scene.committee, "id")

    errors = error_list(upload(client, scene, SCORES.replace("M1,H,70,", "M1,H,7o,").encode()))

    assert "baris 2, kolom nilai_tes: “7o” bukan bilangan (gunakan titik desimal)" in errors
    assert "1 kesalahan; tidak ada nilai yang disimpan" in errors


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(committee_forms, "SCORE_FILE_MAX_BYTES", len(SCORES) - 1)

    response = upload(signed_in(scene.committee), scene, SCORES.encode())

    assert response.status_code == 400
    assert "The file is larger than 0 MB." in response.content.decode()
    assert Score.objects.count() == 0


def test_the_real_limit_is_the_allocation_imports_ten_megabytes(scene: Scene) -> None:
    content = SCORES.encode() + b"\n" * (10 * 1024 * 1024)

    response = upload(signed_in(scene.committee), scene, content)

    body = response.content.decode()
    assert response.status_code == 400
    assert "The file is larger than 10 MB." in body
    assert 'id="upload-errors"' not in body
    assert Score.objects.count() == 0


def test_a_test_the_selection_does_not_have_is_refused(scene: Scene) -> None:
    response = upload(signed_in(scene.committee), scene, SCORES.encode(), stage="skd")

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Score.objects.count() == 0


def test_the_form_offers_only_the_tests_of_the_selections_kind(scene: Scene) -> None:
    body = signed_in(scene.committee).get(scene.url).content.decode()

    form = body.split('id="upload-scores"')[1].split("</form>")[0]
    assert 'value="mitra"' in form
    assert 'value="skd"' not in form and 'value="skb"' not in form
    assert "nomor_peserta, kehadiran, nilai_tes" in body


def test_nobody_but_the_committee_may_upload(scene: Scene) -> None:
    for user in (scene.verifier, scene.admin):
        client = signed_in(user)
        assert 'id="upload-scores"' not in client.get(scene.url).content.decode()

        response = upload(client, scene, SCORES.encode())

        assert response.status_code == 302
    assert Score.objects.count() == 0
    assert imports() == 0


def test_staff_of_another_agency_get_a_404(scene: Scene) -> None:
    stranger = make_staff("panitia.lain", make_agency("pemkab-lain"), Role.COMMITTEE)

    response = upload(signed_in(stranger), scene, SCORES.encode())

    assert response.status_code == 404
    assert Score.objects.count() == 0


def test_after_an_upload_the_committee_ranks_as_before(scene: Scene) -> None:
    client = signed_in(scene.committee)
    upload(client, scene, SCORES.encode())

    response = client.post(scene.url, {"stage": "mitra"})

    run = RankingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/panitia/peringkat/{run.pk}/"
    assert run.row_count == 5


# A mitra pool without a quota ---------------------------------------------------------------


@pytest.fixture
def no_quota(scene: Scene) -> Formation:
    formation = Formation.objects.get(selection=scene.selection, code="MITRA-1")
    Formation.objects.filter(pk=formation.pk).update(quota=None)
    return formation


def test_an_administrator_is_told_why_and_linked_to_the_quota_in_the_console(
    scene: Scene, no_quota: Formation
) -> None:
    body = signed_in(scene.admin).get(scene.url).content.decode()

    section = body.split('id="no-quota"')[1].split("</section>")[0]
    assert "MITRA-1" in section and "no quota yet" in section
    change = reverse("admin:selections_formation_change", args=[no_quota.pk])
    assert f'href="{change}"' in section
    changelist = reverse("admin:selections_formation_changelist")
    assert f"{changelist}?selection__id__exact={scene.selection.pk}" in section
    assert signed_in(scene.admin).get(change).status_code == 200


def test_the_committee_is_told_why_and_whom_to_ask_without_a_console_link(
    scene: Scene, no_quota: Formation
) -> None:
    client = signed_in(scene.committee)
    upload(client, scene, SCORES.encode())

    response = client.post(scene.url, {"stage": "mitra"})

    body = response.content.decode()
    section = body.split('id="no-quota"')[1].split("</section>")[0]
    assert "Ask an administrator of the agency" in section
    assert "/kelola/" not in section
    assert "Formation MITRA-1 has no quota" in body.split('id="run-errors"')[1]
    assert RankingRun.objects.count() == 0


def test_a_pool_with_a_quota_needs_no_explanation(scene: Scene) -> None:
    assert 'id="no-quota"' not in signed_in(scene.admin).get(scene.url).content.decode()


def test_the_explanation_is_in_indonesian_in_the_indonesian_interface(
    scene: Scene, no_quota: Formation
) -> None:
    body = signed_in(scene.admin, "id").get(scene.url).content.decode()

    section = body.split('id="no-quota"')[1].split("</section>")[0]
    assert "belum dapat diperingkat" in section
