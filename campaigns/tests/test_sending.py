"""Sending: exactly once (outbox) / at most once (email), re-checks at send time, quiet hours, retries, cap."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.audience import audience_preview
from campaigns.backends.outbox import OutboxBackend
from campaigns.exceptions import TransientSendError
from campaigns.models import CampaignRecipient, CampaignStatus, OutboxMessage, OutboxStatus, RecipientStatus, SkipReason
from campaigns.services import campaign_fanout, campaign_send, outbox_drain
from campaigns.services.sweep import campaigns_sweep

from .factories import CampaignFactory, consent, customer_with, running

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Stop(Exception):
    """A worker killed, or a backend blowing up, mid-way."""


def launched(campaign):
    running(campaign)
    campaign_fanout(campaign_id=campaign.pk)
    return campaign


def customers(branch, n, consents=("SMS",), **fields):
    return [customer_with(branch=branch, full_name=f"客户{i}", consents=consents, **fields) for i in range(n)]


def statuses(campaign) -> dict[str, int]:
    rows = CampaignRecipient.objects.filter(campaign=campaign).values_list("status", flat=True)
    return {s: list(rows).count(s) for s in set(rows)}


def test_sms_go_to_the_outbox_once_each_even_when_launched_twice_and_sent_twice(branch, product, manager):
    customers(branch, 5)
    campaign = launched(CampaignFactory(product=product, branch=branch, created_by=manager))
    campaign_fanout(campaign_id=campaign.pk)  # a second fan-out task
    first = campaign_send(campaign_id=campaign.pk, chunk_size=2)
    second = campaign_send(campaign_id=campaign.pk)  # a duplicate send task
    assert (first.sent, second.sent) == (5, 0)
    assert OutboxMessage.objects.count() == 5
    assert OutboxMessage.objects.values("recipient").distinct().count() == 5
    assert statuses(campaign) == {RecipientStatus.SENT: 5}
    assert first.completed
    assert type(campaign).objects.get(pk=campaign.pk).status == CampaignStatus.COMPLETED


def test_a_backend_failing_after_chunk_k_loses_nothing_and_resumes_without_repeats(branch, product, manager,
                                                                                   monkeypatch):
    customers(branch, 7)
    campaign = launched(CampaignFactory(product=product, branch=branch, created_by=manager))
    calls = []
    real = OutboxBackend.send_many

    def fail_on_third(self, messages, *, now):
        calls.append(len(messages))
        if len(calls) == 3:
            raise Stop
        return real(self, messages, now=now)

    monkeypatch.setattr(OutboxBackend, "send_many", fail_on_third)
    with pytest.raises(Stop):
        campaign_send(campaign_id=campaign.pk, chunk_size=2)
    assert OutboxMessage.objects.count() == 4  # chunks 1 and 2 committed; chunk 3 rolled back whole
    assert statuses(campaign) == {RecipientStatus.SENT: 4, RecipientStatus.PENDING: 3}

    monkeypatch.setattr(OutboxBackend, "send_many", real)
    assert campaign_send(campaign_id=campaign.pk, chunk_size=2).sent == 3
    assert OutboxMessage.objects.count() == 7
    assert OutboxMessage.objects.values("recipient__customer").distinct().count() == 7


def test_email_goes_through_djangos_backend_with_unsubscribe_headers(branch, product, manager):
    target = customer_with(branch=branch, full_name="<i>王</i>芳", consents=("EMAIL",), preferred_language="en")
    campaign = launched(CampaignFactory(product=product, branch=branch, channels=["EMAIL"], created_by=manager))
    campaign_send(campaign_id=campaign.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    recipient = CampaignRecipient.objects.get(campaign=campaign)
    assert message.to == [target.email]
    assert message.subject == "<i>王</i>芳, meet Steady Wealth"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["X-Campaign-Recipient"] == str(recipient.pk)
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "&lt;i&gt;王&lt;/i&gt;芳" in html
    assert recipient.status == RecipientStatus.SENT and recipient.attempts == 1


def test_email_interrupted_mid_chunk_fails_the_one_in_hand_and_sends_the_rest_once(branch, product, manager,
                                                                                   monkeypatch):
    from campaigns.backends.email import EmailBackend

    customers(branch, 5, consents=("EMAIL",))
    campaign = launched(CampaignFactory(product=product, branch=branch, channels=["EMAIL"], created_by=manager))
    real = EmailBackend.send_one
    sends = []

    def die_on_third(self, message, *, now):
        sends.append(message.recipient_id)
        if len(sends) == 3:
            raise Stop  # e.g. the worker is killed during the SMTP conversation
        return real(self, message, now=now)

    monkeypatch.setattr(EmailBackend, "send_one", die_on_third)
    with pytest.raises(Stop):
        campaign_send(campaign_id=campaign.pk)
    assert len(mail.outbox) == 2
    assert statuses(campaign) == {RecipientStatus.SENT: 2, RecipientStatus.FAILED: 1, RecipientStatus.PENDING: 2}

    monkeypatch.setattr(EmailBackend, "send_one", real)
    campaign_send(campaign_id=campaign.pk)
    assert len(mail.outbox) == 4  # the one in hand is never resent: at most once
    assert len({m.to[0] for m in mail.outbox}) == 4


def test_a_transient_backend_error_is_retried_with_backoff_then_failed(branch, product, manager, monkeypatch,
                                                                       settings):
    from campaigns.backends.email import EmailBackend

    settings.CAMPAIGN_SEND_MAX_ATTEMPTS = 3
    settings.CAMPAIGN_RETRY_BACKOFF_SECONDS = 60
    customers(branch, 1, consents=("EMAIL",))
    campaign = launched(CampaignFactory(product=product, branch=branch, channels=["EMAIL"], created_by=manager))

    def gateway_down(self, message, *, now):
        raise TransientSendError("421 try again later")

    monkeypatch.setattr(EmailBackend, "send_one", gateway_down)
    t0 = timezone.now()
    assert campaign_send(campaign_id=campaign.pk, now=t0).retried == 1
    row = CampaignRecipient.objects.get(campaign=campaign)
    assert (row.status, row.attempts) == (RecipientStatus.PENDING, 1)
    assert row.next_attempt_at == t0 + dt.timedelta(seconds=60)
    assert campaign_send(campaign_id=campaign.pk, now=t0 + dt.timedelta(seconds=30)).retried == 0  # not due yet
    campaign_send(campaign_id=campaign.pk, now=t0 + dt.timedelta(seconds=61))
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (2, t0 + dt.timedelta(seconds=61 + 120))  # doubled
    campaign_send(campaign_id=campaign.pk, now=t0 + dt.timedelta(seconds=200))
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (RecipientStatus.FAILED, 3, "421 try again later")
    assert mail.outbox == []


def test_consent_revoked_or_do_not_contact_between_launch_and_send_skips_the_customer(branch, product, manager):
    keep, revoke, block = customers(branch, 3)
    campaign = launched(CampaignFactory(product=product, branch=branch, created_by=manager))
    consent(revoke, "SMS", False, at=timezone.now() + dt.timedelta(seconds=1))
    type(block).objects.filter(pk=block.pk).update(do_not_contact=True)
    result = campaign_send(campaign_id=campaign.pk)
    assert (result.sent, result.skipped) == (1, 2)
    reasons = dict(CampaignRecipient.objects.filter(campaign=campaign).values_list("customer_id", "skip_reason"))
    assert reasons == {keep.pk: "", revoke.pk: SkipReason.CONSENT_REVOKED, block.pk: SkipReason.DNC_AT_SEND}
    assert OutboxMessage.objects.get().recipient.customer == keep


def test_quiet_hours_across_midnight_defer_messages_to_their_end(branch, product, manager, queued):
    customer_with(branch=branch, full_name="短信", consents=("SMS",))
    customer_with(branch=branch, full_name="柜台", consents=())
    campaign = launched(CampaignFactory(product=product, branch=branch, channels=["SMS", "COUNTER"],
                                        quiet_start=dt.time(21, 0), quiet_end=dt.time(8, 0), created_by=manager))
    late_evening = dt.datetime(2025, 6, 1, 23, 30, tzinfo=SHANGHAI)
    result = campaign_send(campaign_id=campaign.pk, now=late_evening)
    sms = CampaignRecipient.objects.get(campaign=campaign, channel="SMS")
    assert (result.deferred, result.sent) == (1, 1)  # the counter offer is not a message: not held
    assert sms.status == RecipientStatus.PENDING
    assert sms.next_attempt_at == dt.datetime(2025, 6, 2, 8, 0, tzinfo=SHANGHAI)
    assert ("send", campaign.pk) in queued  # woken at 08:00
    assert campaign_send(campaign_id=campaign.pk, now=dt.datetime(2025, 6, 2, 7, 59, tzinfo=SHANGHAI)).sent == 0
    assert campaign_send(campaign_id=campaign.pk, now=dt.datetime(2025, 6, 2, 8, 0, tzinfo=SHANGHAI)).sent == 1


def test_a_send_that_runs_into_the_quiet_hours_stops_its_messages_there(branch, product, manager, queued,
                                                                        monkeypatch):
    customers(branch, 3)
    campaign = launched(CampaignFactory(product=product, branch=branch, channels=["SMS"],
                                        quiet_start=dt.time(21, 0), quiet_end=dt.time(8, 0), created_by=manager))
    # the first chunk goes at 20:59, the clock then passes 21:00 before the next chunk
    clock = itertools.chain([dt.datetime(2025, 6, 1, 20, 59, tzinfo=SHANGHAI)],
                            itertools.repeat(dt.datetime(2025, 6, 1, 21, 1, tzinfo=SHANGHAI)))
    monkeypatch.setattr("campaigns.services.sending.timezone.now", lambda: next(clock))
    result = campaign_send(campaign_id=campaign.pk, chunk_size=1)
    assert (result.sent, result.deferred) == (1, 2)
    held = CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING)
    assert set(held.values_list("next_attempt_at", flat=True)) == {dt.datetime(2025, 6, 2, 8, 0, tzinfo=SHANGHAI)}


def test_the_outbox_drain_holds_messages_of_a_campaign_in_its_quiet_hours(branch, product, manager, queued):
    customers(branch, 2)
    quiet = launched(CampaignFactory(product=product, branch=branch, channels=["SMS"],
                                     quiet_start=dt.time(21, 0), quiet_end=dt.time(8, 0), created_by=manager))
    campaign_send(campaign_id=quiet.pk, now=dt.datetime(2025, 6, 1, 20, 59, tzinfo=SHANGHAI))
    assert OutboxMessage.objects.filter(status=OutboxStatus.QUEUED).count() == 2
    counts = outbox_drain(now=dt.datetime(2025, 6, 1, 21, 30, tzinfo=SHANGHAI))
    assert counts == {"held": 2}
    assert set(OutboxMessage.objects.values_list("status", "next_attempt_at")) == {
        (OutboxStatus.QUEUED, dt.datetime(2025, 6, 2, 8, 0, tzinfo=SHANGHAI))}
    assert outbox_drain(now=dt.datetime(2025, 6, 2, 7, 59, tzinfo=SHANGHAI)) == {}
    assert outbox_drain(now=dt.datetime(2025, 6, 2, 8, 0, tzinfo=SHANGHAI)) == {"delivered": 2}


@pytest.mark.parametrize(("local", "expected"), [
    ((12, 30), (1, 14, 0)),   # inside 12:00-14:00, same day
    ((14, 0), None),          # the end is outside
    ((22, 0), (2, 7, 0)),     # wraps midnight: the next morning
    ((6, 59), (1, 7, 0)),     # after midnight: this morning
    ((7, 0), None),
])
def test_quiet_until(local, expected):
    from campaigns.models import Campaign
    from campaigns.services.sending import quiet_until

    now = dt.datetime(2025, 6, 1, *local, tzinfo=SHANGHAI)
    lunch = Campaign(quiet_start=dt.time(12), quiet_end=dt.time(14))
    night = Campaign(quiet_start=dt.time(21), quiet_end=dt.time(7))
    campaign = lunch if local[0] in (12, 14) else night
    want = dt.datetime(2025, 6, expected[0], expected[1], expected[2], tzinfo=SHANGHAI) if expected else None
    assert quiet_until(campaign, now) == want


def test_the_frequency_cap_counts_messages_across_campaigns(branch, product, manager):
    first, second = customers(branch, 2)
    one = launched(CampaignFactory(product=product, branch=branch, frequency_cap=1, created_by=manager))
    campaign_send(campaign_id=one.pk)
    # both reached by campaign one: a second campaign with cap 1 leaves them out in the preview and at launch
    two = CampaignFactory(product=product, branch=branch, frequency_cap=1, created_by=manager)
    preview = audience_preview(audience={}, scope=branch, product=product, channels=["SMS"], frequency_cap=1)
    assert (preview["eligible"], preview["excluded"]["frequency_cap"]) == (0, 2)
    with_cap_2 = audience_preview(audience={}, scope=branch, product=product, channels=["SMS"], frequency_cap=2)
    assert with_cap_2["eligible"] == 2
    launched(two)
    assert set(CampaignRecipient.objects.filter(campaign=two).values_list("skip_reason", flat=True)) == {
        SkipReason.FREQUENCY_CAP}
    assert {first.pk, second.pk} == set(CampaignRecipient.objects.filter(campaign=two).values_list("customer_id",
                                                                                                   flat=True))


def test_two_campaigns_launched_together_are_capped_at_send_time(branch, product, manager):
    customers(branch, 1)
    one = launched(CampaignFactory(product=product, branch=branch, frequency_cap=1, created_by=manager))
    two = launched(CampaignFactory(product=product, branch=branch, frequency_cap=1, created_by=manager))
    assert campaign_send(campaign_id=one.pk).sent == 1
    result = campaign_send(campaign_id=two.pk)
    assert (result.sent, result.skipped) == (0, 1)
    assert CampaignRecipient.objects.get(campaign=two).skip_reason == SkipReason.CAP_AT_SEND


def test_the_outbox_drain_hands_messages_to_the_gateway_and_marks_them_delivered(branch, product, manager):
    customers(branch, 3)
    campaign = launched(CampaignFactory(product=product, branch=branch, created_by=manager))
    campaign_send(campaign_id=campaign.pk)
    assert outbox_drain(chunk_size=2) == {"delivered": 3}
    assert outbox_drain() == {}  # nothing left: a second drain is harmless
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    assert statuses(campaign) == {RecipientStatus.DELIVERED: 3}
    assert not CampaignRecipient.objects.filter(campaign=campaign, delivered_at__isnull=True).exists()


def test_the_sweeper_fails_an_email_left_in_hand_by_a_dead_worker_and_never_resends_it(branch, product, manager):
    customers(branch, 1, consents=("EMAIL",))
    campaign = launched(CampaignFactory(product=product, branch=branch, channels=["EMAIL"], created_by=manager))
    claimed_at = timezone.now() - dt.timedelta(hours=1)
    CampaignRecipient.objects.filter(campaign=campaign).update(status=RecipientStatus.SENDING,
                                                               next_attempt_at=claimed_at)
    assert campaigns_sweep().interrupted == 1
    assert CampaignRecipient.objects.get(campaign=campaign).status == RecipientStatus.FAILED
    campaign_send(campaign_id=campaign.pk)
    assert mail.outbox == []


def test_the_sweeper_requeues_a_stuck_running_campaign(branch, product, manager, queued):
    customers(branch, 1)
    campaign = running(CampaignFactory(product=product, branch=branch, created_by=manager))
    type(campaign).objects.filter(pk=campaign.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    assert campaigns_sweep().requeued == [campaign.pk]
    assert queued == [("fanout", campaign.pk)]
    assert campaigns_sweep().requeued == []  # its clock restarted
