"""The import contract of pyproject.toml holds, and it catches a wrong arrow.

The wrong imports are written into a copy of the source tree, checked against the project's
own contract, so the test proves the contract that scripts/test runs rather than a sample.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "COLUMNS": "200"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def tree_copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "src" / "seleksi",
        tmp_path / "src" / "seleksi",
        ignore=shutil.ignore_patterns(
            "__pycache__", "templates", "static", "locale", "data", "policies"
        ),
    )
    return tmp_path


def test_the_source_tree_keeps_the_import_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "named"),
    [
        (
            "applications/services.py",
            "from seleksi.scoring.models import Score",
            "seleksi.applications.services -> seleksi.scoring.models",
        ),
        (
            "verification/selectors.py",
            "from seleksi.scoring import selectors",
            "seleksi.verification.selectors -> seleksi.scoring.selectors",
        ),
        (
            "audit/services.py",
            "from seleksi.accounts.models import User",
            "seleksi.audit.services -> seleksi.accounts.models",
        ),
        (
            "core/bulk.py",
            "from seleksi.agencies.permissions import user_can",
            "seleksi.core.bulk -> seleksi.agencies.permissions",
        ),
        (
            "outbox/services.py",
            "from seleksi.reference.models import Regency",
            "seleksi.outbox.services -> seleksi.reference.models",
        ),
        (
            "selections/services.py",
            "from seleksi.verification.models import RejectionReason",
            "seleksi.selections.services -> seleksi.verification.models",
        ),
        (
            "scoring/services.py",
            "from seleksi.console.scoping import AgencyScopedAdmin",
            "seleksi.scoring.services -> seleksi.console.scoping",
        ),
        (
            "verification/services.py",
            "from seleksi.committee import verification_views",
            "seleksi.verification.services -> seleksi.committee.verification_views",
        ),
        (
            "applications/services.py",
            "from seleksi.public.forms import FormationFilterForm",
            "seleksi.applications.services -> seleksi.public.forms",
        ),
        (
            "rules/nik.py",
            "from django.db import models",
            "seleksi.rules.nik -> django",
        ),
        (
            "rules/ranking.py",
            "from seleksi.core.bulk import rows_insert",
            "seleksi.rules.ranking -> seleksi.core.bulk",
        ),
    ],
)
def test_a_wrong_import_breaks_the_contract_and_is_named(
    tmp_path: Path, module: str, wrong_import: str, named: str
) -> None:
    root = tree_copy(tmp_path)
    with (root / "src" / "seleksi" / module).open("a") as source:
        source.write(f"\n{wrong_import}  # deliberately wrong\n")

    result = lint_imports(root)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert named in result.stdout


def test_an_exception_for_an_import_that_does_not_exist_fails_the_check(tmp_path: Path) -> None:
    """The contract has no exceptions left; one added for an import that is not there (the
    console's old rejection-reason inline) is refused rather than kept as a silent hole."""
    root = tree_copy(tmp_path)
    pyproject = root / "pyproject.toml"
    contract = pyproject.read_text()
    stale = '"seleksi.selections.admin -> seleksi.verification.models",'
    if "ignore_imports = [" in contract:
        contract = contract.replace("ignore_imports = [", f"ignore_imports = [\n    {stale}", 1)
    else:
        # the layers contract is the file's last table
        contract += f"ignore_imports = [{stale}]\n"
    pyproject.write_text(contract)

    result = lint_imports(root)

    assert result.returncode != 0
    assert "seleksi.selections.admin -> seleksi.verification.models" in (
        result.stdout + result.stderr
    )


DOMAIN_APPS = [
    "core",
    "agencies",
    "audit",
    "outbox",
    "reference",
    "accounts",
    "selections",
    "applications",
    "verification",
    "scoring",
]


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_a_domain_app_has_no_views_or_urls(app: str) -> None:
    """Pages live in the audience apps (public, applicant, committee); a domain app holds
    models, services and selectors. The health check is core's one view, outside the pages."""
    package = ROOT / "src" / "seleksi" / app
    pages = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.stem in {"urls", "views"} or path.stem.endswith("_views")
    )
    allowed = {"views.py"} if app == "core" else set()
    assert set(pages) <= allowed, pages


def test_the_rules_import_no_django_when_run() -> None:
    """Beyond what the contract reads: importing every rules module at run time loads no
    Django (nothing reaches it through importlib or a settings lookup)."""
    program = (
        "import importlib, pkgutil, sys\n"
        "import seleksi.rules as rules\n"
        "for found in pkgutil.walk_packages(rules.__path__, 'seleksi.rules.'):\n"
        "    importlib.import_module(found.name)\n"
        "print(sorted(n for n in sys.modules if n == 'django' or n.startswith('django.')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", program],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[]"
