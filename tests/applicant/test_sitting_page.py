"""The participant's test page: the start screen, the answers endpoint the page's script talks
to, finishing and the result, the questions' images, and every way in for someone else."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seleksi.audit.models import AuditEvent
from seleksi.exams.models import Booking
from seleksi.sittings.models import Answer, BankQuestion, Sitting, SittingEvent
from seleksi.sittings.sittings import sitting_extend
from seleksi.sittings.tasks import sittings_close_due
from tests.exams.scene import TestScene
from tests.factories import PASSWORD
from tests.sittings.scene import make_cat_scene
from tests.sittings.test_sittings import right_option, seat

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def scene(db: None) -> TestScene:
    scene = make_cat_scene(stage_test=True)
    return scene


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    yield tmp_path / "media"


def signed_in(scene: TestScene, index: int = 0, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.cookies["django_language"] = "en"
    assert client.login(username=scene.applications[index].applicant.username, password=PASSWORD)
    return client


def url(scene: TestScene, name: str, index: int = 0, *more: Any) -> str:
    return reverse(f"applicant:{name}", args=[scene.applications[index].number, "skd", *more])


def started(scene: TestScene, index: int = 0) -> tuple[Client, Sitting]:
    seat(scene, index)
    client = signed_in(scene, index)
    response = client.post(url(scene, "cat_start", index))
    assert response.status_code == 302 and response["Location"] == url(scene, "cat_test", index)
    return client, Sitting.objects.get(booking__application=scene.applications[index])


def post_answers(client: Client, scene: TestScene, body: Any, index: int = 0) -> Any:
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(url(scene, "cat_answers", index), raw, content_type="application/json")


def one(question: int, option: str, sequence: int, marked: bool = False) -> dict[str, Any]:
    return {"answers": [{"q": question, "o": option, "m": marked, "s": sequence}]}


# --- the start screen ------------------------------------------------------------------------


def test_the_start_screen_says_what_the_test_is_and_whose_clock_runs(scene: TestScene) -> None:
    seat(scene)
    response = signed_in(scene).get(url(scene, "cat_start"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "skd-2021" in html and 'id="cat-begin"' in html
    assert "Tes Wawasan Kebangsaan (TWK): 30 questions" in html
    assert '<dd id="cat-questions">110</dd>' in html
    assert "100 minutes" in html
    assert "The clock is the server&#x27;s" in html or "The clock is the server's" in html
    assert not Sitting.objects.exists()


def test_the_booking_page_offers_the_test_then_the_score(scene: TestScene) -> None:
    booking = seat(scene, attendance="")
    client = signed_in(scene)
    booking_page = url(scene, "booking")
    assert 'id="cat-link"' not in client.get(booking_page).content.decode()
    Booking.objects.filter(pk=booking.pk).update(attendance="H")
    html = client.get(booking_page).content.decode()
    assert "Start the test" in html and url(scene, "cat_start") in html
    client.post(url(scene, "cat_start"))
    assert "Continue the test" in client.get(booking_page).content.decode()
    client.post(url(scene, "cat_finish"))
    html = client.get(booking_page).content.decode()
    assert "See your score" in html and url(scene, "cat_result") in html


def test_starting_opens_the_test_and_starting_again_resumes_it(scene: TestScene) -> None:
    client, sitting = started(scene)
    assert sitting.status == Sitting.Status.OPEN
    page = client.get(url(scene, "cat_start")).content.decode()
    assert 'id="cat-continue"' in page
    again = client.post(url(scene, "cat_start"))
    assert again["Location"] == url(scene, "cat_test")
    assert Sitting.objects.count() == 1


def test_a_participant_not_checked_in_is_told_why_and_nothing_starts(scene: TestScene) -> None:
    seat(scene, attendance="")
    client = signed_in(scene)
    html = client.get(url(scene, "cat_start")).content.decode()
    assert 'id="cat-refusal"' in html and "Check in at the door first" in html
    assert 'id="cat-begin"' not in html
    response = client.post(url(scene, "cat_start"))
    assert response.status_code == 200
    assert "Check in at the door first" in response.content.decode()
    assert not Sitting.objects.exists()
    assert client.get(url(scene, "cat_test"))["Location"] == url(scene, "cat_start")


def test_an_absent_participant_and_a_closed_session_cannot_start(scene: TestScene) -> None:
    booking = seat(scene, attendance="TH")
    client = signed_in(scene)
    assert "recorded absent (TH)" in client.get(url(scene, "cat_start")).content.decode()
    Booking.objects.filter(pk=booking.pk).update(attendance="H")
    booking.session.closed_at = timezone.now()
    booking.session.save(update_fields=["closed_at"])
    response = client.post(url(scene, "cat_start"))
    assert "The session is closed" in response.content.decode()
    assert not Sitting.objects.exists()


def test_a_stage_without_a_test_on_seleksi_is_not_found(scene: TestScene) -> None:
    seat(scene)
    scene.selection.stage_tests.all().delete()
    client = signed_in(scene)
    assert client.get(url(scene, "cat_start")).status_code == 404
    assert client.post(url(scene, "cat_start")).status_code == 404
    assert not Sitting.objects.exists()


# --- the test page ---------------------------------------------------------------------------


def test_the_page_embeds_the_sitting_in_its_order_without_any_points(scene: TestScene) -> None:
    client, sitting = started(scene)
    question = sitting.drawn[0]["question"]
    Answer.objects.create(
        sitting=sitting,
        question=question,
        option="",
        marked=True,
        sequence=7,
        saved_at=timezone.now(),
    )
    response = client.get(url(scene, "cat_test"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "points" not in html and "nilai" not in html
    assert "<noscript>" in html and "sittings/sitting.js" in html
    embedded = html.split('<script id="cat-data" type="application/json">', 1)[1]
    data = json.loads(embedded.split("</script>", 1)[0])
    assert [q["id"] for q in data["questions"]] == [d["question"] for d in sitting.drawn]
    first = data["questions"][0]
    assert [o["key"] for o in first["options"]] == sitting.drawn[0]["options"]
    assert [o["label"] for o in first["options"]] == list("ABCDE")
    assert all(set(o) == {"key", "label", "text"} for q in data["questions"] for o in q["options"])
    assert data["answers"] == {str(question): {"o": "", "m": True}}
    assert data["sequence"] == 7
    assert 5990 <= data["remaining"] <= 6000
    assert data["urls"]["answers"] == url(scene, "cat_answers")


def test_another_applicant_reaches_none_of_the_pages(scene: TestScene) -> None:
    _client, sitting = started(scene, 0)
    seat(scene, 1)
    other = signed_in(scene, 1)
    question = sitting.drawn[0]["question"]
    for name, more in (
        ("cat_start", ()),
        ("cat_test", ()),
        ("cat_finish", ()),
        ("cat_result", ()),
        ("cat_image", (question,)),
    ):
        assert other.get(url(scene, name, 0, *more)).status_code == 404, name
    response = post_answers(other, scene, one(question, sitting.drawn[0]["options"][0], 1))
    assert response.status_code == 404
    assert other.post(url(scene, "cat_finish")).status_code == 404
    assert not Answer.objects.exists()
    assert Sitting.objects.get(pk=sitting.pk).status == Sitting.Status.OPEN


def test_anonymous_visitors_are_sent_to_sign_in(scene: TestScene) -> None:
    _client, sitting = started(scene)
    anonymous = Client()
    for name in ("cat_start", "cat_test", "cat_result"):
        response = anonymous.get(url(scene, name))
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"]
    response = post_answers(anonymous, scene, one(sitting.drawn[0]["question"], "", 1))
    assert response.status_code == 302 and "/akun/masuk/" in response["Location"]


# --- the answers endpoint --------------------------------------------------------------------


def test_an_answer_is_saved_and_the_server_clock_returned(scene: TestScene) -> None:
    client, sitting = started(scene)
    question, option = sitting.drawn[0]["question"], sitting.drawn[0]["options"][2]
    response = post_answers(client, scene, one(question, option, 1, marked=True))
    assert response.status_code == 200
    body = response.json()
    assert body["results"] == [
        {"q": question, "s": 1, "r": "saved", "held": 1, "message": "Saved."}
    ]
    assert body["status"] == "open"
    assert 5990 <= body["remaining"] <= 6000
    assert body["ends_at"] == sitting.ends_at.isoformat()
    stored = Answer.objects.get(sitting=sitting, question=question)
    assert (stored.option, stored.marked, stored.sequence) == (option, True, 1)


def test_a_resend_is_stale_and_an_older_answer_never_overwrites(scene: TestScene) -> None:
    client, sitting = started(scene)
    question = sitting.drawn[0]["question"]
    first, second = sitting.drawn[0]["options"][:2]
    post_answers(client, scene, one(question, second, 5))
    resend = post_answers(client, scene, one(question, second, 5)).json()["results"][0]
    older = post_answers(client, scene, one(question, first, 3)).json()["results"][0]
    assert (resend["r"], resend["held"]) == ("stale", 5)
    assert (older["r"], older["held"]) == ("stale", 5)
    stored = Answer.objects.get(sitting=sitting, question=question)
    assert (stored.option, stored.sequence) == (second, 5)


def test_a_batch_is_saved_in_order_with_the_browsers_events(scene: TestScene) -> None:
    client, sitting = started(scene)
    drawn = sitting.drawn
    body = {
        "answers": [
            {"q": drawn[0]["question"], "o": drawn[0]["options"][0], "m": False, "s": 1},
            {"q": drawn[0]["question"], "o": drawn[0]["options"][1], "m": False, "s": 2},
            {"q": drawn[1]["question"], "o": "", "m": True, "s": 3},
        ],
        "events": [
            {"k": "opened", "q": None, "t": 1_760_000_000_000},
            {"k": "shown", "q": drawn[1]["question"], "t": 1_760_000_001_000},
            {"k": "offline", "q": None, "t": 1_760_000_002_000},
            {"k": "online", "q": None, "t": 1_760_000_003_000},
            {"k": "finished", "q": None, "t": 1_760_000_004_000},
        ],
    }
    results = post_answers(client, scene, body).json()["results"]
    assert [r["r"] for r in results] == ["saved", "saved", "saved"]
    assert Answer.objects.get(question=drawn[0]["question"]).option == drawn[0]["options"][1]
    kinds = list(
        SittingEvent.objects.filter(sitting=sitting, client_at__isnull=False).values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["opened", "shown", "offline", "online"]
    shown = SittingEvent.objects.get(sitting=sitting, kind="shown")
    assert shown.question == drawn[1]["question"]
    assert shown.client_at is not None and shown.client_at.year == 2025


def test_an_empty_request_only_reads_the_clock(scene: TestScene) -> None:
    client, _sitting = started(scene)
    body = post_answers(client, scene, {}).json()
    assert body["results"] == [] and body["status"] == "open" and body["remaining"] > 0


def test_a_question_or_option_outside_the_sitting_is_refused(scene: TestScene) -> None:
    client, sitting = started(scene)
    stranger = BankQuestion.objects.create(
        selection=scene.selection,
        blueprint="other",
        component="twk",
        text="Soal lain",
        options=[{"key": "a", "text": "x", "points": 5}],
        source_name="x.csv",
        source_sha256="0" * 64,
        source_line=2,
        imported_at=timezone.now(),
        imported_by=scene.committee,
    )
    body = {
        "answers": [
            {"q": stranger.pk, "o": "a", "m": False, "s": 1},
            {"q": sitting.drawn[0]["question"], "o": "z", "m": False, "s": 2},
        ]
    }
    results = post_answers(client, scene, body).json()["results"]
    assert [(r["r"], r["message"]) for r in results] == [
        ("refused", "That question is not part of your test."),
        ("refused", "That option does not belong to the question."),
    ]
    assert not Answer.objects.exists()


def test_an_answer_after_the_end_and_the_grace_is_late(scene: TestScene, settings: Any) -> None:
    client, sitting = started(scene)
    settings.SELEKSI_ANSWER_GRACE_SECONDS = 5
    question, option = sitting.drawn[0]["question"], sitting.drawn[0]["options"][0]
    Sitting.objects.filter(pk=sitting.pk).update(ends_at=timezone.now() - timedelta(seconds=2))
    within = post_answers(client, scene, one(question, option, 1)).json()
    assert within["results"][0]["r"] == "saved" and within["remaining"] == 0
    Sitting.objects.filter(pk=sitting.pk).update(ends_at=timezone.now() - timedelta(seconds=30))
    late = post_answers(client, scene, one(question, sitting.drawn[0]["options"][1], 2)).json()
    assert late["results"] == [
        {
            "q": question,
            "s": 2,
            "r": "late",
            "message": "Time was up when this answer arrived; it was not saved.",
        }
    ]
    assert late["status"] == "open" and late["remaining"] == 0
    assert Answer.objects.get(question=question).option == option
    assert SittingEvent.objects.filter(sitting=sitting, kind="late").count() == 1


def test_malformed_requests_are_refused_whole_with_a_message(scene: TestScene) -> None:
    client, sitting = started(scene)
    question = sitting.drawn[0]["question"]
    option = sitting.drawn[0]["options"][0]
    for body in (
        b"{not json",
        b"\xff\xfe",
        "[]",
        {"answers": {"q": question}},
        {"answers": [{"q": str(question), "o": option, "s": 1}]},
        {"answers": [{"q": question, "o": option, "s": 0}]},
        {"answers": [{"q": question, "o": option, "s": True}]},
        {"answers": [{"q": question, "o": option, "m": "yes", "s": 1}]},
        {"answers": [{"q": question, "o": "x" * 9, "s": 1}]},
        {"answers": [], "events": [{"k": "shown", "q": question, "t": "now"}]},
        {"answers": [{"q": question, "o": option, "s": 1}], "events": [{"q": question}]},
    ):
        response = post_answers(client, scene, body)
        assert response.status_code == 400, body
        assert response.json()["error"] == (
            "The answers could not be read. Reload the page: they stay on this device."
        )
    assert not Answer.objects.exists()


def test_too_many_answers_or_too_large_a_body_is_refused(scene: TestScene) -> None:
    client, sitting = started(scene)
    question = sitting.drawn[0]["question"]
    many = {"answers": [{"q": question, "o": "", "m": False, "s": n} for n in range(1, 202)]}
    assert post_answers(client, scene, many).status_code == 400
    events = {"events": [{"k": "shown", "q": None, "t": 0}] * 201}
    assert post_answers(client, scene, events).status_code == 400
    huge = json.dumps({"answers": [], "padding": "x" * 70_000})
    response = post_answers(client, scene, huge)
    assert response.status_code == 413
    assert "too large" in response.json()["error"]
    assert not Answer.objects.exists()


def test_the_endpoint_takes_the_csrf_token_from_the_header(scene: TestScene) -> None:
    _client, sitting = started(scene)
    client = signed_in(scene, 0, enforce_csrf_checks=True)
    page = client.get(url(scene, "cat_test"))
    token = page.content.decode().split('data-csrf="', 1)[1].split('"', 1)[0]
    body = json.dumps(one(sitting.drawn[0]["question"], "", 1))
    refused = client.post(url(scene, "cat_answers"), body, content_type="application/json")
    assert refused.status_code == 403
    accepted = client.post(
        url(scene, "cat_answers"), body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200


def test_the_endpoint_only_takes_post(scene: TestScene) -> None:
    client, _sitting = started(scene)
    assert client.get(url(scene, "cat_answers")).status_code == 405


# --- finishing and the result ----------------------------------------------------------------


def test_finishing_confirms_the_counts_then_shows_the_scores(scene: TestScene) -> None:
    client, sitting = started(scene)
    drawn = sitting.drawn
    twk = [d for d in drawn if d["component"] == "twk"][:2]
    tkp = [d for d in drawn if d["component"] == "tkp"][:1]
    answers = [
        {"q": d["question"], "o": right_option(d["question"]), "m": False, "s": n}
        for n, d in enumerate(twk + tkp, start=1)
    ]
    answers.append({"q": drawn[-1]["question"], "o": "", "m": True, "s": 10})
    post_answers(client, scene, {"answers": answers})
    confirm = client.get(url(scene, "cat_finish"))
    html = confirm.content.decode()
    assert '<dd id="cat-answered">3 / 110</dd>' in html
    assert '<dd id="cat-unanswered">107</dd>' in html
    assert '<dd id="cat-marked">1</dd>' in html
    assert Sitting.objects.get(pk=sitting.pk).status == Sitting.Status.OPEN
    response = client.post(url(scene, "cat_finish"))
    assert response["Location"] == url(scene, "cat_result")
    result = client.get(url(scene, "cat_result"))
    html = result.content.decode()
    scores = result.context["result"]
    assert [(c.code, c.score, c.maximum) for c in scores.components] == [
        ("twk", 10, 150),
        ("tiu", 0, 175),
        ("tkp", 5, 225),
    ]
    assert (scores.total, scores.maximum) == (15, 550)
    assert 'id="cat-total"><strong>15</strong>' in html and "550" in html
    assert "Finished by the participant" in html


def test_a_finished_sitting_sends_the_pages_to_the_result_and_refuses_answers(
    scene: TestScene,
) -> None:
    client, sitting = started(scene)
    client.post(url(scene, "cat_finish"))
    for name in ("cat_start", "cat_test", "cat_finish"):
        assert client.get(url(scene, name))["Location"] == url(scene, "cat_result"), name
    assert client.post(url(scene, "cat_start"))["Location"] == url(scene, "cat_result")
    body = post_answers(client, scene, one(sitting.drawn[0]["question"], "", 1)).json()
    assert body["status"] == "finished" and body["remaining"] == 0
    assert body["results"][0]["r"] == "refused"
    assert "finished" in body["results"][0]["message"]


def test_a_sitting_the_server_closed_shows_its_scores(scene: TestScene, settings: Any) -> None:
    client, sitting = started(scene)
    question = sitting.drawn[0]["question"]
    post_answers(client, scene, one(question, right_option(question), 1))
    Sitting.objects.filter(pk=sitting.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    waiting = client.get(url(scene, "cat_result"))
    assert "Waiting for the server to close your test" in waiting.content.decode()
    assert waiting["Refresh"] == "5"
    assert sittings_close_due() == 1
    result = client.get(url(scene, "cat_result"))
    html = result.content.decode()
    assert "Closed by the server when time ran out" in html
    assert result.context["result"].total == 5
    assert "Refresh" not in result
    assert client.get(url(scene, "cat_test"))["Location"] == url(scene, "cat_result")


def test_the_result_of_a_running_test_says_it_is_running(scene: TestScene) -> None:
    client, _sitting = started(scene)
    html = client.get(url(scene, "cat_result")).content.decode()
    assert 'id="cat-still-running"' in html


def test_the_timeline_shows_the_tests_start_extension_and_finish(scene: TestScene) -> None:
    client, sitting = started(scene)
    sitting_extend(sitting=sitting, actor=scene.committee, minutes=10, reason="Listrik padam")
    client.post(url(scene, "cat_finish"))
    html = client.get(
        reverse("applicant:detail", args=[scene.applications[0].number])
    ).content.decode()
    assert "Computer-assisted test started" in html
    assert "Test time extended by the committee" in html and "Listrik padam" in html
    assert "Computer-assisted test finished · Finished by the participant" in html


# --- the questions' images -------------------------------------------------------------------


def with_image(question: int) -> None:
    name = default_storage.save(f"soal/{question}.png", ContentFile(PNG))
    BankQuestion.objects.filter(pk=question).update(image=name)


def test_an_image_is_served_only_for_a_question_of_ones_own_sitting(
    scene: TestScene, media: Path
) -> None:
    client, sitting = started(scene)
    drawn = sitting.drawn[0]["question"]
    with_image(drawn)
    page = client.get(url(scene, "cat_test")).context["paper"]
    assert page["questions"][0]["image"] == url(scene, "cat_image", 0, drawn)
    assert page["questions"][1]["image"] is None
    response = client.get(url(scene, "cat_image", 0, drawn))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    stranger = BankQuestion.objects.create(
        selection=scene.selection,
        blueprint="skd-2021",
        component="twk",
        text="Soal cadangan",
        options=[{"key": "a", "text": "x", "points": 5}],
        source_name="x.csv",
        source_sha256="0" * 64,
        source_line=2,
        imported_at=timezone.now(),
        imported_by=scene.committee,
    )
    with_image(stranger.pk)
    assert client.get(url(scene, "cat_image", 0, stranger.pk)).status_code == 404
    without = sitting.drawn[1]["question"]
    assert client.get(url(scene, "cat_image", 0, without)).status_code == 404
    seat(scene, 1)
    other = signed_in(scene, 1)
    assert other.get(url(scene, "cat_image", 0, drawn)).status_code == 404
    assert other.get(url(scene, "cat_image", 1, drawn)).status_code == 404
    client.post(url(scene, "cat_finish"))
    assert client.get(url(scene, "cat_image", 0, drawn)).status_code == 200


def test_finishing_twice_scores_once_and_lands_on_the_result(scene: TestScene) -> None:
    client, sitting = started(scene)
    first = client.post(url(scene, "cat_finish"))
    again = client.post(url(scene, "cat_finish"))
    assert first["Location"] == again["Location"] == url(scene, "cat_result")
    assert AuditEvent.objects.filter(action="sittings.finished").count() == 1
    assert SittingEvent.objects.filter(sitting=sitting, kind="finished").count() == 1
