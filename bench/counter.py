"""Counter service latency over HTTP against gunicorn (DESIGN §10, issue 15).

Starts gunicorn (the Procfile's web options, or --gunicorn; the configured settings, run it with
`DEBUG=false`) on the configured database, sets up a bench branch (BENCH1) with --counters counters, a teller
at each (API tokens) and a kiosk, then:

1. ticket issue: the kiosk posts --tickets tickets at --rate a minute (open loop: one every 60/rate s, each
   on its own thread so a slow answer does not delay the next), 70 % with the mobile of a random customer
   (recognised, routed by tier), 30 % walk-ins; p50/p95/max of the 201s;
2. call-next, burst: --rounds rounds in which every counter calls next at the same instant (a barrier
   releases --counters threads at once), then marks its ticket done; p50/p95/max of the call-next answers,
   and a check that no ticket was called twice;
3. call-next, steady: --steady-calls calls arriving at --call-rate a minute, each at a free counter of the
   --counters (the rest are serving): the latency of one call on a busy morning.

    python bench/counter.py [--counters 50] [--rounds 10] [--tickets 300] [--rate 200]
                            [--steady-calls 300] [--call-rate 300] [--port 8791]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import shlex
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter as Tally
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings.dev")

from http_latency import percentile, setup_django, start_gunicorn  # noqa: E402

BRANCH = "BENCH1"
RESULTS = ROOT / "bench" / "results"
_DEFAULTED = re.compile(r"\$\{(\w+):-([^}]*)\}")  # ${WEB_WORKERS:-2}
_NOT_FOR_THE_BENCH = {"--bind", "--access-logfile", "--access-logformat"}  # its own port; no log line a request


def procfile_web_options(procfile: Path = ROOT / "Procfile") -> list[str]:
    """The worker options of the Procfile's web process (its ${VAR:-default}s from the environment), so that the
    bench measures what `web` runs; bind and access log are the bench's own."""
    line = next(line.split(":", 1)[1] for line in procfile.read_text().splitlines() if line.startswith("web:"))
    words = shlex.split(_DEFAULTED.sub(lambda m: os.environ.get(m.group(1)) or m.group(2), line))
    words = words[words.index("gunicorn") + 2:]  # after "gunicorn crm_site.wsgi"
    options, skip = [], False
    for i, word in enumerate(words):
        if skip:
            skip = False
        elif word in _NOT_FOR_THE_BENCH:
            skip = i + 1 < len(words) and not words[i + 1].startswith("--")
        else:
            options.append(word)
    return options


def prepare(counters: int) -> dict:
    """The bench branch, its counters, a teller at each (tokens) and a kiosk; today's bench tickets removed."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from branches import services as branch_services
    from branches.models import Branch
    from counter import services
    from counter.models import Counter, CounterKind, Ticket, TicketSequence
    from customers.models import Customer

    branch = branch_services.branch_upsert(code=BRANCH, name="压测支行", city="上海市")
    Ticket.objects.filter(branch=branch).delete()
    TicketSequence.objects.filter(branch=branch).delete()
    kinds = [CounterKind.INTEGRATED] * 3 + [CounterKind.VIP, CounterKind.CASH]
    tokens = []
    User = get_user_model()
    for i in range(counters):
        username = f"bench_counter_{i:02d}"
        user = User.objects.filter(username=username).first() or branch_services.staff_create(
            username=username, password=os.urandom(16).hex(), branch=branch, role="teller")
        counter, _ = Counter.objects.get_or_create(branch=branch, code=f"B{i:02d}", defaults={"kind": kinds[i % 5]})
        Counter.objects.filter(teller=user).exclude(pk=counter.pk).update(is_open=False, teller=None)
        services.counter_open(counter_id=counter.pk, user=user)
        tokens.append((counter.pk, Token.objects.get_or_create(user=user)[0].key))
    kiosk = User.objects.filter(username="bench_kiosk").first()
    kiosk_token = (Token.objects.get_or_create(user=kiosk)[0] if kiosk
                   else services.kiosk_create(username="bench_kiosk", branch=Branch.objects.get(code=BRANCH))[1])
    mobiles = list(Customer.objects.exclude(mobile="").order_by("?").values_list("mobile", flat=True)[:2000])
    return {"counters": tokens, "kiosk": kiosk_token.key, "mobiles": mobiles,
            "customers": Customer.objects.count()}


def post(base: str, path: str, token: str, body: dict | None = None) -> tuple[int, float, dict | None]:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(f"{base}{path}", data=data, method="POST", headers={  # noqa: S310 - local
        "Authorization": f"Token {token}", "Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the bench's own gunicorn
            payload = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        payload, status = exc.read(), exc.code
    elapsed = (time.perf_counter() - started) * 1000
    return status, elapsed, (json.loads(payload) if payload else None)


def warm_up(base: str, setup: dict) -> None:
    """Both workers through every code path once (imports, connections), then today's bench tickets cleared."""
    from counter.models import Ticket, TicketSequence

    for _ in range(6):
        post(base, "/api/v1/counter/tickets/", setup["kiosk"], {"branch": BRANCH, "service": "ACCOUNT",
                                                                 "identifier": setup["mobiles"][0]}
             if setup["mobiles"] else {"branch": BRANCH, "service": "ACCOUNT"})
    for counter_id, token in setup["counters"][:4]:
        status, _elapsed, payload = post(base, f"/api/v1/counter/counters/{counter_id}/call-next/", token)
        if status == 200:
            post(base, f"/api/v1/counter/tickets/{payload['ticket_no']}/done/", token)
    Ticket.objects.filter(branch__code=BRANCH).delete()
    TicketSequence.objects.filter(branch__code=BRANCH).delete()


