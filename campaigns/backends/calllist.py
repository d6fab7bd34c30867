"""PHONE: the recipients are the call list. Sending places them on it (status sent); the branch
downloads it (services.calllist.call_list_csv) and records each call's outcome."""

from __future__ import annotations

import datetime as dt

from .base import OutgoingMessage, TransactionalBackend


class CallListBackend(TransactionalBackend):

    def send_many(self, messages: list[OutgoingMessage], *, now: dt.datetime) -> None:
        return None  # the recipient rows, marked sent, are the list
