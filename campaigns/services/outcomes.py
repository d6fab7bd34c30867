"""Outcomes of offers pitched at the counter and calls made from the call list.

One service for both: the teller at the counter (COUNTER offers on the 360 page) and the branch
staff working the call list (PHONE). Each outcome is also an Interaction (kind offer_outcome) on
the customer's timeline. "converted" here is what the customer said; the results count conversions
from the accounts that arrive (services.results), so a promise that never becomes an account does
not inflate them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crm_site.exceptions import Conflict, NotAllowed
from customers.models import InteractionChannel, InteractionKind
from customers.services import interaction_add

from ..exceptions import CampaignInvalid
from ..models import (
    RESPONSE_OUTCOMES,
    CampaignChannel,
    CampaignRecipient,
    CampaignStatus,
    OfferOutcome,
    RecipientStatus,
)

OUTCOMES_FOR_CHANNEL = {
    CampaignChannel.COUNTER: (OfferOutcome.INTERESTED, OfferOutcome.DECLINED, OfferOutcome.CONVERTED),
    CampaignChannel.PHONE: tuple(OfferOutcome.values),
}
OPEN_STATUSES = (RecipientStatus.PENDING, RecipientStatus.SENT, RecipientStatus.DELIVERED)


@transaction.atomic
def recipient_outcome_record(*, recipient: CampaignRecipient, outcome: str, by, note: str = "",
                             now: dt.datetime | None = None) -> CampaignRecipient:
    """Record what the customer said; a later outcome (interested, then converted) replaces the earlier."""
    if not by.has_perm("campaigns.record_offer_outcome"):
        raise NotAllowed(_("You may not record offer outcomes."))
    now = now or timezone.now()
    recipient = (CampaignRecipient.objects.select_for_update(of=("self",))
                 .select_related("campaign", "campaign__product", "customer").get(pk=recipient.pk))
    allowed = OUTCOMES_FOR_CHANNEL.get(recipient.channel)
    if allowed is None or recipient.holdout:
        raise CampaignInvalid(_("Outcomes are recorded for counter offers and phone calls only."), field="outcome")
    if outcome not in allowed:
        raise CampaignInvalid(_("Choose one of: %(outcomes)s.") % {"outcomes": ", ".join(allowed)}, field="outcome")
    if recipient.campaign.status not in (CampaignStatus.RUNNING, CampaignStatus.COMPLETED) \
            or recipient.status not in OPEN_STATUSES:
        raise Conflict(_("This offer is closed: the campaign was stopped or the customer was not contacted."))
    changes = {"response": outcome, "response_by": by}
    if recipient.sent_at is None:
        changes["sent_at"] = now  # pitched before the sender got to it: the pitch is the contact
        changes["status"] = RecipientStatus.SENT
    if outcome in RESPONSE_OUTCOMES:
        changes["responded_at"] = now
        changes["status"] = RecipientStatus.DELIVERED
        if recipient.delivered_at is None:
            changes["delivered_at"] = now
    elif outcome == OfferOutcome.WRONG_NUMBER:
        changes["status"] = RecipientStatus.FAILED
        changes["error"] = "wrong number"
    for name, value in changes.items():
        setattr(recipient, name, value)
    recipient.save(update_fields=list(changes))
    product = recipient.campaign.product
    text = _("%(campaign)s (%(product)s): %(outcome)s") % {
        "campaign": recipient.campaign.name, "product": product.display_name(by_language()),
        "outcome": OfferOutcome(outcome).label}
    if note.strip():
        text = f"{text}. {note.strip()}"
    channel = InteractionChannel.COUNTER if recipient.channel == CampaignChannel.COUNTER else InteractionChannel.PHONE
    interaction_add(customer=recipient.customer, staff=by, kind=InteractionKind.OFFER_OUTCOME, channel=channel,
                    text=text)
    return recipient


def by_language() -> str:
    return get_language() or "zh-hans"
