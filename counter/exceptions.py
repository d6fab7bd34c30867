"""The counter app's domain errors (turned into 4xx by crm_site.exceptions)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from crm_site.exceptions import Conflict, DomainError, NotAllowed, NotFound

from .models import TicketStatus


class TicketInvalid(DomainError):
    """The kiosk's request breaks a rule: an unknown service or branch, a malformed identifier."""


class CounterNotAllowed(NotAllowed):
    """Another branch's counter or ticket, or a counter someone else is at."""


class CounterNotFound(NotFound):
    pass


class CounterBusy(Conflict):
    """The counter or the teller is not free for this: taken, at another counter, a ticket still open."""


class TicketStatusError(Conflict):
    def __init__(self, current: str | None, wanted: str):
        labels = dict(TicketStatus.choices)
        super().__init__(_("The ticket is %(current)s; it cannot become %(wanted)s.")
                         % {"current": labels.get(current, current or "—"), "wanted": labels.get(wanted, wanted)})
        self.current = current
        self.wanted = wanted
