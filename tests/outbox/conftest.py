from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def mailer(settings: Any) -> Callable[[str], None]:
    """Replace the mail server by one of the stand-ins in tests/outbox/mailers.py."""

    def use(name: str) -> None:
        settings.MAILERS = {"default": {"BACKEND": f"tests.outbox.mailers.{name}"}}

    return use
