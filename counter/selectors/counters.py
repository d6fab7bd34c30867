"""Counters and the teller's bar: the user's branch, their counter, the ticket at it, the branch a page shows."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from branches.models import Branch
from branches.selectors import branches_visible_to, staff_profile_get

from ..exceptions import CounterNotAllowed, CounterNotFound
from ..models import AT_COUNTER, Counter, Ticket
from .tickets import ticket_number_clean, today


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


def branch_chosen(*, user, branch_code: str | None) -> Branch:
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
