from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from seleksi.selections.demo import demo_load
from seleksi.selections.models import Stage


def open_registration(code: str) -> None:
    """Agencies change the schedule in the console; tests move the window around today."""
    today = timezone.localdate()
    Stage.objects.filter(selection__code=code, kind=Stage.Kind.REGISTRATION).update(
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=10)
    )


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    demo_load()
    open_registration("aceh-tengah-casn-2021")
    open_registration("bps-magetan-mitra-2024")
    yield
