"""Campaigns (DESIGN §7): a product notification to an audience, its recipients, the outbox and results.

The rows are the work (DESIGN §9): a campaign's status and fan-out cursor, each recipient's status
and attempts, each outbox message's status. Celery messages only nudge workers to look at them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Product
from branches.models import Branch
from crm_site.status import status_transition
from customers.models import ContactChannel, Customer

from .exceptions import CampaignStatusError


class CampaignChannel(models.TextChoices):
    """How a campaign reaches a customer. COUNTER is a pitch at the counter, not a message."""

    EMAIL = "EMAIL", _("Email")
    SMS = "SMS", _("SMS")
    APP = "APP", _("App notification")
    PHONE = "PHONE", _("Phone call list")
    COUNTER = "COUNTER", _("Counter pitch")


# the consent each campaign channel needs (COUNTER needs none: a pitch at the counter is not a message)
CONSENT_FOR_CHANNEL = {
    CampaignChannel.EMAIL: ContactChannel.EMAIL,
    CampaignChannel.SMS: ContactChannel.SMS,
    CampaignChannel.APP: ContactChannel.APP,
    CampaignChannel.PHONE: ContactChannel.PHONE,
}
# channels whose contacts count towards the frequency cap and carry an unsubscribe link
MESSAGE_CHANNELS = (CampaignChannel.EMAIL, CampaignChannel.SMS, CampaignChannel.APP)
CAPPED_CHANNELS = (*MESSAGE_CHANNELS, CampaignChannel.PHONE)
MESSAGE_LANGUAGES = ("zh-hans", "en")
FALLBACK_LANGUAGE = "zh-hans"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(models.Model):
    """A notification campaign for one product, drafted by a manager and approved by another.

    `branch` is the scope of the audience: a manager's campaign reaches their own branch's customers;
    an admin's campaign has no branch and may reach any (narrowed by the audience's "branches").
    """

    # draft -> pending_approval -> approved -> scheduled|running -> completed; cancelled from any
    # state before completed. A submitted campaign may be sent back to draft for changes.
    TRANSITIONS = {
        CampaignStatus.DRAFT: frozenset({CampaignStatus.PENDING_APPROVAL, CampaignStatus.CANCELLED}),
        CampaignStatus.PENDING_APPROVAL: frozenset({CampaignStatus.APPROVED, CampaignStatus.DRAFT,
                                                    CampaignStatus.CANCELLED}),
        CampaignStatus.APPROVED: frozenset({CampaignStatus.SCHEDULED, CampaignStatus.RUNNING,
                                            CampaignStatus.CANCELLED}),
        CampaignStatus.SCHEDULED: frozenset({CampaignStatus.RUNNING, CampaignStatus.CANCELLED}),
        CampaignStatus.RUNNING: frozenset({CampaignStatus.COMPLETED, CampaignStatus.CANCELLED}),
        CampaignStatus.COMPLETED: frozenset(),
        CampaignStatus.CANCELLED: frozenset(),
    }
    EDITABLE = (CampaignStatus.DRAFT,)
    LAUNCHED = (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING, CampaignStatus.COMPLETED)

    name = models.CharField(_("name"), max_length=120)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="campaigns",
                                verbose_name=_("product"))
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns",
                               verbose_name=_("branch"),
                               help_text=_("Whose customers it reaches; empty: any branch (admins only)."))
    status = models.CharField(_("status"), max_length=16, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    channels = ArrayField(models.CharField(max_length=8, choices=CampaignChannel.choices),
                          verbose_name=_("channels"), default=list,
                          help_text=_("In order of preference: a customer gets their preferred channel if "
                                      "consented and chosen, else the first consented one in this order."))
    # {"SMS": {"zh-hans": {"body": "..."}, "en": {...}}, "EMAIL": {"zh-hans": {"subject": "...", "body": "..."}}}
    messages = models.JSONField(_("messages"), default=dict, blank=True)
    audience = models.JSONField(_("audience"), default=dict, blank=True,
                                help_text=_("The audience filters of DESIGN §7, normalised."))
    holdout_share = models.DecimalField(_("holdout share"), max_digits=4, decimal_places=3, default=Decimal("0"),
                                        validators=[MinValueValidator(Decimal("0")),
                                                    MaxValueValidator(Decimal("0.5"))],
                                        help_text=_("Share of eligible customers kept out to measure lift."))
    send_at = models.DateTimeField(_("send at"), null=True, blank=True,
                                   help_text=_("Empty: as soon as it is launched."))
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    frequency_cap = models.PositiveSmallIntegerField(
        _("frequency cap"), null=True, blank=True,
        help_text=_("Most messages a customer may get in 30 days, across campaigns; empty: the bank's default."))
    conversion_window_days = models.PositiveSmallIntegerField(
        _("conversion window (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)])

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("drafted by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now,
                                      help_text=_("Last change or progress; the sweeper's clock."))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("launched by"))
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("cancelled by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    # fan-out progress: customers are taken in id order; the cursor is the last id committed
    fanout_cursor = models.BigIntegerField(_("fan-out cursor"), default=0)
    fanout_done_at = models.DateTimeField(_("fan-out finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [
            models.Index(fields=["branch", "-created_at"], name="campaign_by_branch"),
            models.Index(fields=["status", "updated_at"], name="campaign_by_status"),
        ]
        permissions = [
            ("approve_campaign", _("Can approve another manager's campaign")),
            ("launch_campaign", _("Can launch an approved campaign")),
            ("record_offer_outcome", _("Can record the outcome of a campaign offer")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    def transition_to(self, status: str, **changes) -> None:
        """Move to `status` (with other field changes), or raise CampaignStatusError (crm_site.status).

        Of two requests racing (two approvals, a launch and a cancel), exactly one wins.
        """
        changes.setdefault("updated_at", timezone.now())
        status_transition(self, status, refuse=lambda current, wanted: CampaignStatusError(
            current or self.status, wanted, labels=CampaignStatus.choices), **changes)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def channel_labels(self) -> list[str]:
        """The chosen channels, in order, as the reader's language names them (短信, not SMS)."""
        return [str(CampaignChannel(code).label) if code in CampaignChannel.values else code
                for code in self.channels or []]

    @property
    def effective_frequency_cap(self) -> int:
        if self.frequency_cap is not None:
            return self.frequency_cap
        return settings.CAMPAIGN_FREQUENCY_CAP_DEFAULT

    @property
    def offer_ends_at(self) -> dt.datetime | None:
        """Counter offers and conversions count until this long after the launch."""
        start = self.started_at or self.launched_at
        return start + dt.timedelta(days=self.conversion_window_days) if start else None


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Handing to the channel")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
    OPTED_OUT = "opted_out", _("Opted out")


