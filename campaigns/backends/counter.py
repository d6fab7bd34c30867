"""COUNTER: an offer to pitch, shown on the customer's 360 page (selectors.offers_for_customer)
until a teller records interested, declined or converted. Not a message: it needs no consent."""

from __future__ import annotations

import datetime as dt

from .base import OutgoingMessage, TransactionalBackend


class CounterBackend(TransactionalBackend):

    def send_many(self, messages: list[OutgoingMessage], *, now: dt.datetime) -> None:
        return None  # the recipient rows, marked sent, are the offers
