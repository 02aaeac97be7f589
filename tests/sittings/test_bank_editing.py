"""The committee's console for the bank: the questions listed, corrected and deleted (never
once a sitting has drawn them), and pictures imported from a ZIP or uploaded one by one."""

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from seleksi.agencies.models import Role
from seleksi.audit.models import AuditEvent
from seleksi.rules.question_files import OptionDraft, bank_columns
from seleksi.sittings import question_images
from seleksi.sittings.models import BankQuestion
from seleksi.sittings.question_images import ImagesRefused
from seleksi.sittings.services import (
    SittingsRefused,
    question_delete,
    question_update,
    questions_import,
)
from tests.exams.scene import TestScene, make_test_scene
from tests.factories import make_staff
from tests.sittings.test_question_bank import SKD, full_bank, line
from tests.sittings.test_question_bank_page import client_of
from tests.sittings.test_sittings import start

IMAGE_HEADER = list(bank_columns(SKD, with_image=True))


def table(*rows: list[str], images: dict[int, str] | None = None) -> bytes:
    """A bank table with the `gambar` column; `images` names a picture per row index."""
    lines = [IMAGE_HEADER]
    for index, cells in enumerate(rows):
        lines.append([*cells, (images or {}).get(index, "")])
    return "\n".join(",".join(cells) for cells in lines).encode() + b"\n"


