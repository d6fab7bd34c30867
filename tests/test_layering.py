"""The floors hold (docs/architecture.md): every module of an app, its tests included, imports only from its own
floor and the floors below; crm_site, the ground, imports no app but in its root URLconf; no app imports demo.

Imports are read from the source (ast), function-level ones too, so an import hidden inside a function to
dodge a cycle counts as well. A test that needs a higher floor belongs on that floor, or in the top-level tests/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# bottom to top
FLOORS = ("branches", "customers", "accounts", "transactions", "scoring", "campaigns", "propensity", "counter",
          "teller")
GROUND = "crm_site"
# the root URLconf mounts every app's URLs (and the two-factor login form)
GROUND_MAY_IMPORT_APPS = {Path("crm_site/urls.py")}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for each absolute import in the file; relative imports stay inside their package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def modules_of(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def upward_imports(package: str) -> list[str]:
    """'path:line imports module' for each import of `package`'s modules that reaches above its floor."""
    ceiling = FLOORS.index(package) if package in FLOORS else -1
    found = []
    for path in modules_of(package):
        relative = path.relative_to(ROOT)
        for line, module in imported_modules(path):
            top = module.split(".")[0]
            if top == "demo":
                bad = True
            elif top in FLOORS:
                bad = FLOORS.index(top) > ceiling and relative not in GROUND_MAY_IMPORT_APPS
            else:
                bad = False
            if bad:
                found.append(f"{relative}:{line} imports {module}")
    return found


@pytest.mark.parametrize("package", [GROUND, *FLOORS])
def test_no_module_imports_from_a_higher_floor(package):
    assert upward_imports(package) == []


def test_the_check_reads_imports_inside_functions_and_test_modules(tmp_path, monkeypatch):
    """The check above can fail: a test module of customers importing teller inside a function is caught."""
    tests = tmp_path / "customers" / "tests"
    tests.mkdir(parents=True)
    (tests / "test_up.py").write_text("def test_x():\n    from teller.selectors import customer_360\n")
    (tmp_path / "customers" / "ok.py").write_text("from branches.models import Branch\nfrom . import models\n")
    monkeypatch.setattr(__name__ + ".ROOT", tmp_path)
    assert upward_imports("customers") == ["customers/tests/test_up.py:2 imports teller.selectors"]
