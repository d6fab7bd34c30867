"""The demo's finished campaign (DESIGN §3): WM-GREEN, launched three weeks ago by the Shanghai branch.

It goes through the campaigns services as a real one does — drafted by manager_sh, approved by admin_sh,
launched, its recipients written by the fan-out and sent by the sender (SMS and app messages through the
outbox and its default gateway, counter pitches as offers) over three days — with the clock set back. Then
some customers answer at the counter (teller_sh records it), a few open the product (their accounts are
the conversions, as the results count them, in the holdout too), and the results are computed.
Counter offers nobody answered stay open until the conversion window ends: a teller sees them on the 360.

Deterministic (random.Random(seed)) and idempotent: a campaign of that name for WM-GREEN is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account, AccountStatus, Product, ProductKind
from campaigns import services
from campaigns.models import Campaign, CampaignChannel, CampaignRecipient, OfferOutcome, RecipientStatus

from .reference import BRANCHES, KIND_DIGITS

NAME = "绿色低碳理财首发推介"
PRODUCT = "WM-GREEN"
BRANCH = "SH001"
LAUNCHED_DAYS_AGO = 21
SEND_DAYS = 3  # the sender is throttled: a third of the recipients a day
COUNTER_ANSWERED = 0.35  # of the counter offers, the share a teller has answered
CONVERTED = {False: 0.07, True: 0.02}  # holdout → share who opened the product anyway

MESSAGES = {
    CampaignChannel.SMS: {
        "zh-hans": {"body": "尊敬的{name}，{branch}新发行{product}，投向清洁能源与节能环保项目，欢迎到网点咨询。"},
        "en": {"body": "Dear {name}, {branch} has launched {product}, investing in clean energy. Ask us in branch."}},
    CampaignChannel.APP: {
        "zh-hans": {"body": "{name}，{product}现已发售：稳健收益，支持绿色发展。点击了解详情。"},
        "en": {"body": "{name}, {product} is now on sale: steady returns for a greener future."}},
    CampaignChannel.COUNTER: {
        "zh-hans": {"body": "向{name}介绍{product}：中低风险，一年期，投向绿色债券；客户如有兴趣可现场办理。"},
        "en": {"body": "Offer {product} to {name}: low-to-medium risk, one year, green bonds; can be opened today."}},
}


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _some_day(rng: random.Random, start: dt.datetime, now: dt.datetime) -> dt.datetime:
    """A time on a day from `start` to yesterday."""
    return start + dt.timedelta(days=rng.randint(0, max(0, (now - start).days - 1)))


def demo_offer_customer() -> str | None:
    """A customer with an open counter offer of the demo campaign, for the seed's closing hint."""
    from campaigns.selectors import offers_for_customer

    rows = (CampaignRecipient.objects.filter(campaign__name=NAME, channel=CampaignChannel.COUNTER, holdout=False,
                                             response="").select_related("customer").order_by("id")[:20])
    for row in rows:
        if offers_for_customer(customer=row.customer):
            return row.customer.customer_no
    return None


def demo_campaign_ensure(*, now: dt.datetime, seed: int) -> Campaign | None:
    """The finished demo campaign (created once); None when its staff or product are missing."""
    existing = Campaign.objects.filter(name=NAME, product__code=PRODUCT).first()
    if existing is not None:
        return existing
    suffix = next(b.suffix for b in BRANCHES if b.code == BRANCH)
    author, approver, teller = (_user(f"{role}_{suffix}") for role in ("manager", "admin", "teller"))
    product = Product.objects.filter(code=PRODUCT).first()
    if not (author and approver and teller and product):
        return None
    launched = now - dt.timedelta(days=LAUNCHED_DAYS_AGO)
    campaign = services.campaign_create(user=author, data={
        "name": NAME, "product": product, "channels": [CampaignChannel.APP, CampaignChannel.SMS,
                                                       CampaignChannel.COUNTER],
        "messages": MESSAGES, "audience": {"age_min": 25, "age_max": 70}, "holdout_share": "0.1",
        "conversion_window_days": 30})
    services.campaign_submit(campaign=campaign, user=author)
    services.campaign_approve(campaign=campaign, user=approver, now=launched - dt.timedelta(hours=2))
    services.campaign_launch(campaign=campaign, user=author, now=launched)
    Campaign.objects.filter(pk=campaign.pk).update(created_at=launched - dt.timedelta(days=2),
                                                   submitted_at=launched - dt.timedelta(days=1))
    services.campaign_fanout(campaign_id=campaign.pk, now=launched)
    eligible = CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING).count()
    per_day = max(1, -(-eligible // SEND_DAYS))
    for day in range(SEND_DAYS):
        sent_at = launched + dt.timedelta(days=day, hours=1)
        services.campaign_send(campaign_id=campaign.pk, now=sent_at, chunk_size=per_day, max_chunks=1)
        services.outbox_drain(now=sent_at + dt.timedelta(minutes=5))
    services.campaign_send(campaign_id=campaign.pk, now=launched + dt.timedelta(days=SEND_DAYS))  # completes it
    _answers_and_conversions(campaign=campaign, teller=teller, product=product, seed=seed, now=now)
    services.campaign_results_compute(campaign_id=campaign.pk, now=now)
    campaign.refresh_from_db()
    return campaign


def _answers_and_conversions(*, campaign: Campaign, teller, product: Product, seed: int, now: dt.datetime) -> None:
    """Exact shares drawn with a seeded sample, so the demo's lift does not depend on luck."""
    rng = random.Random(f"{seed}:campaign")  # noqa: S311 - demo data, not security
    rows = list(CampaignRecipient.objects.filter(campaign=campaign).filter(Q(sent_at__isnull=False) | Q(holdout=True))
                .select_related("customer").order_by("id"))
    counter = [r for r in rows if r.channel == CampaignChannel.COUNTER and not r.holdout]
    answers = [OfferOutcome.INTERESTED, OfferOutcome.DECLINED, OfferOutcome.INTERESTED, OfferOutcome.CONVERTED,
               OfferOutcome.DECLINED]
    opened: dict[int, dt.date] = {}  # recipient → the day the account was opened
    for n, row in enumerate(rng.sample(counter, round(len(counter) * COUNTER_ANSWERED))):
        answer, when = answers[n % len(answers)], _some_day(rng, row.sent_at, now) + dt.timedelta(hours=2)
        services.recipient_outcome_record(recipient=row, outcome=answer, by=teller, now=when)
        if answer == OfferOutcome.CONVERTED:
            opened[row.pk] = timezone.localdate(when)
    for holdout in (False, True):
        group = [r for r in rows if r.holdout == holdout and r.pk not in opened]
        for row in rng.sample(group, round(len(group) * CONVERTED[holdout])):
            opened[row.pk] = timezone.localdate(_some_day(rng, row.sent_at or campaign.started_at, now))
    branch_number = next(b.number for b in BRANCHES if b.code == BRANCH)
    Account.objects.bulk_create([
        Account(account_no=f"{branch_number}{KIND_DIGITS[ProductKind.WEALTH]}G{row.customer.customer_no[1:]}",
                customer=row.customer, product=product, branch=campaign.branch, currency="CNY",
                balance=Decimal(rng.randrange(50_000, 500_000, 1000)), balance_as_of=now,
                status=AccountStatus.ACTIVE, opened_at=day)
        for row in rows if row.pk in opened for day in (opened[row.pk],)
    ], ignore_conflicts=True)
