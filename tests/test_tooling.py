"""make test runs ruff's bandit rules (S) and every exception says why; make audit runs pip-audit."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", ".data", "staticfiles", "node_modules", ".git", "test-artifacts"}


def _make_recipe(target: str) -> str:
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{target}:.*\n((?:\t.*\n?)+)", makefile, flags=re.MULTILINE)
    assert match, f"no {target} target in the Makefile"
    return match.group(1)


def test_make_test_runs_ruff_with_the_bandit_rules():
    assert "ruff check ." in _make_recipe("test")
    lint = tomllib.loads((BASE_DIR / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    assert not any(code.startswith("S") for code in lint.get("ignore", []))


def test_every_inline_bandit_exception_says_why():
    unexplained = []
    for path in BASE_DIR.rglob("*.py"):
        if SKIP_DIRS.intersection(path.relative_to(BASE_DIR).parts):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            noqa = re.search(r"#\s*noqa:\s*(S\d+(?:\s*,\s*[A-Z]+\d+)*)(.*)$", line)
            if noqa and not noqa.group(2).strip(" -—:"):
                unexplained.append(f"{path.relative_to(BASE_DIR)}:{number}")
    assert unexplained == [], "give the reason after the noqa: " + ", ".join(unexplained)


@pytest.mark.slow
def test_the_bandit_rules_find_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "S", "--quiet", "."],
                            cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_audit_runs_pip_audit_strictly_on_both_pinned_requirement_files():
    recipe = _make_recipe("audit")
    assert "pip-audit --strict" in recipe
    assert "-r requirements.txt" in recipe and "-r requirements-dev.txt" in recipe
    assert re.search(r"^pip-audit==\S+$", (BASE_DIR / "requirements-dev.txt").read_text(encoding="utf-8"), re.M)


def test_make_run_names_the_dev_settings_since_web_and_celery_default_to_production():
    makefile = (BASE_DIR / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run: export DJANGO_SETTINGS_MODULE = crm_site\.settings\.dev$", makefile, re.M)
