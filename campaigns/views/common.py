"""Helpers the campaign pages share: domain errors as lines, a campaign's audience and messages in words."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import ProductKind
from crm_site.display import money_text, percent
from customers.models import ContactChannel, Gender, Segment
from transactions.models import Category

from ..forms import LANGUAGE_LABELS, CampaignForm
from ..models import Campaign, CampaignChannel

CHOICE_LABELS = {
    "segments": dict(Segment.choices), "holds_product_kinds": dict(ProductKind.choices),
    "lacks_product_kinds": dict(ProductKind.choices), "preferred_channels": dict(ContactChannel.choices),
    "gender": dict(Gender.choices),
}


def domain_error_lines(errors: dict[str, list[str]], *, form: CampaignForm | None = None) -> list[tuple[str, str]]:
    """CampaignInvalid.errors as (field label, message) lines, for a summary above a form or on a page."""
    form = form or CampaignForm()
    lines = []
    for key, messages in errors.items():
        name = form._field_for(key)
        label = form.fields[name].label if name else ""
        if name and name.startswith("msg_"):
            channel, language = key.split(".")[1:3] if key.count(".") >= 2 else (key.split(".")[-1], "zh-hans")
            label = f"{CampaignChannel(channel).label if channel in CampaignChannel.values else channel} · " \
                    f"{LANGUAGE_LABELS.get(language, language)} · {label}"
        for message in messages:
            lines.append((str(label), str(message)))
    return lines


def audience_lines(audience: dict) -> list[tuple[str, str]]:
    """The stored audience in words: (filter label, value), in the form's order."""
    fields = CampaignForm().fields
    lines = []
    for key in ("age_min", "age_max", "aum_min", "aum_max", "value_tiers", "segments", "branches", "cities",
                "gender", "holds_product_kinds", "lacks_product_kinds", "preferred_channels", "category",
                "inactive_days_min", "self_service_ratio_max"):
        if key not in audience:
            continue
        value = audience[key]
        labels = CHOICE_LABELS.get(key, {})
        if key == "category":
            label = fields["category_code"].label
            text = _("%(category)s, at least %(share)s of card spend") % {
                "category": dict(Category.choices).get(value["code"], value["code"]),
                "share": percent(value["min_share"])}
        elif key == "self_service_ratio_max":
            label, text = fields[key].label, percent(value)
        elif key in ("aum_min", "aum_max"):
            label, text = fields[key].label, money_text(value)
        else:
            label = fields[key].label if key in fields else key
            items = value if isinstance(value, list) else [value]
            text = ", ".join(str(labels.get(item, item)) for item in items)
        lines.append((str(label), text))
    return lines


def message_lines(campaign: Campaign) -> list[dict]:
    """The campaign's texts per chosen channel and language, for the detail page."""
    rows = []
    for channel in campaign.channels:
        for language, parts in (campaign.messages or {}).get(channel, {}).items():
            rows.append({"channel": CampaignChannel(channel).label, "language": LANGUAGE_LABELS.get(language, language),
                         "subject": parts.get("subject", ""), "body": parts.get("body", "")})
    return rows


def audit_lines(campaign: Campaign) -> list[tuple[str, object, object]]:
    """Who did what when: (step, person or None, when), in the order they happen."""
    steps = [
        (_("Drafted"), campaign.created_by, campaign.created_at),
        (_("Submitted for approval"), campaign.submitted_by, campaign.submitted_at),
        (_("Approved"), campaign.approved_by, campaign.approved_at),
        (_("Launched"), campaign.launched_by, campaign.launched_at),
        (_("Sending started"), None, campaign.started_at),
        (_("Completed"), None, campaign.completed_at),
        (_("Cancelled"), campaign.cancelled_by, campaign.cancelled_at),
    ]
    return [(step, who, when) for step, who, when in steps if when]
