"""One currency style across the site (docs/features.md, "How amounts read"): every amount on a page goes
through the money filters of crm_site/display.py, so the style cannot drift template by template."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from crm_site.display import money_short_text, money_text

TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.mark.parametrize(("amount", "currency", "zh", "en"), [
    ("1234.56", "CNY", "¥1,234.56", "CNY 1,234.56"),
    ("1000", "USD", "US$1,000.00", "USD 1,000.00"),
    ("80", "HKD", "HK$80.00", "HKD 80.00"),
    ("90", "CZK", "CZK 90.00", "CZK 90.00"),  # no sign of its own: the code in both languages
    ("1500", "JPY", "JP¥1,500", "JPY 1,500"),  # no minor unit
    ("-12", "CNY", "−¥12.00", "−CNY 12.00"),
    ("0.5", "", "¥0.50", "CNY 0.50"),  # no currency: the base currency
])
def test_an_amount_reads_with_its_currency_in_each_language(amount, currency, zh, en):
    with translation.override("zh-hans"):
        assert money_text(Decimal(amount), currency) == zh
    with translation.override("en"):
        assert money_text(Decimal(amount), currency) == en


@pytest.mark.parametrize(("amount", "currency", "zh", "en"), [
    ("667000000", "CNY", "¥6.67 亿", "CNY 667,000,000.00"),
    ("125000", "USD", "US$12.50 万", "USD 125,000.00"),
    ("9999.5", "CNY", "¥9,999.50", "CNY 9,999.50"),
    ("-250000", "CNY", "−¥25.00 万", "−CNY 250,000.00"),
])
def test_a_large_amount_reads_in_wan_and_yi_in_chinese(amount, currency, zh, en):
    with translation.override("zh-hans"):
        assert money_short_text(Decimal(amount), currency) == zh
    with translation.override("en"):
        assert money_short_text(Decimal(amount), currency) == en


@pytest.mark.parametrize("value", [None, "", "not a number"])
def test_no_amount_reads_as_a_dash(value):
    assert money_text(value) == money_short_text(value) == "—"


def test_the_filters_are_builtin_and_take_the_currency_as_argument():
    template = Template("{{ a|money:'USD' }} | {{ b|money }} | {{ b|money_short }} | {{ r|fx_rate }}")
    with translation.override("en"):
        assert template.render(Context({"a": Decimal("5"), "b": Decimal("20000"), "r": Decimal("7.1000")})) == (
            "USD 5.00 | CNY 20,000.00 | CNY 20,000.00 | 7.1")
    with translation.override("zh-hans"):
        assert template.render(Context({"a": Decimal("5"), "b": Decimal("20000"), "r": Decimal("7.1000")})) == (
            "US$5.00 | ¥20,000.00 | ¥2.00 万 | 7.1")


# money written by hand in a template: a currency sign or code, a unit, or number formatting of an amount
RAW_MONEY = [
    (re.compile(r"[¥￥$€£]|元|\bCNY\b|\bUSD\b|\bHKD\b"), "a currency written into the template"),
    (re.compile(r"\|\s*intcomma"), "intcomma instead of money"),
    (re.compile(r"(amount|balance|aum|money|revenue|spend|loan|monetary|outflow)\w*\|floatformat", re.I),
     "floatformat on an amount instead of money"),
    (re.compile(r"\.currency\s*}}\s*{{"), "a currency code glued to an amount by hand"),
    (re.compile(r"\|\s*amount_short\b"), "amount_short alone: use money_short, which names the currency"),
]


def _template_lines():
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            # the words of {% translate %} / {% blocktranslate %} are text, not formatting
            code = re.sub(r"{%\s*(translate|trans)\s+(\"[^\"]*\"|'[^']*')[^%]*%}", "", line)
            code = re.sub(r"{%\s*blocktranslate.*?%}.*?{%\s*endblocktranslate\s*%}",
                          lambda m: re.sub(r"%}.*{%", "%}{%", m.group()), code)
            yield path.relative_to(TEMPLATES), number, code


def test_no_template_formats_money_by_hand():
    found = [f"{path}:{number}: {why}" for path, number, code in _template_lines()
             for pattern, why in RAW_MONEY if pattern.search(code)]
    assert found == []


def test_the_check_catches_hand_formatted_money():
    samples = ['{{ txn.currency }} {{ txn.amount|floatformat:"2g" }}', "¥{{ total }}", "{{ x|intcomma }}",
               "{{ row.aum|amount_short }}", "{{ total }} 元"]
    for sample in samples:
        assert any(pattern.search(sample) for pattern, _why in RAW_MONEY), sample
    assert not any(pattern.search("{{ txn.amount|money:txn.currency }}") for pattern, _why in RAW_MONEY)
