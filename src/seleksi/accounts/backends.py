from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from seleksi.rules.nik import normalise_number

from .crypto import lookup_hash
from .models import User


def canonical_identifier(identifier: str) -> str:
    """One spelling for every way of typing the same identifier: a NIK without its spaces,
    dots or dashes, an e-mail address or username without case."""
    text = identifier.strip()
    digits = normalise_number(text)
    if digits.isascii() and digits.isdigit():
        return digits
    return text.casefold()


def user_by_identifier(identifier: str) -> User | None:
    """The account a person means by what they typed: a NIK, an e-mail address, or (staff)
    a username. None when there is no such account."""
    text = identifier.strip()
    digits = normalise_number(text)
    if len(digits) == 16 and digits.isdigit():
        return User.objects.filter(nik_hash=lookup_hash(digits)).first()
    if "@" in text:
        return User.objects.filter(email__iexact=text).first()
    return User.objects.filter(username=text).first()


class IdentifierBackend(ModelBackend):
    """Sign in with NIK or e-mail (applicants) or username (staff console)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        user = user_by_identifier(username)
        if user is None:
            # Spend the same time as a real check, so timing does not reveal accounts.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
