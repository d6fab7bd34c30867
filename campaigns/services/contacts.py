"""Contacts made outside this system's campaigns: the next-best offers a teller pitches at the counter.

The propensity app (a floor above) decides what to offer; the contact and its answer are contact history,
kept here with the imported history (ContactResponse) so every model learns from all of them, and put on
the customer's timeline as an offer outcome, like a campaign's counter offer.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Product
from crm_site.exceptions import NotAllowed
from customers.models import Customer, InteractionChannel, InteractionKind
from customers.services import interaction_add

from ..exceptions import CampaignInvalid
from ..models import CampaignChannel, ContactResponse, ContactSource, OfferOutcome

COUNTER_OUTCOMES = (OfferOutcome.INTERESTED, OfferOutcome.DECLINED, OfferOutcome.CONVERTED)


@transaction.atomic
def counter_offer_record(*, customer: Customer, product: Product, outcome: str, by,
                         now: dt.datetime | None = None) -> ContactResponse:
    """A next-best offer the teller pitched and what the customer said (interested, declined, took it)."""
    if not by.has_perm("campaigns.record_offer_outcome"):
        raise NotAllowed(_("You may not record offer outcomes."))
    if outcome not in COUNTER_OUTCOMES:
        raise CampaignInvalid(_("Choose one of: %(outcomes)s.") % {"outcomes": ", ".join(COUNTER_OUTCOMES)},
                              field="outcome")
    now = now or timezone.now()
    contact = ContactResponse.objects.create(
        campaign_code="", product=product, customer=customer, channel=CampaignChannel.COUNTER, contacted_at=now,
        outcome=outcome, source=ContactSource.NEXT_BEST_OFFER, recorded_by=by, created_at=now)
    interaction_add(customer=customer, staff=by, kind=InteractionKind.OFFER_OUTCOME,
                    channel=InteractionChannel.COUNTER,
                    text=_("Next-best offer %(product)s: %(outcome)s") % {
                        "product": product.display_name(get_language() or "zh-hans"),
                        "outcome": OfferOutcome(outcome).label})
    return contact
