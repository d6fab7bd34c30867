"""Fixtures of the campaign tests: the product, nothing sent to Redis unless asked (what would be is recorded)."""

from __future__ import annotations

import pytest

from accounts.tests.factories import ProductFactory


@pytest.fixture
def product(db):
    return ProductFactory(code="WM-NEW", name="稳享理财", name_en="Steady Wealth", kind="WEALTH")


@pytest.fixture
def real_broker():
    """Ask for this to send tasks to the configured Redis."""


@pytest.fixture(autouse=True)
def queued(request, monkeypatch):
    """The nudges that would have gone to Celery, as (step, campaign_id); tests run the services themselves."""
    sent: list[tuple[str, int | None]] = []
    if "real_broker" in request.fixturenames:
        return sent

    def record(*, step, campaign_id, countdown=None):
        sent.append((step, campaign_id))
        return True

    monkeypatch.setattr("campaigns.services.queueing.campaign_queue", record)
    for module in ("campaigns", "fanout", "sending", "sweep", "results"):
        monkeypatch.setattr(f"campaigns.services.{module}.campaign_queue", record)
    monkeypatch.setattr("campaigns.services.sending.outbox_drain_queue", lambda: sent.append(("drain", None)))
    return sent


@pytest.fixture
def second_manager(branch):
    """Another manager of the same branch: the one who approves the first one's campaigns."""
    from branches import services as branch_services
    from conftest import PASSWORD

    return branch_services.staff_create(username="manager2", password=PASSWORD, branch=branch, role="manager")


@pytest.fixture
def draft_data(product):
    from .factories import MESSAGES

    return {"name": "稳享理财上新", "product": product.code, "channels": ["SMS", "EMAIL"],
            "messages": {"SMS": MESSAGES["SMS"], "EMAIL": MESSAGES["EMAIL"]}, "audience": {"age_min": 18},
            "holdout_share": "0.1", "frequency_cap": 3}
