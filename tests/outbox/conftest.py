from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.tasks import default_task_backend, task_backends


def _tasks_reset() -> None:
    from asgiref.local import Local

    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def tasks_backend(settings: Any) -> Iterator[Callable[[str], Any]]:
    """Switch the task backend (e.g. to Django's dummy one, which keeps what was enqueued)."""

    def use(path: str) -> Any:
        settings.TASKS = {"default": {"BACKEND": path}}
        _tasks_reset()
        return default_task_backend

    yield use
    _tasks_reset()


@pytest.fixture
def mailer(settings: Any) -> Callable[[str], None]:
    """Replace the mail server by one of the stand-ins in tests/outbox/mailers.py."""

    def use(name: str) -> None:
        settings.MAILERS = {"default": {"BACKEND": f"tests.outbox.mailers.{name}"}}

    return use
