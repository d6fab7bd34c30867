"""Thin Celery tasks of the counter service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="counter.close_stale_tickets", acks_late=True, ignore_result=True)
def close_stale_tickets() -> int:
    """Beat, hourly: tickets still open a day after they were issued are cancelled (safe to run twice)."""
    return services.tickets_close_stale()
