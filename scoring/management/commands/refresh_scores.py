"""python manage.py refresh_scores [--as-of YYYY-MM-DD]: a full refresh, run here and now."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from scoring import services
from scoring.models import RunKind


def end_of_day(value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {value!r}") from exc
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


class Command(BaseCommand):
    help = "Compute every customer's scores (a full refresh) and store the tier cut-offs."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="score as at the end of this day (YYYY-MM-DD); default: now")

    def handle(self, *args, as_of=None, **options):
        when = end_of_day(as_of) if as_of else timezone.now()
        if when > timezone.now() + dt.timedelta(days=1):
            raise CommandError("--as-of is in the future")
        run = services.score_run_create(kind=RunKind.FULL, as_of=when)
        try:
            services.score_run_process(run_id=run.pk)
        except services.RefreshBusy as exc:
            raise CommandError("another score refresh is running; try again when it has finished") from exc
        run.refresh_from_db()
        tiers = {c["tier"]: c["score"] for c in run.cutoffs.get("tier_cutoffs", [])}
        self.stdout.write(f"score run {run.pk}: {run.customers_scored} customers as of {run.as_of:%Y-%m-%d %H:%M}"
                          f" in {run.duration.total_seconds():.1f} s; tier cut-offs (value score) {tiers}")
