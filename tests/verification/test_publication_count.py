"""The number of applications still to check before the administrative result can be
published: one selector, read by the queue page and by the publication's refusal."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import translation

from seleksi.applications.models import Application
from seleksi.verification import selectors, services
from seleksi.verification.models import Publication
from tests.accounts.helpers import CommitClient
from tests.verification.conftest import Scene
from tests.verification.test_services import check, check_all

ACEH = "aceh-tengah-casn-2021"
QUEUE = f"/panitia/{ACEH}/verifikasi/"


def signed_in(user: object) -> Client:
    client = CommitClient()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def shown_to_check(html: str) -> int:
    match = re.search(r'<p id="to-check">[^<]*<strong>(\d+)</strong>', html)
    assert match, "the queue shows no count beside the publish button"
    return int(match.group(1))


def refusal_count(scene: Scene) -> int:
    with pytest.raises(services.VerificationRefused) as info:
        services.result_publish(selection=scene.selection, actor=scene.committee)
    assert info.value.code == "undecided"
    return int(str(info.value.detail))


def test_it_counts_an_application_neither_waiting_nor_checked_on_the_page_and_in_the_refusal(
    scene: Scene,
) -> None:
    check_all(scene)
    # Stages the queue's "waiting" count never showed: a decision waiting for its second
    # check, and a result marked published although nothing was published.
    Application.objects.filter(pk=scene.applications[0].pk).update(admin_stage="decided")
    Application.objects.filter(pk=scene.applications[1].pk).update(
        admin_stage="published", published_result="MS"
    )

    page = signed_in(scene.committee).get(QUEUE)

    assert page.context["counts"]["waiting"] == 0
    assert page.context["to_check"] == 2
    assert shown_to_check(page.content.decode()) == 2
    assert refusal_count(scene) == 2
    assert selectors.to_check_before_publication(scene.selection).count() == 2


def test_the_page_and_the_refusal_agree_while_applications_wait(scene: Scene) -> None:
    for application in scene.applications[:3]:
        check(application, scene.verifier)

    page = signed_in(scene.verifier).get(QUEUE)

    waiting = len(scene.applications) - 3
    assert shown_to_check(page.content.decode()) == waiting == refusal_count(scene)


def test_the_refusal_on_the_page_names_the_number_the_page_shows(scene: Scene) -> None:
    check(scene.applications[0], scene.verifier)
    client = signed_in(scene.committee)

    with translation.override("id"):
        answer = client.post(f"/panitia/{ACEH}/verifikasi/aksi/", {"action": "publish"})
    page = client.get(QUEUE, headers={"accept-language": "id"})

    texts = [str(message) for message in get_messages(answer.wsgi_request)]
    shown = shown_to_check(page.content.decode())
    assert shown == len(scene.applications) - 1
    assert any(f"tersisa {shown}" in text for text in texts), texts
    assert not Publication.objects.exists()


def test_once_published_the_page_says_so_instead_of_a_count(scene: Scene) -> None:
    check_all(scene)
    services.result_publish(selection=scene.selection, actor=scene.committee)

    page = signed_in(scene.committee).get(QUEUE)

    assert page.context["to_check"] is None
    assert page.context["administrative_publication"] is not None
    assert '<p id="to-check">' in page.content.decode()
    assert "<strong>" not in page.content.decode().split('<p id="to-check">')[1].split("</p>")[0]


def publish_buttons(html: str) -> list[str]:
    return re.findall(r'<button class="button" name="action" value="(publish\w*)"', html)


def test_the_queue_offers_only_the_publication_that_comes_next(scene: Scene) -> None:
    client = signed_in(scene.committee)
    assert publish_buttons(client.get(QUEUE).content.decode()) == ["publish"]

    check_all(scene)
    services.result_publish(selection=scene.selection, actor=scene.committee)
    assert publish_buttons(client.get(QUEUE).content.decode()) == ["publish_after_objections"]

    Publication.objects.create(
        selection=scene.selection,
        kind=Publication.Kind.POST_OBJECTION,
        published_by=scene.committee,
        counts={},
    )
    assert publish_buttons(client.get(QUEUE).content.decode()) == []
