"""Services refuse with one exception family, whose message the page shows."""

import importlib
import inspect
import pkgutil

from django.utils import translation

import seleksi
from seleksi.audit.models import AppendOnlyError
from seleksi.core.errors import ServiceRefused
from seleksi.scoring.engine import RankingInputError
from seleksi.scoring.messages import InputProblem, refusal
from seleksi.selections.tables import TableFileError

# Not refusals of a request: a programming error the audit trail raises when code tries to
# rewrite history.
NOT_REFUSALS = {AppendOnlyError}


def seleksi_exception_classes() -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    for module_info in pkgutil.walk_packages(seleksi.__path__, "seleksi."):
        name = module_info.name
        if ".rules" in name or ".migrations" in name or name.endswith(("wsgi", "__main__")):
            continue
        module = importlib.import_module(name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            private = value.__name__.startswith("_")  # a signal that never leaves its module
            if value.__module__ == name and issubclass(value, BaseException) and not private:
                found.add(value)
    return found


def test_every_exception_a_service_raises_is_a_service_refusal() -> None:
    classes = seleksi_exception_classes() - NOT_REFUSALS - {ServiceRefused}
    assert RankingInputError in classes and TableFileError in classes
    outside = sorted(cls.__qualname__ for cls in classes if not issubclass(cls, ServiceRefused))
    assert outside == []


def test_a_refusal_is_worded_in_the_readers_language_when_shown() -> None:
    error = TableFileError("too_large", limit=10)
    with translation.override("en"):
        english = error.message
    with translation.override("id"):
        indonesian = error.message
    assert "10" in english and "10" in indonesian and english != indonesian
    many = RankingInputError([refusal(InputProblem.STAGE_UNAVAILABLE)] * 2)
    with translation.override("en"):
        assert many.message == "; ".join(many.texts) and len(many.texts) == 2
        assert str(many) == many.message
