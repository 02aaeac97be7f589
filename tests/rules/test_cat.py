"""Scoring styles, blueprints and drawn sittings of the computer-assisted test."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seleksi.rules.cat import (
    Blueprint,
    Component,
    DrawRule,
    DrawShortfall,
    Option,
    Question,
    QuestionProblem,
    ScoringStyle,
    SittingScore,
    blueprint_codes,
    blueprint_from_dict,
    draw,
    load_blueprint,
    question_problems,
    score,
    stage_values,
)
from seleksi.rules.ranking import load_ranking_policy

KEYS = ("a", "b", "c", "d", "e")
SKD = load_blueprint("skd-2021")


def keyed(qid: int, component: str, right: str = "a", **fields: str) -> Question:
    return Question(
        qid, component, tuple(Option(k, 5 if k == right else 0) for k in KEYS), **fields
    )


def graded(qid: int, points: tuple[int, ...] = (1, 2, 3, 4, 5)) -> Question:
    return Question(qid, "tkp", tuple(Option(k, p) for k, p in zip(KEYS, points, strict=True)))


def skd_bank(extra: int = 0) -> list[Question]:
    """Enough questions for an SKD draw, plus `extra` in each component."""
    bank = [keyed(1000 + n, "twk") for n in range(30 + extra)]
    bank += [keyed(2000 + n, "tiu", right=KEYS[n % 5]) for n in range(35 + extra)]
    bank += [graded(3000 + n, tuple((n + i) % 5 + 1 for i in range(5))) for n in range(45 + extra)]
    return bank


def test_the_skd_2021_maxima_follow_from_the_styles_and_match_the_ranking_policy() -> None:
    assert [c.maximum for c in SKD.components] == [150, 175, 225]
    assert SKD.maximum == 550
    assert SKD.duration_minutes == 100
    ranking = load_ranking_policy("cpns-2021").skd
    assert ranking is not None
    assert (ranking.twk_maximum, ranking.tiu_maximum, ranking.tkp_maximum) == (150, 175, 225)
    assert "skd-2021" in blueprint_codes()


@pytest.mark.parametrize(
    ("question", "answer", "points"),
    [
        (keyed(1, "twk", right="c"), "c", 5),
        (keyed(1, "twk", right="c"), "a", 0),
        (keyed(1, "twk", right="c"), None, 0),
        (keyed(1, "twk", right="c"), "", 0),
        (graded(2, (3, 5, 1, 2, 4)), "a", 3),
        (graded(2, (3, 5, 1, 2, 4)), "b", 5),
        (graded(2, (3, 5, 1, 2, 4)), "c", 1),
        (graded(2, (3, 5, 1, 2, 4)), None, 0),
    ],
)
def test_each_style_scores_the_chosen_option_and_a_blank_scores_nothing(
    question: Question, answer: str | None, points: int
) -> None:
    assert question.points_for(answer) == points


def test_an_option_the_question_does_not_have_is_an_error() -> None:
    with pytest.raises(ValueError, match="no option"):
        keyed(1, "twk").points_for("z")


@pytest.mark.parametrize(
    ("component", "points", "problem"),
    [
        ("twk", (5, 5, 0, 0, 0), QuestionProblem.NOT_ONE_KEY),
        ("twk", (0, 0, 0, 0, 0), QuestionProblem.NOT_ONE_KEY),
        ("twk", (5, 3, 0, 0, 0), QuestionProblem.WRONG_POINTS),
        ("tkp", (1, 2, 3, 4, 6), QuestionProblem.OUT_OF_RANGE),
        ("tkp", (0, 2, 3, 4, 5), QuestionProblem.OUT_OF_RANGE),
        ("tkp", (1, 2, 3, 4), QuestionProblem.OPTION_COUNT),
    ],
)
def test_question_checks_name_what_is_wrong(
    component: str, points: tuple[int, ...], problem: QuestionProblem
) -> None:
    options = [Option(k, p) for k, p in zip(KEYS, points, strict=False)]
    found = [code for code, _ in question_problems(SKD.component(component), options)]
    assert problem in found


def test_good_questions_have_no_problem_and_duplicate_keys_are_caught() -> None:
    assert question_problems(SKD.component("twk"), keyed(1, "twk").options) == []
    assert question_problems(SKD.component("tkp"), graded(1).options) == []
    twice = [Option("a", 5), Option("a", 0), Option("c", 0), Option("d", 0), Option("e", 0)]
    found = [code for code, _ in question_problems(SKD.component("twk"), twice)]
    assert QuestionProblem.DUPLICATE_OPTION in found


def test_a_draw_takes_each_components_count_in_the_blueprints_order() -> None:
    drawn = draw(SKD, skd_bank(extra=10), seed=7)
    assert [d.component for d in drawn] == ["twk"] * 30 + ["tiu"] * 35 + ["tkp"] * 45
    assert len({d.question for d in drawn}) == 110
    assert all(sorted(d.option_order) == list(KEYS) for d in drawn)


def test_a_draw_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    bank = skd_bank(extra=20)
    assert draw(SKD, bank, seed=42) == draw(SKD, list(reversed(bank)), seed=42)
    assert draw(SKD, bank, seed=42) != draw(SKD, bank, seed=43)


def test_a_bank_too_small_for_a_rule_draws_nothing_and_says_which() -> None:
    bank = [q for q in skd_bank() if q.id != 2000]
    with pytest.raises(DrawShortfall) as caught:
        draw(SKD, bank, seed=1)
    assert (caught.value.component, caught.value.available) == ("tiu", 34)


def test_draw_rules_by_topic_and_difficulty_take_only_what_they_admit() -> None:
    component = Component(
        "twk",
        "TWK",
        ScoringStyle.RIGHT_WRONG,
        questions=3,
        options=5,
        right_points=5,
        draw=(DrawRule(2, topic="pancasila"), DrawRule(1, difficulty="sulit")),
    )
    blueprint = Blueprint("uji", 1, "test", 10, (component,))
    bank = [keyed(n, "twk", topic="pancasila", difficulty="mudah") for n in range(1, 5)]
    bank += [keyed(n, "twk", topic="nkri", difficulty="sulit") for n in range(5, 8)]
    drawn = draw(blueprint, bank, seed=3)
    topics = sorted(next(q for q in bank if q.id == d.question).topic for d in drawn)
    assert topics == ["nkri", "pancasila", "pancasila"]


def test_a_sitting_scores_per_component_and_in_total() -> None:
    bank = skd_bank()
    questions = {q.id: q for q in bank}
    drawn = draw(SKD, bank, seed=5)
    right = {
        d.question: next(o.key for o in questions[d.question].options if o.points == 5)
        for d in drawn
    }
    result = score(SKD, drawn, questions, right)
    assert (result.of("twk"), result.of("tiu"), result.of("tkp"), result.total) == (
        150,
        175,
        225,
        550,
    )
    assert score(SKD, drawn, questions, {}).total == 0
    with pytest.raises(ValueError, match="not in the sitting"):
        score(SKD, drawn, questions, {999_999: "a"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"components": []}, "components"),
        ({"version": "1"}, "version"),
        ({"score_fields": {"twk": ["tiu"]}}, "not a component"),
        ({"score_fields": {"a": ["twk"], "b": ["twk"]}}, "counted twice"),
        ({"score_fields": {"a": []}}, "non-empty list"),
        ({"score_fields": ["twk"]}, "score_fields"),
    ],
)
def test_a_bad_blueprint_says_where(change: dict[str, object], message: str) -> None:
    data = {
        "code": "x",
        "version": 1,
        "source": "s",
        "duration_minutes": 10,
        "components": [
            {
                "code": "twk",
                "name": "TWK",
                "style": "right_wrong",
                "questions": 2,
                "options": 5,
                "right_points": 5,
                "draw": [{"count": 2}],
            }
        ],
    }
    assert blueprint_from_dict(data).maximum == 10
    with pytest.raises(ValueError, match=message):
        blueprint_from_dict({**data, **change})


def test_draw_counts_that_do_not_add_up_are_refused() -> None:
    component = {
        "code": "twk",
        "name": "TWK",
        "style": "right_wrong",
        "questions": 3,
        "options": 5,
        "right_points": 5,
        "draw": [{"count": 2}],
    }
    data = {"code": "x", "version": 1, "source": "s", "duration_minutes": 10}
    with pytest.raises(ValueError, match="add up to 2, not 3"):
        blueprint_from_dict({**data, "components": [component]})


answer_keys = st.sampled_from((None, "", *KEYS))


@given(st.integers(min_value=0, max_value=2**63), st.lists(answer_keys, min_size=110, max_size=110))
def test_a_score_never_exceeds_the_maximum_and_the_same_answers_score_the_same(
    seed: int, choices: list[str | None]
) -> None:
    bank = skd_bank(extra=3)
    questions = {q.id: q for q in bank}
    drawn = draw(SKD, bank, seed=seed)
    answers = {d.question: choice for d, choice in zip(drawn, choices, strict=True)}
    first = score(SKD, drawn, questions, answers)
    again = score(SKD, drawn, questions, dict(reversed(list(answers.items()))))
    assert first == again
    for component in SKD.components:
        assert 0 <= first.of(component.code) <= component.maximum
    assert first.total <= SKD.maximum
    blank_twk = sum(
        1 for d, c in zip(drawn, choices, strict=True) if d.component == "twk" and not c
    )
    assert first.of("twk") <= (30 - blank_twk) * 5


@given(st.integers(min_value=0, max_value=2**63))
def test_every_draw_is_a_valid_sitting(seed: int) -> None:
    bank = skd_bank(extra=5)
    drawn = draw(SKD, bank, seed=seed)
    assert len(drawn) == 110 == sum(c.questions for c in SKD.components)
    assert len({d.question for d in drawn}) == 110
    by_id = {q.id: q for q in bank}
    assert all(by_id[d.question].component == d.component for d in drawn)


def test_a_graded_components_maximum_follows_its_highest_option() -> None:
    tkp = SKD.component("tkp")
    assert replace(tkp, highest=4).maximum == 180


def test_the_pppk_guru_2021_maxima_match_the_ranking_policy() -> None:
    pppk = load_blueprint("pppk-guru-2021")
    assert [(c.code, c.maximum) for c in pppk.components] == [
        ("teknis", 500),
        ("manajerial", 100),
        ("sosiokultural", 100),
        ("wawancara", 40),
    ]
    policy = load_ranking_policy("pppk-guru-2021").pppk
    assert policy is not None
    maxima = {
        field: sum(pppk.component(code).maximum for code in codes)
        for field, codes in pppk.score_fields
    }
    assert maxima == {
        "teknis": policy.teknis_maximum,
        "manajerial_sosiokultural": policy.manajerial_sosiokultural_maximum,
        "wawancara": policy.wawancara_maximum,
    }


def test_the_mitra_test_total_is_the_ranking_policys_test_score() -> None:
    mitra = load_blueprint("mitra-bps-2024")
    policy = load_ranking_policy("mitra-bps-2024").mitra
    assert policy is not None
    assert mitra.stage == "mitra"
    assert mitra.maximum == policy.test_maximum == 100


def test_stage_values_sum_the_components_of_each_field() -> None:
    pppk = load_blueprint("pppk-guru-2021")
    result = SittingScore(
        (("teknis", 350), ("manajerial", 70), ("sosiokultural", 66), ("wawancara", 30))
    )
    assert stage_values(pppk, result) == {
        "teknis": 350,
        "manajerial_sosiokultural": 136,
        "wawancara": 30,
    }
    skd = stage_values(SKD, SittingScore((("twk", 90), ("tiu", 100), ("tkp", 170))))
    assert skd == {"twk": 90, "tiu": 100, "tkp": 170}
