import datetime as dt

import pytest

from customers.tests.factories import CustomerFactory
from transactions import selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("today", "first"), [
    (dt.date(2026, 11, 29), dt.date(2025, 12, 1)),
    (dt.date(2026, 3, 31), dt.date(2025, 4, 1)),
    (dt.date(2026, 1, 1), dt.date(2025, 2, 1)),
    (dt.date(2026, 12, 31), dt.date(2026, 1, 1)),
])
def test_monthly_in_out_covers_exactly_the_last_twelve_calendar_months(monkeypatch, today, first):
    monkeypatch.setattr(selectors.timezone, "localdate", lambda: today)
    months = [row["month"] for row in selectors.monthly_in_out(customer_id=CustomerFactory().pk)]
    assert len(months) == 12
    assert (months[0], months[-1]) == (first, today.replace(day=1))
