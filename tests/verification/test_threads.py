"""Verification writes racing in threads, each on its own connection. Kept apart from the
modules that use the `scene` fixture, whose demo data sits in a transaction held open for
the whole module (other connections would wait on it)."""

import pytest

from seleksi.verification import services
from seleksi.verification.models import RejectionReason
from tests.concurrency import at_once
from tests.factories import make_agency, make_selection


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_uses_at_once_make_one_list_of_reasons() -> None:
    selection = make_selection(make_agency())
    outcomes = at_once(
        lambda: services.reasons_ensure(selection), lambda: services.reasons_ensure(selection)
    )
    assert outcomes == [None, None]
    codes = list(RejectionReason.objects.filter(selection=selection).values_list("code", flat=True))
    assert sorted(codes) == sorted(code for code, _text in services.default_reasons("casn"))
