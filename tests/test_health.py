"""/healthz: a cheap liveness answer for anyone; the database, Redis and worker heartbeat for staff or a token."""

import datetime as dt
import time

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from crm_site import health
from crm_site.celery import app as celery_app

pytestmark = pytest.mark.django_db

TOKEN = "monitoring-token-0123456789abcdef"


@pytest.fixture
def token(settings):
    settings.HEALTHZ_TOKEN = TOKEN
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture
def fresh_heartbeat():
    health.worker_heartbeat_write()
    yield
    health._redis().delete(health.HEARTBEAT_KEY)


@pytest.fixture
def no_heartbeat():
    health._redis().delete(health.HEARTBEAT_KEY)


def test_anonymous_callers_get_liveness_only_without_touching_database_redis_or_the_broker(
        client, monkeypatch, django_assert_num_queries):
    def no_broadcast(*args, **kwargs):
        raise AssertionError("no broadcast ping from a web request")

    monkeypatch.setattr(celery_app.control, "ping", no_broadcast)
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"), django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_teller_session_is_not_enough_for_the_detailed_check(client_for, teller):
    assert client_for(teller).get("/healthz").json() == {"status": "ok"}


def test_staff_get_the_detailed_check(client_for, manager, fresh_heartbeat):
    response = client_for(manager).get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "celery_worker"}
    assert body["checks"]["celery_worker"].startswith("ok (heartbeat ")


def test_the_token_gets_the_detailed_check(client, token, fresh_heartbeat):
    response = client.get("/healthz", **token)
    assert response.status_code == 200, response.json()
    assert all(result.startswith("ok") for result in response.json()["checks"].values())


@pytest.mark.parametrize("configured", ["", TOKEN])
def test_a_wrong_or_unconfigured_token_is_refused(client, settings, configured):
    settings.HEALTHZ_TOKEN = configured
    for header in ("Bearer wrong-token", "Bearer ", "bearer"):
        response = client.get("/healthz", HTTP_AUTHORIZATION=header)
        assert response.status_code == 403
        assert response.json() == {"status": "forbidden"}


def test_without_a_worker_heartbeat_the_detailed_check_is_unavailable(client, token, no_heartbeat):
    response = client.get("/healthz", **token)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert (body["checks"]["database"], body["checks"]["redis"]) == ("ok", "ok")
    assert body["checks"]["celery_worker"] == "error: RuntimeError: no worker heartbeat yet"


def test_a_stale_heartbeat_is_unavailable(client, token, settings):
    settings.HEALTHZ_HEARTBEAT_MAX_AGE_SECONDS = 120
    health._redis().set(health.HEARTBEAT_KEY, str(time.time() - 300))
    try:
        response = client.get("/healthz", **token)
    finally:
        health._redis().delete(health.HEARTBEAT_KEY)
    assert response.status_code == 503
    assert response.json()["checks"]["celery_worker"] == "error: RuntimeError: the last worker heartbeat is 300 s old"


def test_with_redis_down_the_detailed_check_says_so(client, token):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz", **token)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"].startswith("error: ConnectionError")
    assert checks["celery_worker"] == "error: Redis is down"


def test_with_the_database_down_the_detailed_check_says_so(client, token, monkeypatch, fresh_heartbeat):
    def database_down():
        raise RuntimeError("could not connect to server")

    monkeypatch.setitem(health.CHECKS, "database", database_down)
    response = client.get("/healthz", **token)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "error: RuntimeError: could not connect to server"
    assert checks["redis"] == "ok"


def test_the_heartbeat_is_scheduled_on_beat_and_expires_with_its_interval():
    entry = django_settings.CELERY_BEAT_SCHEDULE["crm-worker-heartbeat"]
    assert entry["task"] == health.worker_heartbeat.name == "crm_site.worker_heartbeat"
    assert entry["schedule"] == dt.timedelta(seconds=django_settings.HEALTHZ_HEARTBEAT_SECONDS)
    assert entry["schedule"].total_seconds() * 2 < django_settings.HEALTHZ_HEARTBEAT_MAX_AGE_SECONDS


@pytest.mark.slow
def test_a_real_worker_writes_the_heartbeat_the_detailed_check_reads(client, token, no_heartbeat, celery_worker):
    health.worker_heartbeat.apply_async()
    deadline = time.monotonic() + 20
    while health._redis().get(health.HEARTBEAT_KEY) is None:
        assert time.monotonic() < deadline, "the worker wrote no heartbeat"
        time.sleep(0.1)
    response = client.get("/healthz", **token)
    assert response.status_code == 200, response.json()


def test_healthz_answers_only_get(client):
    assert client.post("/healthz").status_code == 405
