"""End to end with a real Celery worker on the configured Redis and PostgreSQL (no stand-ins): in this
process's threads, and as a `celery -A crm_site worker` process of its own."""

import os
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.tests.factories import AccountFactory
from conftest import celery_pools_reset
from transactions.models import BatchStatus, IngestBatch, Transaction

from .feeds import feed_text, row

pytestmark = pytest.mark.slow


def _wait_until_finished(batch_id: int, timeout: float = 60) -> IngestBatch:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = IngestBatch.objects.get(pk=batch_id)
        if not batch.is_active:
            return batch
        time.sleep(0.2)
    raise AssertionError(f"batch {batch_id} still {batch.status} after {timeout} s")


def test_a_real_worker_ingests_a_file_end_to_end(reference_data, real_broker, celery_worker, settings, tmp_path):
    settings.INGEST_CHUNK_ROWS = 7
    accounts = [AccountFactory() for _ in range(3)]
    rows = [row(external_id=f"W{n:03d}", account_no=accounts[n % 3].account_no, balance_after=f"{100 + n}.00",
                occurred_at=f"2025-03-01T10:{n:02d}:00+08:00") for n in range(30)]
    rows += [row(external_id="W000", account_no=accounts[0].account_no), row(external_id="BAD", amount="1e5")]
    path = tmp_path / "pos.csv"
    path.write_text(feed_text(rows, line_end="\r\n"), encoding="utf-8-sig")

    call_command("ingest_transactions", str(path))  # records the batch, queues it on commit
    batch = _wait_until_finished(IngestBatch.objects.get().pk)

    assert batch.status == BatchStatus.DONE, batch.error
    assert (batch.received, batch.inserted, batch.duplicates, batch.rejected) == (32, 30, 1, 1)
    assert batch.chunks_done == 5 and batch.attempts == 1
    assert Transaction.objects.count() == 30
    assert sorted(batch.touched_customer_ids) == sorted({a.customer_id for a in accounts})
    accounts[2].refresh_from_db()
    assert str(accounts[2].balance) == "129.00"  # W029, the newest of its account


def _database_url() -> str:
    """The test database as a URL a separate process can use (TCP, or the embedded server's socket)."""
    db = connection.settings_dict
    user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
    socket_dir = db["HOST"] if (db["HOST"] or "").startswith("/") else db.get("OPTIONS", {}).get("host", "")
    if socket_dir:  # the embedded server listens on a Unix socket only
        return f"postgres://{user}:{password}@/{db['NAME']}?host={socket_dir}"
    return f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker_start(settings, log_path, **env_extra: str) -> subprocess.Popen:
    """`celery -A crm_site worker` as a process of its own, on this test's database and Redis."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crm_site.settings.test", "DATABASE_URL": _database_url(),
           "REDIS_URL": settings.REDIS_URL, "MEDIA_ROOT": str(settings.MEDIA_ROOT), **env_extra}
    celery_pools_reset()  # an in-process worker of an earlier test closed them
    with log_path.open("a") as log:
        return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "-m", "celery", "-A", "crm_site", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "-n", f"ingest-test-{os.getpid()}@%h"],
            env=env, stdout=log, stderr=subprocess.STDOUT)


def _worker_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def worker_process(settings, tmp_path):
    process = _worker_start(settings, tmp_path / "worker.log")
    yield process
    _worker_stop(process)


def test_a_celery_worker_process_ingests_a_file_end_to_end(reference_data, real_broker, worker_process, tmp_path):
    accounts = [AccountFactory() for _ in range(2)]
    rows = [row(external_id=f"P{n:03d}", account_no=accounts[n % 2].account_no,
                occurred_at=f"2025-03-02T09:{n:02d}:00+08:00") for n in range(12)]
    rows.append(row(external_id="NOPE", account_no="0000000000"))
    path = tmp_path / "atm.csv"
    path.write_text(feed_text(rows), encoding="utf-8")

    call_command("ingest_transactions", str(path))  # records the batch, queues it on commit
    try:
        batch = _wait_until_finished(IngestBatch.objects.get().pk, timeout=120)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker log ---\n{(tmp_path / 'worker.log').read_text()}") from exc

    assert worker_process.poll() is None, (tmp_path / "worker.log").read_text()
    assert batch.status == BatchStatus.DONE, batch.error
    assert (batch.received, batch.inserted, batch.duplicates, batch.rejected) == (13, 12, 0, 1)
    assert set(Transaction.objects.values_list("external_id", flat=True)) == {f"P{n:03d}" for n in range(12)}


def test_after_a_worker_is_killed_mid_batch_its_restart_resumes_the_batch_within_a_minute(
        reference_data, real_broker, settings, tmp_path):
    """The killed worker's message stays unacknowledged in Redis for the visibility timeout (an hour) and the
    stuck timeout is 15 minutes: the restarted worker finds the orphan itself (worker_ready)."""
    settings.INGEST_CHUNK_ROWS = 300  # 100 chunks (the batch records its chunk size when it is created)
    account = AccountFactory()
    rows = [row(external_id=f"K{n:05d}", account_no=account.account_no,
                occurred_at=f"2025-03-03T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}+08:00")
            for n in range(30_000)]
    path = tmp_path / "big.csv"
    path.write_text(feed_text(rows), encoding="utf-8")
    log_path = tmp_path / "worker.log"
    first = _worker_start(settings, log_path)
    try:
        call_command("ingest_transactions", str(path))
        batch_id = IngestBatch.objects.get().pk
        deadline = time.monotonic() + 120
        while IngestBatch.objects.get(pk=batch_id).chunks_done < 1:
            assert time.monotonic() < deadline and first.poll() is None, log_path.read_text()
            time.sleep(0.05)
        first.kill()  # SIGKILL mid-batch: no clean shutdown, the message is never acknowledged
        first.wait()
    finally:
        _worker_stop(first)
    interrupted = IngestBatch.objects.get(pk=batch_id)
    assert interrupted.status == BatchStatus.RUNNING and interrupted.chunks_done < 100, log_path.read_text()

    restarted_at = time.monotonic()
    second = _worker_start(settings, log_path)
    try:
        batch = _wait_until_finished(batch_id, timeout=60)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker log ---\n{log_path.read_text()}") from exc
    finally:
        _worker_stop(second)
    assert time.monotonic() - restarted_at < 60
    assert batch.status == BatchStatus.DONE, batch.error
    assert batch.attempts == 2
    assert (batch.received, batch.inserted, batch.duplicates, batch.rejected) == (30_000, 30_000, 0, 0)
    assert Transaction.objects.count() == 30_000