def bench_issue(base: str, setup: dict, tickets: int, rate: float, rng: random.Random) -> list[float]:
    bodies = [{"branch": BRANCH, "service": rng.choice(["ACCOUNT", "WEALTH", "CASH_LARGE", "LOAN", "CASH", "OTHER"]),
               **({"identifier": rng.choice(setup["mobiles"])} if setup["mobiles"] and rng.random() < 0.7 else {})}
              for _ in range(tickets)]
    times, failures = [], []
    interval = 60 / rate

    def one(body):
        status, elapsed, payload = post(base, "/api/v1/counter/tickets/", setup["kiosk"], body)
        (times if status == 201 else failures).append(elapsed if status == 201 else (status, payload))

    with ThreadPoolExecutor(max_workers=16) as pool:
        started = time.perf_counter()
        for i, body in enumerate(bodies):
            delay = started + i * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, body)
    if failures:
        raise SystemExit(f"ticket issue failed: {failures[:3]}")
    return times


def bench_call_next(base: str, setup: dict, rounds: int) -> tuple[list[float], list[str], int]:
    counters = setup["counters"]
    barrier = threading.Barrier(len(counters))
    times, called, empty, lock = [], [], [0], threading.Lock()

    def counter_loop(index: int):
        counter_id, token = counters[index]
        for _ in range(rounds):
            barrier.wait(timeout=120)
            status, elapsed, payload = post(base, f"/api/v1/counter/counters/{counter_id}/call-next/", token)
            with lock:
                times.append(elapsed)
                if status == 200:
                    called.append(payload["ticket_no"])
                elif status == 204:
                    empty[0] += 1
                else:
                    raise RuntimeError(f"call-next {status}: {payload}")
            if status == 200:
                done, _elapsed, payload = post(base, f"/api/v1/counter/tickets/{payload['ticket_no']}/done/", token)
                if done != 200:
                    raise RuntimeError(f"done {done}: {payload}")

    with ThreadPoolExecutor(max_workers=len(counters)) as pool:
        list(pool.map(counter_loop, range(len(counters))))
    return times, called, empty[0]


def bench_call_next_steady(base: str, setup: dict, calls: int, rate: float) -> list[float]:
    """Calls arriving at `rate` a minute, each at a counter that is free (the others are serving): the latency a
    teller sees on a busy morning, rather than the all-at-once burst."""
    free: queue.Queue = queue.Queue()
    for counter in setup["counters"]:
        free.put(counter)
    times, lock = [], threading.Lock()

    def call_and_finish(counter):
        counter_id, token = counter
        try:
            status, elapsed, payload = post(base, f"/api/v1/counter/counters/{counter_id}/call-next/", token)
            if status != 200:
                raise RuntimeError(f"call-next {status}: {payload}")
            with lock:
                times.append(elapsed)
            post(base, f"/api/v1/counter/tickets/{payload['ticket_no']}/done/", token)
        finally:
            free.put(counter)

    interval = 60 / rate
    with ThreadPoolExecutor(max_workers=len(setup["counters"])) as pool:
        started = time.perf_counter()
        for i in range(calls):
            delay = started + i * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(call_and_finish, free.get())
    return times


