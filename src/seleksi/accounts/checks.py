from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def identity_keys_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """In production the NIK encryption and lookup keys must not hang on SECRET_KEY, which
    operators rotate for other reasons."""
    problems: list[CheckMessage] = []
    if not settings.SELEKSI_FIELD_KEYS:
        problems.append(
            Error(
                "SELEKSI_FIELD_KEYS is not set: NIK and KK are encrypted with a key derived "
                "from SECRET_KEY.",
                hint='Generate one with `python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"` and keep it in your secret store.',
                id="seleksi.E001",
            )
        )
    if len(settings.SELEKSI_LOOKUP_KEY) < 32:
        problems.append(
            Error(
                "SELEKSI_LOOKUP_KEY is missing or shorter than 32 characters.",
                hint="Set a long random value; changing it later requires rehashing NIK/KK.",
                id="seleksi.E002",
            )
        )
    return problems
