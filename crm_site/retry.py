"""The errors that mean "not now, later" rather than "wrong": one definition for every floor.

- `BROKER_ERRORS`: Redis down or unreachable while queuing a task. The caller logs it and carries on:
  the row it recorded is the work, and a beat sweeper queues it again once the broker is back.
- `TRANSIENT_DB_ERRORS`: the database went away, a deadlock or a serialization failure. Tasks retry on
  them (`autoretry_for`) and resume from what their rows say was committed.
"""

from __future__ import annotations

import kombu.exceptions
import redis.exceptions
from django.db import InterfaceError, OperationalError

BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)