def issue_untimed(count: int, rng: random.Random, setup: dict) -> None:
    """Waiting tickets for the call-next scenarios, issued in process through the same service."""
    from django.contrib.auth import get_user_model

    from counter import services

    kiosk = get_user_model().objects.get(username="bench_kiosk")
    for _ in range(count):
        identifier = rng.choice(setup["mobiles"]) if setup["mobiles"] and rng.random() < 0.7 else None
        services.ticket_issue(kiosk=kiosk, branch_code=BRANCH, service=rng.choice(["ACCOUNT", "WEALTH", "LOAN"]),
                              identifier=identifier)


def summary(name: str, times: list[float]) -> dict:
    row = {"n": len(times), "p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1),
           "max_ms": round(max(times), 1)}
    print(f"{name:<28} n={row['n']:<5} p50={row['p50_ms']:6.1f} ms  p95={row['p95_ms']:6.1f} ms  "
          f"max={row['max_ms']:6.1f} ms")
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counters", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10, help="call-next rounds (every counter calls once each)")
    parser.add_argument("--tickets", type=int, default=300,
                        help="tickets the kiosk issues (topped up to counters × rounds)")
    parser.add_argument("--rate", type=float, default=200, help="tickets a minute")
    parser.add_argument("--steady-calls", type=int, default=300, help="calls of the steady call-next scenario")
    parser.add_argument("--call-rate", type=float, default=300, help="calls a minute, steady scenario")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gunicorn", default=None, metavar="OPTIONS",
                        help="gunicorn worker options instead of the Procfile's web, e.g. \"--workers 4\"")
    args = parser.parse_args(argv)
    setup_django()
    rng = random.Random(args.seed)
    setup = prepare(args.counters)
    print(f"dataset: {setup['customers']:,} customers; {args.counters} counters; "
          f"{args.tickets} tickets at {args.rate:g}/min; {args.rounds} call-next rounds")
    base = f"http://127.0.0.1:{args.port}"
    options = shlex.split(args.gunicorn) if args.gunicorn is not None else procfile_web_options()
    print(f"gunicorn ({'--gunicorn' if args.gunicorn is not None else 'the Procfile web'}): {shlex.join(options)}")
    proc = start_gunicorn(args.port, options)
    load_before = os.getloadavg()
    try:
        warm_up(base, setup)
        issue = bench_issue(base, setup, args.tickets, args.rate, rng)
        waiting_needed = args.counters * args.rounds
        if args.tickets < waiting_needed:  # top up (untimed) so every call finds someone
            issue_untimed(waiting_needed - args.tickets, rng, setup)
        calls, called, empty = bench_call_next(base, setup, args.rounds)
        issue_untimed(args.steady_calls, rng, setup)
        steady = bench_call_next_steady(base, setup, args.steady_calls, args.call_rate)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    twice = [number for number, times in Tally(called).items() if times > 1]
    load = [round(load_before[0], 2), round(os.getloadavg()[0], 2)]
    results = {"gunicorn": shlex.join(options), "load_average_1min": load,
               "issue": summary(f"ticket issue ({args.rate:g}/min)", issue),
               "call_next": summary(f"call-next ({args.counters} at once)", calls),
               "call_next_steady": summary(f"call-next ({args.call_rate:g}/min)", steady),
               "called": len(called), "empty": empty, "called_twice": twice}
    print(f"tickets called: {len(called)}, 204s: {empty}, called twice: {len(twice)}; "
          f"load average (1 min) {results['load_average_1min'][0]} at the start, {results['load_average_1min'][1]} "
          f"at the end")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "counter.json").write_text(json.dumps(results, indent=2))
    return 1 if twice else 0


if __name__ == "__main__":
    sys.exit(main())
