"""`scoring.engine`: one reading of a stage code and one policy check for `seleksi rank`, the
runs page and `seleksi rank-file`."""

from fractions import Fraction
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from seleksi.rules.ranking import (
    FinalScore,
    Formation,
    SkdScore,
    Stage,
    load_ranking_policy,
    rank_final,
    rank_skd,
)
from seleksi.scoring.engine import (
    RankingInputError,
    RankingPolicyError,
    rank_stage,
    ranking_policy_for,
    ranking_stage,
)
from seleksi.scoring.messages import InputProblem
from seleksi.scoring.ranking_runs import ranking_run
from tests.factories import make_agency, make_selection

CPNS = load_ranking_policy("cpns-2021")
FORMATIONS = [
    Formation("F1", "Analis Kebijakan", "Dinas A", "umum", 1),
    Formation("F2", "Analis Kebijakan", "Dinas B", "umum", 1),
]


def test_a_stage_code_names_its_stage_or_is_refused_as_unavailable() -> None:
    assert [ranking_stage(code) for code in ("skd", "akhir", "pppk", "mitra")] == list(Stage)
    with pytest.raises(RankingInputError) as refused:
        ranking_stage("skb")
    assert [refusal.code for refusal in refused.value.refusals] == [InputProblem.STAGE_UNAVAILABLE]


def test_a_policy_is_refused_when_it_is_unknown_or_lacks_the_stage() -> None:
    assert ranking_policy_for(Stage.SKD, "cpns-2021") == CPNS
    for stage, code, problem in (
        (Stage.SKD, "cpns-2099", InputProblem.UNKNOWN_POLICY),
        (Stage.MITRA, "cpns-2021", InputProblem.POLICY_WITHOUT_STAGE),
    ):
        with pytest.raises(RankingPolicyError) as refused:
            ranking_policy_for(stage, code)
        assert isinstance(refused.value, LookupError)
        assert [refusal.code for refusal in refused.value.refusals] == [problem]


@pytest.mark.parametrize(("policy", "stage"), [("cpns-2099", "skd"), ("cpns-2021", "mitra")])
def test_rank_file_refuses_a_policy_in_the_engine_s_words(
    tmp_path: Path, policy: str, stage: str
) -> None:
    with pytest.raises(RankingPolicyError) as expected:
        ranking_policy_for(Stage(stage), policy)
    with pytest.raises(CommandError) as refused:
        call_command(
            "rank_file",
            f"--policy={policy}",
            f"--stage={stage}",
            f"--formations={tmp_path / 'FORMASI.csv'}",
            f"--scores={tmp_path / 'NILAI.csv'}",
            "--language=en",
            stdout=StringIO(),
            stderr=StringIO(),
        )
    with translation.override("en"):
        assert str(refused.value) == expected.value.texts[0]


def test_each_stage_is_ranked_by_its_engine_with_the_final_stage_s_qualification_check() -> None:
    skd = [SkdScore("001", "F1", True, 100, 100, 200), SkdScore("002", "F2", False)]
    assert rank_stage(CPNS, Stage.SKD, FORMATIONS, skd) == rank_skd(CPNS, FORMATIONS, skd)
    final = [
        FinalScore("003", "F1", True, 100, 100, 200, Fraction(80)),
        FinalScore("005", "F1", True, 100, 100, 200, Fraction(70)),
        FinalScore("004", "F2", False),
    ]
    placed = rank_stage(CPNS, Stage.FINAL, FORMATIONS, final)
    assert placed == rank_final(CPNS, FORMATIONS, final)
    assert [result.placed_formation for result in placed if result.participant == "005"] == ["F2"]
    refused = rank_stage(CPNS, Stage.FINAL, FORMATIONS, final, qualifies=lambda _n, _f: False)
    assert refused == rank_final(CPNS, FORMATIONS, final, qualifies=lambda _n, _f: False)
    assert refused != placed


def test_a_run_of_an_unknown_stage_is_refused_before_anything_is_read(db: None) -> None:
    selection = make_selection(make_agency(), "tahap-2026")
    with pytest.raises(RankingInputError) as refused:
        ranking_run(selection=selection, stage="skb", actor=None)
    assert [refusal.code for refusal in refused.value.refusals] == [InputProblem.STAGE_UNAVAILABLE]
