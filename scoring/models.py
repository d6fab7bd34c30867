"""Preference and value scores (DESIGN §6): one row per customer, and the runs that computed them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.status import status_transition
from customers.models import Customer

# Money totals (sums over accounts and transactions). A row holds at most NUMERIC(18,2) (the feed's and the
# import's bound, transactions.services.validation.AMOUNT_MAX); a total of up to 10^10 such rows fits here, so
# no valid row can overflow a score. The scoring SQL sums in unbounded NUMERIC.
TOTAL_MAX_DIGITS = 28


class Tier(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class TimeOfDay(models.TextChoices):
    MORNING = "MORNING", _("Morning (6–12)")
    AFTERNOON = "AFTERNOON", _("Afternoon (12–18)")
    EVENING = "EVENING", _("Evening (18–23)")
    NIGHT = "NIGHT", _("Night (23–6)")


class AlertCode(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday soon")
    ID_EXPIRING = "id_expiring", _("ID document expiring")
    KYC_DUE = "kyc_due", _("KYC review due")
    DORMANT = "dormant", _("Dormant")
    FUNDS_LEAVING = "funds_leaving", _("Funds leaving")
    ACTIVITY_FALLING = "activity_falling", _("Activity falling")


class RunKind(models.TextChoices):
    FULL = "full", _("Full")
    INCREMENTAL = "incremental", _("Incremental")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunStatusError(Exception):
    """A status change the run does not allow, or another worker changed it first."""


class ScoreRun(models.Model):
    """One refresh: the unit of work (DESIGN §9) and the record of the cut-offs it used.

    A full run ranks the whole population and stores the distributions it ranked against
    (`cutoffs`); an incremental run scores the customers an ingest batch touched against the
    cut-offs of the newest full run, so their figures match what a full run would give them,
    apart from the population-relative ranks.
    """

    TRANSITIONS = {
        RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.FAILED}),
        RunStatus.RUNNING: frozenset({RunStatus.DONE, RunStatus.FAILED, RunStatus.QUEUED}),
        RunStatus.DONE: frozenset(),
        RunStatus.FAILED: frozenset({RunStatus.QUEUED}),
    }

    kind = models.CharField(_("kind"), max_length=12, choices=RunKind.choices)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    as_of = models.DateTimeField(_("as of"), default=timezone.now)
    customer_ids = models.JSONField(_("customers to score"), default=list, blank=True,
                                    help_text=_("Incremental runs only: the customers an ingest batch touched."))
    batch_id = models.BigIntegerField(_("ingest batch"), null=True, blank=True)
    batch_ids = models.JSONField(_("ingest batches"), default=list, blank=True, help_text=_(
        "Incremental runs only: every batch whose customers this run scores (batches arriving while it waited "
        "joined it)."))
    cutoffs = models.JSONField(_("cut-offs"), default=dict, blank=True,
                               help_text=_("Tier cut-offs and the distributions ranks were taken against."))
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("cut-offs from"))
    customers_scored = models.PositiveIntegerField(_("customers scored"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    timings = models.JSONField(_("timings (seconds)"), default=dict, blank=True)
    base_currency = models.CharField(_("base currency"), max_length=3, blank=True,
                                     help_text=_("The unit of the run's money figures."))
    fx_rates = models.JSONField(_("exchange rates used"), default=dict, blank=True,
                                help_text=_("Per currency, the rate balances converted at and its date."))
    unconverted = models.JSONField(_("money left out (no exchange rate)"), default=dict, blank=True, help_text=_(
        "Per currency: the accounts and transactions whose money had no rate by its date and is not in the "
        "figures; and how many customers that touches."))
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        indexes = [models.Index(fields=["status", "created_at"], name="scorerun_by_status"),
                   models.Index(fields=["kind", "status", "-finished_at"], name="scorerun_latest")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.as_of:%Y-%m-%d}"

    def transition_to(self, status: str, **changes) -> None:
        """Move to `status` (with other field changes), or raise RunStatusError (crm_site.status)."""
        status_transition(self, status, refuse=self._refusal, **changes)

    def _refusal(self, current: str | None, wanted: str) -> RunStatusError:
        if current == self.status:
            return RunStatusError(f"score run {self.pk}: {self.status} -> {wanted} is not allowed")
        return RunStatusError(f"score run {self.pk} is no longer {self.status}")

    @property
    def duration(self):
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class CustomerScore(models.Model):
    """What the teller sees about a customer's value and habits; rewritten by each refresh."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="score",
                                    verbose_name=_("customer"))
    # no index and no database constraint: runs are never deleted, and both cost the nightly upsert of every row
    # (the constraint's deferred check ran for each of 100,000 rows at commit: 0.9 s of a full refresh on dataset M)
    run = models.ForeignKey(ScoreRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name=_("run"), db_index=False, db_constraint=False)
    as_of = models.DateTimeField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))

    # value
    recency_days = models.IntegerField(_("days since last transaction"), null=True, blank=True)
    frequency = models.IntegerField(_("transactions in 365 days"), default=0)
    monetary = models.DecimalField(_("debits in 365 days"), max_digits=TOTAL_MAX_DIGITS,
                                   decimal_places=2, default=0)
    card_spend = models.DecimalField(_("card spend in 365 days"), max_digits=TOTAL_MAX_DIGITS,
                                   decimal_places=2, default=0)
    aum = models.DecimalField(_("assets under management"), max_digits=TOTAL_MAX_DIGITS,
                                   decimal_places=2, default=0)
    loan_balance = models.DecimalField(_("loan balances"), max_digits=TOTAL_MAX_DIGITS,
                                   decimal_places=2, default=0)
    product_count = models.IntegerField(_("products held"), default=0)
    annual_revenue = models.DecimalField(_("estimated annual revenue"), max_digits=TOTAL_MAX_DIGITS,
                                   decimal_places=2, default=0)
    value_score = models.DecimalField(_("value score"), max_digits=5, decimal_places=2, default=0)
    value_percentile = models.DecimalField(_("value percentile"), max_digits=5, decimal_places=2, default=0,
                                           help_text=_("Share of customers scoring at or below this one, in %."))
    tier = models.CharField(_("tier"), max_length=3, choices=Tier.choices)
    top_percent = models.DecimalField(_("top %"), max_digits=5, decimal_places=2, default=100,
                                      help_text=_("Where this customer ranks: within the top N % by value score."))
    drivers = models.JSONField(_("value drivers"), default=list, blank=True,
                               help_text=_("The figures that lift the score most, strongest first."))

    # preference
    channel_mix = models.JSONField(_("channel mix (180 days)"), default=dict, blank=True)
    self_service_ratio = models.DecimalField(_("self-service ratio"), max_digits=5, decimal_places=4, null=True,
                                             blank=True)
    preferred_channel = models.CharField(_("preferred channel (inferred)"), max_length=16, blank=True)
    category_shares = models.JSONField(_("spend share by category (365 days)"), default=dict, blank=True)
    category_lift = models.JSONField(_("lift against all customers"), default=dict, blank=True)
    top_categories = models.JSONField(_("top categories"), default=list, blank=True)
    usual_time_of_day = models.CharField(_("usual time of day"), max_length=10, choices=TimeOfDay.choices,
                                         blank=True)

    # signals
    net_outflow_30d = models.DecimalField(_("net outflow, 30 days"), max_digits=TOTAL_MAX_DIGITS,
                                   decimal_places=2, default=0)
    activity_90d = models.IntegerField(_("transactions, last 90 days"), default=0)
    activity_prior_90d = models.IntegerField(_("transactions, the 90 days before"), default=0)
    alerts = models.JSONField(_("alerts"), default=list, blank=True)
    explanation = models.CharField(_("explanation"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        permissions = [("view_branch_dashboard", _("Can see the branch dashboard of scores"))]
        # audiences and dashboards filter scores joined to a branch's customers: the primary key serves
        # them; only the tier (the teller's and the campaign manager's first filter) has an index
        indexes = [models.Index(fields=["tier", "value_score"], name="score_by_tier")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.tier} {self.value_score}"
