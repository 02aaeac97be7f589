"""The live score board's pages: open to anyone, only for a session sat on Seleksi, the rows
as a fragment the page polls, by participant number only, in a bounded number of queries."""

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seleksi.accounts.crypto import encrypt_text, lookup_hash
from seleksi.applications.models import Application
from seleksi.sittings.models import StageTest
from tests.exams.scene import TestScene, make_participant, make_test_scene
from tests.exams.test_desk_pages import signed_in
from tests.sittings.test_board import FAILING_TWK, PASSING, book, sat, stage_test

NIK = "3520011201900003"
FULL_NAME = "Sutrisno Wibowo"
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def scene(db: None) -> TestScene:
    scene = make_test_scene(participants=6, capacities=(300, 5))
    stage_test(scene)
    for application in scene.applications:
        user = application.applicant
        nik = str(int(NIK) + application.pk)
        user.full_name = FULL_NAME
        user.nik_cipher, user.nik_hash = encrypt_text(nik), lookup_hash(nik)
        user.save()
    return scene


def english() -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    return client


def board_url(scene: TestScene, session: int = 0) -> str:
    return reverse("public:board", args=[scene.sessions[session].pk])


def rows_url(scene: TestScene, session: int = 0) -> str:
    return reverse("public:board_rows", args=[scene.sessions[session].pk])


def test_anyone_sees_the_board_with_its_header_and_rows(scene: TestScene) -> None:
    sat(scene, 0, PASSING)
    sat(scene, 1, FAILING_TWK, by_server=True)
    sat(scene, 2)
    book(scene, 3)

    response = english().get(board_url(scene))

    assert response.status_code == 200
    html = response.content.decode()
    session = scene.sessions[0]
    for text in (
        scene.selection.title,
        session.code,
        "GOR Kota",
        "WIB",
        "TWK 150",
        "TIU 175",
        "TKP 225",
        "Total 550",
        f'data-rows-url="{rows_url(scene)}"',
        'data-poll-seconds="5"',
        'http-equiv="refresh"',
        "board/board.js",
    ):
        assert text in html, text
    assert timezone.localtime(session.starts_at, WIB).strftime("%H:%M") in html
    assert html.index(scene.applications[0].number) < html.index(scene.applications[1].number)
    assert html.index(scene.applications[1].number) < html.index(scene.applications[2].number)
    assert html.index(scene.applications[2].number) < html.index(scene.applications[3].number)
    for text in ("Met", "Not met", "closed by the server", "in progress", "not started"):
        assert text in html, text


def test_the_rows_fragment_carries_the_counts_rows_and_time(scene: TestScene) -> None:
    sat(scene, 0, PASSING)
    sat(scene, 1)
    response = english().get(rows_url(scene))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board-live"')
    assert "<html" not in html
    assert 'data-updated="' in html and 'data-live="1"' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert ">400<" in html


def test_an_unfinished_sitting_shows_no_scores(scene: TestScene) -> None:
    sitting = sat(scene, 0)
    type(sitting).objects.filter(pk=sitting.pk).update(
        scores={"twk": 123, "tiu": 134, "tkp": 145}, total=402
    )
    html = english().get(rows_url(scene)).content.decode()
    assert "in progress" in html
    for figure in ("123", "134", "145", "402"):
        assert figure not in html


def test_neither_the_nik_nor_the_name_is_on_the_board(scene: TestScene) -> None:
    sat(scene, 0, PASSING)
    sat(scene, 1)
    book(scene, 2)
    for url in (board_url(scene), rows_url(scene)):
        html = english().get(url).content.decode()
        assert scene.applications[0].number in html
        for application in scene.applications[:3]:
            nik = application.applicant.nik
            assert nik and nik not in html and nik[-6:] not in html
        assert "Sutrisno" not in html and "Wibowo" not in html and "Su****" not in html


def test_a_session_of_a_stage_without_a_test_on_seleksi_is_not_found(scene: TestScene) -> None:
    StageTest.objects.all().delete()
    for url in (board_url(scene), rows_url(scene)):
        assert english().get(url).status_code == 404


def test_an_unknown_session_is_not_found(scene: TestScene) -> None:
    for name in ("public:board", "public:board_rows"):
        assert english().get(reverse(name, args=[987_654])).status_code == 404


def test_the_board_only_answers_get(scene: TestScene) -> None:
    assert english().post(rows_url(scene)).status_code == 405


def test_the_fragment_costs_a_bounded_number_of_queries_with_many_rows(
    scene: TestScene, django_assert_max_num_queries: Any
) -> None:
    for index in range(6, 246):
        scene.applications.append(make_participant(scene.selection, f"P{index + 1:05d}"))
    for index, _application in enumerate(scene.applications):
        if index % 3 == 0:
            sat(scene, index, PASSING)
        elif index % 3 == 1:
            sat(scene, index)
        else:
            book(scene, index)
    assert Application.objects.filter(selection=scene.selection).count() == 246
    client = english()
    with django_assert_max_num_queries(2):
        response = client.get(rows_url(scene))
    assert response.content.decode().count("<tr ") == 246
    with django_assert_max_num_queries(0):
        client.get(rows_url(scene))


def test_the_committees_session_page_links_to_the_board(scene: TestScene) -> None:
    client = signed_in(scene.committee)
    url = reverse("committee:exam_session", args=[scene.sessions[0].pk])
    html = client.get(url).content.decode()
    assert f'href="{board_url(scene)}"' in html
    StageTest.objects.all().delete()
    assert board_url(scene) not in client.get(url).content.decode()


def test_a_closed_session_stops_the_polling(scene: TestScene) -> None:
    sat(scene, 0, PASSING)
    session = scene.sessions[0]
    session.closed_at = timezone.now()
    session.save(update_fields=["closed_at"])
    assert 'data-live="0"' in english().get(rows_url(scene)).content.decode()
