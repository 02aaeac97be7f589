"""Encryption at rest and keyed lookup hashes, shared by every app that keeps secrets.

A NIK is never stored in clear: the row holds a Fernet token (to show it to its owner) and
an HMAC (to find the account and enforce uniqueness without decrypting every row). Queued
e-mails, which carry activation and reset links, are kept as Fernet tokens too. The keys come
from SELEKSI_FIELD_KEYS and SELEKSI_LOOKUP_KEY, or are derived from SECRET_KEY.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derived(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        settings.SECRET_KEY.encode()
    )


@cache
def _fernet() -> MultiFernet:
    keys = settings.SELEKSI_FIELD_KEYS or [
        base64.urlsafe_b64encode(_derived(b"seleksi field encryption")).decode()
    ]
    return MultiFernet([Fernet(key.encode()) for key in keys])


@cache
def _lookup_key() -> bytes:
    configured: str = settings.SELEKSI_LOOKUP_KEY
    return configured.encode() if configured else _derived(b"seleksi lookup hash")


def encrypt_text(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        raise ValueError("the value cannot be decrypted with the configured keys") from error


def lookup_hash(value: str) -> str:
    return hmac.new(_lookup_key(), value.encode(), hashlib.sha256).hexdigest()


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (after adding one in front of SELEKSI_FIELD_KEYS)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def reset_key_cache() -> None:
    _fernet.cache_clear()
    _lookup_key.cache_clear()
