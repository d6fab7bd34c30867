from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from crm_site.status import status_transition
from customers.models import Customer


class Channel(models.TextChoices):
    POS = "POS", _("POS")
    ATM = "ATM", _("ATM")
    COUNTER = "COUNTER", _("Counter")
    ONLINE = "ONLINE", _("Online banking")
    MOBILE = "MOBILE", _("Mobile banking")
    PHONE = "PHONE", _("Phone banking")
    SELF_SERVICE = "SELF_SERVICE", _("Self-service kiosk")
    SYSTEM = "SYSTEM", _("System (interest, fees, standing orders)")


class Direction(models.TextChoices):
    DEBIT = "DEBIT", _("Money out")
    CREDIT = "CREDIT", _("Money in")


class Category(models.TextChoices):
    DINING = "DINING", _("Dining")
    GROCERIES = "GROCERIES", _("Groceries")
    TRAVEL = "TRAVEL", _("Travel")
    FUEL = "FUEL", _("Fuel")
    RETAIL = "RETAIL", _("Retail")
    HEALTH = "HEALTH", _("Health")
    EDUCATION = "EDUCATION", _("Education")
    ENTERTAINMENT = "ENTERTAINMENT", _("Entertainment")
    UTILITIES = "UTILITIES", _("Utilities")
    CASH = "CASH", _("Cash")
    OTHER = "OTHER", _("Other")


