"""Status machines on models (STYLE.md): one table of allowed transitions, one conditional UPDATE.

Each model keeps its own TRANSITIONS table and its own `transition_to`, which calls
`status_transition` with the exception to raise; the update is conditional on the status the
instance holds, so of two workers or requests racing, exactly one wins.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models


def status_transition(instance: models.Model, status: str, *, refuse: Callable[[str | None, str], Exception],
                      **changes) -> None:
    """Move `instance` to `status` with `changes` (one UPDATE), or raise refuse(current, wanted).

    `current` is the status found in the database when another writer changed it first (None if the
    row is gone), else the status the instance holds.
    """
    if status not in instance.TRANSITIONS[instance.status]:
        raise refuse(instance.status, status)
    rows = type(instance)._base_manager.filter(pk=instance.pk, status=instance.status)
    if not rows.update(status=status, **changes):
        current = type(instance)._base_manager.filter(pk=instance.pk).values_list("status", flat=True).first()
        raise refuse(current, status)
    instance.status = status
    for name, value in changes.items():
        setattr(instance, name, value)
