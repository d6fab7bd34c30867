"""Amounts as Chinese banks print them on statements and screens: 1,920,000.00 (Django's default for
zh-hans groups nothing)."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
