"""Amounts on pages: `{{ balance|money:account.currency }}` → "USD 1,000.00", `{{ aum|base_money }}` in the base
currency; grouped and pointed as the reader's language writes them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.formats import number_format

from crm_site.display import amount_short_text

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{currency} {text}" if currency else text


@register.filter
def base_money(value) -> str:
    return money(value, settings.BASE_CURRENCY)


@register.filter
def base_money_short(value) -> str:
    """In the base currency, large amounts in 万/亿 for a Chinese reader: "CNY 6.67 亿"."""
    text = amount_short_text(value)
    return f"{settings.BASE_CURRENCY} {text}" if text else "—"


@register.simple_tag
def base_currency() -> str:
    return settings.BASE_CURRENCY


@register.filter
def fx_rate(value) -> str:
    """A rate without its trailing zeros: 7.1, 0.0001234."""
    if value is None or value == "":
        return "—"
    return number_format(format(Decimal(str(value)).normalize(), "f"), use_l10n=True)
