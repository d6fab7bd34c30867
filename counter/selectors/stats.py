"""A branch's day at the counter: tickets, waits and service times, VIP within target, no-shows, suggestions."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from branches.models import Branch

from ..exceptions import CounterNotAllowed
from ..models import CounterKind, Service
from .counters import branch_chosen

STATS_SQL = """
SELECT queue, service, GROUPING(queue) AS all_queues, GROUPING(service) AS all_services,
       count(*) AS tickets,
       count(*) FILTER (WHERE status = 'done') AS served,
       count(*) FILTER (WHERE status = 'no_show') AS no_shows,
       count(*) FILTER (WHERE status IN ('waiting', 'called', 'serving')) AS open,
       count(*) FILTER (WHERE suggestion <> '') AS suggested,
       count(*) FILTER (WHERE suggestion_taken) AS suggestions_taken,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM called_at - issued_at)) AS wait_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM called_at - issued_at)) AS wait_p90,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN status = 'done'
                                          THEN extract(epoch FROM done_at - called_at) END) AS service_p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY CASE WHEN status = 'done'
                                          THEN extract(epoch FROM done_at - called_at) END) AS service_p90,
       count(*) FILTER (WHERE queue = 'VIP' AND called_at IS NOT NULL) AS vip_called,
       count(*) FILTER (WHERE queue = 'VIP' AND called_at - issued_at <= %(target)s) AS vip_within_target
  FROM counter_ticket
 WHERE branch_id = %(branch_id)s AND day = %(day)s
 GROUP BY GROUPING SETS ((queue), (service), ())
"""
MINUTE = Decimal("0.1")


def _as_minutes(seconds) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 60).quantize(MINUTE, rounding=ROUND_HALF_UP)


def stats_branch(*, user, branch_code: str | None = None) -> Branch:
    """The branch whose counter statistics the user may see: managers their own, admins any."""
    if not user.has_perm("counter.view_counter_stats"):
        raise CounterNotAllowed(_("Only branch managers and admins may see the counter statistics."))
    return branch_chosen(user=user, branch_code=branch_code)


def counter_stats(*, branch: Branch, day: dt.date) -> dict:
    """One day of a branch's counter: tickets per queue and service, wait and service times (p50/p90, minutes),
    VIP customers called within the target wait, no-shows, self-service suggestions made and taken."""
    target = dt.timedelta(minutes=settings.COUNTER_VIP_TARGET_MINUTES)
    with connection.cursor() as cursor:
        cursor.execute(STATS_SQL, {"target": target, "branch_id": branch.pk, "day": day})
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def figures(row: dict | None) -> dict:
        row = row or {}
        return {"tickets": row.get("tickets", 0), "served": row.get("served", 0),
                "no_shows": row.get("no_shows", 0), "open": row.get("open", 0),
                "wait_p50": _as_minutes(row.get("wait_p50")), "wait_p90": _as_minutes(row.get("wait_p90")),
                "service_p50": _as_minutes(row.get("service_p50")),
                "service_p90": _as_minutes(row.get("service_p90"))}

    total = next((r for r in rows if r["all_queues"] and r["all_services"]), None)
    by_queue = {r["queue"]: r for r in rows if not r["all_queues"]}
    by_service = {r["service"]: r for r in rows if not r["all_services"]}
    summary = figures(total)
    total = total or {}
    summary.update({
        "vip_called": total.get("vip_called", 0), "vip_within_target": total.get("vip_within_target", 0),
        "vip_target_minutes": settings.COUNTER_VIP_TARGET_MINUTES,
        "suggested": total.get("suggested", 0), "suggestions_taken": total.get("suggestions_taken", 0),
    })
    summary["vip_within_target_share"] = (
        (Decimal(summary["vip_within_target"]) / summary["vip_called"]).quantize(Decimal("0.0001"))
        if summary["vip_called"] else None)
    return {
        "branch": branch, "day": day, "summary": summary,
        "queues": [{"code": kind, "label": label, **figures(by_queue.get(kind))}
                   for kind, label in CounterKind.choices],
        "services": [{"code": code, "label": label, **figures(by_service.get(code))}
                     for code, label in Service.choices],
    }
