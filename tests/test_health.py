"""/healthz answers 200 only when the database, Redis and a Celery worker all answer."""


import pytest
from django.test import override_settings

from crm_site import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_worker_wait(monkeypatch):
    """Nobody is listening, so don't wait the full second for replies that won't come."""
    monkeypatch.setattr(health, "WORKER_PING_TIMEOUT", 0.2)


@pytest.mark.slow
def test_healthz_is_ok_when_the_database_redis_and_a_worker_answer(client, celery_worker):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "redis", "celery_worker"}
    assert all(result.startswith("ok") for result in body["checks"].values())
    assert body["checks"]["celery_worker"] == "ok (1 worker)"
    assert response["Cache-Control"].startswith("max-age=0")


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_is_unavailable_when_redis_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["redis"].startswith("error: ConnectionError")
    assert checks["celery_worker"] == "error: the broker is down"


def test_healthz_is_unavailable_when_no_worker_answers(client, no_worker_wait):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert (body["checks"]["database"], body["checks"]["redis"]) == ("ok", "ok")
    assert body["checks"]["celery_worker"] == "error: RuntimeError: no Celery worker answered"


def test_healthz_is_unavailable_when_the_database_check_fails(client, monkeypatch, no_worker_wait):
    def database_down():
        raise RuntimeError("could not connect to server")

    monkeypatch.setitem(health.CHECKS, "database", database_down)
    monkeypatch.setitem(health.CHECKS, "celery_worker", lambda: "ok (1 worker)")
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "error: RuntimeError: could not connect to server"
    assert checks["redis"] == "ok"


def test_healthz_answers_only_get(client):
    assert client.post("/healthz").status_code == 405
