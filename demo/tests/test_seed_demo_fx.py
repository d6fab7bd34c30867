"""The demo data in several currencies: a year of daily rates, USD and HKD deposits, scores that count them."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Account, FxRate
from scoring.models import ScoreRun


@pytest.fixture
def seeded(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path  # keep the developer's .data/demo-logins.txt out of it
    call_command("seed_demo", "--customers", "200", stdout=io.StringIO())


def test_the_demo_has_a_year_of_daily_usd_and_hkd_rates(seeded):
    today = timezone.localdate()
    for currency in ("USD", "HKD"):
        days = set(FxRate.objects.filter(currency=currency).values_list("rate_date", flat=True))
        assert days == {today - dt.timedelta(days=n) for n in range(366)}


def test_some_demo_customers_keep_usd_or_hkd_deposits_and_the_scores_count_them(seeded):
    foreign = Account.objects.exclude(currency="CNY")
    assert set(foreign.values_list("currency", flat=True)) <= {"USD", "HKD"}
    assert foreign.filter(currency="USD").exists()
    run = ScoreRun.objects.filter(kind="full").latest("finished_at")
    assert run.unconverted == {} and set(run.fx_rates) == {"USD", "HKD"}


def test_seeding_again_adds_no_rates_or_deposits(seeded):
    rates, accounts = FxRate.objects.count(), Account.objects.count()
    call_command("seed_demo", "--customers", "200", stdout=io.StringIO())
    assert (FxRate.objects.count(), Account.objects.count()) == (rates, accounts)