def picture(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


def noise_png(side: int = 700) -> bytes:
    """A PNG that does not compress: larger than 1 MB."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def bank_import(scene: TestScene, content: bytes, images: bytes | None = None) -> Any:
    with translation.override("en"):
        return questions_import(
            selection=scene.selection,
            actor=scene.committee,
            blueprint_code="skd-2021",
            filename="bank.csv",
            content=content,
            images=images,
        )


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return tmp_path / "media"


@pytest.fixture
def scene(db: None, media: Path) -> TestScene:
    """The full SKD bank plus one more TWK question (line 112), so that a sitting leaves one
    question undrawn."""
    scene = make_test_scene()
    outcome = bank_import(scene, table(*full_bank(), line("twk", "0 5 0 0 0", text="Cadangan")))
    assert outcome.ok, outcome.problems
    return scene


def question_at(line_number: int) -> BankQuestion:
    return BankQuestion.objects.get(source_line=line_number)


def drawn_and_spare(scene: TestScene) -> tuple[BankQuestion, BankQuestion]:
    sitting = start(scene)
    drawn = {item["question"] for item in sitting.drawn}
    spare = BankQuestion.objects.exclude(pk__in=drawn).get()
    return BankQuestion.objects.get(pk=sitting.drawn[0]["question"]), spare


def edit(question: BankQuestion, actor: Any, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "text": question.text,
        "topic": question.topic,
        "difficulty": question.difficulty,
        "options": [OptionDraft(o["key"], o["text"], o["points"]) for o in question.options],
    }
    values.update(changes)
    with translation.override("en"):
        return question_update(question=question, actor=actor, **values)


# --- the service ---------------------------------------------------------------------------


def test_an_edit_saves_checked_fields_and_audits_the_columns_never_the_text(
    scene: TestScene,
) -> None:
    question = question_at(80)  # a TKP question: 1 2 3 4 5
    options = [OptionDraft(o["key"], o["text"], o["points"]) for o in question.options]
    options[0] = OptionDraft("a", "Menolak dengan sopan", 5)
    options[4] = OptionDraft("e", options[4].text, 1)
    outcome = edit(question, scene.committee, text="Sikap Anda rahasia", options=options)
    assert outcome.ok and outcome.changed == ("soal", "opsi_a", "nilai_a", "nilai_e")
    question.refresh_from_db()
    assert question.text == "Sikap Anda rahasia"
    assert [o["points"] for o in question.options] == [5, 2, 3, 4, 1]
    event = AuditEvent.objects.get(action="sittings.question_updated")
    assert event.details == {
        "question": question.pk,
        "component": "tkp",
        "changed": ["soal", "opsi_a", "nilai_a", "nilai_e"],
    }
    assert "rahasia" not in str(event.details) and "Menolak" not in event.subject_label


def test_an_edit_the_import_would_refuse_saves_nothing(scene: TestScene) -> None:
    question = question_at(2)  # TWK, key a
    before = question.options
    options = [OptionDraft(o["key"], o["text"], o["points"]) for o in question.options]
    cases = {
        "wrong_points": [OptionDraft("a", "Pilihan a", 3), *options[1:]],
        "not_one_key": [OptionDraft("a", "Pilihan a", 0), *options[1:]],
        "same_text": [options[0], OptionDraft("b", " PILIHAN  a", 0), *options[2:]],
    }
    found = {name: edit(question, scene.committee, options=o).problems for name, o in cases.items()}
    assert [(p.column, p.values.get("problem")) for p in found["wrong_points"]] == [
        ("", "wrong_points"),
        ("", "not_one_key"),
    ]
    assert [p.values.get("problem") for p in found["not_one_key"]] == ["not_one_key"]
    assert [(p.column, p.issue) for p in found["same_text"]] == [("opsi_b", "same_option_text")]
    assert edit(question, scene.committee, text="").problems[0].column == "soal"
    question.refresh_from_db()
    assert question.options == before
    assert not AuditEvent.objects.filter(action="sittings.question_updated").exists()


def test_an_edit_that_changes_nothing_is_not_audited(scene: TestScene) -> None:
    outcome = edit(question_at(2), scene.committee)
    assert outcome.ok and outcome.changed == ()
    assert not AuditEvent.objects.filter(action="sittings.question_updated").exists()


def test_a_drawn_question_is_locked_and_an_undrawn_one_is_not(scene: TestScene) -> None:
    drawn, spare = drawn_and_spare(scene)
    for attempt in (
        lambda: edit(drawn, scene.committee, text="Salah ketik diperbaiki"),
        lambda: question_delete(question=drawn, actor=scene.committee),
    ):
        with pytest.raises(SittingsRefused) as caught:
            attempt()
        assert caught.value.code == "question_drawn"
    drawn.refresh_from_db()
    assert drawn.text != "Salah ketik diperbaiki"
    assert edit(spare, scene.committee, text="Cadangan yang diperbaiki").ok
    question_delete(question=spare, actor=scene.committee)
    assert not BankQuestion.objects.filter(pk=spare.pk).exists()
    event = AuditEvent.objects.get(action="sittings.question_deleted")
    assert event.details == {
        "question": spare.pk,
        "blueprint": "skd-2021",
        "component": spare.component,
        "image": False,
    }


def test_only_the_agencys_committee_edits_or_deletes(scene: TestScene) -> None:
    other = make_test_scene(code="lain-edit", prefix="L")
    verifier = make_staff("verifikator-edit", scene.selection.agency, Role.VERIFIER)
    question = question_at(2)
    for actor in (other.committee, verifier, scene.applications[0].applicant):
        with pytest.raises(SittingsRefused):
            edit(question, actor, text="Bukan urusanmu")
        with pytest.raises(SittingsRefused):
            question_delete(question=question, actor=actor)
    assert BankQuestion.objects.filter(pk=question.pk).exclude(text="Bukan urusanmu").exists()


# --- pictures in the import ----------------------------------------------------------------


def test_a_zip_of_pictures_goes_in_under_names_seleksi_makes(scene: TestScene) -> None:
    images = zipped(
        {
            "gambar/peta.png": picture("PNG"),
            "gambar/Grafik.JPG": picture("JPEG"),
            "diagram.webp": picture("WEBP"),
        }
    )
    rows = [line("twk", "5 0 0 0 0", text=f"Bergambar {n}") for n in range(4)]
    named = {0: "peta.png", 1: "GAMBAR/grafik.jpg", 2: "diagram.webp", 3: "peta.png"}
    outcome = bank_import(scene, table(*rows, images=named), images=images)
    assert outcome.ok, outcome.problems
    stored = list(
        BankQuestion.objects.filter(text__startswith="Bergambar")
        .order_by("source_line")
        .values_list("image", flat=True)
    )
    prefix = f"soal/{scene.selection.pk}/"
    assert all(name.startswith(prefix) for name in stored)
    assert [name.rsplit(".", 1)[1] for name in stored] == ["png", "jpg", "webp", "png"]
    assert len(set(stored)) == 4 and not any("peta" in name for name in stored)
    with default_storage.open(stored[0], "rb") as file:
        assert file.read() == picture("PNG")
    event = AuditEvent.objects.filter(action="sittings.questions_imported").latest("pk")
    assert event.details["images"] == 4


def test_each_bad_picture_names_its_row_and_nothing_is_saved(scene: TestScene, media: Path) -> None:
    before = BankQuestion.objects.count()
    images = zipped(
        {
            "teks.png": b"bukan gambar",
            "animasi.gif": b"GIF89a" + bytes(40),
            "besar.png": noise_png(),
            "lebar.png": picture("PNG", size=(5000, 3000)),
            "baik.png": picture("PNG"),
        }
    )
    rows = [line("twk", "5 0 0 0 0") for _ in range(6)]
    named = {
        0: "tidak-ada.png",
        1: "teks.png",
        2: "animasi.gif",
        3: "besar.png",
        4: "lebar.png",
        5: "baik.png",
    }
    outcome = bank_import(scene, table(*rows, images=named), images=images)
    assert not outcome.ok
    assert list(outcome.problems) == [
        "Row 2: The ZIP of pictures has no file “tidak-ada.png”.",
        "Row 3: “teks.png” is not a PNG, JPEG or WebP picture, or it is damaged. "
        "Save it again as PNG or JPEG.",
        "Row 4: “animasi.gif” is not a PNG, JPEG or WebP picture, or it is damaged. "
        "Save it again as PNG or JPEG.",
        outcome.problems[3],
        "Row 6: The picture “lebar.png” has more than 12 million pixels; make it smaller.",
    ]
    assert outcome.problems[3].startswith("Row 5: The picture “besar.png” has ")
    assert outcome.problems[3].endswith("a picture may have at most 1024 KB.")
    assert BankQuestion.objects.count() == before
    assert not (media / "soal").exists()


def test_a_picture_named_without_a_zip_is_a_row_problem(scene: TestScene) -> None:
    outcome = bank_import(scene, table(line("twk", "5 0 0 0 0"), images={0: "peta.png"}))
    assert outcome.problems == (
        "Row 2: The picture “peta.png” is named, but no ZIP of pictures came with the table.",
    )


def test_a_zip_that_unpacks_too_far_or_holds_too_much_is_refused_whole(
    scene: TestScene, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = table(line("twk", "5 0 0 0 0"), images={0: "nol.png"})
    # one entry far larger than a picture may be, packed tightly: refused by its directory
    bomb = zipped({"nol.png": bytes(5 * 1024 * 1024)})
    assert len(bomb) < 20_000
    outcome = bank_import(scene, rows, images=bomb)
    assert outcome.problems[0].startswith("Row 2: The picture “nol.png” has 5120 KB")
    monkeypatch.setattr(question_images, "MAX_UNPACKED_BYTES", 1024 * 1024)
    with pytest.raises(ImagesRefused) as caught:
        bank_import(scene, rows, images=bomb)
    assert caught.value.code == "images_unpack_too_large"
    monkeypatch.setattr(question_images, "MAX_ZIP_ENTRIES", 3)
    with pytest.raises(ImagesRefused) as caught:
        bank_import(scene, rows, images=zipped({f"{n}.png": b"x" for n in range(4)}))
    assert caught.value.code == "images_too_many"
    with pytest.raises(ImagesRefused) as caught:
        bank_import(scene, rows, images=b"not a zip at all")
    assert caught.value.code == "images_not_zip"
    with translation.override("en"):
        assert caught.value.message == "The pictures file is not a ZIP archive."


# --- the pages -----------------------------------------------------------------------------


def list_page(scene: TestScene, **query: Any) -> str:
    url = reverse("committee:bank_questions", args=[scene.selection.code, "skd-2021"])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def question_page(scene: TestScene, question: BankQuestion, suffix: str = "") -> str:
    name = {"": "bank_question", "delete": "bank_question_delete", "image": "bank_question_image"}
    return reverse(f"committee:{name[suffix]}", args=[scene.selection.code, question.pk])


def test_the_list_pages_and_filters_the_questions(scene: TestScene) -> None:
    client = client_of(scene.committee)
    BankQuestion.objects.filter(source_line=2).update(text="Sila ketiga Pancasila " * 10)
    html = client.get(list_page(scene)).content.decode()
    assert "111 questions" in html and "Page 1 of 3" in html
    assert "Sila ketiga Pancasila Sila ketiga" in html and "Sila ketiga Pancasila " * 6 not in html
    assert "bank.csv:2" in html and "key A" in html
    tkp = client.get(list_page(scene, component="tkp")).content.decode()
    assert "45 questions" in tkp and "A 1 · B 2 · C 3 · D 4 · E 5" in tkp and "key A" not in tkp
    third = client.get(list_page(scene, page=3)).content.decode()
    assert "bank.csv:112" in third
    start(scene)
    drawn = client.get(list_page(scene, component="twk")).content.decode()
    assert drawn.count(">drawn<") == 30


def test_the_committee_corrects_a_question_on_its_page(scene: TestScene) -> None:
    client = client_of(scene.committee)
    question = question_at(2)
    data = {
        "text": "Soal yang diperbaiki",
        "topic": "pancasila",
        "difficulty": "",
        **{f"option_{k}": f"Pilihan {k}" for k in "abcde"},
        **{f"points_{k}": 0 for k in "abcde"},
        "points_c": 5,
    }
    response = client.post(question_page(scene, question), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.topic) == ("Soal yang diperbaiki", "pancasila")
    assert "key C" in client.get(question_page(scene, question)).content.decode()


def test_the_question_page_shows_each_problem_next_to_its_field(scene: TestScene) -> None:
    client = client_of(scene.committee)
    question = question_at(2)
    data = {
        "text": "Soal",
        **{f"option_{k}": f"Pilihan {k}" for k in "abcde"},
        **{f"points_{k}": 0 for k in "abcde"},
        "points_b": 3,
        "option_d": "pilihan A",
    }
    response = client.post(question_page(scene, question), data)
    html = response.content.decode()
    assert response.status_code == 400
    points_b = html[html.index('id="field-points_b"') : html.index('id="field-option_c"')]
    assert "Option b has 3 points; a right/wrong question allows 0 / 5." in points_b
    assert "Option d reads the same as option a" in html
    assert "Exactly one option must carry the points of a right answer; 0 do." in html
    question.refresh_from_db()
    assert question.text == "Soal"


def test_a_drawn_question_shows_locked_and_refuses_a_post(scene: TestScene) -> None:
    client = client_of(scene.committee)
    drawn, _spare = drawn_and_spare(scene)
    html = client.get(question_page(scene, drawn)).content.decode()
    assert 'id="question-locked"' in html and 'id="question-form"' not in html
    data = {"text": "Diubah", **{f"option_{k}": "x" + k for k in "abcde"}}
    data |= {f"points_{o['key']}": o["points"] for o in drawn.options}
    response = client.post(question_page(scene, drawn), data)
    assert response.status_code == 400 and "drawn in a participant" in response.content.decode()
    deleted = client.post(question_page(scene, drawn, "delete"))
    assert deleted.status_code == 400
    assert BankQuestion.objects.filter(pk=drawn.pk).exclude(text="Diubah").exists()


def test_the_committee_deletes_a_question_after_confirming(scene: TestScene) -> None:
    client = client_of(scene.committee)
    question = question_at(112)
    page = client.get(question_page(scene, question, "delete")).content.decode()
    assert 'id="delete-form"' in page
    response = client.post(question_page(scene, question, "delete"))
    assert response.status_code == 302
    assert not BankQuestion.objects.filter(pk=question.pk).exists()
    assert AuditEvent.objects.filter(
        action="sittings.question_deleted", details__question=question.pk
    ).exists()


def test_a_picture_is_uploaded_shown_to_the_committee_and_removed(scene: TestScene) -> None:
    client = client_of(scene.committee)
    question = question_at(112)
    data: dict[str, Any] = {
        "text": question.text,
        **{f"option_{o['key']}": o["text"] for o in question.options},
        **{f"points_{o['key']}": o["points"] for o in question.options},
    }
    bad = client.post(
        question_page(scene, question), {**data, "image": SimpleUploadedFile("x.png", b"teks")}
    )
    assert bad.status_code == 400
    assert "“x.png” is not a PNG, JPEG or WebP picture" in bad.content.decode()
    good = client.post(
        question_page(scene, question),
        {**data, "image": SimpleUploadedFile("peta.png", picture("PNG"))},
    )
    assert good.status_code == 302
    question.refresh_from_db()
    assert question.image.name.startswith(f"soal/{scene.selection.pk}/")
    shown = client.get(question_page(scene, question, "image"))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert shown["Cache-Control"] == "private, no-store"
    assert b"".join(shown.streaming_content) == picture("PNG")  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action="sittings.question_updated")
    assert event.details["changed"] == ["gambar"]
    removed = client.post(question_page(scene, question), {**data, "image_remove": "on"})
    assert removed.status_code == 302
    question.refresh_from_db()
    assert not question.image
    assert client.get(question_page(scene, question, "image")).status_code == 404


def test_nobody_else_reaches_the_questions_or_their_pictures(scene: TestScene) -> None:
    question = question_at(112)
    BankQuestion.objects.filter(pk=question.pk).update(image="soal/x/gambar.png")
    default_storage.save("soal/x/gambar.png", io.BytesIO(picture("PNG")))
    other = make_test_scene(code="lain-lihat", prefix="L")
    verifier = make_staff("verifikator-lihat", scene.selection.agency, Role.VERIFIER)
    urls = [
        list_page(scene),
        question_page(scene, question),
        question_page(scene, question, "delete"),
        question_page(scene, question, "image"),
    ]
    assert client_of(scene.committee).get(urls[3]).status_code == 200
    for user in (other.committee, verifier, scene.site_staff, scene.applications[0].applicant):
        client = client_of(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(urls[2]).status_code == 404
    anonymous = Client()
    for url in urls:
        assert anonymous.get(url).status_code == 302
    wrong_selection = reverse(
        "committee:bank_question_image", args=[other.selection.code, question.pk]
    )
    assert client_of(other.committee).get(wrong_selection).status_code == 404
    assert BankQuestion.objects.filter(pk=question.pk).exists()


def test_a_table_and_its_zip_of_pictures_upload_together(scene: TestScene, media: Path) -> None:
    client = client_of(scene.committee)
    content = table(line("twk", "5 0 0 0 0"), images={0: "peta.png"})
    response = client.post(
        reverse("committee:question_bank", args=[scene.selection.code]),
        {
            "blueprint": "skd-2021",
            "file": SimpleUploadedFile("bank.csv", content, "text/csv"),
            "images": SimpleUploadedFile("gambar.zip", zipped({"peta.png": picture()})),
        },
    )
    assert response.status_code == 302
    before = BankQuestion.objects.count()
    assert BankQuestion.objects.exclude(image="").get().image.name.endswith(".png")
    refused = client.post(
        reverse("committee:question_bank", args=[scene.selection.code]),
        {
            "blueprint": "skd-2021",
            "file": SimpleUploadedFile("bank.csv", content, "text/csv"),
            "images": SimpleUploadedFile("gambar.zip", b"bukan zip"),
        },
    )
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'id="field-images"' in html and "The pictures file is not a ZIP archive." in html
    assert BankQuestion.objects.count() == before
