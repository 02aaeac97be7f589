"""Reads of the question bank, for the committee only: counts by component, topic and
difficulty, the bank as the draw needs it, and whether a blueprint can be drawn from it."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count

from seleksi.rules.cat import Blueprint, DrawShortfall, Option, Question, draw
from seleksi.selections.models import Selection

from .models import BankQuestion, Sitting, StageTest


def bank_counts(*, selection: Selection, blueprint: str) -> list[Any]:
    """Questions per component, topic and difficulty."""
    return list(
        BankQuestion.objects.filter(selection=selection, blueprint=blueprint)
        .values("component", "topic", "difficulty")
        .annotate(questions=Count("pk"))
        .order_by("component", "topic", "difficulty")
    )


def bank_questions(*, selection: Selection, blueprint: str) -> list[Question]:
    """The bank as `rules.cat.draw` and `score` read it: ids, components and points."""
    return [
        Question(
            pk,
            component,
            tuple(Option(option["key"], option["points"]) for option in options),
            topic,
            difficulty,
        )
        for pk, component, options, topic, difficulty in BankQuestion.objects.filter(
            selection=selection, blueprint=blueprint
        )
        .order_by("pk")
        .values_list("pk", "component", "options", "topic", "difficulty")
    ]


@dataclass(frozen=True)
class DrawCheck:
    ready: bool
    shortfall: DrawShortfall | None = None


def draw_check(*, selection: Selection, blueprint: Blueprint) -> DrawCheck:
    """Whether every draw rule of `blueprint` can be filled from the bank (a trial draw)."""
    try:
        draw(blueprint, bank_questions(selection=selection, blueprint=blueprint.code), seed=0)
    except DrawShortfall as shortfall:
        return DrawCheck(False, shortfall)
    return DrawCheck(True)


def questions_by_id(ids: list[int]) -> dict[int, Question]:
    """The drawn questions with their points, for scoring a sitting."""
    return {
        pk: Question(pk, component, tuple(Option(o["key"], o["points"]) for o in options))
        for pk, component, options in BankQuestion.objects.filter(pk__in=ids).values_list(
            "pk", "component", "options"
        )
    }


def stage_blueprint(*, selection: Selection, stage: str) -> str | None:
    """The blueprint the stage is sat with on Seleksi, or None (an outside CAT's file)."""
    return (
        StageTest.objects.filter(selection=selection, stage=stage)
        .values_list("blueprint", flat=True)
        .first()
    )


def sittings_due(*, now: datetime, grace: timedelta) -> list[int]:
    """Open sittings whose time and grace are over: the server closes them."""
    return list(
        Sitting.objects.filter(status=Sitting.Status.OPEN, ends_at__lt=now - grace)
        .order_by("ends_at")
        .values_list("pk", flat=True)
    )
