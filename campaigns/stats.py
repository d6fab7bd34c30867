"""The statistics of campaign results, as pure functions (tested with worked examples)."""

from __future__ import annotations

import math

from django.utils.translation import gettext_noop

Z_95 = 1.959964  # two-sided 95 % quantile of the standard normal distribution


def rate(successes: int, size: int) -> float | None:
    return successes / size if size else None


def lift_interval(*, treated_converted: int, treated_size: int, holdout_converted: int, holdout_size: int,
                  z: float = Z_95) -> dict | None:
    """Conversion of the contacted minus that of the holdout, with a 95 % interval.

    The difference of two independent proportions with the normal (Wald) approximation:
    se = sqrt(p1(1−p1)/n1 + p2(1−p2)/n2), interval = (p1 − p2) ± z·se. Fine for the hundreds and
    thousands a branch campaign reaches; with very few conversions the interval is too narrow, so
    read it as a guide. Relative lift = (p1 − p2) / p2 (None when the holdout converted nobody).
    None when either group is empty.
    """
    if not treated_size or not holdout_size:
        return None
    p1 = treated_converted / treated_size
    p2 = holdout_converted / holdout_size
    difference = p1 - p2
    se = math.sqrt(p1 * (1 - p1) / treated_size + p2 * (1 - p2) / holdout_size)
    return {
        "absolute": round(difference, 6),
        "ci_low": round(difference - z * se, 6),
        "ci_high": round(difference + z * se, 6),
        "relative": round(difference / p2, 6) if p2 else None,
        # stored and served in English; the page translates it
        "method": gettext_noop("difference of proportions, normal approximation (Wald), 95 %"),
    }
