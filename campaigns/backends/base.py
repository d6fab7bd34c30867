"""The channel backend interface.

A backend takes rendered messages for one channel. Two kinds, by where the hand-over happens:

- **transactional** (outbox, call list, counter): the hand-over is a write to our own database, done
  inside the transaction that marks the recipients sent — so each recipient is handed over exactly
  once, whatever crashes.
- **external** (email): the hand-over leaves the database (SMTP). The sender commits `sending` first,
  then calls `send_one` per message, then marks it sent. A crash between the call and the mark leaves
  the row `sending`; the sweeper marks it failed and never sends it again: at most once, because a
  customer getting a marketing email twice is worse than one not getting it. The recipient id goes out
  as an idempotency key (`X-Campaign-Recipient`, and in the Message-ID) for relays that de-duplicate.

`send_one` raises TransientSendError (retried with backoff) or PermanentSendError (failed).
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from ..rendering import Rendered


@dataclass(frozen=True)
class Addressee:
    """What a backend may need of the customer (read with the claim, not a model instance per message)."""

    customer_id: int
    customer_no: str
    name: str
    email: str
    mobile: str
    language: str


@dataclass
class OutgoingMessage:
    recipient_id: int
    campaign_id: int
    channel: str
    customer: Addressee
    rendered: Rendered
    unsubscribe_url: str = ""


class Backend:
    """What every channel's backend has; a backend is either transactional or external (below)."""

    channel: str = ""
    transactional: bool

    def open(self) -> None:
        """Before a run of send_one calls (e.g. one SMTP connection for the chunk)."""

    def close(self) -> None:
        """After it."""


class TransactionalBackend(Backend, abc.ABC):
    """The hand-over is a write to our own database, inside the caller's transaction: exactly once."""

    transactional = True

    @abc.abstractmethod
    def send_many(self, messages: list[OutgoingMessage], *, now: dt.datetime) -> None:
        """Hand over the lot, inside the caller's transaction."""


class ExternalBackend(Backend, abc.ABC):
    """The hand-over leaves the database (SMTP): one message at a time, at most once."""

    transactional = False

    @abc.abstractmethod
    def send_one(self, message: OutgoingMessage, *, now: dt.datetime) -> None:
        """Hand over one message (raise TransientSendError or PermanentSendError)."""


@lru_cache(maxsize=16)
def _backend_class(path: str) -> type[Backend]:
    return import_string(path)


def backend_for(channel: str) -> Backend:
    backend = _backend_class(settings.CAMPAIGN_BACKENDS[channel])()
    backend.channel = channel
    return backend
