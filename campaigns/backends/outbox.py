"""SMS and app notifications: written to the outbox, in the sender's transaction (exactly once).

The gateway adapter (backends.gateway) drains the outbox; the address is resolved from the customer
then, so no mobile number is copied into the outbox.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from ..models import OutboxMessage, OutboxStatus
from .base import OutgoingMessage, TransactionalBackend


class OutboxBackend(TransactionalBackend):

    def send_many(self, messages: list[OutgoingMessage], *, now: dt.datetime) -> None:
        # one statement from arrays (a model instance per message costs more than the insert);
        # a recipient has one outbox message, so a repeat is a no-op
        with connection.cursor() as cursor:
            cursor.execute(_INSERT.format(table=OutboxMessage._meta.db_table), [
                OutboxStatus.QUEUED.value, now, [m.recipient_id for m in messages], [m.channel for m in messages],
                [m.rendered.text for m in messages]])


_INSERT = """
INSERT INTO {table} (recipient_id, channel, body, status, attempts, gateway_ref, error, created_at)
SELECT m.recipient_id, m.channel, m.body, %s, 0, '', '', %s
FROM unnest(%s::bigint[], %s::varchar[], %s::text[]) AS m (recipient_id, channel, body)
ON CONFLICT (recipient_id) DO NOTHING
"""
