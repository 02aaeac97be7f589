from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.exams.scene import TestScene, make_test_scene


@pytest.fixture
def scene(db: None) -> TestScene:
    return make_test_scene()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Stored files (photos, card archives) in a temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    yield tmp_path / "media"
