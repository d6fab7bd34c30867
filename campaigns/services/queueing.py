"""Nudging the workers. A broker error is logged, never raised: the rows are the work, and the
sweeper (services.sweep) queues again whatever a lost message left behind (DESIGN §9)."""

from __future__ import annotations

import logging

import kombu.exceptions
import redis.exceptions

logger = logging.getLogger(__name__)

BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)
STEPS = ("fanout", "send", "results")


def campaign_queue(*, step: str, campaign_id: int, countdown: float | None = None) -> bool:
    from campaigns import tasks

    task = {"fanout": tasks.fanout_campaign, "send": tasks.send_campaign,
            "results": tasks.recompute_results}[step]
    try:
        task.apply_async(kwargs={"campaign_id": campaign_id}, countdown=countdown)
    except BROKER_ERRORS:
        logger.warning("campaign %s: %s could not be queued (broker unreachable); the sweeper will queue it",
                       campaign_id, step, exc_info=True)
        return False
    return True


def outbox_drain_queue() -> bool:
    from campaigns import tasks

    try:
        tasks.drain_outbox.apply_async()
    except BROKER_ERRORS:
        logger.warning("the outbox drain could not be queued; beat runs it every minute", exc_info=True)
        return False
    return True
