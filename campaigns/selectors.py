"""Reads of campaigns, narrowed to what the acting user may see (DESIGN §8).

A manager sees and acts on their own branch's campaigns; an admin on every campaign; tellers and
channel systems on none (a teller sees a campaign only as an offer on the customer 360 page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Product
from branches.models import Branch
from branches.selectors import is_bank_admin, staff_profile_get
from crm_site.exceptions import NotFound
from customers.models import Customer

from . import audience as audience_module
from .fields import channels_clean, frequency_cap_value
from .holdout import holdout_params, holdout_sql
from .models import (
    EXCLUSION_REASONS,
    Campaign,
    CampaignChannel,
    CampaignRecipient,
    CampaignStatus,
    OfferOutcome,
    OutboxMessage,
    OutboxStatus,
    RecipientStatus,
    SkipReason,
    outbox_due,
)
from .rendering import message_render


@dataclass(frozen=True)
class Scope:
    """Whose customers and campaigns a user may work with: `branch` None with `allowed` means all."""

    allowed: bool
    branch: Branch | None = None

    @property
    def everything(self) -> bool:
        return self.allowed and self.branch is None


def user_scope(*, user) -> Scope:
    if not (user and user.is_authenticated and user.has_perm("campaigns.view_campaign")):
        return Scope(allowed=False)
    if is_bank_admin(user):
        return Scope(allowed=True)
    profile = staff_profile_get(user=user)
    if profile is None:
        return Scope(allowed=False)
    return Scope(allowed=True, branch=profile.branch)


def campaigns_for_user(*, user) -> QuerySet[Campaign]:
    """Newest first, with product, branch and the people on record."""
    scope = user_scope(user=user)
    qs = Campaign.objects.select_related("product", "branch", "created_by", "approved_by").order_by(
        "-created_at", "-id")
    if not scope.allowed:
        return qs.none()
    if scope.branch is not None:
        return qs.filter(branch=scope.branch)
    return qs


def campaign_get(*, campaign_id: int, user) -> Campaign:
    campaign = campaigns_for_user(user=user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound(_("There is no campaign #%(id)s, or it is not one of your branch's.") % {"id": campaign_id})
    return campaign


def campaign_in_scope(*, campaign: Campaign, user) -> bool:
    scope = user_scope(user=user)
    return scope.allowed and (scope.branch is None or scope.branch.pk == campaign.branch_id)


def can_edit(*, campaign: Campaign, user) -> bool:
    return campaign.is_editable and user.has_perm("campaigns.change_campaign") and campaign_in_scope(
        campaign=campaign, user=user)


def can_approve(*, campaign: Campaign, user) -> bool:
    return (campaign.status == CampaignStatus.PENDING_APPROVAL and campaign.created_by_id != user.pk
            and user.has_perm("campaigns.approve_campaign") and campaign_in_scope(campaign=campaign, user=user))


def can_launch(*, campaign: Campaign, user) -> bool:
    return (campaign.status == CampaignStatus.APPROVED and user.has_perm("campaigns.launch_campaign")
            and campaign_in_scope(campaign=campaign, user=user))


def campaigns_awaiting_approval(*, user) -> QuerySet[Campaign]:
    if not user.has_perm("campaigns.approve_campaign"):
        return Campaign.objects.none()
    return campaigns_for_user(user=user).filter(status=CampaignStatus.PENDING_APPROVAL).exclude(created_by=user)


# --- audience -------------------------------------------------------------------------------------


def audience_count(*, user, audience: dict, scope_branch: Branch | None = None) -> int:
    """The builder's live count: customers the filters select, before exclusions."""
    scope = user_scope(user=user)
    branch = scope.branch if scope.branch is not None else scope_branch
    cleaned = audience_module.audience_clean(audience, scope=scope.branch)
    return audience_module.audience_customers(cleaned, scope=branch).count()


def campaign_preview(*, user, product: Product, channels: list[str], audience: dict,
                     frequency_cap: int | None = None, sample_size: int = 20, now: dt.datetime | None = None,
                     scope_branch: Branch | None = None) -> dict:
    """DESIGN §7's preview for a campaign being drafted (the launch uses the same query)."""
    scope = user_scope(user=user)
    cleaned = audience_module.audience_clean(audience, scope=scope.branch)
    return audience_module.audience_preview(
        audience=cleaned, scope=scope.branch if scope.branch is not None else scope_branch, product=product,
        channels=channels_clean(channels), frequency_cap=frequency_cap_value(frequency_cap), now=now,
        sample_size=sample_size)


def campaign_preview_saved(*, campaign: Campaign, now: dt.datetime | None = None, sample_size: int = 20) -> dict:
    return audience_module.audience_preview(
        audience=campaign.audience, scope=campaign.branch, product=campaign.product, channels=campaign.channels,
        frequency_cap=campaign.effective_frequency_cap, now=now, sample_size=sample_size)


