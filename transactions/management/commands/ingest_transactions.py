"""python manage.py ingest_transactions FILE [--channel HINT] [--wait [--timeout S]]"""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from transactions.exceptions import IngestFileError
from transactions.models import BatchSource, BatchStatus, Channel, IngestBatch
from transactions.services import batch_create, batch_wait, fileformat


class Command(BaseCommand):
    help = ("Record a transactions feed file (DESIGN §5) as an ingest batch and queue it for a Celery worker. "
            "With --wait, follow it until it is done or failed.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the CSV file")
        parser.add_argument("--channel", choices=Channel.values, type=str.upper, default="",
                            help="the channel of rows whose channel column is empty (or a file without one)")
        parser.add_argument("--wait", action="store_true", help="wait for the worker and print the result")
        parser.add_argument("--timeout", type=float, default=None,
                            help="with --wait: give up waiting after this many seconds (the batch carries on)")

    def handle(self, *args, file: Path, channel: str, wait: bool, timeout: float | None, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        with file.open("rb") as fh:
            try:  # what the upload page refuses at once (not CSV text at all) is refused here too
                fileformat.sniff(fh)
            except IngestFileError as exc:
                raise CommandError(f"{file}: {exc.message}") from exc
            batch = batch_create(file=File(fh), file_name=file.name, source=BatchSource.FILE, channel_hint=channel)
        self.stdout.write(f"Batch #{batch.pk} recorded and queued: {file.name} (SHA-256 {batch.file_sha256[:12]}…)")
        if not wait:
            return
        last = [None]

        def report(current: IngestBatch) -> None:
            state = (current.status, current.rows_done)
            if state != last[0]:
                last[0] = state
                self.stdout.write(f"  {current.get_status_display()}: {current.progress_percent}% "
                                  f"({current.received} rows)")

        batch = batch_wait(batch_id=batch.pk, timeout=timeout, report=report)
        if batch.is_active:
            raise CommandError(f"Batch #{batch.pk} is still {batch.status} after {timeout} s; is a worker running? "
                               "It stays queued and runs when one is.")
        summary = (f"received {batch.received} = inserted {batch.inserted} + duplicates {batch.duplicates} "
                   f"+ rejected {batch.rejected}")
        if batch.status == BatchStatus.FAILED:
            raise CommandError(f"Batch #{batch.pk} failed: {batch.error} ({summary})")
        rate = batch.rows_per_second
        self.stdout.write(self.style.SUCCESS(
            f"Batch #{batch.pk} done: {summary}" + (f" in {batch.duration.total_seconds():.1f} s "
                                                    f"({rate:,.0f} rows/s)" if rate else "")))
