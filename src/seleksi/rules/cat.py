"""Computer-assisted tests (CAT): scoring styles, test blueprints, each participant's drawn
set of questions, and the score of a sitting. Pure decisions; the sittings stage stores them.

Decisions worth knowing:

- A component (TWK, TIU, TKP, the PPPK competences, a mitra test) is scored in one style.
  Right/wrong: the one keyed option earns the component's points (TWK and TIU: 5), every
  other option 0. Graded: every option carries its own points within the component's range
  (TKP: 1 to 5). A question left blank earns 0 in both styles; there is no penalty.
- A component's maximum follows from its style and its number of questions (SKD 2021:
  30 × 5 = 150, 35 × 5 = 175, 45 × 5 = 225, 550 in all), so a blueprint cannot promise a
  maximum its questions cannot reach.
- A blueprint draws each component's questions by topic and difficulty ("" means any). The
  draw is reproducible: the same seed and the same bank give the same questions, in the same
  order, with the same order of options, whatever order the bank was read in and whatever
  Python runs it. Each question and each option is ranked by the SHA-256 of the seed and its
  id; a rule takes the lowest-ranked questions it admits. Without the seed, which is random
  and kept on the server, nobody can tell which questions a participant gets.
- Scores are integers: no rounding anywhere.
"""

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from seleksi.rules.policy_files import read_policy, shipped_codes

POLICY_PACKAGE = "seleksi.rules.policies.cat"
ANY = ""


class ScoringStyle(StrEnum):
    RIGHT_WRONG = "right_wrong"
    GRADED = "graded"


@dataclass(frozen=True, slots=True)
class Option:
    key: str
    points: int


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a bank, as the scoring needs it (the text lives in the database)."""

    id: int
    component: str
    options: tuple[Option, ...]
    topic: str = ANY
    difficulty: str = ANY

    def points_for(self, key: str | None) -> int:
        """The points of the chosen option; 0 when left blank. An option the question does
        not have is a ValueError: it never reaches the scoring from a valid answer."""
        if key is None or key == "":
            return 0
        for option in self.options:
            if option.key == key:
                return option.points
        raise ValueError(f"question {self.id} has no option {key!r}")


@dataclass(frozen=True, slots=True)
class DrawRule:
    """How many questions of one topic and difficulty a component draws ("" = any)."""

    count: int
    topic: str = ANY
    difficulty: str = ANY

    def admits(self, question: Question) -> bool:
        return (self.topic in (ANY, question.topic)) and (
            self.difficulty in (ANY, question.difficulty)
        )


@dataclass(frozen=True, slots=True)
class Component:
    code: str
    name: str
    style: ScoringStyle
    questions: int
    options: int
    right_points: int = 0
    """right/wrong: the points of the keyed option"""
    lowest: int = 0
    """graded: the fewest points an option may carry"""
    highest: int = 0
    """graded: the most points an option may carry"""
    draw: tuple[DrawRule, ...] = ()

    @property
    def maximum(self) -> int:
        per_question = self.right_points if self.style is ScoringStyle.RIGHT_WRONG else self.highest
        return self.questions * per_question


@dataclass(frozen=True, slots=True)
class Blueprint:
    code: str
    version: int
    source: str
    duration_minutes: int
    components: tuple[Component, ...]
    note: str = ""
    stage: str = ""
    """the selection stage whose score the test gives (skd, skb, pppk, mitra), or ""."""
    score_fields: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(field of the stage's score, the components summed into it), e.g. SKD's
    ("twk", ("twk",)) or a mitra test's ("test_score", (every component,))."""

    @property
    def maximum(self) -> int:
        return sum(component.maximum for component in self.components)

    def component(self, code: str) -> Component:
        for component in self.components:
            if component.code == code:
                return component
        raise LookupError(f"blueprint {self.code} has no component {code!r}")


# --- questions -----------------------------------------------------------------------------


class QuestionProblem(StrEnum):
    OPTION_COUNT = "option_count"  # expected, found
    DUPLICATE_OPTION = "duplicate_option"  # option
    NOT_ONE_KEY = "not_one_key"  # keyed: how many options carry the points
    WRONG_POINTS = "wrong_points"  # option, points, allowed
    OUT_OF_RANGE = "out_of_range"  # option, points, lowest, highest


