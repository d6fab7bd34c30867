"""The campaigns app's domain errors (turned into 4xx by crm_site.exceptions)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from crm_site.exceptions import Conflict, DomainError


class CampaignInvalid(DomainError):
    """A campaign's fields break a rule (messages, channels, audience, times)."""

    def __init__(self, message: str, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message, field=field)
        self.errors = errors or ({field: [message]} if field else {"detail": [message]})


class CampaignStatusError(Conflict):
    """A status change the campaign's pipeline does not allow, or another request changed it first."""

    def __init__(self, current: str, wanted: str, *, labels: Iterable[tuple[str, str]]):
        """`labels`: the statuses' (value, label) pairs, CampaignStatus.choices (this module is below the models)."""
        labels = dict(labels)
        super().__init__(_("The campaign is %(current)s; it cannot become %(wanted)s.")
                         % {"current": labels.get(current, current), "wanted": labels.get(wanted, wanted)})
        self.current = current
        self.wanted = wanted


class TransientSendError(Exception):
    """A backend could not hand a message over this time (gateway down, SMTP timeout): try again later."""


class PermanentSendError(Exception):
    """A backend refused a message for good (no address, rejected by the gateway): mark it failed."""
