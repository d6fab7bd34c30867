"""python manage.py ingest_transactions FILE [--channel HINT] [--wait]"""

import pytest
from django.core.management import CommandError, call_command

from transactions.models import BatchStatus, IngestBatch, Transaction
from transactions.services import batch_process

from .feeds import feed_text, row


@pytest.fixture
def feed_file(tmp_path):
    def write(content: str | bytes, name: str = "feed.csv"):
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path
    return write


@pytest.fixture
def worker_inline(monkeypatch):
    """A stand-in worker: the task runs the service in this process as soon as it is queued."""
    def send_task(name, args=None, kwargs=None, **options):
        if name == "transactions.ingest_batch":
            batch_process(batch_id=args[0])

    monkeypatch.setattr("transactions.services.ingest.queueing.current_app.send_task", send_task)


@pytest.mark.django_db
def test_the_command_records_and_queues_a_batch(feed_file, account, no_broker, capsys,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest_transactions", str(feed_file(feed_text([row()]), "pos.csv")), "--channel", "pos")
    batch = IngestBatch.objects.get()
    assert (batch.status, batch.file_name, batch.channel_hint, batch.source) == (BatchStatus.QUEUED, "pos.csv",
                                                                                 "POS", "file")
    assert ("transactions.ingest_batch", [batch.pk]) in no_broker
    assert f"Batch #{batch.pk} recorded and queued" in capsys.readouterr().out


def test_the_command_waits_for_the_worker_and_reports_the_counts(reference_data, feed_file, worker_inline, capsys):
    from accounts.tests.factories import AccountFactory

    from .feeds import ACCOUNT_NO

    AccountFactory(account_no=ACCOUNT_NO)
    call_command("ingest_transactions", str(feed_file(feed_text([row(), row(external_id="B", amount="x")]))),
                 "--wait")
    out = capsys.readouterr().out
    assert "done: received 2 = inserted 1 + duplicates 0 + rejected 1" in out
    assert Transaction.objects.count() == 1


def test_the_command_fails_loudly_when_the_batch_fails(reference_data, feed_file, worker_inline):
    with pytest.raises(CommandError, match="failed: The header row is wrong"):
        call_command("ingest_transactions", str(feed_file("colour,size\nred,9\n")), "--wait")
    assert IngestBatch.objects.get().status == BatchStatus.FAILED


@pytest.mark.django_db
def test_without_a_worker_waiting_gives_up_after_the_timeout_and_the_batch_stays_queued(feed_file, account):
    with pytest.raises(CommandError, match="still queued"):
        call_command("ingest_transactions", str(feed_file(feed_text([row()]))), "--wait", "--timeout", "0")
    assert IngestBatch.objects.get().status == BatchStatus.QUEUED


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "says"), [(b"", "empty"), (b"\x00\x01", "binary")])
def test_the_command_refuses_what_is_not_a_csv_text_file(feed_file, content, says):
    with pytest.raises(CommandError, match=says):
        call_command("ingest_transactions", str(feed_file(content)))
    assert not IngestBatch.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("ingest_transactions", str(tmp_path / "nope.csv"))