def question_problems(
    component: Component, options: Sequence[Option]
) -> list[tuple[QuestionProblem, dict[str, object]]]:
    """What is wrong with a question's options for `component`'s style (empty when nothing)."""
    problems: list[tuple[QuestionProblem, dict[str, object]]] = []
    if len(options) != component.options:
        problems.append(
            (QuestionProblem.OPTION_COUNT, {"expected": component.options, "found": len(options)})
        )
    seen: set[str] = set()
    for option in options:
        if option.key in seen:
            problems.append((QuestionProblem.DUPLICATE_OPTION, {"option": option.key}))
        seen.add(option.key)
    if component.style is ScoringStyle.RIGHT_WRONG:
        for option in options:
            if option.points not in (0, component.right_points):
                problems.append(
                    (
                        QuestionProblem.WRONG_POINTS,
                        {
                            "option": option.key,
                            "points": option.points,
                            "allowed": f"0 / {component.right_points}",
                        },
                    )
                )
        keyed = sum(1 for option in options if option.points == component.right_points)
        if keyed != 1:
            problems.append((QuestionProblem.NOT_ONE_KEY, {"keyed": keyed}))
    else:
        for option in options:
            if not component.lowest <= option.points <= component.highest:
                problems.append(
                    (
                        QuestionProblem.OUT_OF_RANGE,
                        {
                            "option": option.key,
                            "points": option.points,
                            "lowest": component.lowest,
                            "highest": component.highest,
                        },
                    )
                )
    return problems


# --- drawing a participant's questions -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DrawnQuestion:
    """One question of a participant's sitting, with the order its options are shown in."""

    question: int
    component: str
    option_order: tuple[str, ...]


class DrawShortfall(ValueError):
    """The bank has too few questions for a draw rule: nothing is drawn."""

    def __init__(self, component: str, rule: DrawRule, available: int) -> None:
        super().__init__(
            f"{component}: {rule.count} questions wanted (topic {rule.topic or 'any'}, "
            f"difficulty {rule.difficulty or 'any'}), {available} in the bank"
        )
        self.component = component
        self.rule = rule
        self.available = available


def _rank(seed: int, *parts: object) -> bytes:
    return hashlib.sha256(":".join(str(part) for part in (seed, *parts)).encode()).digest()


def draw(blueprint: Blueprint, bank: Iterable[Question], seed: int) -> tuple[DrawnQuestion, ...]:
    """The questions of one sitting: per component in the blueprint's order, each rule's count
    drawn without repetition from the questions it admits, the component's questions in a
    shuffled order, and each question's options shuffled; all from `seed`. A rule the bank
    cannot fill raises DrawShortfall."""
    by_component: dict[str, list[tuple[bytes, Question]]] = {}
    for question in bank:
        by_component.setdefault(question.component, []).append(
            (_rank(seed, "q", question.component, question.id), question)
        )
    drawn: list[DrawnQuestion] = []
    for component in blueprint.components:
        left = sorted(by_component.get(component.code, []), key=lambda pair: pair[0])
        chosen: list[tuple[bytes, Question]] = []
        for rule in component.draw:
            pool = [pair for pair in left if rule.admits(pair[1])]
            if len(pool) < rule.count:
                raise DrawShortfall(component.code, rule, len(pool))
            picked = pool[: rule.count]
            chosen.extend(picked)
            taken = {question.id for _, question in picked}
            left = [pair for pair in left if pair[1].id not in taken]
        for _, question in sorted(chosen, key=lambda pair: _rank(seed, "o", pair[1].id)):
            ranked = sorted((_rank(seed, "k", question.id, o.key), o.key) for o in question.options)
            keys = tuple(key for _, key in ranked)
            drawn.append(DrawnQuestion(question.id, component.code, keys))
    return tuple(drawn)


# --- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SittingScore:
    components: tuple[tuple[str, int], ...]
    """(component code, score) in the blueprint's order"""

    @property
    def total(self) -> int:
        return sum(score for _, score in self.components)

    def of(self, code: str) -> int:
        return dict(self.components)[code]


def stage_values(blueprint: Blueprint, result: SittingScore) -> dict[str, int]:
    """The stage's score fields from a sitting's component scores, by the blueprint's
    `score_fields` (empty when the blueprint gives no stage score)."""
    return {
        field: sum(result.of(code) for code in components)
        for field, components in blueprint.score_fields
    }


def score(
    blueprint: Blueprint,
    drawn: Sequence[DrawnQuestion],
    questions: Mapping[int, Question],
    answers: Mapping[int, str | None],
) -> SittingScore:
    """The score of a sitting: the points of each drawn question's chosen option, per
    component; a question not answered (or answered blank) earns 0. An answer to a question
    that was not drawn is a ValueError."""
    drawn_ids = {item.question for item in drawn}
    stray = sorted(set(answers) - drawn_ids)
    if stray:
        raise ValueError(f"answers to questions not in the sitting: {stray[:5]}")
    totals = {component.code: 0 for component in blueprint.components}
    for item in drawn:
        totals[item.component] += questions[item.question].points_for(answers.get(item.question))
    return SittingScore(tuple(totals.items()))


# --- blueprints as data ----------------------------------------------------------------------


