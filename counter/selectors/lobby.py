"""The lobby: the staff's board (who waits, recognised customers, an offer each) and the public display."""

from __future__ import annotations

import datetime as dt
import hmac
import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Branch
from campaigns.selectors import offers_for_customers
from customers import identity
from customers.models import AccessVia, CustomerAccessLog
from scoring import explain
from scoring.models import CustomerScore

from ..exceptions import CounterNotAllowed
from ..models import AT_COUNTER, QUEUE_PREFIX, Counter, CounterKind, CounterSettings, Ticket, TicketStatus
from .counters import branch_chosen
from .tickets import today

_DISPLAY_KEY = re.compile(r"[A-Za-z0-9_\-]{1,64}")  # branch codes and display tokens (token_urlsafe)


def lobby_branch(*, user, branch_code: str | None = None) -> Branch:
    """The branch whose lobby the user may watch: their own, or (admins) the one they chose."""
    if not user.has_perm("counter.view_lobby"):
        raise CounterNotAllowed(_("Only branch staff may see the lobby board."))
    return branch_chosen(user=user, branch_code=branch_code)


def _minutes(delta: dt.timedelta) -> int:
    return max(int(delta.total_seconds() // 60), 0)


def lobby_board(*, branch: Branch, now: dt.datetime | None = None) -> dict:
    """Every queue with its waiting tickets; recognised customers with masked name, tier, alerts and an offer."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    waiting = list(Ticket.objects.filter(branch=branch, day=day, status=TicketStatus.WAITING)
                   .select_related("customer", "customer__home_branch").order_by("issued_at", "id"))
    customer_ids = {t.customer_id for t in waiting if t.customer_id}
    scores = {s.customer_id: s for s in CustomerScore.objects.filter(customer_id__in=customer_ids)
              .only("customer_id", "tier", "alerts")}
    offers_by_customer = offers_for_customers(customers=[t.customer for t in waiting if t.customer_id], now=now)
    queues = {kind: {"kind": kind, "label": label, "prefix": QUEUE_PREFIX[kind], "tickets": [], "longest": 0}
              for kind, label in CounterKind.choices}
    for ticket in waiting:
        row = {"ticket": ticket, "wait_minutes": _minutes(now - ticket.issued_at), "customer": None}
        if ticket.customer_id:
            score = scores.get(ticket.customer_id)
            masked = identity.masked_name(ticket.customer.full_name)
            offers = offers_by_customer.get(ticket.customer_id, [])[:1]  # the 360 page's first offer
            for offer in offers:  # the board may be seen by others in the lobby: the pitch names nobody in full
                offer.pitch = offer.pitch.replace(ticket.customer.display_name, masked)
            row["customer"] = {
                "customer_no": ticket.customer.customer_no,
                "masked_name": masked,
                "tier": score.tier if score else ticket.tier,
                "alerts": explain.alerts_display(score.alerts) if score else [],
                "offers": offers,
            }
        queue = queues[ticket.queue]
        queue["tickets"].append(row)
        queue["longest"] = max(queue["longest"], row["wait_minutes"])
    counters = list(Counter.objects.filter(branch=branch).select_related("teller").order_by("code"))
    serving = {t.counter_id: t for t in Ticket.objects.filter(branch=branch, day=day, status__in=AT_COUNTER)
               .only("number", "counter_id", "status")}
    return {"branch": branch, "queues": list(queues.values()), "waiting": len(waiting),
            "recognised_ids": sorted(customer_ids), "now": now,
            "counters": [{"counter": c, "ticket": serving.get(c.pk)} for c in counters]}


def lobby_customers_unlogged(*, user, customer_ids: list[int], day: dt.date) -> list[int]:
    """The customers on the board this user has not yet been logged as seeing today (the board polls)."""
    if not customer_ids:
        return []
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    seen = set(CustomerAccessLog.objects.filter(user=user, via=AccessVia.COUNTER, at__gte=start,
                                                customer_id__in=customer_ids).values_list("customer_id", flat=True))
    return sorted(set(customer_ids) - seen)


# --- the public display ----------------------------------------------------------------------------------------

DISPLAY_CALLED = 6
DISPLAY_WAITING = 12


def display_branch(*, branch_code: str, token: str) -> Branch | None:
    """The branch whose display token (or the site-wide COUNTER_DISPLAY_TOKEN) this is; None otherwise."""
    if not (_DISPLAY_KEY.fullmatch(branch_code or "") and _DISPLAY_KEY.fullmatch(token or "")):
        return None
    branch = Branch.objects.filter(code=branch_code).first()
    if branch is None:
        return None
    site_token = settings.COUNTER_DISPLAY_TOKEN
    if site_token and hmac.compare_digest(site_token.encode(), token.encode()):
        return branch
    own = CounterSettings.objects.filter(branch=branch).values_list("display_token", flat=True).first()
    if own and hmac.compare_digest(own.encode(), token.encode()):
        return branch
    return None


def display_board(*, branch: Branch) -> dict:
    """Ticket numbers and counter codes only: the lobby screen shows nothing about anyone."""
    day = today()
    called = list(Ticket.objects.filter(branch=branch, day=day, status__in=AT_COUNTER)
                  .order_by("-announced_at").values("number", "counter__code")[:DISPLAY_CALLED])
    waiting = {kind: [] for kind in CounterKind.values}
    for number, queue in (Ticket.objects.filter(branch=branch, day=day, status=TicketStatus.WAITING)
                          .order_by("issued_at", "id").values_list("number", "queue")):
        if len(waiting[queue]) < DISPLAY_WAITING:
            waiting[queue].append(number)
    return {"branch_name": branch.name, "called": [{"number": c["number"], "counter": c["counter__code"]}
                                                   for c in called],
            "waiting": [{"label": label, "numbers": waiting[kind]} for kind, label in CounterKind.choices]}
