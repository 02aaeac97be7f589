"""The production profile as written: `seleksi check --deploy` passes with its environment, and
the nginx configuration that scripts/prod-local generates from deploy/nginx/seleksi.conf is
valid for nginx.

Decisions worth knowing:

- `check --deploy` runs in a subprocess whose environment is only the profile's (sourced from
  the file scripts/prod-local writes, or read from deploy/seleksi.env.example), so the settings
  are read fresh and nothing of the test run's own environment leaks in.
- `--fail-level WARNING` turns any warning into a failure: the profile must be clean, not just
  free of errors.
- nginx is installed by scripts/test; on a machine without it the nginx test is skipped, except
  under CI, where a missing nginx fails it.
"""

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
PROD_LOCAL = ROOT / "scripts" / "prod-local"
ENV_EXAMPLE = ROOT / "deploy" / "seleksi.env.example"
NGINX_SITE = ROOT / "deploy" / "nginx" / "seleksi.conf"


def _bare_environment(state: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "PROD_LOCAL_DIR": str(state),
    }


def _check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seleksi", "check", "--deploy", "--fail-level", "WARNING"],
        env={**environment, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _example_values() -> dict[str, str]:
    """deploy/seleksi.env.example as systemd reads it: KEY=value, optional double quotes."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        values[name] = value
    return values


def test_the_profile_environment_passes_check_deploy(tmp_path: Path) -> None:
    state = tmp_path / "prod-local"
    written = subprocess.run(
        [str(PROD_LOCAL), "env"],
        env=_bare_environment(state),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert written.returncode == 0, written.stderr
    env_file = state / "env"
    assert env_file.stat().st_mode & 0o077 == 0, "the environment holds secrets: 0600"
    dumped = subprocess.run(
        ["bash", "-c", 'source "$1" && env -0', "_", str(env_file)],
        env=_bare_environment(state),
        capture_output=True,
        check=True,
    )
    environment = dict(
        entry.split("=", 1) for entry in dumped.stdout.decode().split("\0") if "=" in entry
    )
    assert environment["SELEKSI_HTTPS"] == "1"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["SELEKSI_S3_BUCKET"]

    result = _check_deploy(environment)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_a_variable_the_caller_exports_wins_over_the_profile_default(tmp_path: Path) -> None:
    state = tmp_path / "prod-local"
    environment = _bare_environment(state)
    subprocess.run([str(PROD_LOCAL), "env"], env=environment, capture_output=True, check=True)

    shown = subprocess.run(
        [
            "bash",
            "-c",
            'source "$1" && echo "$SELEKSI_LOG_FORMAT $SELEKSI_HTTPS"',
            "_",
            str(state / "env"),
        ],
        env={**environment, "SELEKSI_LOG_FORMAT": "text"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.split() == ["text", "1"]

    recorded = subprocess.run(
        [str(PROD_LOCAL), "env"],
        env={**environment, "SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "SELEKSI_LOGIN_MAX_FAILURES_PER_ADDRESS=100000" in recorded.stdout


def test_the_example_environment_passes_check_deploy_once_its_secrets_are_filled(
    tmp_path: Path,
) -> None:
    values = _example_values()
    placeholders = {name for name, value in values.items() if "CHANGE-ME" in value}
    assert {"SECRET_KEY", "SELEKSI_FIELD_KEYS", "SELEKSI_LOOKUP_KEY"} <= placeholders
    filled = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SELEKSI_FIELD_KEYS": Fernet.generate_key().decode(),
        "SELEKSI_LOOKUP_KEY": secrets.token_urlsafe(48),
    }
    for name in placeholders:
        values[name] = filled.get(name) or values[name].replace("CHANGE-ME", "secret")
    # The example's data directory is the servers' /srv/seleksi; settings create folders in it.
    values["SELEKSI_DATA_DIR"] = str(tmp_path / "data")

    result = _check_deploy({**_bare_environment(tmp_path), **values})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout + result.stderr


def test_the_generated_nginx_configuration_passes_nginx_t(tmp_path: Path) -> None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not nginx:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed: scripts/test installs it")
        pytest.skip("nginx is not installed (scripts/test installs it)")
    state = tmp_path / "prod-local"
    generated = subprocess.run(
        [str(PROD_LOCAL), "nginx-config", "--port", "8443"],
        env=_bare_environment(state),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert generated.returncode == 0, generated.stderr
    main = Path(generated.stdout.strip().splitlines()[-1])
    site = (main.parent / "seleksi.conf").read_text()
    assert "listen 127.0.0.1:8443 ssl" in site
    assert "location = /metrics" in site
    assert "client_max_body_size 12m;" in site

    tested = subprocess.run(
        [nginx, "-t", "-p", str(main.parent), "-c", str(main), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert tested.returncode == 0, tested.stderr
    assert "test is successful" in tested.stderr


def test_the_upload_limit_leaves_room_for_the_largest_upload() -> None:
    from seleksi.selections.tables import MAX_FILE_BYTES

    line = next(
        line.strip()
        for line in NGINX_SITE.read_text().splitlines()
        if "client_max_body_size" in line
    )
    megabytes = int(line.removeprefix("client_max_body_size").strip().rstrip(";").rstrip("m"))
    assert megabytes * 1024 * 1024 > MAX_FILE_BYTES
    assert megabytes * 1024 * 1024 <= 2 * MAX_FILE_BYTES
