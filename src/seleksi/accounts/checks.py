from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


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


@register(Tags.security, deploy=True)
def proxies_named(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Behind a reverse proxy every request comes from the proxy's address unless the proxy
    is named: limits per address would then count all visitors as one."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.SELEKSI_TRUSTED_PROXIES:
        return [
            Warning(
                "SELEKSI_BEHIND_PROXY is on but SELEKSI_TRUSTED_PROXIES is empty: every "
                "visitor has the proxy's address, and sign-in limits count them together.",
                hint="Set SELEKSI_TRUSTED_PROXIES to the proxy's address, e.g. 127.0.0.1.",
                id="seleksi.accounts.W001",
            )
        ]
    return []
