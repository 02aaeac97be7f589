import pytest

from tests.accounts.helpers import CommitClient


@pytest.fixture
def client() -> CommitClient:
    return CommitClient()
