"""Unsubscribe links: signed (recipient, channel), opened without a login.

The token is django.core.signing's TimestampSigner with salt "campaigns.unsubscribe": nobody can
forge one for another customer or channel, and a tampered one is refused. Following a valid link
records a ConsentRecord revoking that channel (source unsubscribe) through the customers floor, and
marks the recipient opted_out; following it again changes nothing and says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from customers.models import ConsentRecord, ConsentSource
from customers.services import consent_record

from ..models import CONSENT_FOR_CHANNEL, MESSAGE_CHANNELS, CampaignRecipient, RecipientStatus

SALT = "campaigns.unsubscribe"


class InvalidToken(Exception):
    """Tampered, truncated, expired or naming no recipient."""


def unsubscribe_token(*, recipient_id: int, channel: str) -> str:
    """"<recipient id>.<channel>:<timestamp>:<signature>" — short enough for an SMS."""
    return signing.TimestampSigner(salt=SALT).sign(f"{recipient_id}.{channel}")


def unsubscribe_url(*, recipient_id: int, channel: str) -> str:
    return UnsubscribeLinks().url(recipient_id=recipient_id, channel=channel)


class UnsubscribeLinks:
    """Links for many recipients: the URL is resolved once, each token signed on its own."""

    PLACEHOLDER = "TOKEN"

    def __init__(self):
        path = reverse("campaigns-public:unsubscribe", args=[self.PLACEHOLDER])
        self.prefix, _placeholder, self.suffix = (settings.CAMPAIGN_PUBLIC_BASE_URL.rstrip("/") + path).rpartition(
            self.PLACEHOLDER)
        self.signer = signing.TimestampSigner(salt=SALT)

    def url(self, *, recipient_id: int, channel: str) -> str:
        return f"{self.prefix}{self.signer.sign(f'{recipient_id}.{channel}')}{self.suffix}"


def unsubscribe_resolve(token: str) -> tuple[CampaignRecipient, str]:
    """The recipient and channel a token names, or InvalidToken."""
    max_age_days = settings.CAMPAIGN_UNSUBSCRIBE_MAX_AGE_DAYS
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=dt.timedelta(days=max_age_days) if max_age_days else None)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidToken from exc
    recipient_id, _dot, channel = value.partition(".")
    if not recipient_id.isdigit() or channel not in MESSAGE_CHANNELS:
        raise InvalidToken
    recipient = (CampaignRecipient.objects.select_related("customer", "customer__home_branch", "campaign",
                                                          "campaign__product")
                 .filter(pk=int(recipient_id)).first())
    if recipient is None:
        raise InvalidToken
    return recipient, channel


@dataclass(frozen=True)
class UnsubscribeResult:
    recipient: CampaignRecipient
    channel: str
    already: bool  # this link had been used (or the channel was already revoked)


@transaction.atomic
def unsubscribe_apply(*, token: str, now: dt.datetime | None = None) -> UnsubscribeResult:
    recipient, channel = unsubscribe_resolve(token)
    now = now or timezone.now()
    recipient = CampaignRecipient.objects.select_for_update().select_related(
        "customer", "campaign", "campaign__product").get(pk=recipient.pk)
    consent_channel = CONSENT_FOR_CHANNEL[channel]
    newest = (ConsentRecord.objects.filter(customer=recipient.customer, channel=consent_channel)
              .order_by("-at", "-id").values_list("granted", flat=True).first())
    already = recipient.status == RecipientStatus.OPTED_OUT or newest is False
    if newest is not False:
        consent_record(customer=recipient.customer, channel=consent_channel, granted=False,
                       source=ConsentSource.UNSUBSCRIBE, recorded_by=None)
    if recipient.status != RecipientStatus.OPTED_OUT:
        CampaignRecipient.objects.filter(pk=recipient.pk).update(status=RecipientStatus.OPTED_OUT, opted_out_at=now)
        recipient.status, recipient.opted_out_at = RecipientStatus.OPTED_OUT, now
    return UnsubscribeResult(recipient=recipient, channel=channel, already=already)
