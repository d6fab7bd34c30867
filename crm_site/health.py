"""/healthz: a cheap liveness answer for anyone, the dependencies for staff and monitoring.

Anonymous callers (load balancers, container health checks) learn only that web answers: no database,
Redis or broker round trip, no error text. A staff member signed in (`is_staff`: managers and admins) or a
caller with `Authorization: Bearer <HEALTHZ_TOKEN>` gets the detailed check: the database (`SELECT 1`),
Redis (`PING`) and the worker heartbeat, a timestamp in Redis that a Celery worker writes when it starts
and whenever it runs the beat task `crm_site.worker_heartbeat` (every HEALTHZ_HEARTBEAT_SECONDS). A fresh
heartbeat proves that beat schedules, the broker delivers and a worker executes, without holding a web
worker for a broadcast ping.
"""

from __future__ import annotations

import hmac
import time

import redis
from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

HEARTBEAT_KEY = "crm:worker-heartbeat"


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def worker_heartbeat_write() -> None:
    _redis().set(HEARTBEAT_KEY, f"{time.time():.3f}", ex=24 * 3600)


@shared_task(name="crm_site.worker_heartbeat", ignore_result=True)
def worker_heartbeat() -> None:
    """Beat: a worker records that it is alive and taking tasks."""
    worker_heartbeat_write()


@worker_ready.connect
def _worker_ready_heartbeat(sender=None, **kwargs) -> None:
    """A worker that starts says so at once, rather than at the next beat tick."""
    worker_heartbeat_write()


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    _redis().ping()
    return "ok"


def _check_worker() -> str:
    written = _redis().get(HEARTBEAT_KEY)
    if written is None:
        raise RuntimeError("no worker heartbeat yet")
    age = max(0, round(time.time() - float(written)))
    if age > settings.HEALTHZ_HEARTBEAT_MAX_AGE_SECONDS:
        raise RuntimeError(f"the last worker heartbeat is {age} s old")
    return f"ok (heartbeat {age} s ago)"


CHECKS = {"database": _check_database, "redis": _check_redis, "celery_worker": _check_worker}


def _bearer(request: HttpRequest) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _detailed_report() -> tuple[bool, dict[str, str]]:
    report: dict[str, str] = {}
    healthy = True
    for name, check in CHECKS.items():
        if name == "celery_worker" and report.get("redis", "").startswith("error"):
            report[name] = "error: Redis is down"
            healthy = False
            continue
        try:
            report[name] = check()
        except Exception as exc:  # any failure of a dependency is a 503, not a 500
            report[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
            healthy = False
    return healthy, report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    token = _bearer(request)
    if token is not None:
        expected = settings.HEALTHZ_TOKEN
        if not (expected and hmac.compare_digest(token.encode(), expected.encode())):
            return JsonResponse({"status": "forbidden"}, status=403)
    elif not (request.user.is_authenticated and request.user.is_staff):
        return JsonResponse({"status": "ok"})  # liveness: this web process answers
    started = time.monotonic()
    healthy, report = _detailed_report()
    body = {"status": "ok" if healthy else "unavailable", "checks": report,
            "elapsed_ms": round((time.monotonic() - started) * 1000)}
    return JsonResponse(body, status=200 if healthy else 503)
