"""Reads of the question bank for the committee's console: the questions themselves, which
of them a sitting has drawn, and the stages' tests.

Decisions worth knowing:

- Whether a question has been drawn is read from the sittings' `drawn` lists in Python, not
  with a JSON lookup in SQL: SQLite and PostgreSQL answer JSON containment differently, and a
  selection holds a few thousand sittings at most. A question drawn once stays drawn: the
  sitting keeps its id whether it is open or finished.
"""

from typing import Any

from django.db.models import QuerySet

from seleksi.selections.models import Selection

from .models import BankQuestion, Sitting, StageTest


def bank_question_list(
    *,
    selection: Selection,
    blueprint: str,
    component: str = "",
    topic: str = "",
    difficulty: str = "",
) -> QuerySet[BankQuestion]:
    """The bank's questions for `blueprint`, in the order they were added, narrowed by
    whichever of component, topic and difficulty is given."""
    questions = BankQuestion.objects.filter(selection=selection, blueprint=blueprint)
    if component:
        questions = questions.filter(component=component)
    if topic:
        questions = questions.filter(topic=topic)
    if difficulty:
        questions = questions.filter(difficulty=difficulty)
    return questions.order_by("pk")


def bank_question_get(*, selection: Selection, question: int) -> BankQuestion | None:
    return BankQuestion.objects.filter(selection=selection, pk=question).first()


def _drawn_lists(selection_id: int, blueprint: str) -> QuerySet[Sitting, Any]:
    return Sitting.objects.filter(selection_id=selection_id, blueprint=blueprint).values_list(
        "drawn", flat=True
    )


def drawn_question_ids(*, selection: Selection, blueprint: str) -> set[int]:
    """Every question of the bank that some sitting has drawn."""
    drawn: set[int] = set()
    for items in _drawn_lists(selection.pk, blueprint).iterator(chunk_size=200):
        drawn.update(int(item["question"]) for item in items)
    return drawn


def question_drawn(*, question: BankQuestion) -> bool:
    """Whether some sitting has drawn `question`."""
    for items in _drawn_lists(question.selection_id, question.blueprint).iterator(chunk_size=200):
        if any(item["question"] == question.pk for item in items):
            return True
    return False


def stage_tests(*, selection: Selection) -> dict[str, StageTest]:
    """The stages sat on Seleksi, by stage."""
    return {
        stage_test.stage: stage_test
        for stage_test in StageTest.objects.filter(selection=selection).select_related("set_by")
    }


def stages_started(*, selection: Selection) -> set[str]:
    """The stages of which some sitting has started (their blueprint can no longer change)."""
    return set(
        Sitting.objects.filter(selection=selection)
        .values_list("booking__stage", flat=True)
        .distinct()
    )