class SkipReason(models.TextChoices):
    # at fan-out (the preview's exclusions, in the order they are tested) and at send time
    HOLDS_PRODUCT = "holds_product", _("Already holds the product")
    DO_NOT_CONTACT = "do_not_contact", _("Do not contact")
    NO_CONSENT = "no_consent", _("No consent for any chosen channel")
    FREQUENCY_CAP = "frequency_cap", _("Frequency cap reached")
    HOLDOUT = "holdout", _("Holdout group (not contacted, for measuring lift)")
    # re-checked when sending: what changed between the launch and the send
    CONSENT_REVOKED = "consent_revoked", _("Consent withdrawn before sending")
    DNC_AT_SEND = "dnc_at_send", _("Marked do-not-contact before sending")
    CAP_AT_SEND = "cap_at_send", _("Frequency cap reached before sending")
    CANCELLED = "cancelled", _("Campaign cancelled")


EXCLUSION_REASONS = (SkipReason.HOLDS_PRODUCT, SkipReason.DO_NOT_CONTACT, SkipReason.NO_CONSENT,
                     SkipReason.FREQUENCY_CAP)


class OfferOutcome(models.TextChoices):
    INTERESTED = "interested", _("Interested")
    DECLINED = "declined", _("Declined")
    CONVERTED = "converted", _("Took the product")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


# outcomes that mean the customer was reached and answered
RESPONSE_OUTCOMES = (OfferOutcome.INTERESTED, OfferOutcome.DECLINED, OfferOutcome.CONVERTED)


