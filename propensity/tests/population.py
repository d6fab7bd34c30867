"""A synthetic population whose answers depend on known features (or on nothing), for tests and the bench.

Customers, a mortgage for some of them, one contact each about a wealth product, and an answer drawn with
a probability that depends only on `rule`:
- "mortgage": 35 % of mortgage holders take it, 3 % of the others (the strong feature: holds a mortgage);
- "random": 10 % of everyone, whatever they hold.
With `leak=True` every taker also gets the product's own account, opened a week after the contact — what a
model must not see. Written with bulk inserts (no per-customer services): this is data, not behaviour.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account, Product, ProductKind
from branches.models import Branch
from campaigns.models import CampaignChannel, ContactResponse, OfferOutcome
from customers.models import Customer

CITIES = ("上海市", "北京市", "杭州市")
SEGMENTS = ("MASS", "MASS", "AFFLUENT", "SMALL_BUSINESS")


@dataclass
class Population:
    product: Product
    mortgage: Product
    customers: list[int]
    takers: int


def _branch(code: str) -> Branch:
    branch, _created = Branch.objects.get_or_create(code=code, defaults={"name": "合成测试支行", "city": "上海市"})
    return branch


def population_build(*, size: int, rule: str = "mortgage", leak: bool = False, seed: int = 7,
                     now: dt.datetime | None = None, prefix: str = "SYN", batch: int = 5000,
                     branch: Branch | None = None) -> Population:
    now = now or timezone.now()
    rng = random.Random(seed)
    branch = branch or _branch(f"{prefix}B")
    product, _c = Product.objects.get_or_create(code=f"{prefix}-WM", defaults={
        "name": "稳健理财", "name_en": "Steady wealth", "kind": ProductKind.WEALTH})
    mortgage, _c = Product.objects.get_or_create(code=f"{prefix}-MORT", defaults={
        "name": "住房按揭", "name_en": "Home mortgage", "kind": ProductKind.MORTGAGE})
    savings = _savings(prefix)
    contacted_at = now - dt.timedelta(days=60)
    ids: list[int] = []
    takers = 0
    for start in range(0, size, batch):
        count = min(batch, size - start)
        customers = Customer.objects.bulk_create([
            Customer(customer_no=f"{prefix}{start + i:08d}", full_name="测试客户", home_branch=branch,
                     gender=rng.choice("MF"), date_of_birth=dt.date(rng.randint(1955, 2002), rng.randint(1, 12), 15),
                     city=rng.choice(CITIES), segment=rng.choice(SEGMENTS))
            for i in range(count)])
        accounts, contacts = [], []
        for customer in customers:
            has_mortgage = rng.random() < 0.5
            if has_mortgage:
                accounts.append(Account(account_no=f"{prefix}M{customer.pk:012d}", customer=customer,
                                        product=mortgage, branch=branch, balance=Decimal("500000.00"),
                                        opened_at=dt.date(2019, 5, 1)))
            # an ordinary savings balance for everyone, unrelated to the answer
            accounts.append(Account(account_no=f"{prefix}S{customer.pk:012d}", customer=customer,
                                    product=savings, branch=branch,
                                    balance=Decimal(rng.randint(1000, 200000)), opened_at=dt.date(2018, 3, 1)))
            chance = (0.35 if has_mortgage else 0.03) if rule == "mortgage" else 0.10
            took = rng.random() < chance
            takers += took
            contacts.append(ContactResponse(campaign_code=f"{prefix}-2026", product=product, customer=customer,
                                            channel=CampaignChannel.SMS, contacted_at=contacted_at,
                                            outcome=OfferOutcome.CONVERTED if took else rng.choice(
                                                [OfferOutcome.DECLINED, OfferOutcome.NO_ANSWER])))
            if took and leak:
                accounts.append(Account(account_no=f"{prefix}W{customer.pk:012d}", customer=customer,
                                        product=product, branch=branch, balance=Decimal("50000.00"),
                                        opened_at=(contacted_at + dt.timedelta(days=7)).date()))
        Account.objects.bulk_create(accounts)
        ContactResponse.objects.bulk_create(contacts)
        ids.extend(c.pk for c in customers)
    return Population(product=product, mortgage=mortgage, customers=ids, takers=takers)


def _savings(prefix: str) -> Product:
    product, _c = Product.objects.get_or_create(code=f"{prefix}-SAV", defaults={
        "name": "活期储蓄", "name_en": "Savings", "kind": ProductKind.SAVINGS})
    return product
