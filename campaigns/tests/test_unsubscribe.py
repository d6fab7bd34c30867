"""The unsubscribe link: valid, tampered, reused; in the customer's language; no login."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from campaigns.models import CampaignRecipient, OutboxMessage, RecipientStatus
from campaigns.services import campaign_fanout, campaign_send
from campaigns.services.unsubscribe import unsubscribe_token
from customers.models import ConsentRecord, ConsentSource
from customers.selectors import consents_current

from .factories import CampaignFactory, customer_with, running

pytestmark = pytest.mark.django_db


def sent_email_link(branch, product, manager, language="zh-hans") -> tuple[str, CampaignRecipient]:
    customer_with(branch=branch, full_name="王芳", consents=("EMAIL", "SMS"), preferred_language=language)
    campaign = running(CampaignFactory(product=product, branch=branch, channels=["EMAIL"], created_by=manager))
    campaign_fanout(campaign_id=campaign.pk)
    campaign_send(campaign_id=campaign.pk)
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    url = header.strip("<>")
    return url[url.index("/unsubscribe/"):], CampaignRecipient.objects.get(campaign=campaign)


def current(customer, channel) -> bool | None:
    record = next(row["record"] for row in consents_current(customer=customer) if row["channel"] == channel)
    return record.granted if record else None


def test_the_link_asks_first_in_the_customers_language_and_changes_nothing(client, branch, product, manager):
    path, recipient = sent_email_link(branch, product, manager, language="en")
    response = client.get(path)
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "<form method=\"post\">" in response.content.decode()
    assert current(recipient.customer, "EMAIL") is True
    assert CampaignRecipient.objects.get(pk=recipient.pk).status == RecipientStatus.SENT


def test_confirming_revokes_that_channel_only_and_marks_the_recipient(client, branch, product, manager):
    path, recipient = sent_email_link(branch, product, manager)
    response = client.post(path)
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    record = ConsentRecord.objects.filter(customer=recipient.customer, channel="EMAIL").first()
    assert (record.granted, record.source, record.recorded_by) == (False, ConsentSource.UNSUBSCRIBE, None)
    assert current(recipient.customer, "EMAIL") is False
    assert current(recipient.customer, "SMS") is True
    recipient.refresh_from_db()
    assert recipient.status == RecipientStatus.OPTED_OUT and recipient.opted_out_at is not None


def test_a_used_link_says_already_unsubscribed_and_records_nothing_more(client, branch, product, manager):
    path, recipient = sent_email_link(branch, product, manager, language="en")
    client.post(path)
    again = client.post(path)
    assert again.status_code == 200
    assert "Already unsubscribed" in again.content.decode()
    assert client.get(path).status_code == 200
    assert ConsentRecord.objects.filter(customer=recipient.customer, channel="EMAIL", granted=False).count() == 1


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
    lambda t: str(int(t.split(".")[0]) + 1) + t[t.index("."):],  # another recipient's id
    lambda t: t.replace(".EMAIL:", ".SMS:"),  # another channel
    lambda t: "not-a-token",
])
def test_a_tampered_link_is_refused_with_400_and_changes_nothing(client, branch, product, manager, mangle):
    path, recipient = sent_email_link(branch, product, manager)
    token = path.split("/")[2]
    response = client.post(f"/unsubscribe/{mangle(token)}/")
    assert response.status_code == 400
    assert current(recipient.customer, "EMAIL") is True


def test_a_token_signed_for_another_purpose_is_refused(client, branch, product, manager):
    from django.core import signing

    _path, recipient = sent_email_link(branch, product, manager)
    forged = signing.TimestampSigner(salt="something.else").sign(f"{recipient.pk}.EMAIL")
    assert client.post(f"/unsubscribe/{forged}/").status_code == 400
    assert client.post(f"/unsubscribe/{unsubscribe_token(recipient_id=recipient.pk, channel='POST')}/"
                       ).status_code == 400


def test_sms_carries_a_link_that_revokes_sms(client, branch, product, manager):
    customer = customer_with(branch=branch, consents=("SMS",))
    campaign = running(CampaignFactory(product=product, branch=branch, channels=["SMS"], created_by=manager))
    campaign_fanout(campaign_id=campaign.pk)
    campaign_send(campaign_id=campaign.pk)
    path = re.search(r"(/unsubscribe/[^/\s]+/)", OutboxMessage.objects.get().body).group(1)
    assert client.post(path).status_code == 200
    assert current(customer, "SMS") is False
