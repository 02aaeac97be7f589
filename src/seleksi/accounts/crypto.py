"""The identity numbers' encryption lives in the ground module `seleksi.core.crypto`, so that
apps below accounts (the outbox) can use it; these names stay importable from here."""

from seleksi.core.crypto import (
    decrypt_text,
    encrypt_text,
    lookup_hash,
    reset_key_cache,
    rotate,
)

__all__ = ["decrypt_text", "encrypt_text", "lookup_hash", "reset_key_cache", "rotate"]
