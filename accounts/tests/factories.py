import datetime as dt
from decimal import Decimal

import factory

from accounts.models import Account, Card, FxRate, Product
from customers.tests.factories import CustomerFactory


def luhn_complete(partial: str) -> str:
    """Append the Luhn check digit to a card number without one."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return partial + str((10 - total % 10) % 10)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = "活期储蓄"
    name_en = "Current savings"
    kind = "SAVINGS"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    account_no = factory.Sequence(lambda n: f"6222{n:015d}")
    customer = factory.SubFactory(CustomerFactory)
    product = factory.SubFactory(ProductFactory)
    branch = factory.LazyAttribute(lambda o: o.customer.home_branch)
    balance = Decimal("1000.00")
    opened_at = dt.date(2020, 1, 1)


class CardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Card

    account = factory.SubFactory(AccountFactory)
    customer = factory.LazyAttribute(lambda o: o.account.customer)
    kind = "DEBIT"
    expiry = dt.date(2030, 12, 31)
    pan = factory.Sequence(lambda n: luhn_complete(f"622848{n:09d}"))

    @classmethod
    def _create(cls, model_class, *args, pan, **kwargs):
        card = model_class(**kwargs)
        card.set_pan(pan)
        card.save()
        return card


class FxRateFactory(factory.django.DjangoModelFactory):
    """USD at 7.1 base-currency units, a month ago."""

    class Meta:
        model = FxRate
        django_get_or_create = ("currency", "rate_date")

    currency = "USD"
    rate_date = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    rate = Decimal("7.1000000000")
