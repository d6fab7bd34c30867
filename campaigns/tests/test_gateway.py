"""The HTTP gateway adapter against a real HTTP server on localhost: what it posts, what it records."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from campaigns.backends import gateway as gateways
from campaigns.models import OutboxMessage, OutboxStatus, RecipientStatus
from campaigns.services import campaign_send, outbox_drain

from .factories import CampaignFactory
from .test_sending import customers, launched

pytestmark = pytest.mark.django_db


class Provider(BaseHTTPRequestHandler):
    """An SMS provider: accepts every other message, rejects the rest, remembers what it was sent."""

    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append({"auth": self.headers["Authorization"], "body": body})
        results = [{"id": m["id"], "status": "accepted" if i % 2 == 0 else "rejected", "ref": f"P{i}",
                    "error": "" if i % 2 == 0 else "number barred"} for i, m in enumerate(body["messages"])]
        answer = json.dumps({"results": results}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    Provider.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CAMPAIGN_GATEWAY = "campaigns.backends.gateway.HttpGateway"
    settings.CAMPAIGN_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.CAMPAIGN_GATEWAY_TOKEN = "provider-token"
    yield Provider
    server.shutdown()
    server.server_close()


def test_the_http_gateway_posts_each_message_once_and_records_the_providers_answers(provider, branch, product,
                                                                                   manager):
    people = customers(branch, 2)
    campaign = launched(CampaignFactory(product=product, branch=branch, created_by=manager))
    campaign_send(campaign_id=campaign.pk)

    assert outbox_drain() == {"sent": 1, "failed": 1}
    assert outbox_drain() == {}  # answered messages are never posted again

    (call,) = provider.received
    assert call["auth"] == "Bearer provider-token"
    posted = call["body"]["messages"]
    assert {m["to"] for m in posted} == {p.mobile for p in people}
    assert {m["channel"] for m in posted} == {"SMS"} and all(m["id"].startswith("outbox-") for m in posted)
    statuses = sorted(OutboxMessage.objects.values_list("status", flat=True))
    assert statuses == [OutboxStatus.ACCEPTED, OutboxStatus.FAILED]
    failed = OutboxMessage.objects.get(status=OutboxStatus.FAILED)
    assert "number barred" in failed.error
    assert failed.recipient.status == RecipientStatus.FAILED


def test_an_unreachable_provider_leaves_the_messages_to_try_again(settings, branch, product, manager):
    settings.CAMPAIGN_GATEWAY = "campaigns.backends.gateway.HttpGateway"
    settings.CAMPAIGN_GATEWAY_URL = "http://127.0.0.1:9/send"  # discard port: connection refused
    customers(branch, 2)
    campaign = launched(CampaignFactory(product=product, branch=branch, created_by=manager))
    campaign_send(campaign_id=campaign.pk)

    counts = outbox_drain()

    assert counts == {"retry": 2}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.QUEUED}
    assert gateways.gateway().__class__ is gateways.HttpGateway
