"""Reads of the counter service: who the identifier names, the queues, the lobby board, the display, statistics."""

from __future__ import annotations

import datetime as dt
import hmac
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, F, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Branch
from branches.selectors import branches_visible_to, staff_profile_get
from campaigns.selectors import offers_for_customer
from customers import identity, search
from customers.models import AccessVia, Customer, CustomerAccessLog
from scoring import explain
from scoring.models import CustomerScore

from .exceptions import CounterNotAllowed, CounterNotFound, TicketInvalid
from .models import (
    AT_COUNTER,
    QUEUE_PREFIX,
    Counter,
    CounterKind,
    CounterSettings,
    IdentifierKind,
    Service,
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
_DISPLAY_KEY = re.compile(r"[A-Za-z0-9_\-]{1,64}")  # branch codes and display tokens (token_urlsafe)


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
    found = CounterSettings.objects.filter(branch_id=branch_id).first()
    return found or CounterSettings(branch_id=branch_id, vip_tiers=default_vip_tiers(),
                                    service_queues=default_service_queues(), display_token="")


def queue_for(*, rules: CounterSettings, tier: str, service: str) -> str:
    """Tier first (VIP whatever the service), then the service's queue, else the integrated queue."""
    if tier and tier in (rules.vip_tiers or []):
        return CounterKind.VIP
    queue = (rules.service_queues or {}).get(service)
    return queue if queue in CounterKind.values else CounterKind.INTEGRATED


def today() -> dt.date:
    return timezone.localdate()


def estimated_wait_minutes(*, branch_id: int, queue: str, ahead: int, day: dt.date) -> int:
    """Tickets ahead × the day's mean service time, shared by the counters open for that queue (or any)."""
    if ahead <= 0:
        return 0
    mean = Ticket.objects.filter(branch_id=branch_id, day=day, status=TicketStatus.DONE).aggregate(
        seconds=Avg(F("done_at") - F("called_at")))["seconds"]
    minutes = mean.total_seconds() / 60 if mean else settings.COUNTER_DEFAULT_SERVICE_MINUTES
    open_counters = Counter.objects.filter(branch_id=branch_id, is_open=True).aggregate(
        own=Count("pk", filter=Q(kind=queue)), any=Count("pk"))
    counters = open_counters["own"] or open_counters["any"] or 1
    return math.ceil(ahead * minutes / counters)


def ticket_position(*, ticket: Ticket) -> int:
    """1 for the next in its queue."""
    return Ticket.objects.filter(branch_id=ticket.branch_id, day=ticket.day, queue=ticket.queue,
                                 status=TicketStatus.WAITING).filter(
        Q(issued_at__lt=ticket.issued_at) | Q(issued_at=ticket.issued_at, pk__lte=ticket.pk)).count()


# --- counters and the teller's bar ----------------------------------------------------------------------------


def staff_branch_id(*, user) -> int | None:
    profile = staff_profile_get(user=user)
    return profile.branch_id if profile else None


def counter_get(*, counter_id: int, user) -> Counter:
    """A counter of the user's own branch (tellers take counters where they work)."""
    counter = Counter.objects.select_related("branch", "teller").filter(pk=counter_id).first()
    if counter is None:
        raise CounterNotFound(_("There is no such counter."))
    if counter.branch_id != staff_branch_id(user=user):
        raise CounterNotAllowed(_("That counter is at another branch."))
    return counter


def counter_of_teller(*, user) -> Counter | None:
    if not user.is_authenticated:
        return None
    return Counter.objects.select_related("branch").filter(teller=user, is_open=True).first()


def counters_for_branch(*, branch_id: int | None) -> QuerySet[Counter]:
    return Counter.objects.filter(branch_id=branch_id).select_related("teller").order_by("code")


def ticket_at_counter(*, counter: Counter) -> Ticket | None:
    return (Ticket.objects.filter(counter=counter, status__in=AT_COUNTER)
            .select_related("customer").order_by("-announced_at").first())


def ticket_get_for_counter_work(*, number: str, user) -> Ticket:
    """Today's ticket of that number at the user's branch; only the teller whose counter holds it may act on it."""
    branch_id = staff_branch_id(user=user)
    clean = ticket_number_clean(number)
    ticket = (Ticket.objects.select_related("counter", "customer")
              .filter(branch_id=branch_id, day=today(), number=clean).first()) if clean else None
    if ticket is None:
        raise CounterNotFound(_("There is no ticket %(number)s today.") % {"number": clean or "—"})
    if ticket.counter is None or ticket.counter.teller_id != user.pk:
        raise CounterNotAllowed(_("Ticket %(number)s is not at your counter.") % {"number": ticket.number})
    return ticket


def profile_url(*, ticket: Ticket) -> str | None:
    """The 360 page of the ticket's customer (a URL name of the teller floor: no import goes up)."""
    return reverse("teller:customer", kwargs={"customer_no": ticket.customer.customer_no}) if ticket.customer_id \
        else None


# --- the lobby board -------------------------------------------------------------------------------------------


masked_name = identity.masked_name  # moved down to customers, where the campaign builder's sample uses it too


def _branch_chosen(*, user, branch_code: str | None) -> Branch:
    """The branch a page of one branch shows: the one chosen among those the user sees, else their own."""
    if branch_code:
        branch = branches_visible_to(user=user).filter(code=branch_code[:16]).first()
        if branch is None:
            raise CounterNotFound(_("There is no such branch."))
        return branch
    profile = staff_profile_get(user=user)
    if profile is None:
        raise CounterNotFound(_("You are not on the staff of a branch."))
    return profile.branch


def lobby_branch(*, user, branch_code: str | None = None) -> Branch:
    """The branch whose lobby the user may watch: their own, or (admins) the one they chose."""
    if not user.has_perm("counter.view_lobby"):
        raise CounterNotAllowed(_("Only branch staff may see the lobby board."))
    return _branch_chosen(user=user, branch_code=branch_code)


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
    queues = {kind: {"kind": kind, "label": label, "prefix": QUEUE_PREFIX[kind], "tickets": [], "longest": 0}
              for kind, label in CounterKind.choices}
    for ticket in waiting:
        row = {"ticket": ticket, "wait_minutes": _minutes(now - ticket.issued_at), "customer": None}
        if ticket.customer_id:
            score = scores.get(ticket.customer_id)
            masked = masked_name(ticket.customer.full_name)
            # one query per recognised customer waiting: a lobby holds tens, not thousands
            offers = offers_for_customer(customer=ticket.customer, now=now)[:1]
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


def lobby_customers_unlogged(*, user, customer_ids: list[int], day: dt.date) -> list[Customer]:
    """Customers on the board this user has not yet been logged as seeing today (the board polls)."""
    if not customer_ids:
        return []
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    seen = set(CustomerAccessLog.objects.filter(user=user, via=AccessVia.COUNTER, at__gte=start,
                                                customer_id__in=customer_ids).values_list("customer_id", flat=True))
    return list(Customer.objects.filter(pk__in=set(customer_ids) - seen))


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


# --- statistics ------------------------------------------------------------------------------------------------

STATS_SQL = """
SELECT queue, service, GROUPING(queue) AS all_queues, GROUPING(service) AS all_services,
       count(*) AS tickets,
       count(*) FILTER (WHERE status = 'done') AS served,
       count(*) FILTER (WHERE status = 'no_show') AS no_shows,
       count(*) FILTER (WHERE status IN ('waiting', 'called', 'serving')) AS open,
       count(*) FILTER (WHERE suggestion <> '') AS suggested,
       count(*) FILTER (WHERE suggestion_taken) AS suggestions_taken,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM called_at - issued_at)) AS wait_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM called_at - issued_at)) AS wait_p90,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN status = 'done'
                                          THEN extract(epoch FROM done_at - called_at) END) AS service_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY CASE WHEN status = 'done'
                                          THEN extract(epoch FROM done_at - called_at) END) AS service_p90,
       count(*) FILTER (WHERE queue = 'VIP' AND called_at IS NOT NULL) AS vip_called,
       count(*) FILTER (WHERE queue = 'VIP' AND called_at - issued_at <= %(target)s) AS vip_within_target
  FROM counter_ticket
 WHERE branch_id = %(branch_id)s AND day = %(day)s
 GROUP BY GROUPING SETS ((queue), (service), ())
"""
MINUTE = Decimal("0.1")


def _as_minutes(seconds) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 60).quantize(MINUTE, rounding=ROUND_HALF_UP)


