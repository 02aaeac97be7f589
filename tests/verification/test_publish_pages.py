"""Publishing from the queue asks first and says what will happen; the outcome and the
refusals read as sentences with dates written the reader's way; the applicant sees an
answered objection's outcome plainly before the result after the objection period; reasons
name the requirement by its label, never by its code."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from seleksi.applications.models import Application
from seleksi.verification import services
from seleksi.verification.models import Objection, Publication
from tests.accounts.helpers import CommitClient
from tests.verification.conftest import Scene
from tests.verification.test_services import answer, check_all, long_date, object_to

ACEH = "aceh-tengah-casn-2021"
ACTION_URL = f"/panitia/{ACEH}/verifikasi/aksi/"
IJAZAH_LABEL = "Ijazah, sertifikat akreditasi, STR/SERDIK (satu file)"


def signed_in(user: object, language: str = "en") -> Client:
    client = CommitClient()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies["django_language"] = language
    return client


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def published(scene: Scene) -> None:
    check_all(scene)  # the first application TMS (ijazah), the six others MS
    services.result_publish(selection=scene.selection, actor=scene.committee)


def test_publishing_asks_first_and_says_what_will_happen(scene: Scene) -> None:
    check_all(scene)
    client = signed_in(scene.committee)
    first = client.post(ACTION_URL, {"action": "publish"})
    html = first.content.decode()
    assert first.status_code == 200 and 'id="publish-confirm"' in html
    assert "7 applications will be published: 6 MS, 1 TMS." in html
    assert "A publication cannot be undone." in html
    assert 'name="confirmed" value="1"' in html and 'name="action" value="publish"' in html
    assert not Publication.objects.exists()
    assert not Application.objects.exclude(published_result="").exists()
    done = client.post(ACTION_URL, {"action": "publish", "confirmed": "1"}, follow=True)
    assert messages_of(done) == [
        "Administrative selection result published for 7 applications: 6 MS, 1 TMS."
    ]
    assert Publication.objects.get().kind == "administrative"


def test_the_publication_message_is_plural_aware() -> None:
    from seleksi.committee.verification_views import published_message

    with translation.override("en"):
        assert published_message({"MS": 1}, after_objections=False) == (
            "Administrative selection result published for 1 application: 1 MS, 0 TMS."
        )
        assert published_message({"MS": 1, "TMS": 1}, after_objections=True) == (
            "Result after the objection period published for 2 applications: 1 MS, 1 TMS."
        )


def test_a_verifier_gets_no_confirmation_and_nothing_is_published(scene: Scene) -> None:
    check_all(scene)
    client = signed_in(scene.verifier)
    for action in ("publish", "publish_after_objections"):
        response = client.post(ACTION_URL, {"action": action}, follow=True)
        assert 'id="publish-confirm"' not in response.content.decode()
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
        confirmed = client.post(ACTION_URL, {"action": action, "confirmed": "1"}, follow=True)
        assert [m.level_tag for m in confirmed.context["messages"]] == ["error"]
    assert not Publication.objects.exists()


def test_a_publication_already_made_is_refused_before_the_confirmation(scene: Scene) -> None:
    published(scene)
    response = signed_in(scene.committee).post(ACTION_URL, {"action": "publish"}, follow=True)
    assert 'id="publish-confirm"' not in response.content.decode()
    assert messages_of(response) == ["This result has already been published."]


def test_unchecked_applications_are_refused_before_the_confirmation(scene: Scene) -> None:
    for application in scene.applications[:5]:
        services.application_claim(application=application, verifier=scene.verifier)
        services.application_decide(
            application=application,
            verifier=scene.verifier,
            marks=[
                services.MarkInput(item=code, mark="MS")
                for code, _label in services.checklist(application)
            ],
        )
    response = signed_in(scene.committee).post(ACTION_URL, {"action": "publish"}, follow=True)
    assert 'id="publish-confirm"' not in response.content.decode()
    assert messages_of(response) == [
        "Not every submitted application has been checked yet (2 left)."
    ]


def test_an_unanswered_objection_is_refused_before_the_confirmation(scene: Scene) -> None:
    published(scene)
    object_to(scene.refreshed(0))
    response = signed_in(scene.committee).post(
        ACTION_URL, {"action": "publish_after_objections"}, follow=True
    )
    assert 'id="publish-confirm"' not in response.content.decode()
    assert messages_of(response) == ["1 objections still wait for an answer."]


def test_the_result_after_objections_asks_first_then_reports_a_sentence(scene: Scene) -> None:
    published(scene)
    objection = object_to(scene.refreshed(0))
    answer(scene, objection, accepted=True)
    Application.objects.filter(selection=scene.selection).update(
        published_at=timezone.now() - timedelta(days=10)
    )
    client = signed_in(scene.committee)
    first = client.post(ACTION_URL, {"action": "publish_after_objections"})
    assert "7 applications will be published: 7 MS, 0 TMS." in first.content.decode()
    assert Publication.objects.count() == 1
    done = client.post(
        ACTION_URL, {"action": "publish_after_objections", "confirmed": "1"}, follow=True
    )
    assert messages_of(done) == [
        "Result after the objection period published for 7 applications: 7 MS, 0 TMS."
    ]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_objection_period_refusal_writes_its_date_the_readers_way(
    scene: Scene, language: str
) -> None:
    published(scene)
    closes_on = scene.refreshed(0).selection.agency.date_of(
        scene.refreshed(0).published_at  # type: ignore[arg-type]
    ) + timedelta(days=scene.selection.objection_days - 1)
    response = signed_in(scene.committee, language).post(
        ACTION_URL, {"action": "publish_after_objections", "confirmed": "1"}, follow=True
    )
    (message,) = messages_of(response)
    assert long_date(closes_on, language) in message
    assert closes_on.isoformat() not in message


# --- what the applicant reads ------------------------------------------------------------


def test_an_accepted_objection_says_the_result_will_change_to_ms(scene: Scene) -> None:
    published(scene)
    application = scene.refreshed(0)
    objection = object_to(application)
    answer(scene, objection, accepted=True)
    page = signed_in(application.applicant).get(f"/lamaran/{application.number}/")
    html = page.content.decode()
    due = Objection.objects.get(pk=objection.pk).answer_due_on
    assert page.context["pending_outcome"] == "accepted"
    assert "your result will change to MS when the result after the objection period" in html
    assert f"(by {long_date(due, 'en')} at the latest)" in html
    assert "You do not meet the requirements" not in html  # TMS is not the final word
    assert "The result published earlier was TMS" in html


def test_a_rejected_objection_says_the_result_stays_tms(scene: Scene) -> None:
    published(scene)
    application = scene.refreshed(0)
    answer(scene, object_to(application), accepted=False)
    html = signed_in(application.applicant).get(f"/lamaran/{application.number}/").content
    assert "Your objection was rejected" in html.decode()
    assert "your result stays TMS" in html.decode()
    assert "The committee's answer: Ijazah tidak sesuai kualifikasi." in html.decode()


def test_after_the_final_publication_the_outcome_is_no_longer_pending(scene: Scene) -> None:
    published(scene)
    application = scene.refreshed(0)
    answer(scene, object_to(application), accepted=True)
    Application.objects.filter(selection=scene.selection).update(
        published_at=timezone.now() - timedelta(days=10)
    )
    services.result_publish_after_objections(selection=scene.selection, actor=scene.committee)
    page = signed_in(application.applicant).get(f"/lamaran/{application.number}/")
    html = page.content.decode()
    assert page.context["pending_outcome"] == ""
    assert "You meet the requirements." in html and "will change to MS" not in html
    assert "Ijazah sesuai kualifikasi." in html  # the committee's answer


def test_reasons_name_the_requirement_by_its_label_never_its_code(scene: Scene) -> None:
    published(scene)
    application = scene.refreshed(0)
    html = signed_in(application.applicant, "id").get(f"/lamaran/{application.number}/")
    text = html.content.decode()
    result = text[text.index('id="administrative-result"') :]
    timeline = text[text.index('id="timeline"') :]
    for part in (result[: result.index("</section>")], timeline[: timeline.index("</ol>")]):
        assert f"{IJAZAH_LABEL}: Ijazah tidak sesuai kualifikasi pendidikan formasi" in part
        assert "ijazah:" not in part and "data:" not in part
    objection = object_to(application)
    answer_page = signed_in(scene.committee).get(f"/panitia/sanggah/{objection.pk}/")
    assert f"{IJAZAH_LABEL}: Ijazah tidak sesuai" in answer_page.content.decode()
    assert "ijazah:" not in answer_page.content.decode()


def test_the_data_item_has_a_label_in_both_languages(scene: Scene) -> None:
    application = scene.applications[0]
    with translation.override("en"):
        assert services.checklist(application)[0] == (
            "data",
            "The applicant's data match the documents and the formation's requirements",
        )
