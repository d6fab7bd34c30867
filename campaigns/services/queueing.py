"""Nudging the workers. A broker error is logged, never raised: the rows are the work, and the
sweeper (services.sweep) queues again whatever a lost message left behind (DESIGN §9).

Tasks are sent by name (`current_app.send_task`), so the services import no task module:
`campaigns.tasks` imports the services and registers its tasks under the names below.
"""

from __future__ import annotations

import logging

from celery import current_app

from crm_site.retry import BROKER_ERRORS

logger = logging.getLogger(__name__)

TASK_NAMES = {"fanout": "campaigns.fanout", "send": "campaigns.send", "results": "campaigns.recompute_results"}
DRAIN_OUTBOX_TASK = "campaigns.drain_outbox"


def campaign_queue(*, step: str, campaign_id: int, countdown: float | None = None) -> bool:
    name = TASK_NAMES[step]
    try:
        current_app.send_task(name, kwargs={"campaign_id": campaign_id}, countdown=countdown)
    except BROKER_ERRORS:
        logger.warning("campaign %s: %s could not be queued (broker unreachable); the sweeper will queue it",
                       campaign_id, step, exc_info=True)
        return False
    return True


def outbox_drain_queue() -> bool:
    try:
        current_app.send_task(DRAIN_OUTBOX_TASK)
    except BROKER_ERRORS:
        logger.warning("the outbox drain could not be queued; beat runs it every minute", exc_info=True)
        return False
    return True
