"""No hidden import cycles (issue 16): in the apps whose services queue work, no module imports inside a
function to get round a cycle, services never import their app's tasks, and the advisory locks and the
broker/database error tuples have one definition each (crm_site/locks.py, crm_site/retry.py)."""

import ast
import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = ("transactions", "scoring", "campaigns")
PROJECT_DIRS = ("crm_site", "branches", "customers", "accounts", "transactions", "scoring", "campaigns",
                "propensity", "counter", "teller", "demo", "bench")


def _modules(*apps: str) -> list[Path]:
    return sorted(path for app in apps for path in (BASE_DIR / app).rglob("*.py")
                  if "tests" not in path.parts and "migrations" not in path.parts)


def _function_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [f"{path.relative_to(BASE_DIR)}:{node.lineno}" for node in ast.walk(function)
                      if isinstance(node, ast.Import | ast.ImportFrom)]
    return found


@pytest.mark.parametrize("app", APPS)
def test_no_module_imports_inside_a_function(app):
    # AppConfig.ready is where Django wants the late imports (plug-ins, checks): apps.py is exempt
    found = [place for path in _modules(app) if path.name != "apps.py" for place in _function_imports(path)]
    assert found == []


@pytest.mark.parametrize("app", APPS)
def test_services_do_not_import_the_tasks_of_their_app(app):
    tasks = re.compile(rf"^\s*(from {app} import tasks|from {app}\.tasks import|import {app}\.tasks"
                       rf"|from \.+tasks import|from \.+ import tasks)", re.MULTILINE)
    services = [path for path in _modules(app) if "services" in path.parts or path.stem == "services"]
    assert services
    assert [str(path.relative_to(BASE_DIR)) for path in services if tasks.search(path.read_text("utf-8"))] == []


@pytest.mark.parametrize(("pattern", "home"), [
    (r"pg_(try_)?advisory_(xact_)?(un)?lock\(", "crm_site/locks.py"),
    (r"^\s*BROKER_ERRORS\s*=", "crm_site/retry.py"),
    (r"^\s*TRANSIENT_DB_ERRORS\s*=", "crm_site/retry.py"),
])
def test_one_definition_of_the_lock_and_the_error_tuples(pattern, home):
    regex = re.compile(pattern, re.MULTILINE)
    found = sorted(str(path.relative_to(BASE_DIR)) for directory in PROJECT_DIRS
                   for path in (BASE_DIR / directory).rglob("*.py")
                   if "tests" not in path.parts and regex.search(path.read_text("utf-8")))
    assert found == [home]
