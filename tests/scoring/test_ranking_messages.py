"""Ranking refusals are codes until they are shown, then worded in the reader's language:
the engines (rules) give a code and its values, the pages and `seleksi rank` translate it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from seleksi.agencies.models import Role
from seleksi.rules.problems import RankingDataError, RankingLookupError, RankingProblem
from seleksi.rules.ranking import (
    FinalResult,
    Formation,
    Outcome,
    SkdScore,
    load_ranking_policy,
    rank_skd,
)
from seleksi.rules.replacement import Reason, Withdrawal, propose_replacements
from seleksi.scoring.messages import MESSAGES, InputProblem, Refusal, engine_refusal
from seleksi.scoring.models import RankingRun, Score
from tests.factories import make_staff
from tests.scoring.ranked import Ranked

pytestmark = pytest.mark.django_db

POLICY = load_ranking_policy("cpns-2021")
FORMATION = Formation("F-A", "Analis", "Dinas", "umum", 1)


def test_the_engine_refuses_with_a_code_and_keeps_its_english_text() -> None:
    with pytest.raises(RankingDataError) as refused:
        rank_skd(POLICY, [FORMATION], [SkdScore("A01", "F-A", True, 999, 100, 150)])
    assert refused.value.code is RankingProblem.SCORE_OUT_OF_RANGE
    assert refused.value.values == {
        "participant": "A01",
        "part": "twk",
        "value": "999",
        "maximum": "150",
    }
    assert str(refused.value) == "A01: twk 999 outside 0..150"
    assert isinstance(refused.value, ValueError)


def test_a_missing_pass_mark_is_a_lookup_error_with_a_code() -> None:
    other = Formation("F-X", "Analis", "Dinas", "tidak-ada", 1)
    with pytest.raises(RankingLookupError) as refused:
        rank_skd(POLICY, [other], [SkdScore("A01", "F-X", True, 60, 80, 160)])
    assert isinstance(refused.value, LookupError)
    assert refused.value.code is RankingProblem.NO_SKD_THRESHOLD
    with translation.override("en"):
        assert engine_refusal(refused.value).message == (
            "The ranking policy has no SKD pass mark for the formation type “tidak-ada”."
        )


def test_every_code_has_a_message() -> None:
    assert set(MESSAGES) == set(RankingProblem) | set(InputProblem)
    with translation.override("en"):
        assert Refusal("no_such_code").message == "The ranking cannot go ahead (no_such_code)."


def test_a_replacement_refused_by_the_engine_is_worded_for_the_reader() -> None:
    results = [FinalResult("A01", "F-A", True, None, None, None, 1, Outcome.PASSED)]
    with pytest.raises(RankingDataError) as refused:
        propose_replacements(
            results, [Withdrawal("Z99", Reason.WITHDREW, "surat tertanggal 1 Mei")]
        )
    with translation.override("en"):
        assert engine_refusal(refused.value).message == (
            "Participant number Z99 is not in this ranking."
        )


def test_an_engine_error_without_a_code_keeps_its_text() -> None:
    with translation.override("en"):
        message = engine_refusal(ValueError("something odd")).message
    assert message == "The ranking engine refused the data: something odd"


def test_a_score_out_of_range_is_shown_in_english_on_the_runs_page(ranked: Ranked) -> None:
    Score.objects.filter(application__number="A01", stage=Score.Stage.SKD).update(twk=999)
    client = Client()
    client.force_login(make_staff("panitia", ranked.selection.agency, Role.COMMITTEE))
    client.cookies["django_language"] = "en"
    response = client.post(f"/panitia/{ranked.selection.code}/peringkat/", {"stage": "skd"})
    assert response.status_code == 200
    errors = response.content.decode().split('id="run-errors"', 1)[1].split("</div>", 1)[0]
    assert "Participant A01: twk 999 is outside 0..150." in errors
    assert not RankingRun.objects.exists()


def test_seleksi_rank_words_its_refusals_in_the_chosen_language(ranked: Ranked) -> None:
    Score.objects.filter(application__number="A01", stage=Score.Stage.SKD).update(twk=999)
    stderr = StringIO()
    with pytest.raises(CommandError, match="1 error; no ranking was stored"):
        call_command(
            "rank",
            "--selection",
            ranked.selection.code,
            "--stage",
            "skd",
            "--language",
            "en",
            stdout=StringIO(),
            stderr=stderr,
        )
    assert stderr.getvalue() == "Participant A01: twk 999 is outside 0..150.\n"