def stats_branch(*, user, branch_code: str | None = None) -> Branch:
    """The branch whose counter statistics the user may see: managers their own, admins any."""
    if not user.has_perm("counter.view_counter_stats"):
        raise CounterNotAllowed(_("Only branch managers and admins may see the counter statistics."))
    return _branch_chosen(user=user, branch_code=branch_code)


def counter_stats(*, branch: Branch, day: dt.date) -> dict:
    """One day of a branch's counter: tickets per queue and service, wait and service times (p50/p90, minutes),
    VIP customers called within the target wait, no-shows, self-service suggestions made and taken."""
    target = dt.timedelta(minutes=settings.COUNTER_VIP_TARGET_MINUTES)
    with connection.cursor() as cursor:
        cursor.execute(STATS_SQL, {"target": target, "branch_id": branch.pk, "day": day})
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def figures(row: dict | None) -> dict:
        row = row or {}
        return {"tickets": row.get("tickets", 0), "served": row.get("served", 0),
                "no_shows": row.get("no_shows", 0), "open": row.get("open", 0),
                "wait_p50": _as_minutes(row.get("wait_p50")), "wait_p90": _as_minutes(row.get("wait_p90")),
                "service_p50": _as_minutes(row.get("service_p50")),
                "service_p90": _as_minutes(row.get("service_p90"))}

    total = next((r for r in rows if r["all_queues"] and r["all_services"]), None)
    by_queue = {r["queue"]: r for r in rows if not r["all_queues"]}
    by_service = {r["service"]: r for r in rows if not r["all_services"]}
    summary = figures(total)
    total = total or {}
    summary.update({
        "vip_called": total.get("vip_called", 0), "vip_within_target": total.get("vip_within_target", 0),
        "vip_target_minutes": settings.COUNTER_VIP_TARGET_MINUTES,
        "suggested": total.get("suggested", 0), "suggestions_taken": total.get("suggestions_taken", 0),
    })
    summary["vip_within_target_share"] = (
        (Decimal(summary["vip_within_target"]) / summary["vip_called"]).quantize(Decimal("0.0001"))
        if summary["vip_called"] else None)
    return {
        "branch": branch, "day": day, "summary": summary,
        "queues": [{"code": kind, "label": label, **figures(by_queue.get(kind))}
                   for kind, label in CounterKind.choices],
        "services": [{"code": code, "label": label, **figures(by_service.get(code))}
                     for code, label in Service.choices],
    }
