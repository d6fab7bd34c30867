"""The demo logins file: the staff usernames and the passwords this or an earlier run set."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .reference import BRANCHES

NOT_KNOWN = "(unknown)"  # in the logins file, for a password set before it was written


@dataclass
class DemoLogin:
    username: str
    role: str
    branch: str
    password: str | None  # known when this run created the user, or from the logins file
    created: bool = False


def logins_path() -> Path:
    return Path(settings.DATA_DIR) / "demo-logins.txt"


LOGINS_HEADER = """\
# Branch CRM demo logins, written by `manage.py seed_demo` (development data only).
# A password is set only when its user is created; reset one with `manage.py changepassword USERNAME`.
"""


def _logins_file_update(*, path: Path, logins: list[DemoLogin]) -> bool:
    """Write the file when this run created a user or the file is missing; keep every password it knows."""
    created = any(login.created for login in logins)
    if not logins or (path.exists() and not created):
        return False
    known = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2 and not line.startswith("#"):
                known[parts[0]] = parts[1]
    branch_names = {b.code: b.name for b in BRANCHES}
    lines = []
    for login in logins:
        if login.password is None and known.get(login.username, NOT_KNOWN) != NOT_KNOWN:
            login.password = known[login.username]
        password = login.password or NOT_KNOWN
        lines.append(f"{login.username:<12} {password:<18} {login.role:<8} {login.branch} "
                     f"{branch_names[login.branch]}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        f.write(LOGINS_HEADER + "\n".join(lines) + "\n")
    path.chmod(0o600)  # a file that was there before keeps its old mode through os.open
    return True
