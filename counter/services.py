"""Writes of the counter service: kiosk devices, tickets, counters, calling, the nightly close.

Every write that belongs together is one transaction. Ticket numbers come from one upsert per
(branch, day, queue); calling takes the next ticket with SELECT … FOR UPDATE SKIP LOCKED, so two
counters calling at once never get the same ticket; status changes are conditional UPDATEs
(crm_site.status), so of two racing requests exactly one wins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from branches import services as branch_services
from branches.models import Branch, Role
from branches.selectors import staff_profile_get
from crm_site.status import status_transition
from customers.models import AccessVia, Customer
from customers.services import customer_access_record, customers_access_record

from . import selectors
from .exceptions import CounterBusy, CounterNotAllowed, CounterNotFound, TicketInvalid, TicketStatusError
from .models import (
    AT_COUNTER,
    QUEUE_PREFIX,
    SELF_SERVICE,
    Counter,
    Service,
    Ticket,
    TicketStatus,
)


def _columns(model, alias: str = "", *, without: tuple[str, ...] = ()) -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields
                     if f.attname not in without)


# The number and the ticket in one statement. The sequence row is locked until the issuing transaction commits:
# two kiosks never draw the same number. Its first draw of a day (and any draw behind the tickets, e.g. after a
# restore) starts above the day's tickets. The number is the queue's letter and at least three digits (A007, A1000).
_TICKET_INSERTED = ("id", "number")  # the columns the statement fills itself; the others are parameters
TICKET_INSERT_SQL = f"""
WITH drawn AS (
    INSERT INTO counter_ticketsequence (branch_id, day, queue, last)
    VALUES (%(branch_id)s, %(day)s, %(queue)s,
            1 + COALESCE((SELECT max(NULLIF(regexp_replace(number, '\\D', '', 'g'), '')::int)
                            FROM counter_ticket
                           WHERE branch_id = %(branch_id)s AND day = %(day)s AND queue = %(queue)s), 0))
    ON CONFLICT (branch_id, day, queue) DO UPDATE SET last = GREATEST(counter_ticketsequence.last + 1, EXCLUDED.last)
    RETURNING last
)
INSERT INTO counter_ticket (number, {_columns(Ticket, without=_TICKET_INSERTED)})
SELECT %(prefix)s || lpad(last::text, greatest(3, length(last::text)), '0'),
       {", ".join(f"%({f.attname})s" for f in Ticket._meta.concrete_fields if f.attname not in _TICKET_INSERTED)}
  FROM drawn
RETURNING id, number
"""  # noqa: S608 - column names from model metadata; values are parameters


@transaction.atomic
def kiosk_create(*, username: str, branch: Branch) -> tuple[AbstractBaseUser, Token]:
    """A ticket kiosk's login (no password) bound to its branch, and the API token the device uses."""
    user = branch_services.staff_create(username=username, password=None, branch=branch, role=Role.KIOSK)
    return user, Token.objects.create(user=user)


@dataclass(frozen=True)
class IssuedTicket:
    ticket: Ticket
    position: int
    estimated_wait_minutes: int
    customer_no: str | None


def _ticket_insert(ticket: Ticket) -> None:
    """Draw the ticket's number and insert it (one statement); sets its id and number."""
    values = {f.attname: f.get_db_prep_save(f.pre_save(ticket, add=True), connection)
              for f in Ticket._meta.concrete_fields if f.attname not in _TICKET_INSERTED}
    with connection.cursor() as cursor:
        cursor.execute(TICKET_INSERT_SQL, {**values, "prefix": QUEUE_PREFIX[ticket.queue]})
        ticket.id, ticket.number = cursor.fetchone()
    ticket._state.adding, ticket._state.db = False, connection.alias


@transaction.atomic
def ticket_issue(*, kiosk: AbstractBaseUser, branch_code: str, service: str, identifier: str | None = None,
                 now: dt.datetime | None = None) -> IssuedTicket:
    """A ticket for the customer at the kiosk: recognised by the identifier (never stored), routed by the
    branch's rules, numbered per queue and day.

    Four statements: the kiosk's branch with its rules, the identifier look-up, the number drawn and the ticket
    inserted, and its position with the wait estimate (after the insert, so that a kiosk that waited for the
    sequence row counts the ticket drawn just before its own).
    """
    if service not in Service.values:
        raise TicketInvalid(_("Choose one of the services offered."), field="service")
    profile, rules = selectors.kiosk_branch_rules(user=kiosk)
    if profile is None or profile.branch.code != branch_code:
        raise CounterNotAllowed(_("This kiosk issues tickets at its own branch only."))
    recognition = (selectors.customer_recognise(identifier=identifier) if identifier
                   else selectors.Recognition(customer_id=None, kind=""))
    now = now or timezone.now()
    tier = recognition.tier
    ticket = Ticket(branch_id=profile.branch_id, day=timezone.localdate(now), service=service,
                    queue=selectors.queue_for(rules=rules, tier=tier, service=service),
                    customer_id=recognition.customer_id, identifier_kind=recognition.kind, tier=tier,
                    suggestion=SELF_SERVICE.get(service, ""), issued_at=now, issued_by=kiosk)
    _ticket_insert(ticket)
    position, wait = selectors.ticket_wait(ticket=ticket)
    return IssuedTicket(ticket=ticket, position=position, estimated_wait_minutes=wait,
                        customer_no=recognition.customer_no)


