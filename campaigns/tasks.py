"""Thin Celery tasks: ids in, one service call each. Safe to run twice (the services check the rows)."""

from __future__ import annotations

from celery import shared_task

from crm_site.retry import TRANSIENT_DB_ERRORS

from .services.fanout import campaign_fanout
from .services.outbox import outbox_drain
from .services.queueing import DRAIN_OUTBOX_TASK, TASK_NAMES
from .services.results import campaign_results_compute, campaigns_results_recompute
from .services.sending import campaign_send
from .services.sweep import campaigns_sweep

RETRY = {"acks_late": True, "ignore_result": True, "max_retries": 5, "autoretry_for": TRANSIENT_DB_ERRORS,
         "retry_backoff": 5, "retry_backoff_max": 300, "retry_jitter": True}


@shared_task(name=TASK_NAMES["fanout"], **RETRY)
def fanout_campaign(campaign_id: int) -> None:
    """Write (or resume writing) a running campaign's recipients; queues the sender when done."""
    campaign_fanout(campaign_id=campaign_id)


@shared_task(name=TASK_NAMES["send"], **RETRY)
def send_campaign(campaign_id: int) -> None:
    """Hand a running campaign's due recipients to their backends; completes it when none is left."""
    campaign_send(campaign_id=campaign_id)


@shared_task(name=DRAIN_OUTBOX_TASK, **RETRY)
def drain_outbox() -> None:
    """Hand queued SMS/app messages to the gateway adapter (also every minute by beat)."""
    outbox_drain()


@shared_task(name=TASK_NAMES["results"], **RETRY)
def recompute_results(campaign_id: int | None = None) -> None:
    """One campaign's results, or (beat, hourly) every campaign still inside its conversion window."""
    if campaign_id is None:
        campaigns_results_recompute()
    else:
        campaign_results_compute(campaign_id=campaign_id)


@shared_task(name="campaigns.sweep", ignore_result=True)
def sweep() -> None:
    """Beat: start scheduled campaigns whose time has come; queue again work a lost message left behind."""
    campaigns_sweep()
