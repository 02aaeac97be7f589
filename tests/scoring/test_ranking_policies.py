"""A selection names its ranking policies, one per kind of opening; blank means the default.
Runs and score imports follow the choice, and the console offers only policies that can rank
that kind of opening."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from seleksi.console.forms import SelectionForm
from seleksi.scoring.models import RankingRun
from seleksi.scoring.services import score_policy
from seleksi.selections.models import Selection
from tests.factories import make_agency, make_selection


def test_blank_choices_mean_the_default_per_kind_of_opening() -> None:
    selection = Selection(code="contoh")
    assert selection.ranking_policy_code("CPNS") == "cpns-2021"
    assert selection.ranking_policy_code("PPPK") == "pppk-guru-2021"
    assert selection.ranking_policy_code("MITRA") == "mitra-bps-2024"
    selection.cpns_ranking_policy = "cpns-2024"
    assert selection.ranking_policy_code("CPNS") == "cpns-2024"


def test_the_console_offers_only_policies_that_rank_that_kind_of_opening(db: None) -> None:
    form = SelectionForm()
    offered = {
        name: [value for value, _ in form.fields[name].choices]  # type: ignore[attr-defined]
        for name in ("cpns_ranking_policy", "pppk_ranking_policy", "mitra_ranking_policy")
    }
    assert offered == {
        "cpns_ranking_policy": ["", "cpns-2021"],
        "pppk_ranking_policy": ["", "pppk-guru-2021"],
        "mitra_ranking_policy": ["", "mitra-bps-2024"],
    }


@pytest.mark.usefixtures("ranked")
def test_a_run_uses_the_selection_s_choice(db: None) -> None:
    selection = Selection.objects.get(code="peringkat-2026")
    Selection.objects.filter(pk=selection.pk).update(cpns_ranking_policy="mitra-bps-2024")
    with pytest.raises(CommandError, match="The policy mitra-bps-2024 has no stage skd; it has"):
        call_command("rank", "--selection", selection.code, "--stage", "skd", "--language", "en")
    Selection.objects.filter(pk=selection.pk).update(cpns_ranking_policy="cpns-2021")
    call_command("rank", "--selection", selection.code, "--stage", "skd", stdout=StringIO())
    assert RankingRun.objects.get().policy_code == "cpns-2021"


def test_score_imports_are_bounded_by_the_selection_s_policy(db: None) -> None:
    selection = make_selection(make_agency(), "batas-2026", pppk_ranking_policy="cpns-2021")
    with pytest.raises(LookupError, match="no PPPK stage"):
        score_policy(selection, "pppk").pppk_rules()
    assert score_policy(selection, "skd").code == "cpns-2021"
