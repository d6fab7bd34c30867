from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
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


class IngestBatch(models.Model):
    """One load of channel transactions (a file or an API call): the unit of work and of reporting."""

    source = models.CharField(_("source"), max_length=8, choices=BatchSource.choices)
    channel_hint = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    received = models.PositiveIntegerField(_("received"), default=0)
    inserted = models.PositiveIntegerField(_("inserted"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ingest batch")
        verbose_name_plural = _("ingest batches")
        indexes = [models.Index(fields=["status", "created_at"], name="batch_by_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name or self.get_source_display()}"


class RejectedRow(models.Model):
    """A row that could not be loaded, kept with every reason so it can be fixed and replayed."""

    batch = models.ForeignKey(IngestBatch, on_delete=models.CASCADE, related_name="rejected_rows",
                              verbose_name=_("batch"))
    row_number = models.PositiveIntegerField(_("row number"))
    raw = models.JSONField(_("raw row"))
    reasons = models.JSONField(_("reasons"))

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
            models.Index(fields=["customer", "-occurred_at"], name="txn_by_customer"),
            models.Index(fields=["account", "-occurred_at"], name="txn_by_account"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"
