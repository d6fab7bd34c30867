"""gunicorn's access log: the path without its query string, no Referer, the same wherever web starts (issue 11 §1)."""

import json
import re
import shlex
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# %(r)s is the request line and %(q)s the query string (both carry ?q=...), %(f)s and %({referer}i)s the Referer
LEAKING = ("%(r)s", "%(q)s", "%(f)s", "%({referer}i)s", "%({Referer}i)s")


def _gunicorn_options(command: str) -> dict[str, str]:
    words = shlex.split(command)
    start = words.index("gunicorn")
    return {word: words[i + 1] for i, word in enumerate(words[start:], start) if word.startswith("--")
            and i + 1 < len(words) and not words[i + 1].startswith("--")}


def _commands() -> dict[str, str]:
    procfile = next(line.split(":", 1)[1] for line in (ROOT / "Procfile").read_text().splitlines()
                    if line.startswith("web:"))
    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    dockerfile = json.loads(cmd)[-1]  # ["sh", "-c", "exec gunicorn ..."]
    compose = yaml.safe_load(  # PyYAML: installed with drf-spectacular
        (ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"][-1]
    return {"Procfile": procfile, "Dockerfile": dockerfile, "docker-compose.yml": compose}


def test_every_web_command_logs_the_path_without_query_string_or_referer():
    formats = {name: _gunicorn_options(command).get("--access-logformat") for name, command in _commands().items()}
    assert set(formats.values()) == {'%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'}, formats
    for name, command in _commands().items():
        assert _gunicorn_options(command)["--access-logfile"] == "-", name
        assert not any(leak in command for leak in LEAKING), name
