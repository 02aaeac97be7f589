import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from seleksi.__main__ import main


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client: Client) -> None:
    with mock.patch("seleksi.core.views.connection.cursor", side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.django_db
def test_behind_https_a_plain_http_probe_of_healthz_gets_200_not_a_redirect(
    client: Client, settings: Any
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    probe = client.get("/healthz")
    assert probe.status_code == 200 and probe.content == b"ok\n"
    assert client.get("/healthz", secure=True).status_code == 200
    for page in ("/", "/akun/masuk/", "/healthz/", "/healthzx", "/kelola/healthz"):
        response = client.get(page)
        assert response.status_code == 301, page
        assert response["Location"].startswith("https://"), page


@pytest.mark.django_db
def test_unknown_pages_get_a_translated_404(client: Client) -> None:
    response = client.get("/tidak-ada/")
    assert response.status_code == 404


def test_the_console_script_accepts_hyphenated_command_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["seleksi", "load-demo", "--help"])
    assert exit_info.value.code == 0
    assert "demo" in capsys.readouterr().out


def test_the_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    outside = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **outside,
        "SECRET_KEY": "k" * 30 + "-production-only-secret-value-0123456789",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "seleksi.example.go.id",
        "SELEKSI_HTTPS": "1",
        "SELEKSI_HSTS_PRELOAD": "1",
        "SELEKSI_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.go.id",
        "SELEKSI_FIELD_KEYS": "tPnv3mvU3pw1DQ8yDk2yM0mKz2e6Yp4w8bL1qX0s9Ac=",
        "SELEKSI_LOOKUP_KEY": "l" * 40,
        "SELEKSI_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "seleksi", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    insecure = subprocess.run(
        [sys.executable, "-m", "seleksi", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, "SELEKSI_HTTPS": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert insecure.returncode != 0
    assert "SECURE_SSL_REDIRECT" in insecure.stderr + insecure.stdout
    keyless = {
        k: v for k, v in env.items() if not k.startswith(("SELEKSI_FIELD", "SELEKSI_LOOKUP"))
    }
    missing_keys = subprocess.run(
        [sys.executable, "-m", "seleksi", "check", "--deploy"],
        env=keyless,
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing_keys.returncode != 0
    assert "seleksi.E001" in missing_keys.stderr and "seleksi.E002" in missing_keys.stderr


def test_the_embedded_default_keeps_a_generated_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env["SELEKSI_DATA_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "seleksi.settings"
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY, settings.DATABASES['default']['NAME'])"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert len(runs[0][0]) >= 50
    assert runs[0][1] == str(tmp_path / "seleksi.sqlite3")
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_every_model_select_offers_its_empty_choice_in_the_page_language() -> None:
    from django import forms
    from django.db.models.utils import get_blank_choice_label
    from django.utils import translation

    from seleksi.accounts.models import Profile

    form_class = forms.modelform_factory(Profile, fields=["disability_type"])
    for language, label in (("id", "— Pilih —"), ("en", "— Choose —")):
        with translation.override(language):
            assert str(get_blank_choice_label()) == label  # the console's selects read this
            html = str(form_class()["disability_type"])
        assert f'<option value="" selected>{label}</option>' in html
