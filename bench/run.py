"""`make bench`: every benchmark of DESIGN §10 in one run, against DATABASE_URL (or the embedded one).

    python bench/run.py [search|ingest|import|scoring|campaigns|counter|propensity ...] [--quick]

Without names it runs them all. The figures go to stdout (and each script's JSON, if it keeps one,
under bench/results/); write them into bench/README.md with the dataset they were measured on.

--quick runs small sizes, to check the scripts work, not to measure (CI runs it: `.ci/run`). It brings
its own data: it migrates the database and, when it holds no customer, seeds QUICK_CUSTOMERS demo
customers (`seed_demo`), so it works from an empty database.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
QUICK_CUSTOMERS = 300

SCRIPTS = {
    # teller search and 360 latency over HTTP against gunicorn, 1 and 4 users
    "search": (["http_latency.py"], ["http_latency.py", "--requests", "10"]),
    # ingest of a transactions feed against a raw COPY of the same rows, and the worker's peak RSS
    "ingest": (["ingest.py"], ["ingest.py", "--rows", "5000"]),
    # master-data import: 100,000 customers and 200,000 accounts
    "import": (["import_customers.py", "--fresh"],
               ["import_customers.py", "--fresh", "--customers", "500", "--accounts", "1000"]),
    # full score refresh against the raw SQL aggregates alone, and an incremental one after a batch
    "scoring": (["scoring.py"], ["scoring.py", "--rounds", "1", "--batch-rows", "500"]),
    # campaign fan-out and send into the outbox for a 100,000-customer audience
    "campaigns": (["campaign_fanout.py", "--reuse"], ["campaign_fanout.py", "--customers", "500"]),
    # counter: call-next with 50 counters calling at once, ticket issue at 200 tickets a minute, over HTTP
    "counter": (["counter.py"], ["counter.py", "--counters", "3", "--rounds", "1", "--tickets", "5", "--rate", "600",
                            "--steady-calls", "5", "--call-rate", "600"]),
    # next-best offer: train and score one product over a synthetic population
    "propensity": (["propensity.py"], ["propensity.py", "--customers", "600", "--transactions", "1"]),
}


def quick_data() -> None:
    """What the quick runs need from an empty database: its tables, and demo customers with accounts and
    transactions (search, ingest and scoring read them; the other scripts build their own)."""
    manage = [sys.executable, str(BENCH.parent / "manage.py")]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "crm_site.settings.dev")}
    print(f"\n==== quick data: migrate, seed_demo --if-empty --customers {QUICK_CUSTOMERS}", flush=True)
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], check=True, env=env)
    subprocess.run([*manage, "seed_demo", "--if-empty", "--customers", str(QUICK_CUSTOMERS)], check=True, env=env,
                   stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(SCRIPTS))
    parser.add_argument("--quick", action="store_true", help="small sizes: check the scripts, measure nothing")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(SCRIPTS)
    if unknown:
        parser.error(f"unknown benchmark {', '.join(sorted(unknown))}; choose from {', '.join(SCRIPTS)}")
    if args.quick:
        quick_data()
    failed = []
    for name in args.names or list(SCRIPTS):
        script, *options = SCRIPTS[name][1 if args.quick else 0]
        command = [sys.executable, str(BENCH / script), *options]
        print(f"\n==== {name}: {' '.join(command[1:])}", flush=True)
        started = time.monotonic()
        code = subprocess.run(command, check=False).returncode
        print(f"---- {name}: {'ok' if code == 0 else f'FAILED (exit {code})'} in {time.monotonic() - started:.0f} s",
              flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
