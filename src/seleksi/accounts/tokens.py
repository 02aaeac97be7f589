"""Signed, expiring, single-use links for activation, e-mail change and answer reset.

A token names the account and the state it was issued for (e.g. the e-mail it confirms or
the current answer hashes); once that state changes, the link no longer works.
"""

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core import signing

from .models import User


class LinkProblem(StrEnum):
    EXPIRED = "expired"
    INVALID = "invalid"
    USED = "used"


@dataclass(frozen=True)
class LinkCheck:
    user: User | None
    problem: LinkProblem | None
    payload: dict[str, Any]


def _state_fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_link_token(*, purpose: str, user: User, state: str, **extra: str) -> str:
    payload = {"u": user.pk, "s": _state_fingerprint(state), **extra}
    return signing.dumps(payload, salt=f"seleksi.{purpose}", compress=True)


def check_link_token(
    *, purpose: str, token: str, max_age_seconds: int, current_state: Any
) -> LinkCheck:
    """`current_state(user)` gives the state now; a link issued for another state is used."""
    try:
        payload = signing.loads(token, salt=f"seleksi.{purpose}", max_age=max_age_seconds)
    except signing.SignatureExpired:
        return LinkCheck(None, LinkProblem.EXPIRED, {})
    except signing.BadSignature:
        return LinkCheck(None, LinkProblem.INVALID, {})
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None:
        return LinkCheck(None, LinkProblem.INVALID, {})
    if _state_fingerprint(current_state(user)) != payload.get("s"):
        return LinkCheck(user, LinkProblem.USED, payload)
    return LinkCheck(user, None, payload)
