"""What a run does: demo_seed, in one database transaction under an advisory lock."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account, Card, Product
from branches import services as branch_services
from branches.models import Branch, StaffProfile
from campaigns.models import Campaign, CampaignRecipient
from crm_site.locks import advisory_xact_lock
from customers.models import ConsentRecord, Customer
from scoring import services as scoring_services
from scoring.models import CustomerScore, RunKind
from transactions.models import Transaction

from .campaign import demo_campaign_ensure, demo_offer_customer
from .counter import demo_counter_ensure
from .fx import demo_fx_ensure
from .load import _staging_create, _staging_insert, _write
from .logins import DemoLogin, _logins_file_update, logins_path
from .people import customer_number
from .plan import demo_plan_blocks
from .propensity import demo_propensity_ensure
from .reference import BRANCHES
from .staff import _products_ensure, _staff_ensure, _staff_present

LOCK_ID = 0x5EED_DE30  # advisory_xact_lock key: two seeds at once take turns


@dataclass
class DemoSeedResult:
    present: bool = False  # --if-empty found customers and did nothing
    created: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    logins_file: Path | None = None
    logins_file_written: bool = False
    offer_customer: str | None = None  # a customer with an open counter offer, to try the 360 page on
    scored: int = 0  # customers whose scores the closing full refresh computed
    seconds: float = 0.0

    @property
    def staff_created(self) -> list[DemoLogin]:
        return [login for login in self.logins if login.created]

    @property
    def passwords_unknown(self) -> list[str]:
        return [login.username for login in self.logins if login.password is None]


COUNTED = {"branches": Branch, "staff": StaffProfile, "products": Product, "customers": Customer,
           "consents": ConsentRecord, "accounts": Account, "cards": Card, "transactions": Transaction,
           "campaigns": Campaign, "campaign recipients": CampaignRecipient}


def demo_seed(*, customers: int = 5000, seed: int = 42, if_empty: bool = False,
              now: dt.datetime | None = None) -> DemoSeedResult:
    """Load the demo data, or what is missing of it: customers already there are left as they are.

    With if_empty, any customer at all means "present": nothing is loaded (a lost logins file comes back,
    its passwords marked unknown, since `make run` prints it on every start).
    """
    started = time.monotonic()
    now = now or timezone.now()
    result = DemoSeedResult(logins_file=logins_path())
    with transaction.atomic():
        advisory_xact_lock(LOCK_ID)
        if if_empty and Customer.objects.exists():
            result.present = True
            result.logins = _staff_present()
            result.totals = {name: model.objects.count() for name, model in COUNTED.items()}
        else:
            _seed(result=result, customers=customers, seed=seed, now=now)
    if result.created.get("transactions"):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE transactions_transaction")  # fresh row counts for the planner
    if any(result.created.values()) or not CustomerScore.objects.exists():
        result.scored = _scores_refresh(now=now)
    if not result.present:  # counters and this morning's tickets, routed by the tiers just computed
        demo_counter_ensure(now=now, seed=seed)
    result.logins_file_written = _logins_file_update(path=result.logins_file, logins=result.logins)
    result.seconds = time.monotonic() - started
    return result


def _scores_refresh(*, now: dt.datetime) -> int:
    """Every demo customer gets scores (and the tier cut-offs ingest refreshes rank against)."""
    run = scoring_services.score_run_create(kind=RunKind.FULL, as_of=now)
    return scoring_services.score_run_process(run_id=run.pk).customers_scored


def _seed(*, result: DemoSeedResult, customers: int, seed: int, now: dt.datetime) -> None:
    before = {name: model.objects.count() for name, model in COUNTED.items()}
    branches = {b.code: branch_services.branch_upsert(code=b.code, name=b.name, city=b.city, address=b.address)
                for b in BRANCHES}
    result.logins = _staff_ensure(branches=branches, seed=seed)
    _products_ensure(today=timezone.localdate(now))
    numbers = [customer_number(n) for n in range(1, customers + 1)]
    existing = set(Customer.objects.filter(customer_no__in=numbers).values_list("customer_no", flat=True))
    _staging_create()
    for block in demo_plan_blocks(customers=customers, seed=seed, now=now, skip=existing):
        _write(plan=block, branches=branches, now=now)
    _staging_insert()
    demo_fx_ensure(now=now, seed=seed)
    if customers:
        demo_campaign_ensure(now=now, seed=seed)
        demo_propensity_ensure(now=now, seed=seed)  # campaign history, models and next-best offers (issue 14)
        result.offer_customer = demo_offer_customer()
    result.totals = {name: model.objects.count() for name, model in COUNTED.items()}
    result.created = {name: result.totals[name] - before[name] for name in COUNTED}
