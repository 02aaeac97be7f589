from collections.abc import Callable
from typing import Any

import pytest

from tests.notices.world import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def mailer(settings: Any) -> Callable[[str], None]:
    """Replace the mail server by one of the stand-ins in tests/notices/mailers.py."""

    def use(name: str) -> None:
        settings.MAILERS = {"default": {"BACKEND": f"tests.notices.mailers.{name}"}}

    return use
