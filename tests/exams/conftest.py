import pytest

from tests.exams.scene import TestScene, make_test_scene


@pytest.fixture
def scene(db: None) -> TestScene:
    return make_test_scene()
