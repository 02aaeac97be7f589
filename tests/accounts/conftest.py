from collections.abc import Iterator

import pytest

from seleksi.accounts.selectors import security_question_pairs_forget
from tests.accounts.helpers import CommitClient


@pytest.fixture
def client() -> CommitClient:
    return CommitClient()


@pytest.fixture(autouse=True)
def _question_pairs_counted_afresh() -> Iterator[None]:
    """The decoy questions follow the accounts of each test, not those of an earlier one."""
    security_question_pairs_forget()
    yield
    security_question_pairs_forget()