class CampaignRecipient(models.Model):
    """One customer of one campaign (unique): the channel chosen, the holdout draw, and what happened.

    Fan-out writes one row per customer of the audience: eligible ones `pending` (or `skipped` with
    reason `holdout`), excluded ones `skipped` with the first exclusion reason, so the launch's counts
    are the preview's. Sending claims `pending` rows; a row past `pending` is never sent again.
    """

    # no index of its own: the unique (campaign, customer) leads with it
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients",
                                 verbose_name=_("campaign"), db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="campaign_recipients",
                                 verbose_name=_("customer"), db_index=False)
    channel = models.CharField(_("channel"), max_length=8, choices=CampaignChannel.choices, blank=True)
    holdout = models.BooleanField(_("holdout"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=RecipientStatus.choices,
                              default=RecipientStatus.PENDING)
    skip_reason = models.CharField(_("reason skipped"), max_length=16, choices=SkipReason.choices, blank=True)
    language = models.CharField(_("language"), max_length=10, default=FALLBACK_LANGUAGE)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    response = models.CharField(_("response"), max_length=16, choices=OfferOutcome.choices, blank=True)
    response_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("outcome recorded by"))
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="recipient_once_per_campaign")]
        indexes = [
            # the sender's claim: a campaign's due pending rows (partial: a row leaves it once handled,
            # so marking a chunk sent writes no entry here)
            models.Index(fields=["campaign", "next_attempt_at"], name="recipient_pending",
                         condition=models.Q(status="pending")),
            # the sweeper's look for emails left in hand by a dead worker (a handful at any time)
            models.Index(fields=["next_attempt_at"], name="recipient_in_hand", condition=models.Q(status="sending")),
            # the frequency cap and the teller's offers: a customer's recent contacts
            models.Index(fields=["customer", "sent_at"], name="recipient_by_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.customer_id} {self.channel} {self.status}"


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("With the gateway")
    ACCEPTED = "accepted", _("Accepted by the gateway")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """An SMS or app notification waiting for (or handed to) the gateway adapter.

    The address is not stored here: the adapter resolves it from the recipient's customer when it
    drains the outbox (the mobile number stays in one encrypted-at-rest-or-masked place, the profile).
    """

    recipient = models.OneToOneField(CampaignRecipient, on_delete=models.CASCADE, related_name="outbox_message",
                                     verbose_name=_("recipient"))
    channel = models.CharField(_("channel"), max_length=8, choices=CampaignChannel.choices)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    gateway_ref = models.CharField(_("gateway reference"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("handed to the gateway at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_drain",
                                condition=models.Q(status="queued"))]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.status}"


def outbox_due(now: dt.datetime) -> models.Q:
    """Outbox messages due at `now`: queued, never tried or their next attempt come (the drain's partial index)."""
    return models.Q(status=OutboxStatus.QUEUED) & (
        models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now))


class CampaignResult(models.Model):
    """The newest results snapshot of a campaign (funnel, by channel, by day, lift): see services.results."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, primary_key=True, related_name="result",
                                    verbose_name=_("campaign"))
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField(_("results"), default=dict)

    class Meta:
        verbose_name = _("campaign results")
        verbose_name_plural = _("campaign results")

    def __str__(self) -> str:
        return f"{self.campaign_id} @ {self.computed_at:%Y-%m-%d %H:%M}"


class ContactSource(models.TextChoices):
    IMPORT = "import", _("Imported campaign history")
    NEXT_BEST_OFFER = "next_best_offer", _("Next-best offer at the counter")


class ContactResponse(models.Model):
    """A contact about a product made outside this system's campaigns, and the customer's answer.

    Two sources: campaign history loaded from an earlier system (`import_records campaign_responses`,
    DESIGN §5) and the next-best offers a teller pitches at the counter (the propensity app records
    them through services.contacts). Both are contact history, like CampaignRecipient rows: the
    customer's timeline shows them and the propensity models learn from them. The campaigns floor owns
    them because it owns contacts and their answers; propensity only reads them.
    """

    campaign_code = models.CharField(_("campaign code"), max_length=64, blank=True,
                                     help_text=_("The campaign's code in the system it came from; empty for a "
                                                 "next-best offer at the counter."))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="contact_responses",
                                verbose_name=_("product"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_responses",
                                 verbose_name=_("customer"), db_index=False)
    channel = models.CharField(_("channel"), max_length=8, choices=CampaignChannel.choices)
    contacted_at = models.DateTimeField(_("contacted at"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=OfferOutcome.choices)
    source = models.CharField(_("source"), max_length=16, choices=ContactSource.choices, default=ContactSource.IMPORT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        ordering = ["-contacted_at", "-id"]
        verbose_name = _("contact response")
        verbose_name_plural = _("contact history")
        constraints = [models.UniqueConstraint(fields=["customer", "campaign_code", "channel", "contacted_at"],
                                               name="contact_response_once")]
        indexes = [models.Index(fields=["product", "contacted_at"], name="contact_response_by_product")]

    def __str__(self) -> str:
        return f"{self.campaign_code or '-'}:{self.customer_id} {self.channel} {self.outcome}"
