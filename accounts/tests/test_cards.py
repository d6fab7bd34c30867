"""A card's number at rest: found by its HMAC, masked, and stored nowhere in full (moved up from
customers/tests/test_pii.py: cards are the accounts floor's)."""

import pytest

from accounts.models import Card
from accounts.tests.factories import CardFactory
from crm_site import pii
from customers.tests.test_pii import raw_row


@pytest.mark.django_db
def test_a_card_is_found_by_the_hmac_of_its_number():
    pan = "6228480123456789012"
    card = CardFactory(pan=pan)
    CardFactory()  # another card
    assert Card.objects.get(pan_hmac=pii.lookup_hmac(pan)) == card
    assert card.masked_pan == "622848******9012"


@pytest.mark.django_db
def test_the_full_card_number_is_stored_nowhere_in_the_cards_table():
    pan = "6228480123456789012"
    card = CardFactory(pan=pan)
    row = raw_row(Card._meta.db_table, card.pk)
    assert row["pan_first6"] == "622848"
    assert row["pan_last4"] == "9012"
    assert not any(pan in str(value) for value in row.values())
