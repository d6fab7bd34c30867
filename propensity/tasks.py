"""Thin Celery tasks: one service call each, safe to run twice (a second training is a new version that
replaces the current one only if it does at least as well)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError

from accounts.models import Product

from .exceptions import NotEnoughHistory
from .services import campaigns_predictions_record, campaigns_window_closed, propensity_train, propensity_train_all

RETRY = {"acks_late": True, "ignore_result": True, "max_retries": 3,
         "autoretry_for": (OperationalError, InterfaceError), "retry_backoff": 30}


@shared_task(name="propensity.train_all", **RETRY)
def train_all() -> None:
    """Beat, nightly: every product with enough history."""
    propensity_train_all()


@shared_task(name="propensity.train_product", **RETRY)
def train_product(product_code: str) -> None:
    product = Product.objects.filter(code=product_code).first()
    if product is None:
        return
    try:
        propensity_train(product=product)
    except NotEnoughHistory:
        return


@shared_task(name="propensity.train_closed_windows", **RETRY)
def train_closed_windows() -> None:
    """Beat, hourly: retrain the products of campaigns whose conversion window closed in the last hour."""
    for code in campaigns_window_closed(since=dt.timedelta(hours=1)):
        train_product.delay(code)


@shared_task(name="propensity.record_predictions", **RETRY)
def record_predictions() -> None:
    """Beat: keep what the scores expected of each newly launched campaign (predicted vs. actual)."""
    campaigns_predictions_record()
