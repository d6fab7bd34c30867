"""Gateway adapters: what drains the SMS/app outbox (settings.CAMPAIGN_GATEWAY).

An adapter gets a list of OutboxMessage (with recipient and customer loaded) and returns, per message
id, a `Delivery`. The drain (services.sending.outbox_drain) claims queued messages with SKIP LOCKED,
calls the adapter outside any transaction, and records the results.

`DeliveredGateway` (the default) marks every message delivered: development, demos and benchmarks.
`HttpGateway` posts to a provider, one JSON POST per batch (tested against a local HTTP server; match
it to the bank's SMS/push provider's real contract). Settings:
CAMPAIGN_GATEWAY="campaigns.backends.gateway.HttpGateway", CAMPAIGN_GATEWAY_URL, CAMPAIGN_GATEWAY_TOKEN.

    POST {CAMPAIGN_GATEWAY_URL}
    Authorization: Bearer {CAMPAIGN_GATEWAY_TOKEN}
    {"messages": [{"id": "outbox-17", "channel": "SMS", "to": "+8613812345678", "body": "..."}]}
    → 200 {"results": [{"id": "outbox-17", "status": "accepted"|"rejected"|"retry", "ref": "...",
                        "error": "..."}]}

The message id doubles as the provider's idempotency key: a batch re-posted after a timeout is not
sent twice by a provider that honours it.
"""

from __future__ import annotations

import abc
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from ..models import CampaignChannel


@dataclass(frozen=True)
class Delivery:
    status: str  # "delivered", "sent" (accepted, delivery report later), "retry", "failed"
    ref: str = ""
    error: str = ""


class Gateway(abc.ABC):
    @abc.abstractmethod
    def deliver(self, messages: list) -> dict[int, Delivery]:
        """Hand the messages over; per message id, what became of it (absent: try again later)."""

    @staticmethod
    def address(message) -> str:
        customer = message.recipient.customer
        return customer.mobile if message.channel == CampaignChannel.SMS else customer.customer_no


class DeliveredGateway(Gateway):
    def deliver(self, messages: list) -> dict[int, Delivery]:
        return {m.pk: Delivery(status="delivered", ref=f"local-{m.pk}") for m in messages}


class HttpGateway(Gateway):
    timeout = 10

    def deliver(self, messages: list) -> dict[int, Delivery]:
        body = {"messages": [{"id": f"outbox-{m.pk}", "channel": m.channel, "to": self.address(m), "body": m.body}
                             for m in messages]}
        request = urllib.request.Request(settings.CAMPAIGN_GATEWAY_URL,  # noqa: S310 - a configured https URL
                                         data=json.dumps(body).encode(), method="POST", headers={
                                             "Content-Type": "application/json",
                                             "Authorization": f"Bearer {settings.CAMPAIGN_GATEWAY_TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                answer = json.load(response)
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            return {m.pk: Delivery(status="retry", error=str(exc)[:200]) for m in messages}
        mapping = {"accepted": "sent", "rejected": "failed", "retry": "retry"}
        results = {}
        for item in answer.get("results", []):
            pk = int(str(item.get("id", "")).removeprefix("outbox-") or 0)
            results[pk] = Delivery(status=mapping.get(item.get("status"), "retry"), ref=str(item.get("ref", "")),
                                   error=str(item.get("error", ""))[:200])
        return results


@lru_cache(maxsize=4)
def _gateway_class(path: str) -> type[Gateway]:
    return import_string(path)


def gateway() -> Gateway:
    return _gateway_class(settings.CAMPAIGN_GATEWAY)()