def _refuse(current, wanted):
    return TicketStatusError(current, wanted)


@transaction.atomic
def ticket_take_self_service(*, kiosk: AbstractBaseUser, number: str, now: dt.datetime | None = None) -> Ticket:
    """The customer took the kiosk's suggestion (ATM, mobile banking): the ticket leaves the queue, counted."""
    profile = staff_profile_get(user=kiosk)
    clean = selectors.ticket_number_clean(number)
    ticket = Ticket.objects.filter(branch_id=profile.branch_id if profile else None, day=selectors.today(),
                                   number=clean).first() if clean else None
    if ticket is None:
        raise CounterNotFound(_("There is no ticket %(number)s today.") % {"number": clean or "—"})
    if not ticket.suggestion:
        raise TicketInvalid(_("No self-service was suggested for this ticket."))
    status_transition(ticket, TicketStatus.CANCELLED, refuse=_refuse, suggestion_taken=True,
                      done_at=now or timezone.now())
    return ticket


# --- counters ---------------------------------------------------------------------------------------------------


@transaction.atomic
def counter_open(*, counter_id: int, user: AbstractBaseUser, now: dt.datetime | None = None) -> Counter:
    """The teller takes a counter of their branch; one counter per teller at a time."""
    counter = selectors.counter_get(counter_id=counter_id, user=user)
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    if counter.is_open and counter.teller_id == user.pk:
        return counter
    if counter.is_open:
        raise CounterBusy(_("Counter %(code)s is taken by a colleague.") % {"code": counter.code})
    other = Counter.objects.filter(teller=user).exclude(pk=counter.pk).first()
    if other is not None:
        raise CounterBusy(_("You are at counter %(code)s: close it first.") % {"code": other.code})
    counter.is_open, counter.teller, counter.opened_at = True, user, now or timezone.now()
    try:
        with transaction.atomic():
            counter.save(update_fields=["is_open", "teller", "opened_at"])
    except IntegrityError as exc:  # the same teller opening another counter at the same moment
        raise CounterBusy(_("You are already at another counter.")) from exc
    return counter


@transaction.atomic
def counter_close(*, counter_id: int, user: AbstractBaseUser) -> Counter:
    """The teller leaves the counter; a ticket still called there must be finished first."""
    counter = selectors.counter_get(counter_id=counter_id, user=user)
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    if not counter.is_open:
        return counter
    if counter.teller_id != user.pk:
        raise CounterNotAllowed(_("Only the teller at counter %(code)s may close it.") % {"code": counter.code})
    current = selectors.ticket_at_counter(counter=counter)
    if current is not None:
        raise CounterBusy(_("Finish ticket %(number)s first.") % {"number": current.number})
    counter.is_open, counter.teller, counter.opened_at = False, None, None
    counter.save(update_fields=["is_open", "teller", "opened_at"])
    return counter


# call-next in one statement: the counter and the caller's branch (one row, also when nothing can be called, so
# that the refusal can say why), the ticket the counter is still busy with, the next waiting ticket claimed with
# SKIP LOCKED (own queue first, then the longest waiting; two counters never claim the same one) and moved to
# "called" by a conditional UPDATE, and the called customer's number. Nothing is claimed unless the caller is the
# teller at this open counter of their own branch and the counter has no ticket in hand.
CALL_NEXT_SQL = f"""
WITH here AS (
    SELECT {_columns(Counter, "c")},
           (SELECT sp.branch_id FROM branches_staffprofile sp WHERE sp.user_id = %(user)s) AS staff_branch_id,
           (SELECT t.number FROM counter_ticket t WHERE t.counter_id = c.id AND t.status IN %(at_counter)s
             ORDER BY t.announced_at DESC LIMIT 1) AS busy_with
      FROM counter_counter c
     WHERE c.id = %(counter)s
), claimed AS (
    SELECT t.id
      FROM counter_ticket t JOIN here ON t.branch_id = here.branch_id
     WHERE here.is_open AND here.teller_id = %(user)s AND here.staff_branch_id = here.branch_id
       AND here.busy_with IS NULL AND t.day = %(day)s AND t.status = %(waiting)s
     ORDER BY t.queue <> here.kind, t.issued_at, t.id
     LIMIT 1
       FOR UPDATE OF t SKIP LOCKED
), called AS (
    UPDATE counter_ticket t
       SET status = %(called)s, counter_id = %(counter)s, called_by_id = %(user)s, called_at = %(now)s,
           announced_at = %(now)s
      FROM claimed
     WHERE t.id = claimed.id AND t.status = %(waiting)s
 RETURNING {_columns(Ticket, "t")}
)
SELECT here.*, called.*, customer.customer_no
  FROM here LEFT JOIN called ON TRUE LEFT JOIN customers_customer customer ON customer.id = called.customer_id
"""  # noqa: S608 - column names from model metadata; values are parameters


