import datetime as dt

import factory

from branches.tests.factories import BranchFactory
from customers import services
from customers.identity import resident_id_check_char
from customers.models import Customer


def resident_id(born: dt.date, region: str = "310115", sequence: int = 123) -> str:
    """A valid 18-character resident ID number for a birth date (GB 11643 check digit)."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


class CustomerFactory(factory.django.DjangoModelFactory):
    """Goes through customer_create, so derived fields (pinyin, HMAC, last 4) are real."""

    class Meta:
        model = Customer

    customer_no = factory.Sequence(lambda n: f"C{n:09d}")
    full_name = "张伟"
    home_branch = factory.SubFactory(BranchFactory)
    date_of_birth = dt.date(1985, 6, 15)
    id_number = factory.LazyAttributeSequence(lambda o, n: resident_id(o.date_of_birth, sequence=n % 1000))
    mobile = factory.Sequence(lambda n: f"+86138{n:08d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    gender = "M"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.customer_create(**kwargs)
