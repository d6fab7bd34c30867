"""A customer as a teller meets one: accounts of several kinds, a card, transactions on several channels.

Shared by the page tests and the browser journey. Accounts and cards come from the factories;
transactions are inserted in one bulk_create, as the ingest does.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account, Card
from accounts.tests.factories import AccountFactory, CardFactory, ProductFactory
from customers.models import Customer
from customers.tests.factories import CustomerFactory
from transactions.models import Channel, Direction, Transaction

# (code, Chinese name, English name, kind, balance)
PRODUCTS = [
    ("T-CUR", "个人活期账户", "Personal current account", "CURRENT", Decimal("12345.67")),
    ("T-SAV", "整存整取储蓄", "Fixed savings", "SAVINGS", Decimal("50000.00")),
    ("T-WEA", "稳健理财一号", "Steady wealth No. 1", "WEALTH", Decimal("200000.00")),
    ("T-MOR", "个人住房贷款", "Home mortgage", "MORTGAGE", Decimal("880000.00")),
    ("T-LOA", "个人消费贷款", "Personal loan", "PERSONAL_LOAN", Decimal("20000.00")),
    ("T-TDP", "三年定期存款", "Three-year time deposit", "TIME_DEPOSIT", Decimal("100000.00")),
]
AUM = Decimal("12345.67") + Decimal("50000.00") + Decimal("200000.00") + Decimal("100000.00")
LOANS = Decimal("880000.00") + Decimal("20000.00")
CARD_PAN = "6228480402564890018"

# channel, MCC, merchant, description, direction
TRANSACTION_KINDS = [
    (Channel.POS, "5812", "海底捞火锅(陆家嘴店)", "", Direction.DEBIT),
    (Channel.POS, "5411", "盒马鲜生", "", Direction.DEBIT),
    (Channel.ATM, "6011", "", "ATM取现", Direction.DEBIT),
    (Channel.MOBILE, "", "", "手机银行转入", Direction.CREDIT),
    (Channel.ONLINE, "5311", "京东商城", "", Direction.DEBIT),
    (Channel.COUNTER, "", "", "柜面存款", Direction.CREDIT),
    (Channel.POS, "5541", "中国石化加油站", "", Direction.DEBIT),
]


@dataclass
class Holder:
    customer: Customer
    accounts: list[Account] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)

    @property
    def current_account(self) -> Account:
        return self.accounts[0]


def customer_with_holdings(*, branch, accounts: int = len(PRODUCTS), cards: int = 1, transactions: int = 30,
                           card_pan: str | None = None, **customer_fields) -> Holder:
    """A customer with `accounts` accounts (cycling through PRODUCTS), `cards` debit cards (the first one
    numbered `card_pan` if given) and `transactions` transactions."""
    customer = CustomerFactory(home_branch=branch, **customer_fields)
    holder = Holder(customer=customer)
    for n, (code, name, name_en, kind, balance) in enumerate(itertools.islice(itertools.cycle(PRODUCTS), accounts)):
        product = ProductFactory(code=code, name=name, name_en=name_en, kind=kind)
        holder.accounts.append(AccountFactory(customer=customer, product=product, balance=balance,
                                              balance_as_of=timezone.now() - dt.timedelta(hours=n + 1)))
    for n in range(cards):
        extra = {"pan": card_pan} if card_pan and n == 0 else {}
        holder.cards.append(CardFactory(account=holder.current_account, **extra))
    transactions_create(holder=holder, count=transactions)
    return holder


def transactions_create(*, holder: Holder, count: int, start: dt.datetime | None = None) -> list[Transaction]:
    """`count` transactions, one every 6 hours going back from `start`, cycling through TRANSACTION_KINDS."""
    start = start or timezone.now() - dt.timedelta(hours=1)
    existing = Transaction.objects.filter(customer=holder.customer).count()
    rows = []
    balance = Decimal("12345.67")
    for i in range(count):
        channel, mcc, merchant, description, direction = TRANSACTION_KINDS[i % len(TRANSACTION_KINDS)]
        amount = Decimal(50 + (i * 37) % 900) + Decimal("0.25")
        rows.append(Transaction(
            channel=channel, external_id=f"{holder.customer.customer_no}-{existing + i:05d}",
            account=holder.accounts[i % len(holder.accounts)], customer=holder.customer,
            occurred_at=start - dt.timedelta(hours=6 * i), amount=amount, direction=direction,
            balance_after=balance, mcc=mcc, merchant_name=merchant,
            description=description,
        ))
    return Transaction.objects.bulk_create(rows)
