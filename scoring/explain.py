"""Scores in the reader's language: the explanation, each alert's reason, the labels of codes.

The refresh stores structured facts (tier, top_percent, drivers; each alert as a code and its
numbers) beside an English sentence for logs. Pages and the API render those facts here, at
request time, in the active language, so a teller reading Chinese never sees the stored English.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from crm_site.display import money_text
from transactions.models import Category, Channel

from .compute import display_percent
from .models import AlertCode, CustomerScore, TimeOfDay

DRIVERS = {
    "aum": gettext_lazy("AUM"),
    "revenue": gettext_lazy("estimated revenue"),
    "card_spend": gettext_lazy("card spend"),
    "frequency": gettext_lazy("transactions"),
    "recency": gettext_lazy("recent activity"),
    "products": gettext_lazy("products held"),
}

# display order, most urgent first: money walking out of the door and an ID the counter cannot accept
ALERT_ORDER = ["funds_leaving", "id_expiring", "kyc_due", "dormant", "activity_falling", "birthday"]
ALERT_SEVERITY = {"funds_leaving": "high", "id_expiring": "high", "kyc_due": "warn", "dormant": "warn",
                  "activity_falling": "warn", "birthday": "info"}

SHARE = Decimal("0.0001")
LIFT = Decimal("0.01")


def _label(choices, code: str | None) -> str:
    if not code:
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return code  # a code this version does not know: show it rather than fail


def channel_label(code: str | None) -> str:
    return _label(Channel, code)


def category_label(code: str | None) -> str:
    return _label(Category, code)


def time_of_day_label(code: str | None) -> str:
    return _label(TimeOfDay, code)


def alert_label(code: str | None) -> str:
    return _label(AlertCode, code)


def driver_label(code: str) -> str:
    return str(DRIVERS.get(code, code))


def percent_text(fraction) -> str:
    """A share 0..1 as a whole percent in the reader's style: "41 %" / "41%"."""
    if fraction is None:
        return ""
    value = (Decimal(str(fraction)) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return _("%(percent)s %%") % {"percent": value}


def explanation(*, tier: str, top_percent, drivers: list[str]) -> str:
    """"AAA: top 2 % by AUM and card spend", from the stored facts, rounded as compute.display_percent does."""
    params = {"tier": tier, "percent": display_percent(top_percent)}
    names = [driver_label(code) for code in drivers[:2]]
    if top_percent is not None and Decimal(str(top_percent)) > 50:
        # "top 97 %" reads oddly for the lower half: "bottom 3 %" (活跃度位于后 3%)
        params["percent"] = display_percent(max(Decimal("0"), 100 - Decimal(str(top_percent))))
        if names:
            return _("%(tier)s: bottom %(percent)s %% by %(driver)s") % {**params, "driver": names[0]}
        return _("%(tier)s: bottom %(percent)s %% by value score") % params
    if len(names) == 2:
        return _("%(tier)s: top %(percent)s %% by %(first)s and %(second)s") % {
            **params, "first": names[0], "second": names[1]}
    if names:
        return _("%(tier)s: top %(percent)s %% by %(driver)s") % {**params, "driver": names[0]}
    return _("%(tier)s: top %(percent)s %% by value score") % params


def _day_month(value: str | None) -> str:
    if not value:
        return ""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return ""
    # Translators: a Django date format for a day and its month, "1 December"; in Chinese "n月j日" (12月1日)
    return date_format(day, _("j F"))


def _birthday(alert: dict) -> str:
    days, on = alert.get("days"), _day_month(alert.get("date"))
    if days is None:
        return alert_label("birthday")
    if days == 0:
        return _("Birthday today")
    if days == 1:
        return _("Birthday tomorrow (%(date)s)") % {"date": on}
    return ngettext("Birthday in %(days)s day (%(date)s)", "Birthday in %(days)s days (%(date)s)",
                    days) % {"days": days, "date": on}


def _id_expiring(alert: dict) -> str:
    days = alert.get("days")
    if days is None:
        return alert_label("id_expiring")
    if days < 0:
        return ngettext("ID expired %(days)s day ago", "ID expired %(days)s days ago", -days) % {"days": -days}
    if days == 0:
        return _("ID expires today")
    return ngettext("ID expires in %(days)s day", "ID expires in %(days)s days", days) % {"days": days}


def _kyc_due(alert: dict) -> str:
    days = alert.get("days")
    if days is None:  # the status says a review is due, with no review date
        return _("KYC review due")
    if days < 0:
        return ngettext("KYC review overdue by %(days)s day", "KYC review overdue by %(days)s days",
                        -days) % {"days": -days}
    if days == 0:
        return _("KYC review due today")
    return ngettext("KYC review due in %(days)s day", "KYC review due in %(days)s days", days) % {"days": days}


def _dormant(alert: dict) -> str:
    days = alert.get("days")
    if days is None:
        return _("Never transacted")
    return ngettext("No transactions for %(days)s day", "No transactions for %(days)s days", days) % {"days": days}


def _funds_leaving(alert: dict) -> str:
    window = settings.SCORING_OUTFLOW_DAYS
    try:
        outflow, aum = Decimal(alert["outflow"]), Decimal(alert["aum"])
    except (KeyError, TypeError, InvalidOperation):
        return alert_label("funds_leaving")
    if aum <= 0:
        return _("Net outflow %(amount)s in %(window)s days") % {"amount": money_text(outflow), "window": window}
    return _("Net outflow %(amount)s in %(window)s days: %(share)s of AUM") % {
        "amount": money_text(outflow), "window": window, "share": percent_text(outflow / aum)}


def _activity_falling(alert: dict) -> str:
    last, before = alert.get("last") or 0, alert.get("before") or 0
    window = settings.SCORING_ACTIVITY_DAYS
    return ngettext("%(last)s transaction in the last %(window)s days, %(before)s in the %(window)s before",
                    "%(last)s transactions in the last %(window)s days, %(before)s in the %(window)s before",
                    last) % {"last": last, "before": before, "window": window}


REASONS = {"birthday": _birthday, "id_expiring": _id_expiring, "kyc_due": _kyc_due, "dormant": _dormant,
           "funds_leaving": _funds_leaving, "activity_falling": _activity_falling}


def alert_reason(alert: dict) -> str:
    """One alert's reason, e.g. "ID expires in 12 days", from its stored JSON."""
    render = REASONS.get(alert.get("code"))
    return render(alert) if render else alert_label(alert.get("code"))


def alerts_display(alerts: list[dict]) -> list[dict]:
    """Alerts as pages and the API show them: most urgent first, each with its label, severity and reason."""
    def rank(alert):
        code = alert.get("code")
        return ALERT_ORDER.index(code) if code in ALERT_ORDER else len(ALERT_ORDER)

    return [{"code": alert.get("code", ""), "label": alert_label(alert.get("code")),
             "severity": ALERT_SEVERITY.get(alert.get("code"), "info"), "text": alert_reason(alert),
             "params": {k: v for k, v in alert.items() if k != "code"}}
            for alert in sorted(alerts or [], key=rank)]


def _decimal(value, places: Decimal) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


def lift_text(lift) -> str:
    return _("×%(lift)s vs all customers") % {"lift": lift} if lift is not None else ""


def score_card(score: CustomerScore) -> dict:
    """Every figure of one customer's scores, with labels and the explanation in the active language."""
    mix = sorted(((code, _decimal(share, SHARE)) for code, share in (score.channel_mix or {}).items()),
                 key=lambda item: (-item[1], item[0]))
    categories = []
    for code in score.top_categories or []:
        share = _decimal((score.category_shares or {}).get(code), SHARE)
        lift = _decimal((score.category_lift or {}).get(code), LIFT)
        categories.append({"code": code, "label": category_label(code), "share": share,
                           "share_text": percent_text(share), "lift": lift, "lift_text": lift_text(lift)})
    return {
        "tier": score.tier,
        "value_score": score.value_score,
        "value_percentile": score.value_percentile,
        "top_percent": score.top_percent,
        "drivers": list(score.drivers or []),
        "explanation": explanation(tier=score.tier, top_percent=score.top_percent, drivers=score.drivers or []),
        "as_of": score.as_of,
        "computed_at": score.computed_at,
        "recency_days": score.recency_days,
        "frequency": score.frequency,
        "monetary": score.monetary,
        "card_spend": score.card_spend,
        "aum": score.aum,
        "loan_balance": score.loan_balance,
        "product_count": score.product_count,
        "annual_revenue": score.annual_revenue,
        "preferred_channel": score.preferred_channel,
        "preferred_channel_label": channel_label(score.preferred_channel),
        "self_service_ratio": score.self_service_ratio,
        "self_service_text": percent_text(score.self_service_ratio),
        "usual_time_of_day": score.usual_time_of_day,
        "usual_time_of_day_label": time_of_day_label(score.usual_time_of_day),
        "channel_mix": [{"code": code, "label": channel_label(code), "share": share,
                         "share_text": percent_text(share)} for code, share in mix],
        "top_categories": categories,
        "net_outflow_30d": score.net_outflow_30d,
        "activity_90d": score.activity_90d,
        "activity_prior_90d": score.activity_prior_90d,
    }