class MerchantCategory(models.Model):
    """ISO 18245 merchant category code -> the spending category the scores use."""

    mcc = models.CharField(_("MCC"), max_length=4, primary_key=True)
    description = models.CharField(_("description"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, db_index=True)

    class Meta:
        ordering = ["mcc"]
        verbose_name = _("merchant category")
        verbose_name_plural = _("merchant categories")

    def __str__(self) -> str:
        return f"{self.mcc} {self.description}"


class BatchSource(models.TextChoices):
    FILE = "file", _("File")
    API = "api", _("API")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BatchStatusError(Exception):
    """A status change the batch's pipeline does not allow (or another worker changed it first)."""


def ingest_upload_to(batch: IngestBatch, filename: str) -> str:
    return f"ingest/{timezone.now():%Y/%m/%d}/{filename}"


class IngestBatch(models.Model):
    """One load of channel transactions (a file or an API call): the unit of work and of reporting.

    The row is the source of truth for the work (DESIGN §9): a Celery message only nudges a worker
    to look at it. Counts grow chunk by chunk in the same transaction as the rows they count, so
    `received == inserted + duplicates + rejected` holds at every commit, and `chunks_done` is where
    a worker that died resumes.
    """

    # queued -> running -> done | failed; a corrected file of the rejected rows (replay) queues a
    # finished batch again. Every other change is refused by transition_to().
    TRANSITIONS = {
        BatchStatus.QUEUED: frozenset({BatchStatus.RUNNING, BatchStatus.FAILED}),
        BatchStatus.RUNNING: frozenset({BatchStatus.DONE, BatchStatus.FAILED}),
        BatchStatus.DONE: frozenset({BatchStatus.QUEUED}),
        BatchStatus.FAILED: frozenset({BatchStatus.QUEUED}),
    }
    ACTIVE = (BatchStatus.QUEUED, BatchStatus.RUNNING)

    source = models.CharField(_("source"), max_length=8, choices=BatchSource.choices)
    channel_hint = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True,
                                    help_text=_("The channel of rows whose channel column is empty or absent."))
    file = models.FileField(_("stored file"), upload_to=ingest_upload_to, max_length=500, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    received = models.PositiveIntegerField(_("received"), default=0)
    inserted = models.PositiveIntegerField(_("inserted"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # progress through the file being processed (the upload, or the corrected file of a replay)
    rows_total = models.PositiveIntegerField(_("rows expected"), default=0,
                                             help_text=_("Counted from the file's lines, for the progress bar."))
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    chunk_rows = models.PositiveIntegerField(_("rows per chunk"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks committed"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    touched_customer_ids = ArrayField(models.BigIntegerField(), verbose_name=_("customers touched"), default=list,
                                      blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last progress"), default=timezone.now,
                                      help_text=_("Status change, chunk commit or re-queue; the sweeper's clock."))
    score_refresh_sent_at = models.DateTimeField(_("score refresh sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    # the last replay: a corrected file of rejected rows, loaded against this batch
    replay_file = models.FileField(_("corrected file"), upload_to=ingest_upload_to, max_length=500, blank=True)
    replay_rows = models.PositiveIntegerField(_("corrected rows read"), default=0)
    replay_fixed = models.PositiveIntegerField(_("corrected rows loaded"), default=0)
    replay_ignored = models.PositiveIntegerField(
        _("corrected rows ignored"), default=0,
        help_text=_("Rows of the corrected file that name no open rejected row of this batch."))
    replay_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                            blank=True, related_name="+", verbose_name=_("replay requested by"))
    replay_finished_at = models.DateTimeField(_("replay finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ingest batch")
        verbose_name_plural = _("ingest batches")
        indexes = [
            models.Index(fields=["status", "created_at"], name="batch_by_status"),
            models.Index(fields=["created_by", "-created_at"], name="batch_by_creator"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received=models.F("inserted") + models.F("duplicates") + models.F("rejected")),
                name="batch_counts_add_up"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name or self.get_source_display()}"

    def transition_to(self, status: str, **changes) -> None:
        """Move to `status` (with other field changes), or raise BatchStatusError (crm_site.status)."""
        changes.setdefault("updated_at", timezone.now())
        status_transition(self, status, refuse=self._refusal, **changes)

    def _refusal(self, current: str | None, wanted: str) -> BatchStatusError:
        if current == self.status:
            return BatchStatusError(f"batch {self.pk}: {self.status} -> {wanted} is not allowed")
        return BatchStatusError(f"batch {self.pk} is no longer {self.status}")

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_replaying(self) -> bool:
        return bool(self.replay_file) and self.is_active

    @property
    def can_replay(self) -> bool:
        """Rejected rows to fix, and the file itself loaded (a failed replay may be tried again)."""
        loaded = self.status == BatchStatus.DONE or (self.status == BatchStatus.FAILED and bool(self.replay_file))
        return loaded and self.rejected > 0

    @property
    def progress_percent(self) -> int:
        if self.status == BatchStatus.DONE and not self.is_replaying:
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(100 * self.rows_done / self.rows_total))

    @property
    def duration(self) -> dt.timedelta | None:
        if self.started_at is None:
            return None
        return (self.finished_at or timezone.now()) - self.started_at

    @property
    def rows_per_second(self) -> float | None:
        duration = self.duration
        if duration is None or duration.total_seconds() <= 0:
            return None
        return self.received / duration.total_seconds()


class RejectedRow(models.Model):
    """A row that could not be loaded, kept with every reason so it can be fixed and replayed.

    `reasons` is a list of {"field", "code", "message"}. A row fixed by a replay keeps its record,
    marked `replayed_at`; the batch's `rejected` counts the open ones.
    """

    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="rejected_rows",
                              verbose_name=_("batch"))
    row_number = models.PositiveIntegerField(_("row number"), help_text=_("1 is the first row after the header."))
    raw = models.JSONField(_("raw row"))
    reasons = models.JSONField(_("reasons"))
    replayed_at = models.DateTimeField(_("loaded by a replay at"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="rejected_row_once")]

    def __str__(self) -> str:
        return f"#{self.batch_id}:{self.row_number}"


class Transaction(models.Model):
    """A channel fact: money in or out of one account, reported by a channel system."""

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    external_id = models.CharField(_("external ID"), max_length=64)
    # the composite indexes below lead with these columns, so the single-column ones would be waste
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transactions",
                                verbose_name=_("account"), db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="transactions",
                                 verbose_name=_("customer"), db_index=False)
    occurred_at = models.DateTimeField(_("occurred at"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    balance_after = models.DecimalField(_("balance after"), max_digits=18, decimal_places=2, null=True, blank=True)
    mcc = models.CharField(_("MCC"), max_length=4, blank=True)
    merchant_name = models.CharField(_("merchant"), max_length=100, blank=True)
    terminal_id = models.CharField(_("terminal"), max_length=32, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    batch = models.ForeignKey(IngestBatch, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="transactions", verbose_name=_("batch"))

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="transaction_once_per_channel"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="transaction_amount_positive"),
        ]
        indexes = [
            # covering what a refresh reads of a customer's window (scoring.compute.money.WINDOW_COLUMNS), so the
            # incremental refresh reads the index alone, not a heap page for each of its customers' rows
            models.Index(fields=["customer", "-occurred_at"], name="txn_by_customer",
                         include=["account", "channel", "direction", "amount", "currency", "mcc"]),
            models.Index(fields=["account", "-occurred_at"], name="txn_by_account"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"
