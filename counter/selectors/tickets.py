"""A ticket at the kiosk: who the identifier names, the branch's routing rules, the queue, the wait estimate."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import StaffProfile
from customers import identity, search

from ..exceptions import TicketInvalid
from ..models import (
    CounterKind,
    CounterSettings,
    IdentifierKind,
    Ticket,
    TicketStatus,
    default_service_queues,
    default_vip_tiers,
)

# the field of each exact-identifier condition of the customer search, and the kind of identifier it means
KIND_OF_FIELD = {
    "id_number_hmac": IdentifierKind.RESIDENT_ID,
    "mobile": IdentifierKind.MOBILE,
    "cards__pan_hmac": IdentifierKind.CARD,
    "accounts__account_no": IdentifierKind.ACCOUNT,
    "customer_no": IdentifierKind.CUSTOMER_NO,
}
IDENTIFIER_MAX_LENGTH = 40
_TICKET_NUMBER = re.compile(r"[A-Z]\d{1,6}")


def ticket_number_clean(number: str) -> str | None:
    """A ticket number as printed (V012), upper-cased; None for anything that cannot be one."""
    number = (number or "").strip().upper()
    return number if _TICKET_NUMBER.fullmatch(number) else None


_SEPARATORS = re.compile(r"[\s\-()（）+]")  # as the search strips them


@dataclass(frozen=True)
class Recognition:
    customer_id: int | None  # None: a walk-in (nobody, or more than one customer, has this identifier)
    kind: str
    customer_no: str | None = None
    tier: str = ""  # the customer's value tier when scored


def _resident_id_plausible(digits: str) -> bool:
    """An 18-character resident ID must carry its check digit; 15-digit old ones have none."""
    return len(digits) != 18 or identity.resident_id_check_char(digits[:17]) == digits[17]


def customer_recognise(*, identifier: str) -> Recognition:
    """The customer an identifier offered at the kiosk names, through the search's exact-identifier look-up.

    Raises TicketInvalid when it cannot be a mobile, ID, card, account or customer number.
    """
    text = (identifier or "").strip()
    conditions = search.identifier_conditions(text) if len(text) <= IDENTIFIER_MAX_LENGTH else []
    named = []
    for condition in conditions:
        field, _value = condition.children[0]
        kind = KIND_OF_FIELD.get(field)
        if kind is None:
            continue
        if kind == IdentifierKind.RESIDENT_ID and not _resident_id_plausible(_SEPARATORS.sub("", text).upper()):
            continue
        named.append((condition, kind))
    if not named:
        raise TicketInvalid(_("That is not a mobile, ID card, bank card or account number."), field="identifier")
    base = search.searchable_customers()
    lookups = [base.filter(condition).annotate(kind=Value(kind))
               .values_list("pk", "customer_no", "score__tier", "kind") for condition, kind in named]
    rows = list(lookups[0].union(*lookups[1:]) if len(lookups) > 1 else lookups[0])
    customers = {(pk, customer_no, tier) for pk, customer_no, tier, _kind in rows}
    if len(customers) != 1:
        return Recognition(customer_id=None, kind=named[0][1])
    order = [kind for _condition, kind in named]
    pk, customer_no, tier = customers.pop()
    return Recognition(customer_id=pk, customer_no=customer_no, tier=tier or "",
                       kind=min((row[-1] for row in rows), key=order.index))


def counter_settings_for(*, branch_id: int) -> CounterSettings:
    """The branch's routing rules, or the defaults (not saved) when a manager never changed them."""
    return CounterSettings.objects.filter(branch_id=branch_id).first() or _default_settings(branch_id)


def _default_settings(branch_id: int) -> CounterSettings:
    return CounterSettings(branch_id=branch_id, vip_tiers=default_vip_tiers(), service_queues=default_service_queues(),
                           display_token="")


def kiosk_branch_rules(*, user) -> tuple[StaffProfile | None, CounterSettings | None]:
    """The kiosk's staff profile (with its branch) and that branch's routing rules, in one query."""
    profile = StaffProfile.objects.select_related("branch__counter_settings").filter(user=user).first()
    if profile is None:
        return None, None
    try:
        rules = profile.branch.counter_settings
    except CounterSettings.DoesNotExist:
        rules = _default_settings(profile.branch_id)
    return profile, rules


def queue_for(*, rules: CounterSettings, tier: str, service: str) -> str:
    """Tier first (VIP whatever the service), then the service's queue, else the integrated queue."""
    if tier and tier in (rules.vip_tiers or []):
        return CounterKind.VIP
    queue = (rules.service_queues or {}).get(service)
    return queue if queue in CounterKind.values else CounterKind.INTEGRATED


def today() -> dt.date:
    return timezone.localdate()


# where a new ticket stands in its queue, and what the wait estimate needs: the day's mean service time and the
# counters open for that queue (or any): one read, after the ticket is in
TICKET_WAIT_SQL = """
SELECT (SELECT count(*) FROM counter_ticket t
         WHERE t.branch_id = %(branch_id)s AND t.day = %(day)s AND t.queue = %(queue)s AND t.status = %(waiting)s
           AND (t.issued_at, t.id) <= (%(issued_at)s, %(id)s)) AS position,
       (SELECT extract(epoch FROM avg(t.done_at - t.called_at)) FROM counter_ticket t
         WHERE t.branch_id = %(branch_id)s AND t.day = %(day)s AND t.status = %(done)s) AS mean_seconds,
       count(*) FILTER (WHERE c.kind = %(queue)s) AS own_counters, count(*) AS open_counters
  FROM counter_counter c
 WHERE c.branch_id = %(branch_id)s AND c.is_open
"""


def ticket_wait(*, ticket: Ticket) -> tuple[int, int]:
    """(position, estimated wait in minutes) of a waiting ticket: 1 for the next in its queue; the tickets ahead ×
    the day's mean service time, shared by the counters open for its queue (or any)."""
    with connection.cursor() as cursor:
        cursor.execute(TICKET_WAIT_SQL, {
            "branch_id": ticket.branch_id, "day": ticket.day, "queue": ticket.queue, "issued_at": ticket.issued_at,
            "id": ticket.pk, "waiting": TicketStatus.WAITING, "done": TicketStatus.DONE})
        position, mean_seconds, own, any_open = cursor.fetchone()
    ahead = position - 1
    if ahead <= 0:
        return position, 0
    minutes = float(mean_seconds) / 60 if mean_seconds else settings.COUNTER_DEFAULT_SERVICE_MINUTES
    return position, math.ceil(ahead * minutes / (own or any_open or 1))
