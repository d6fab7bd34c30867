"""Teller search and customer 360 latency over HTTP, against gunicorn (DESIGN §10).

Starts gunicorn (2 workers) on the configured database, logs a bench teller in, then sends
search queries of every kind (names, pinyin, initials, mobiles, ID numbers, account numbers)
and 360 page requests, first with 1 user and then with 4 concurrent users, and prints p50/p95.

    python bench/http_latency.py [--requests 400] [--port 8790]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.dev")

BENCH_USER = "bench_teller"


def setup_django():
    import django

    django.setup()


def bench_session() -> str:
    """A logged-in session for a bench teller (created once), as a cookie value."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from branches.models import Branch
    from branches.services import staff_create

    User = get_user_model()
    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = staff_create(username=BENCH_USER, password=os.urandom(16).hex(), branch=Branch.objects.first(),
                            role="teller")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(3600)
    session.save()
    return session.session_key


def sample_queries(n: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """Search terms of every kind the teller types, and customer numbers for the 360 page."""
    from accounts.models import Account
    from customers.models import Customer

    ids = list(Customer.objects.values_list("pk", flat=True))
    if not ids:
        raise SystemExit("no customers: load data first (manage.py seed_demo --customers N)")
    chosen = rng.sample(ids, min(n, len(ids)))
    by_id = Customer.objects.only("customer_no", "full_name", "name_pinyin", "name_initials", "mobile",
                                  "id_number").in_bulk(chosen)
    rows = [by_id[pk] for pk in chosen]
    accounts = list(Account.objects.filter(customer__in=rows).values_list("account_no", flat=True)[: n])
    queries = []
    for i, c in enumerate(rows):
        kind = i % 6
        if kind == 0:
            queries.append(c.full_name)
        elif kind == 1:
            queries.append(c.name_pinyin)
        elif kind == 2:
            queries.append(c.name_initials)
        elif kind == 3:
            queries.append(c.mobile[3:] if c.mobile.startswith("+86") else c.mobile)
        elif kind == 4:
            queries.append(c.id_number or c.full_name)
        else:
            queries.append(accounts[i % len(accounts)] if accounts else c.full_name)
    return queries, [c.customer_no for c in rows]


def start_gunicorn(port: int, options: list[str] | None = None) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:port with `options` (default: 2 sync workers), once it answers."""
    env = dict(os.environ)
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "crm_site.wsgi", "--bind", f"127.0.0.1:{port}",
         *(options if options is not None else ["--workers", "2"]), "--log-level", "warning"],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 180  # a loaded machine boots several workers slowly
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("gunicorn did not start")


CSRF = "benchcsrf0123456789abcdefghijklm"  # any 32 letters and digits: the cookie and the header must agree


def timed_get(opener, request: tuple[str, bytes | None]) -> float:
    url, data = request
    started = time.perf_counter()
    with opener.open(url, data=data, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
    return (time.perf_counter() - started) * 1000


def run(urls: list[tuple[str, bytes | None]], session_key: str, concurrency: int) -> list[float]:
    def worker(chunk: list[tuple[str, bytes | None]]) -> list[float]:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar),
                                             urllib.request.HTTPRedirectHandler())
        # HX-Request: the search answers with the results fragment, as for the live search box
        opener.addheaders = [("Cookie", f"sessionid={session_key}; csrftoken={CSRF}"), ("HX-Request", "true"),
                             ("X-CSRFToken", CSRF)]
        return [timed_get(opener, url) for url in chunk]

    chunks = [urls[i::concurrency] for i in range(concurrency)]
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return [t for times in pool.map(worker, chunks) for t in times]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario (default 400)")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    setup_django()
    from customers.models import Customer
    from transactions.models import Transaction

    rng = random.Random(args.seed)
    session_key = bench_session()
    queries, customer_nos = sample_queries(args.requests, rng)
    base = f"http://127.0.0.1:{args.port}"
    # the htmx partial is what the teller's live search posts (an identifier never goes into a URL)
    search_urls = [(f"{base}/search/", urllib.parse.urlencode({"q": q}).encode()) for q in queries]
    page_urls = [(f"{base}/customers/{no}/", None) for no in customer_nos]
    print(f"dataset: {Customer.objects.count():,} customers, {Transaction.objects.count():,} transactions")

    proc = start_gunicorn(args.port)
    try:
        run(search_urls[:20] + page_urls[:20], session_key, 2)  # warm up both workers
        for name, urls in (("search", search_urls), ("360 page", page_urls)):
            for users in (1, 4):
                started = time.perf_counter()
                times = run(urls, session_key, users)
                elapsed = time.perf_counter() - started
                print(f"{name:<9} {users} user{'s' if users > 1 else ' '}: n={len(times)} "
                      f"p50={statistics.median(times):6.1f} ms  p95={percentile(times, 95):6.1f} ms  "
                      f"max={max(times):6.1f} ms  {len(times) / elapsed:6.1f} req/s")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
