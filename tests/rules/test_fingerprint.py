import hashlib
import random
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from seleksi.rules.fingerprint import run_fingerprint
from seleksi.rules.ranking import (
    Affirmation,
    FinalScore,
    Formation,
    PppkScore,
    SkdScore,
    Stage,
    load_ranking_policy,
)

CPNS = load_ranking_policy("cpns-2021")
PPPK = load_ranking_policy("pppk-guru-2021")
FORMATIONS = [
    Formation("F1", "Analis Kebijakan", "Dinas A", "umum", 1),
    Formation("F2", "Analis Kebijakan", "Dinas B", "disabilitas", 2),
]
SKD = [
    SkdScore("001", "F1", True, 100, 100, 200),
    SkdScore("002", "F2", False),
    SkdScore("003", "F1", True, 65, 80, 166),
]


@dataclass(frozen=True)
class _Mixed:
    """A column holding True in one row and 1 in another: equal in Python, not in JSON."""

    participant: str
    value: object


def test_it_hashes_the_canonical_form_as_documented() -> None:
    """Runs stored earlier are compared by this value: a change to the canonical form changes
    every stored fingerprint, so it must be made on purpose."""
    canonical = (
        '{"formations":{"Formation":{"fields":["code","position","placement_unit",'
        '"formation_type","quota","teknis_pass_mark"],"rows":['
        '["F1","Analis Kebijakan","Dinas A","umum",1,null],'
        '["F2","Analis Kebijakan","Dinas B","disabilitas",2,null]]}},'
        '"policy":["cpns-2021",1],'
        '"scores":{"SkdScore":{"fields":["participant","formation","present","twk","tiu","tkp"],'
        '"rows":[["001","F1",true,100,100,200],["002","F2",false,0,0,0],'
        '["003","F1",true,65,80,166]]}},'
        '"stage":"skd"}'
    )
    expected = hashlib.sha256(canonical.encode()).hexdigest()
    assert run_fingerprint(CPNS, Stage.SKD, FORMATIONS[::-1], SKD[::-1]) == expected
    assert expected == "fe3405d21302a7bc3a63871aa7f12cc2258e0e43504a6529ebf9bbfcdf2c3259"


def test_the_stage_the_policy_version_and_every_field_count() -> None:
    fingerprint = run_fingerprint(CPNS, Stage.SKD, FORMATIONS, SKD)
    changed = [
        run_fingerprint(CPNS, Stage.FINAL, FORMATIONS, SKD),
        run_fingerprint(replace(CPNS, version=2), Stage.SKD, FORMATIONS, SKD),
        run_fingerprint(CPNS, Stage.SKD, FORMATIONS[:1], SKD),
        run_fingerprint(CPNS, Stage.SKD, [replace(FORMATIONS[0], quota=2), FORMATIONS[1]], SKD),
        run_fingerprint(CPNS, Stage.SKD, FORMATIONS, [*SKD[:2], replace(SKD[2], tkp=167)]),
        run_fingerprint(CPNS, Stage.SKD, FORMATIONS, [*SKD[:2], replace(SKD[2], formation="F2")]),
        run_fingerprint(CPNS, Stage.SKD, FORMATIONS, [*SKD, SKD[0]]),
        run_fingerprint(CPNS, Stage.SKD, FORMATIONS, []),
    ]
    assert fingerprint not in changed
    assert len(set(changed)) == len(changed)


def test_it_does_not_depend_on_row_order_whatever_the_column_types() -> None:
    final = [
        FinalScore(
            "A", "F1", True, 100, 133, 200, Fraction(66), Fraction(31, 10), date(1995, 1, 1)
        ),
        FinalScore("B", "F1", True, 100, 100, 200, Fraction(70)),
        FinalScore("C", "F2", False),
    ]
    pppk = [
        PppkScore("P1", "G1", 1, True, 250, 150, 30, frozenset({Affirmation.DISABILITY})),
        PppkScore("P1", "G1", 2, True, 320, 150, 30),
        PppkScore("P2", "G1", 1, False),
    ]
    mixed: list[object] = [_Mixed("1", True), _Mixed("1", 1), _Mixed("0", None), *SKD]
    shuffler = random.Random(6)
    for policy, stage, scores in (
        (CPNS, Stage.FINAL, final),
        (PPPK, Stage.PPPK, pppk),
        (CPNS, Stage.SKD, mixed),
    ):
        fingerprint = run_fingerprint(policy, stage, FORMATIONS, scores)
        for _ in range(10):
            shuffled = list(scores)
            shuffler.shuffle(shuffled)
            assert run_fingerprint(policy, stage, FORMATIONS[::-1], shuffled) == fingerprint
    assert run_fingerprint(CPNS, Stage.SKD, [], [_Mixed("1", True)]) != run_fingerprint(
        CPNS, Stage.SKD, [], [_Mixed("1", 1)]
    )


@settings(max_examples=100)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["001", "002", "010", "1", "a,b", 'q"', "é"]),
            st.sampled_from(["F1", "F2"]),
            st.booleans(),
            st.integers(0, 150),
        ),
        max_size=12,
    ),
    st.randoms(use_true_random=False),
)
def test_skd_rows_in_any_order_with_or_without_repeats_give_one_fingerprint(
    rows: list[tuple[str, str, bool, int]], shuffler: random.Random
) -> None:
    scores = [SkdScore(number, code, present, twk) for number, code, present, twk in rows]
    shuffled = list(scores)
    shuffler.shuffle(shuffled)
    assert run_fingerprint(CPNS, Stage.SKD, FORMATIONS, shuffled) == run_fingerprint(
        CPNS, Stage.SKD, FORMATIONS, scores
    )
