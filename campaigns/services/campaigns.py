"""A campaign's life before its messages go: draft, submit, approve, launch, cancel (DESIGN §7, §8).

Every entry point (pages, API, admin) calls these, so the checks live here: the role's permission,
the branch scope (another branch's campaign is not found), the author never approving their own
campaign, and the status table on the model (a wrong state is a 409).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime, parse_time
from django.utils.translation import gettext as _

from accounts.models import Product
from crm_site.bounds import date_range_message, datetime_in_range
from crm_site.exceptions import NotAllowed, NotFound

from ..audience import audience_clean
from ..exceptions import CampaignInvalid, CampaignStatusError
from ..fields import channels_clean, frequency_cap_value
from ..models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus, SkipReason
from ..rendering import messages_clean, messages_missing
from ..selectors import Scope, campaign_in_scope, user_scope
from .queueing import campaign_queue

FIELDS = ("name", "product", "channels", "messages", "audience", "holdout_share", "send_at", "quiet_start",
          "quiet_end", "frequency_cap", "conversion_window_days")
MAX_HOLDOUT = Decimal("0.5")


def _product(value: object) -> Product:
    if isinstance(value, Product):
        return value
    product = Product.objects.filter(code=value).first() if isinstance(value, str) else None
    if product is None:
        raise CampaignInvalid(_("Unknown product code."), field="product")
    if not product.active:
        raise CampaignInvalid(_("This product is no longer offered."), field="product")
    return product


def _decimal_share(value: object) -> Decimal:
    try:
        share = Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        share = None
    if share is None or not share.is_finite() or not Decimal("0") <= share <= MAX_HOLDOUT \
            or share.as_tuple().exponent < -3:
        raise CampaignInvalid(_("A share from 0 to 0.5, e.g. \"0.1\" for 10 %."), field="holdout_share")
    return share


def _datetime(value: object, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:  # a well-formed day that does not exist (2026-02-30) is a ValueError, not None
        parsed = value if isinstance(value, dt.datetime) else parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise CampaignInvalid(_("A date and time, e.g. 2025-06-01T09:30:00+08:00."), field=field)
    if not datetime_in_range(parsed):  # year 1 or 9999 would be saved, then break every list that shows it
        raise CampaignInvalid(date_range_message(), field=field)
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _time(value: object, field: str) -> dt.time | None:
    if value in (None, ""):
        return None
    try:
        parsed = value if isinstance(value, dt.time) else parse_time(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise CampaignInvalid(_("A time of day, e.g. 21:00."), field=field)
    return parsed


def _window(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit() \
            or not 1 <= int(value) <= 365:
        raise CampaignInvalid(_("A number of days from 1 to 365."), field="conversion_window_days")
    return int(value)


CLEANERS = {
    "name": lambda v: _name(v),
    "product": _product,
    "channels": channels_clean,
    "holdout_share": _decimal_share,
    "send_at": lambda v: _datetime(v, "send_at"),
    "quiet_start": lambda v: _time(v, "quiet_start"),
    "quiet_end": lambda v: _time(v, "quiet_end"),
    "frequency_cap": lambda v: None if v in (None, "") else frequency_cap_value(v),
    "conversion_window_days": _window,
}


def _name(value: object) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name or len(name) > 120:
        raise CampaignInvalid(_("A name of 1 to 120 characters is required."), field="name")
    return name


def campaign_clean(*, data: dict, scope: Scope, partial_update: bool = False) -> dict:
    """The fields given, checked and normalised; CampaignInvalid with every problem keyed by field."""
    errors: dict[str, list[str]] = {}
    for name in sorted(set(data) - set(FIELDS)):
        errors[name] = [_("Unknown field.")]
    cleaned: dict = {}
    for name in FIELDS:
        if name not in data:
            if not partial_update and name in ("name", "product", "channels"):
                errors[name] = [_("This field is required.")]
            continue
        try:
            if name == "messages":
                cleaned[name], problems = messages_clean(data[name])
                errors.update(problems)
            elif name == "audience":
                cleaned[name] = audience_clean(data[name] or {}, scope=scope.branch)
            else:
                cleaned[name] = CLEANERS[name](data[name])
        except CampaignInvalid as exc:
            errors.update(exc.errors)
    if ("quiet_start" in cleaned) != ("quiet_end" in cleaned) and not partial_update:
        errors["quiet_end"] = [_("Give both ends of the quiet hours, or neither.")]
    if cleaned.get("quiet_start") is not None and cleaned.get("quiet_start") == cleaned.get("quiet_end"):
        errors["quiet_end"] = [_("The quiet hours start and end at the same time.")]
    if errors:
        raise CampaignInvalid(_("The campaign is not valid: %(fields)s.") % {"fields": ", ".join(sorted(errors))},
                              errors=errors)
    return cleaned


def _require(user, perm: str, message: str) -> Scope:
    if not user.has_perm(perm):
        raise NotAllowed(message)
    scope = user_scope(user=user)
    if not scope.allowed:
        raise NotAllowed(message)
    return scope


def _visible(campaign: Campaign, user) -> None:
    if not campaign_in_scope(campaign=campaign, user=user):
        raise NotFound(_("There is no campaign #%(id)s, or it is not one of your branch's.") % {"id": campaign.pk})


@transaction.atomic
def campaign_create(*, user, data: dict) -> Campaign:
    scope = _require(user, "campaigns.add_campaign", _("You may not draft campaigns."))
    cleaned = campaign_clean(data=data, scope=scope)
    campaign = Campaign(branch=scope.branch, created_by=user, **cleaned)
    campaign.save()
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, user, data: dict) -> Campaign:
    scope = _require(user, "campaigns.change_campaign", _("You may not change campaigns."))
    _visible(campaign, user)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_editable:
        raise_status(campaign, CampaignStatus.DRAFT)
    cleaned = campaign_clean(data=data, scope=scope, partial_update=True)
    if ("quiet_start" in cleaned or "quiet_end" in cleaned):
        start = cleaned.get("quiet_start", campaign.quiet_start)
        end = cleaned.get("quiet_end", campaign.quiet_end)
        if (start is None) != (end is None):
            raise CampaignInvalid(_("Give both ends of the quiet hours, or neither."), field="quiet_end")
    for name, value in cleaned.items():
        setattr(campaign, name, value)
    campaign.updated_at = timezone.now()
    campaign.save(update_fields=[*cleaned, "updated_at"])
    return campaign


def raise_status(campaign: Campaign, wanted: str):
    raise CampaignStatusError(campaign.status, wanted, labels=CampaignStatus.choices)


@transaction.atomic
def campaign_submit(*, campaign: Campaign, user) -> Campaign:
    """Ask for approval: the campaign must be complete (a text for every channel, an active product)."""
    _require(user, "campaigns.change_campaign", _("You may not submit campaigns."))
    _visible(campaign, user)
    if campaign.status == CampaignStatus.DRAFT:
        missing = messages_missing(campaign.messages, campaign.channels)
        if not campaign.channels:
            missing["channels"] = [_("Choose at least one channel.")]
        if not campaign.product.active:
            missing["product"] = [_("This product is no longer offered.")]
        if missing:
            raise CampaignInvalid(_("The campaign is not complete: %(fields)s.")
                                  % {"fields": ", ".join(sorted(missing))}, errors=missing)
    campaign.transition_to(CampaignStatus.PENDING_APPROVAL, submitted_by=user, submitted_at=timezone.now())
    return campaign


@transaction.atomic
def campaign_return(*, campaign: Campaign, user) -> Campaign:
    """An approver sends a submitted campaign back to draft for changes."""
    _require(user, "campaigns.approve_campaign", _("You may not review campaigns."))
    _visible(campaign, user)
    campaign.transition_to(CampaignStatus.DRAFT)
    return campaign


@transaction.atomic
def campaign_approve(*, campaign: Campaign, user, now: dt.datetime | None = None) -> Campaign:
    """Another manager of the campaign's branch, or an admin; never whoever drafted or submitted it."""
    _require(user, "campaigns.approve_campaign", _("You may not approve campaigns."))
    _visible(campaign, user)
    if user.pk in (campaign.created_by_id, campaign.submitted_by_id):
        raise NotAllowed(_("You drafted this campaign: another manager of the branch or an admin must approve it."))
    campaign.transition_to(CampaignStatus.APPROVED, approved_by=user, approved_at=now or timezone.now())
    return campaign