def ticket_call_next(*, counter_id: int, user: AbstractBaseUser, ip_address: str | None = None,
                     now: dt.datetime | None = None) -> Ticket | None:
    """The next ticket for this counter: its own queue first come first served, then the longest-waiting ticket
    of any queue; None when nobody waits. A known customer's call is in their access log.

    One statement claims and calls (CALL_NEXT_SQL), a second writes the access row; both in one transaction.
    The ticket comes with its counter and its customer's number (the customer's other fields load on access).
    """
    low, high = connection.ops.integer_field_range(Counter._meta.pk.get_internal_type())
    if not low <= counter_id <= high:  # as the ORM's lookups: an id no column can hold names no counter
        raise CounterNotFound(_("There is no such counter."))
    now = now or timezone.now()
    try:
        return _call_next(counter_id=counter_id, user=user, ip_address=ip_address, now=now)
    except IntegrityError as exc:
        # the same counter called at the same instant (a double click): the other call got the ticket
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") != "one_ticket_at_counter":
            raise
        raise CounterBusy(_("This counter has just called a ticket: finish it first.")) from exc


def _call_next(*, counter_id: int, user: AbstractBaseUser, ip_address: str | None, now: dt.datetime) -> Ticket | None:
    counter_fields = Counter._meta.concrete_fields
    ticket_fields = Ticket._meta.concrete_fields
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(CALL_NEXT_SQL, {
                "counter": counter_id, "user": user.pk, "day": timezone.localdate(now), "now": now,
                "waiting": TicketStatus.WAITING, "called": TicketStatus.CALLED, "at_counter": AT_COUNTER})
            row = cursor.fetchone()
        if row is None:
            raise CounterNotFound(_("There is no such counter."))
        counter = Counter.from_db(connection.alias, [f.attname for f in counter_fields], row[:len(counter_fields)])
        staff_branch_id, busy_with = row[len(counter_fields):len(counter_fields) + 2]
        ticket_row = row[len(counter_fields) + 2:-1]
        if counter.branch_id != staff_branch_id:
            raise CounterNotAllowed(_("That counter is at another branch."))
        if not counter.is_open or counter.teller_id != user.pk:
            raise CounterNotAllowed(_("Open counter %(code)s before calling.") % {"code": counter.code})
        if busy_with is not None:
            raise CounterBusy(_("Finish ticket %(number)s first.") % {"number": busy_with})
        if ticket_row[0] is None:
            return None
        ticket = Ticket.from_db(connection.alias, [f.attname for f in ticket_fields], ticket_row)
        ticket.counter = counter
        if ticket.customer_id:
            ticket.customer = Customer.from_db(connection.alias, ["id", "customer_no"],
                                               [ticket.customer_id, row[-1]])
            customer_access_record(customer=ticket.customer, user=user, via=AccessVia.COUNTER, ip_address=ip_address)
    return ticket


ACTIONS = {"serve": TicketStatus.SERVING, "done": TicketStatus.DONE, "no-show": TicketStatus.NO_SHOW,
           "recall": TicketStatus.CALLED}


@transaction.atomic
def ticket_act(*, number: str, action: str, user: AbstractBaseUser, now: dt.datetime | None = None) -> Ticket:
    """The teller at the ticket's counter: serve, done, no-show, or recall (call it again on the display)."""
    ticket = selectors.ticket_get_for_counter_work(number=number, user=user)
    now = now or timezone.now()
    status = ACTIONS[action]
    if action == "recall":
        if ticket.status != TicketStatus.CALLED:
            raise TicketStatusError(ticket.status, status)
        status_transition(ticket, status, refuse=_refuse, announced_at=now, recalls=ticket.recalls + 1)
    elif status in (TicketStatus.DONE, TicketStatus.NO_SHOW):
        status_transition(ticket, status, refuse=_refuse, done_at=now)
    else:
        status_transition(ticket, status, refuse=_refuse)
    return ticket


def tickets_close_stale(*, now: dt.datetime | None = None, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Tickets still open a day after they were issued are cancelled (one UPDATE); the number closed."""
    now = now or timezone.now()
    return Ticket.objects.filter(status__in=[TicketStatus.WAITING, *AT_COUNTER],
                                 issued_at__lt=now - older_than).update(status=TicketStatus.CANCELLED, done_at=now)


def lobby_views_record(*, user: AbstractBaseUser, customer_ids: list[int], ip_address: str | None = None) -> int:
    """The lobby board shows recognised customers: each one's first showing to this user today is logged (one
    statement for them all); the rows written."""
    unlogged = selectors.lobby_customers_unlogged(user=user, customer_ids=customer_ids, day=selectors.today())
    return customers_access_record(customer_ids=unlogged, user=user, via=AccessVia.COUNTER, ip_address=ip_address)
