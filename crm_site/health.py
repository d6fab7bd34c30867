"""/healthz: is the database, Redis and at least one Celery worker alive?"""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from crm_site.celery import app as celery_app

WORKER_PING_TIMEOUT = 1.0


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.ping()
    return "ok"


def _check_worker() -> str:
    replies = celery_app.control.ping(timeout=WORKER_PING_TIMEOUT)
    if not replies:
        raise RuntimeError("no Celery worker answered")
    return f"ok ({len(replies)} worker{'s' if len(replies) > 1 else ''})"


CHECKS = {"database": _check_database, "redis": _check_redis, "celery_worker": _check_worker}


@never_cache
@require_GET
def healthz(request):
    started = time.monotonic()
    report: dict[str, str] = {}
    healthy = True
    for name, check in CHECKS.items():
        if name == "celery_worker" and report.get("redis", "").startswith("error"):
            report[name] = "error: the broker is down"
            healthy = False
            continue
        try:
            report[name] = check()
        except Exception as exc:  # any failure of a dependency is a 503, not a 500
            report[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
            healthy = False
    body = {"status": "ok" if healthy else "unavailable", "checks": report,
            "elapsed_ms": round((time.monotonic() - started) * 1000)}
    return JsonResponse(body, status=200 if healthy else 503)