@transaction.atomic
def campaign_launch(*, campaign: Campaign, user, now: dt.datetime | None = None) -> Campaign:
    """Scheduled when its send time is still ahead (the sweeper starts it), else running at once.

    The fan-out is queued once the launch commits; launching again is refused (409), and a second
    fan-out task finds its work done, so a customer is never contacted twice.
    """
    _require(user, "campaigns.launch_campaign", _("You may not launch campaigns."))
    _visible(campaign, user)
    now = now or timezone.now()
    if campaign.send_at is not None and campaign.send_at > now:
        campaign.transition_to(CampaignStatus.SCHEDULED, launched_by=user, launched_at=now)
    else:
        campaign.transition_to(CampaignStatus.RUNNING, launched_by=user, launched_at=now, started_at=now)
        transaction.on_commit(partial(campaign_queue, step="fanout", campaign_id=campaign.pk))
    return campaign


@transaction.atomic
def campaign_start_due(*, campaign_id: int, now: dt.datetime | None = None) -> bool:
    """A scheduled campaign whose send time has come starts running (the sweeper calls this)."""
    now = now or timezone.now()
    campaign = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SCHEDULED).first()
    if campaign is None or (campaign.send_at and campaign.send_at > now):
        return False
    campaign.transition_to(CampaignStatus.RUNNING, started_at=now)
    transaction.on_commit(partial(campaign_queue, step="fanout", campaign_id=campaign.pk))
    return True


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, user, now: dt.datetime | None = None) -> Campaign:
    """Stops what has not gone yet: pending recipients are skipped (cancelled); sent ones stay sent."""
    _require(user, "campaigns.change_campaign", _("You may not cancel campaigns."))
    _visible(campaign, user)
    now = now or timezone.now()
    campaign.transition_to(CampaignStatus.CANCELLED, cancelled_by=user, cancelled_at=now)
    CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING).update(
        status=RecipientStatus.SKIPPED, skip_reason=SkipReason.CANCELLED, next_attempt_at=None)
    return campaign