def blueprint_codes() -> tuple[str, ...]:
    return shipped_codes(POLICY_PACKAGE)


@cache
def load_blueprint(code: str) -> Blueprint:
    """The shipped blueprint `policies/cat/<code>.json`; a LookupError for a code not shipped."""
    blueprint = blueprint_from_dict(read_policy(POLICY_PACKAGE, code, "test blueprint"))
    if blueprint.code != code:
        raise ValueError(f"{code}.json holds the blueprint {blueprint.code!r}")
    return blueprint


def _fields(
    value: object, where: str, required: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected an object")
    missing = [key for key in required if key not in value]
    unknown = [key for key in value if key not in required and key not in optional]
    if missing or unknown:
        raise ValueError(f"{where}: missing {missing}, unknown {unknown}")
    return value


def _whole(value: object, where: str, *, least: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{where}: expected a whole number of at least {least}")
    return value


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected text")
    return value


def blueprint_from_dict(data: object) -> Blueprint:
    """Read a blueprint from JSON data; anything unexpected is a ValueError that says where."""
    fields = _fields(
        data,
        "blueprint",
        ("code", "version", "source", "duration_minutes", "components"),
        ("note", "stage", "score_fields"),
    )
    if not isinstance(fields["components"], list) or not fields["components"]:
        raise ValueError("blueprint.components: expected a non-empty list")
    components = tuple(
        _component(entry, f"components[{index}]")
        for index, entry in enumerate(fields["components"])
    )
    codes = [component.code for component in components]
    if len(set(codes)) != len(codes):
        raise ValueError("blueprint.components: a component code appears twice")
    return Blueprint(
        code=_text(fields["code"], "code"),
        version=_whole(fields["version"], "version", least=1),
        source=_text(fields["source"], "source"),
        duration_minutes=_whole(fields["duration_minutes"], "duration_minutes", least=1),
        components=components,
        note=_text(fields.get("note", ""), "note"),
        stage=_text(fields.get("stage", ""), "stage"),
        score_fields=_score_fields(fields.get("score_fields", {}), set(codes)),
    )


def _score_fields(value: object, codes: set[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`{"field": ["component", …]}`: each component in at most one field."""
    if not isinstance(value, dict):
        raise ValueError("score_fields: expected an object")
    used: set[str] = set()
    fields: list[tuple[str, tuple[str, ...]]] = []
    for field, components in value.items():
        where = f"score_fields.{field}"
        if not isinstance(components, list) or not components:
            raise ValueError(f"{where}: expected a non-empty list of component codes")
        for code in components:
            if code not in codes:
                raise ValueError(f"{where}: {code!r} is not a component")
            if code in used:
                raise ValueError(f"{where}: {code!r} is counted twice")
            used.add(code)
        fields.append((field, tuple(components)))
    return tuple(fields)


def _component(value: object, where: str) -> Component:
    fields = _fields(
        value,
        where,
        ("code", "name", "style", "questions", "options", "draw"),
        ("right_points", "lowest", "highest"),
    )
    try:
        style = ScoringStyle(fields["style"])
    except ValueError as error:
        raise ValueError(f"{where}.style: one of {[s.value for s in ScoringStyle]}") from error
    questions = _whole(fields["questions"], f"{where}.questions", least=1)
    if style is ScoringStyle.RIGHT_WRONG:
        right_points = _whole(fields.get("right_points"), f"{where}.right_points", least=1)
        lowest = highest = 0
    else:
        right_points = 0
        lowest = _whole(fields.get("lowest"), f"{where}.lowest")
        highest = _whole(fields.get("highest"), f"{where}.highest", least=max(lowest, 1))
    if not isinstance(fields["draw"], list) or not fields["draw"]:
        raise ValueError(f"{where}.draw: expected a non-empty list")
    rules = []
    for index, entry in enumerate(fields["draw"]):
        rule = _fields(entry, f"{where}.draw[{index}]", ("count",), ("topic", "difficulty"))
        rules.append(
            DrawRule(
                _whole(rule["count"], f"{where}.draw[{index}].count", least=1),
                _text(rule.get("topic", ANY), f"{where}.draw[{index}].topic"),
                _text(rule.get("difficulty", ANY), f"{where}.draw[{index}].difficulty"),
            )
        )
    if sum(rule.count for rule in rules) != questions:
        raise ValueError(
            f"{where}.draw: the counts add up to {sum(r.count for r in rules)}, not {questions}"
        )
    return Component(
        code=_text(fields["code"], f"{where}.code"),
        name=_text(fields["name"], f"{where}.name"),
        style=style,
        questions=questions,
        options=_whole(fields["options"], f"{where}.options", least=2),
        right_points=right_points,
        lowest=lowest,
        highest=highest,
        draw=tuple(rules),
    )
