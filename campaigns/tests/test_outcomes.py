"""Counter offers on the 360 page, the outcomes tellers and callers record, and the call list CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from campaigns.exceptions import CampaignInvalid
from campaigns.models import CampaignRecipient, CampaignStatus, RecipientStatus
from campaigns.selectors import offers_for_customer, recipient_get_for_outcome
from campaigns.services import call_list_csv, campaign_fanout, campaign_send, recipient_outcome_record
from crm_site.exceptions import Conflict, NotAllowed, NotFound
from customers.models import CustomerAccessLog, Interaction, InteractionKind

from .factories import CampaignFactory, customer_with, running

pytestmark = pytest.mark.django_db


def counter_offer(branch, product, manager, **campaign_fields):
    customer = customer_with(branch=branch, full_name="李娜", consents=(), preferred_language="en")
    campaign = running(CampaignFactory(product=product, branch=branch, channels=["COUNTER"], created_by=manager,
                                       **campaign_fields))
    campaign_fanout(campaign_id=campaign.pk)
    campaign_send(campaign_id=campaign.pk)
    return customer, CampaignRecipient.objects.get(campaign=campaign)


def test_a_counter_offer_shows_on_the_360_page_with_its_pitch_in_the_customers_language(branch, product, manager):
    customer, recipient = counter_offer(branch, product, manager)
    offers = offers_for_customer(customer=customer)
    assert offers == [recipient]
    assert offers[0].pitch == "Offer Steady Wealth to 李娜"
    assert offers[0].campaign.product == product


def test_a_teller_records_interest_then_conversion_each_on_the_timeline(branch, product, manager, teller):
    customer, recipient = counter_offer(branch, product, manager)
    found = recipient_get_for_outcome(recipient_id=recipient.pk, user=teller)
    recipient_outcome_record(recipient=found, outcome="interested", by=teller, note="想了解收益")
    recipient.refresh_from_db()
    assert (recipient.status, recipient.response, recipient.response_by) == (RecipientStatus.DELIVERED,
                                                                             "interested", teller)
    assert offers_for_customer(customer=customer) == [recipient]  # still open: interested is not an answer yet
    recipient_outcome_record(recipient=recipient, outcome="converted", by=teller)
    assert offers_for_customer(customer=customer) == []
    notes = list(Interaction.objects.filter(customer=customer, kind=InteractionKind.OFFER_OUTCOME)
                 .order_by("id").values_list("channel", "text"))
    assert len(notes) == 2 and notes[0][0] == "COUNTER" and notes[0][1].endswith("想了解收益")


def test_counter_offers_take_only_the_counter_outcomes(branch, product, manager, teller):
    _customer, recipient = counter_offer(branch, product, manager)
    with pytest.raises(CampaignInvalid):
        recipient_outcome_record(recipient=recipient, outcome="no_answer", by=teller)


def test_no_offer_from_a_cancelled_campaign_or_past_its_window(branch, product, manager, teller):
    customer, recipient = counter_offer(branch, product, manager, conversion_window_days=10)
    assert offers_for_customer(customer=customer, now=timezone.now() + dt.timedelta(days=11)) == []
    type(recipient.campaign).objects.filter(pk=recipient.campaign_id).update(status=CampaignStatus.CANCELLED)
    assert offers_for_customer(customer=customer) == []
    with pytest.raises(Conflict):
        recipient_outcome_record(recipient=recipient, outcome="declined", by=teller)


def phone_campaign(branch, product, manager):
    for n in range(2):
        customer_with(branch=branch, full_name=f"电话{n}", consents=("PHONE",), mobile=f"+861391234567{n}")
    campaign = running(CampaignFactory(product=product, branch=branch, channels=["PHONE"], created_by=manager))
    campaign_fanout(campaign_id=campaign.pk)
    campaign_send(campaign_id=campaign.pk)
    return campaign


def test_a_teller_cannot_record_a_phone_outcome_but_the_branch_manager_can(branch, product, manager, teller):
    campaign = phone_campaign(branch, product, manager)
    call = CampaignRecipient.objects.filter(campaign=campaign).first()
    with pytest.raises(NotFound):
        recipient_get_for_outcome(recipient_id=call.pk, user=teller)
    found = recipient_get_for_outcome(recipient_id=call.pk, user=manager)
    recipient_outcome_record(recipient=found, outcome="wrong_number", by=manager)
    call.refresh_from_db()
    assert (call.status, call.response) == (RecipientStatus.FAILED, "wrong_number")


def test_the_call_list_is_masked_unless_revealed_and_a_reveal_is_logged_per_customer(branch, product, manager,
                                                                                   teller):
    campaign = phone_campaign(branch, product, manager)
    masked = call_list_csv(campaign=campaign, user=manager)
    assert masked.startswith("\ufeffrecipient_id,customer_no,name")
    assert "139****5670" in masked and "+8613912345670" not in masked
    assert not CustomerAccessLog.objects.exclude(action="view").exists()  # the masked list is a read, not a reveal
    full = call_list_csv(campaign=campaign, user=manager, reveal=True, ip_address="10.0.0.7")
    assert "+8613912345670" in full and "+8613912345671" in full
    logs = CustomerAccessLog.objects.filter(user=manager, action="reveal", field="mobile")
    assert logs.count() == 2 and set(logs.values_list("ip_address", flat=True)) == {"10.0.0.7"}
    with pytest.raises(NotAllowed):
        call_list_csv(campaign=campaign, user=teller)


def test_the_call_list_escapes_cells_a_spreadsheet_would_run(branch, product, manager):
    campaign = phone_campaign(branch, product, manager)
    call = CampaignRecipient.objects.filter(campaign=campaign).select_related("customer").first()
    type(call.customer).objects.filter(pk=call.customer_id).update(salutation="=cmd|' /C calc'!A0")
    rows = list(csv.DictReader(io.StringIO(call_list_csv(campaign=campaign, user=manager).removeprefix("\ufeff"))))
    (row,) = [r for r in rows if r["recipient_id"] == str(call.pk)]
    assert row["salutation"] == "'=cmd\\|' /C calc'!A0"  # shown as text, its pipe escaped
