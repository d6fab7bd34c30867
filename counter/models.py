"""Counters, tickets and each branch's routing rules (DESIGN §7c).

A ticket never holds the identifier the customer offered at the kiosk, only its kind; a recognised
customer is a foreign key. Ticket numbers are per branch, day and queue (V012, C034, A101), drawn
from TicketSequence by one upsert, so two kiosks never draw the same number.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Branch
from customers.models import Customer


class CounterKind(models.TextChoices):
    """A counter's kind is also the name of the queue it serves first."""

    VIP = "VIP", _("VIP")
    CASH = "CASH", _("Large cash")
    INTEGRATED = "INTEGRATED", _("Integrated")


QUEUE_PREFIX = {CounterKind.VIP: "V", CounterKind.CASH: "C", CounterKind.INTEGRATED: "A"}


class Service(models.TextChoices):
    CASH_LARGE = "CASH_LARGE", _("Large cash deposit or withdrawal")
    CASH = "CASH", _("Small cash deposit or withdrawal")
    BALANCE = "BALANCE", _("Balance enquiry")
    TRANSFER = "TRANSFER", _("Transfer")
    ACCOUNT = "ACCOUNT", _("Account opening or changes")
    WEALTH = "WEALTH", _("Wealth management")
    LOAN = "LOAN", _("Loans")
    OTHER = "OTHER", _("Other business")


class SelfServiceChannel(models.TextChoices):
    ATM = "ATM", _("ATM")
    MOBILE = "MOBILE", _("Mobile banking")


# services a customer can do without a teller, and where
SELF_SERVICE = {Service.CASH: SelfServiceChannel.ATM, Service.BALANCE: SelfServiceChannel.MOBILE,
                Service.TRANSFER: SelfServiceChannel.MOBILE}


class IdentifierKind(models.TextChoices):
    NONE = "", _("None (walk-in)")
    MOBILE = "MOBILE", _("Mobile number")
    RESIDENT_ID = "RESIDENT_ID", _("Resident ID number")
    CARD = "CARD", _("Card number")
    ACCOUNT = "ACCOUNT", _("Account number")
    CUSTOMER_NO = "CUSTOMER_NO", _("Customer number")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Done")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


TICKET_TRANSITIONS = {
    TicketStatus.WAITING: {TicketStatus.CALLED, TicketStatus.CANCELLED},
    TicketStatus.CALLED: {TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.DONE, TicketStatus.NO_SHOW,
                          TicketStatus.CANCELLED},
    TicketStatus.SERVING: {TicketStatus.DONE, TicketStatus.CANCELLED},
    TicketStatus.DONE: set(),
    TicketStatus.NO_SHOW: set(),
    TicketStatus.CANCELLED: set(),
}
AT_COUNTER = (TicketStatus.CALLED, TicketStatus.SERVING)  # the ticket a counter is busy with


def default_vip_tiers() -> list[str]:
    return ["AAA", "AA"]


def default_service_queues() -> dict[str, str]:
    return {Service.CASH_LARGE: CounterKind.CASH}


def new_display_token() -> str:
    return secrets.token_urlsafe(24)


class CounterSettings(models.Model):
    """A branch's routing rules: which tiers go to the VIP queue, which services to which queue."""

    branch = models.OneToOneField(Branch, on_delete=models.CASCADE, related_name="counter_settings",
                                  verbose_name=_("branch"))
    vip_tiers = models.JSONField(_("tiers served at the VIP counter"), default=default_vip_tiers, blank=True)
    service_queues = models.JSONField(_("queue per service"), default=default_service_queues, blank=True,
                                      help_text=_("Services not named here go to the integrated queue."))
    display_token = models.CharField(_("lobby display token"), max_length=64, default=new_display_token,
                                     unique=True)

    class Meta:
        verbose_name = _("counter settings")
        verbose_name_plural = _("counter settings")

    def __str__(self) -> str:
        return str(self.branch)


class Counter(models.Model):
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="counters", verbose_name=_("branch"))
    code = models.CharField(_("code"), max_length=8)
    kind = models.CharField(_("kind"), max_length=10, choices=CounterKind.choices)
    is_open = models.BooleanField(_("open"), default=False)
    teller = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="counter", verbose_name=_("teller at the counter"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    class Meta:
        ordering = ["branch", "code"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        permissions = [("call_ticket", _("Can take a counter and call tickets")),
                       ("view_lobby", _("Can see the lobby board")),
                       ("view_counter_stats", _("Can see the counter statistics"))]
        constraints = [
            models.UniqueConstraint(fields=["branch", "code"], name="counter_code_per_branch"),
            models.CheckConstraint(condition=Q(is_open=False) | Q(teller__isnull=False),
                                   name="open_counter_has_teller"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_kind_display()})"


class TicketSequence(models.Model):
    """The last number drawn per branch, day and queue."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    queue = models.CharField(max_length=10, choices=CounterKind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["branch", "day", "queue"], name="ticket_sequence_key")]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.day} {self.queue} {self.last}"


class Ticket(models.Model):
    TRANSITIONS = TICKET_TRANSITIONS

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("branch"))
    day = models.DateField(_("day"))
    number = models.CharField(_("ticket number"), max_length=8)
    queue = models.CharField(_("queue"), max_length=10, choices=CounterKind.choices)
    service = models.CharField(_("service"), max_length=12, choices=Service.choices)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
                                 verbose_name=_("customer"))
    identifier_kind = models.CharField(_("identifier offered"), max_length=12, choices=IdentifierKind.choices,
                                       blank=True, default=IdentifierKind.NONE)
    tier = models.CharField(_("tier when issued"), max_length=3, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=TicketStatus.choices,
                              default=TicketStatus.WAITING)
    suggestion = models.CharField(_("self-service suggested"), max_length=8, choices=SelfServiceChannel.choices,
                                  blank=True)
    suggestion_taken = models.BooleanField(_("went to self-service"), default=False)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)  # first call: the wait ends here
    announced_at = models.DateTimeField(_("last called at"), null=True, blank=True)  # a recall calls again
    done_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    counter = models.ForeignKey(Counter, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
                                verbose_name=_("counter"))
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("called by"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("issued by (kiosk)"))

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(fields=["branch", "day", "number"], name="ticket_number_per_day"),
            # a counter has at most one ticket in hand: two call-next at once on one counter (a double click)
            # cannot both claim one; it also serves as the index of "the ticket this counter is busy with"
            models.UniqueConstraint(fields=["counter"], condition=Q(status__in=["called", "serving"]),
                                    name="one_ticket_at_counter"),
        ]
        indexes = [
            # call-next: the waiting tickets of a branch, oldest first
            models.Index(fields=["branch", "issued_at"], condition=Q(status="waiting"), name="ticket_waiting"),
            models.Index(fields=["branch", "day"], name="ticket_branch_day"),
            models.Index(fields=["issued_at"], condition=Q(status__in=["waiting", "called", "serving"]),
                         name="ticket_open"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.day:%Y-%m-%d}"
