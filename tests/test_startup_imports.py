"""What every process loads at start-up: the heavy libraries only the processes that use them import.

scikit-learn with SciPy (propensity training and scoring) and pypinyin's dictionaries (converting a name) were
85 MB and 56 MB of every gunicorn and Celery worker, and put the ingest worker over its memory target
(bench/README.md, transaction ingest).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as a web worker has them
import crm_site.celery  # and every task module, as a worker has them
from crm_site.celery import app
app.loader.import_default_modules()
print("loaded:" + ",".join(sorted(name for name in ("sklearn", "scipy", "pypinyin") if name in sys.modules)))
"""


def test_a_process_starts_without_scikit_learn_scipy_or_pypinyin():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crm_site.settings.test", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603 - this interpreter, the test's own code
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "loaded:", result.stdout
