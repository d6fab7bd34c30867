from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from branches.models import Branch
from crm_site import pii
from customers.models import Customer


class ProductKind(models.TextChoices):
    CURRENT = "CURRENT", _("Current account")
    SAVINGS = "SAVINGS", _("Savings account")
    TIME_DEPOSIT = "TIME_DEPOSIT", _("Time deposit")
    WEALTH = "WEALTH", _("Wealth management")
    MORTGAGE = "MORTGAGE", _("Mortgage")
    PERSONAL_LOAN = "PERSONAL_LOAN", _("Personal loan")
    CREDIT_CARD = "CREDIT_CARD", _("Credit card")
    DEBIT_CARD = "DEBIT_CARD", _("Debit card")
    INSURANCE = "INSURANCE", _("Insurance")


# Balances of these kinds are money the customer owes, reported as a positive number.
LIABILITY_KINDS = frozenset({ProductKind.MORTGAGE, ProductKind.PERSONAL_LOAN, ProductKind.CREDIT_CARD})
# Balances of these kinds count towards assets under management (AUM).
DEPOSIT_KINDS = frozenset({ProductKind.CURRENT, ProductKind.SAVINGS, ProductKind.TIME_DEPOSIT,
                           ProductKind.DEBIT_CARD})
WEALTH_KINDS = frozenset({ProductKind.WEALTH, ProductKind.INSURANCE})


class Product(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ProductKind.choices)
    launched_at = models.DateField(_("launched on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def display_name(self, language: str) -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name


class AccountStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("Active")
    DORMANT = "DORMANT", _("Dormant")
    FROZEN = "FROZEN", _("Frozen")
    CLOSED = "CLOSED", _("Closed")


class Account(models.Model):
    """A bank account as the core banking system reports it; the CRM never moves money."""

    account_no = models.CharField(_("account number"), max_length=34, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accounts",
                                 verbose_name=_("customer"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("product"))
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("branch"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    balance = models.DecimalField(_("balance"), max_digits=18, decimal_places=2, default=Decimal("0.00"))
    balance_as_of = models.DateTimeField(_("balance as of"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    opened_at = models.DateField(_("opened on"))
    closed_at = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["account_no"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [
            models.Index(fields=["customer", "status"], name="account_by_customer"),
            models.Index(fields=["product", "opened_at"], name="account_by_product"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(closed_at__gte=models.F("opened_at")),
                name="account_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.account_no


class CardKind(models.TextChoices):
    DEBIT = "DEBIT", _("Debit card")
    CREDIT = "CREDIT", _("Credit card")


class CardStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("Active")
    BLOCKED = "BLOCKED", _("Blocked")
    EXPIRED = "EXPIRED", _("Expired")
    CLOSED = "CLOSED", _("Closed")


class Card(models.Model):
    """A payment card. The full card number (PAN) is never stored: first 6, last 4 and an HMAC."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="cards", verbose_name=_("account"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="cards", verbose_name=_("customer"))
    kind = models.CharField(_("kind"), max_length=8, choices=CardKind.choices)
    pan_first6 = models.CharField(_("card number (first 6)"), max_length=6)
    pan_last4 = models.CharField(_("card number (last 4)"), max_length=4)
    pan_hmac = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    expiry = models.DateField(_("expiry"), help_text=_("Last day of the month printed on the card."))

    class Meta:
        ordering = ["customer", "id"]
        verbose_name = _("card")
        verbose_name_plural = _("cards")

    def __str__(self) -> str:
        return self.masked_pan

    def set_pan(self, pan: str) -> None:
        """Keep only what may be kept of a (validated, digits-only) card number."""
        self.pan_first6 = pan[:6]
        self.pan_last4 = pan[-4:]
        self.pan_hmac = pii.lookup_hmac(pan)

    @property
    def masked_pan(self) -> str:
        return pii.mask_card(self.pan_first6, self.pan_last4)


# Rates outside these bounds are a mistake in the feed (a rate quoted the wrong way round, a misplaced point),
# not a currency: the widest real pair, a dinar against a rial or a dong, stays well inside them.
FX_RATE_MIN = Decimal("0.000001")
FX_RATE_MAX = Decimal("1000000")
FX_RATE_PLACES = 10


class FxRate(models.Model):
    """What one unit of `currency` was worth in the base currency (settings.BASE_CURRENCY) on `rate_date`.

    The rate of a day holds until the next one: money converts at the latest rate on or before its date.
    """

    currency = models.CharField(_("currency"), max_length=3)
    rate_date = models.DateField(_("rate date"))
    rate = models.DecimalField(_("rate"), max_digits=10 + FX_RATE_PLACES, decimal_places=FX_RATE_PLACES,
                               help_text=_("Units of the base currency for one unit of the currency."))
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["currency", "-rate_date"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            # its index serves the as-of look-up: the latest rate_date on or before a day, per currency
            models.UniqueConstraint(fields=["currency", "rate_date"], name="fxrate_one_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gte=FX_RATE_MIN) & models.Q(rate__lte=FX_RATE_MAX),
                                   name="fxrate_rate_in_bounds"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate_date:%Y-%m-%d} {self.rate}"