def campaign_launch_counts(*, campaign: Campaign, now: dt.datetime | None = None) -> dict:
    """What a launch now would do, for its confirmation: the same decisions and holdout draw as the fan-out.

    `{"selected", "eligible", "contacted", "by_channel": {CH: contacted}, "holdout", "no_consent",
    "excluded": {reason: n}, "overlaps": [...]}` — by_channel counts those contacted (eligible, not holdout);
    no_consent is the customers with no consented channel among the chosen ones. One grouped query.
    """
    sql, params = audience_module.audience_decisions_sql(
        audience=campaign.audience, scope=campaign.branch, product=campaign.product, channels=campaign.channels,
        frequency_cap=campaign.effective_frequency_cap, now=now)
    holdout = holdout_sql("d.id")
    with transaction.atomic(), connection.cursor() as cursor:
        audience_module.without_jit(cursor)
        cursor.execute(f"SELECT d.exclusion, d.channel, (d.exclusion IS NULL AND {holdout}), count(*) "  # noqa: S608 - built SQL
                       f"FROM ({sql}) AS d GROUP BY 1, 2, 3",
                       {**params, **holdout_params(campaign)})
        groups = cursor.fetchall()
    excluded = {reason.value: 0 for reason in EXCLUSION_REASONS}
    counts = {"selected": 0, "eligible": 0, "contacted": 0, "by_channel": dict.fromkeys(campaign.channels, 0),
              "holdout": 0, "excluded": excluded}
    for exclusion, channel, in_holdout, n in groups:
        counts["selected"] += n
        if exclusion is not None:
            excluded[exclusion] += n
            continue
        counts["eligible"] += n
        if in_holdout:
            counts["holdout"] += n
        else:
            counts["contacted"] += n
            counts["by_channel"][channel] += n
    counts["no_consent"] = excluded[SkipReason.NO_CONSENT]
    counts["overlaps"] = audience_overlaps(audience=campaign.audience, scope=campaign.branch,
                                           exclude_campaign_id=campaign.pk)
    return counts


def audience_overlaps(*, audience: dict, scope: Branch | None, exclude_campaign_id: int | None = None) -> list[dict]:
    """Running campaigns that already reach customers of this audience: `[{"campaign_id", "name", "customers"}]`,
    the largest overlap first. A recipient counts while that campaign targets them (not left out by an exclusion;
    its holdout counts too: contacting them would spoil its measurement). One query."""
    customers = audience_module.audience_customers(audience, scope=scope).order_by().values("pk")
    rows = (CampaignRecipient.objects.filter(campaign__status=CampaignStatus.RUNNING, customer__in=customers)
            .exclude(Q(status=RecipientStatus.SKIPPED) & ~Q(skip_reason=SkipReason.HOLDOUT))
            .exclude(campaign_id=exclude_campaign_id)
            .order_by().values("campaign_id", "campaign__name").annotate(customers=Count("pk"))
            .order_by("-customers", "campaign_id"))
    return [{"campaign_id": row["campaign_id"], "name": row["campaign__name"], "customers": row["customers"]}
            for row in rows]


def audience_overlaps_for_user(*, user, audience: dict) -> list[dict]:
    """audience_overlaps for an audience being drafted (validated and narrowed to the user's branch)."""
    scope = user_scope(user=user)
    cleaned = audience_module.audience_clean(audience, scope=scope.branch)
    return audience_overlaps(audience=cleaned, scope=scope.branch)


def audience_sample_customer(*, user, audience: dict) -> Customer | None:
    """The first customer (lowest id) the filters select: the builder renders its messages for them."""
    scope = user_scope(user=user)
    cleaned = audience_module.audience_clean(audience, scope=scope.branch)
    return (audience_module.audience_customers(cleaned, scope=scope.branch).select_related("home_branch")
            .order_by("pk").first())


def audience_cities(*, user) -> list[str]:
    """The cities the user's customers live in, for the builder's city choice (names, as stored)."""
    scope = user_scope(user=user)
    if not scope.allowed:
        return []
    qs = Customer.objects.exclude(city="")
    if scope.branch is not None:
        qs = qs.filter(home_branch=scope.branch)
    return list(qs.order_by("city").values_list("city", flat=True).distinct())


# --- recipients -----------------------------------------------------------------------------------


def campaign_counts(*, campaign: Campaign) -> dict:
    """The recipients as the launch left them: by status, by channel, the exclusions and the holdout."""
    rows = (CampaignRecipient.objects.filter(campaign=campaign).order_by()
            .values("status", "skip_reason", "channel").annotate(n=Count("pk")))
    counts = {"total": 0, "by_status": dict.fromkeys(RecipientStatus.values, 0),
              "by_channel": dict.fromkeys(campaign.channels, 0),
              "excluded": {r.value: 0 for r in EXCLUSION_REASONS}, "holdout": 0, "eligible": 0}
    for row in rows:
        counts["total"] += row["n"]
        counts["by_status"][row["status"]] += row["n"]
        reason = row["skip_reason"]
        if reason in counts["excluded"]:
            counts["excluded"][reason] += row["n"]
            continue
        if reason == SkipReason.HOLDOUT:
            counts["holdout"] += row["n"]
        counts["eligible"] += row["n"]
        if row["channel"]:
            counts["by_channel"][row["channel"]] = counts["by_channel"].get(row["channel"], 0) + row["n"]
    return counts


