"""How people, amounts and shares read on screen, in the reader's language (a builtin template library).

- person_name: a member of staff's name family name first in Chinese (季淑珍), given name first in
  English (Shuzhen Ji). A name written in Chinese characters reads family-first in either language.
- money: an amount with its currency, the one way money is written on the site (docs/features.md, "How
  amounts read"). In Chinese the currency's sign stuck to the amount: ¥1,234.56, US$1,000.00, HK$80.00,
  and the ISO code where a currency has no sign of its own (CZK 90.00). In English the ISO code, a space,
  the amount: CNY 1,234.56, USD 1,000.00. Digits after the point as the currency has them (JPY none).
  No currency given: the bank's BASE_CURRENCY. A negative amount puts its minus sign first: −¥12.00.
- money_short: the same, large amounts as Chinese bank staff read them: ¥6.67 亿, ¥12.50 万 (English: in full).
- amount_short: the number of money_short alone, for a table whose heading names the currency.
- fx_rate: an exchange rate without its trailing zeros (7.1, 0.0001234).
- percent: a share (0.1) as a percentage (10 %).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext

from .currencies import ISO_4217, SYMBOLS

register = template.Library()

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
WAN = Decimal("10000")
YI = Decimal("100000000")


def _chinese(language: str | None = None) -> bool:
    return (language or get_language() or "").lower().startswith("zh")


def person_name_text(*, first_name: str, last_name: str, language: str | None = None) -> str:
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if not first or not last:
        return first or last
    if _CJK.search(first + last):
        return f"{last}{first}"  # 季淑珍: Chinese characters are written family name first, no space
    if _chinese(language):
        return f"{last} {first}"
    return f"{first} {last}"


def user_display_name(user, language: str | None = None) -> str:
    """The one way a member of staff is named on screen and in exports (username when no name)."""
    if user is None:
        return ""
    name = person_name_text(first_name=getattr(user, "first_name", ""), last_name=getattr(user, "last_name", ""),
                            language=language)
    return name or getattr(user, "username", "")


@register.filter
def person_name(user) -> str:
    return user_display_name(user)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def amount_short_text(value, language: str | None = None) -> str:
    amount = _decimal(value)
    if amount is None:
        return ""
    if _chinese(language):
        magnitude = abs(amount)
        if magnitude >= YI:
            return f"{number_format(amount / YI, 2, use_l10n=True, force_grouping=True)} 亿"
        if magnitude >= WAN:
            return f"{number_format(amount / WAN, 2, use_l10n=True, force_grouping=True)} 万"
    return number_format(amount, 2, use_l10n=True, force_grouping=True)


@register.filter
def amount_short(value) -> str:
    """6.67 亿 / 12.50 万 in Chinese; 667,000,000.00 in English."""
    return amount_short_text(value)


def _currency(currency: str | None) -> str:
    return (currency or settings.BASE_CURRENCY).strip().upper()


def _with_currency(number: str, *, negative: bool, currency: str, language: str | None) -> str:
    sign = "−" if negative else ""
    if _chinese(language) and currency in SYMBOLS:
        return f"{sign}{SYMBOLS[currency]}{number}"
    return f"{sign}{currency} {number}"


def money_text(value, currency: str | None = None, *, language: str | None = None) -> str:
    """¥1,234.56 (Chinese) / CNY 1,234.56 (English); "—" for no amount."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    code = _currency(currency)
    digits = ISO_4217.get(code)
    number = number_format(abs(amount), 2 if digits is None else digits, use_l10n=True, force_grouping=True)
    return _with_currency(number, negative=amount < 0, currency=code, language=language)


def money_short_text(value, currency: str | None = None, *, language: str | None = None) -> str:
    """¥6.67 亿 (Chinese) / CNY 667,000,000.00 (English); "—" for no amount."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    number = amount_short_text(abs(amount), language=language)
    return _with_currency(number, negative=amount < 0, currency=_currency(currency), language=language)


@register.filter
def money(value, currency: str = "") -> str:
    """{{ balance|money:account.currency }}, {{ aum|money }} (the base currency)."""
    return money_text(value, currency)


@register.filter
def money_short(value, currency: str = "") -> str:
    """{{ aum_total|money_short }}: 万/亿 for a Chinese reader."""
    return money_short_text(value, currency)


@register.simple_tag
def base_currency() -> str:
    return settings.BASE_CURRENCY


@register.filter
def fx_rate(value) -> str:
    """A rate without its trailing zeros: 7.1, 0.0001234."""
    rate = _decimal(value)
    if rate is None:
        return "—"
    return number_format(format(rate.normalize(), "f"), use_l10n=True)


@register.filter
def percent(value, digits: int = 0) -> str:
    """A share 0–1 as a percentage: 0.1 → "10 %"."""
    share = _decimal(value)
    if share is None:
        return "—"
    return f"{number_format(share * 100, int(digits), use_l10n=True)} %"


@register.filter
def language_name(code) -> str:
    """A language code (zh-hans, en) as its name in the reader's language: 简体中文 / English."""
    names = {key.lower(): label for key, label in settings.LANGUAGES}
    return str(names.get(str(code or "").lower(), code or "—"))


@register.filter
def translated(value) -> str:
    """A string stored in English and marked with gettext_noop (a statistical method's name), in the reader's
    language. {% translate var %} would look it up with every % doubled."""
    return gettext(str(value)) if value else ""