def campaign_in_outbox(*, campaign: Campaign, now: dt.datetime | None = None) -> int:
    """Messages of the campaign on their way to the gateway now: due in the outbox or being handed over.

    A campaign is completed once every recipient is sent to the outbox; its delivery counts still move
    until the outbox has drained (messages held for later are not counted: nothing moves before then).
    """
    now = now or timezone.now()
    return OutboxMessage.objects.filter(outbox_due(now) | Q(status=OutboxStatus.SENDING),
                                        recipient__campaign=campaign).count()


def campaign_held(*, campaign: Campaign, now: dt.datetime | None = None) -> list[dict]:
    """Messages waiting for a later time, per channel: held by the quiet hours, or waiting for a retry.

    [{"channel", "count", "release_at", "quiet"}], the earliest release first; "quiet" when the release time is
    the end of the campaign's quiet hours (the sender defers every due message to that moment).
    """
    now = now or timezone.now()
    rows = (CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING,
                                             next_attempt_at__gt=now)
            .order_by().values("channel").annotate(count=Count("pk"), release_at=Min("next_attempt_at")))
    quiet = campaign.quiet_start is not None and campaign.quiet_end is not None
    return sorted(({"channel": row["channel"], "count": row["count"], "release_at": row["release_at"],
                    "quiet": quiet and timezone.localtime(row["release_at"]).time().replace(second=0, microsecond=0)
                    == campaign.quiet_end.replace(second=0, microsecond=0)}
                   for row in rows), key=lambda row: row["release_at"])


def recipients_for_campaign(*, campaign: Campaign, status: str | None = None,
                            channel: str | None = None) -> QuerySet[CampaignRecipient]:
    qs = CampaignRecipient.objects.filter(campaign=campaign).select_related("customer", "customer__home_branch")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs.order_by("id")


def call_list(*, campaign: Campaign) -> QuerySet[CampaignRecipient]:
    """The customers to call: PHONE recipients placed on the list (sent) or already reached."""
    return recipients_for_campaign(campaign=campaign, channel=CampaignChannel.PHONE).filter(
        holdout=False, status__in=[RecipientStatus.SENT, RecipientStatus.DELIVERED])


def recipient_get_for_outcome(*, recipient_id: int, user) -> CampaignRecipient:
    """A COUNTER offer (any member of staff who records outcomes) or a PHONE call of a visible campaign."""
    qs = CampaignRecipient.objects.select_related("campaign", "campaign__product", "customer").filter(
        pk=recipient_id, holdout=False)
    recipient = qs.first()
    if recipient is None or not user.has_perm("campaigns.record_offer_outcome"):
        raise NotFound(_("There is no such offer."))
    if recipient.channel == CampaignChannel.COUNTER:
        return recipient
    if recipient.channel == CampaignChannel.PHONE and campaign_in_scope(campaign=recipient.campaign, user=user):
        return recipient
    raise NotFound(_("There is no such offer."))


def offers_for_customer(*, customer: Customer, now: dt.datetime | None = None) -> list[CampaignRecipient]:
    """Open counter offers for the 360 page: not yet declined or taken, campaign live, within its window."""
    return offers_for_customers(customers=[customer], now=now).get(customer.pk, [])


def offers_for_customers(*, customers: Iterable[Customer], now: dt.datetime | None = None
                         ) -> dict[int, list[CampaignRecipient]]:
    """offers_for_customer for many customers in one query (a lobby of waiting customers): customer id → offers,
    newest campaign first; a customer without an open offer is not a key."""
    now = now or timezone.now()
    offers = (
        CampaignRecipient.objects.filter(
            customer__in=[c.pk for c in customers], channel=CampaignChannel.COUNTER, holdout=False,
            status__in=[RecipientStatus.PENDING, RecipientStatus.SENT, RecipientStatus.DELIVERED],
            response__in=["", OfferOutcome.INTERESTED],
            campaign__status__in=[CampaignStatus.RUNNING, CampaignStatus.COMPLETED])
        .filter(Q(campaign__started_at__isnull=True) | Q(campaign__started_at__lte=now))
        .select_related("campaign", "campaign__product", "customer__home_branch")
        .order_by("-campaign__started_at", "pk"))
    result: dict[int, list[CampaignRecipient]] = {}
    for offer in offers:
        ends = offer.campaign.offer_ends_at
        if ends is not None and ends < now:
            continue
        product, customer = offer.campaign.product, offer.customer
        offer.pitch = message_render(
            messages=offer.campaign.messages, channel=CampaignChannel.COUNTER, language=customer.preferred_language,
            name=customer.display_name, product={lang: product.display_name(lang) for lang in ("zh-hans", "en")},
            branch=customer.home_branch.name).text
        result.setdefault(customer.pk, []).append(offer)
    return result


def campaign_results(*, campaign: Campaign) -> dict | None:
    result = getattr(campaign, "result", None)
    try:
        return result.data if result is not None else None
    except campaign.__class__.result.RelatedObjectDoesNotExist:  # pragma: no cover
        return None
