"""What the domain allows for dates, times and text, in one place (DESIGN §9).

Dates and times outside [EARLIEST_DATE, LATEST_DATE] are refused where they enter (forms, filters,
API bodies, feeds): year 1 or 9999 parses, but a day added to it, a conversion to UTC or the
calendar of a later page overflows. NUL is refused in text: PostgreSQL stores no NUL in text or
jsonb, so it would fail at the write, half-way through a request.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# the last day any date may be: far enough for every real date, with room for arithmetic after it
LATEST_DATE = dt.date(2999, 12, 31)
NUL = "\x00"


def earliest_date() -> dt.date:
    """settings.EARLIEST_DATE (default 1900-01-01): nothing the bank records happened before it."""
    return settings.EARLIEST_DATE


def date_in_range(value: dt.date) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return earliest_date() <= day <= LATEST_DATE


def datetime_in_range(value: dt.datetime) -> bool:
    """`value` (aware, or naive in TIME_ZONE) falls on a day from EARLIEST_DATE to LATEST_DATE, local time."""
    if timezone.is_aware(value):
        try:
            value = timezone.localtime(value)
        except OverflowError:
            return False
    return date_in_range(value.date())


def date_range_message() -> str:
    return _("A date from %(earliest)s to %(latest)s.") % {
        "earliest": date_format(earliest_date(), "Y-m-d"), "latest": date_format(LATEST_DATE, "Y-m-d")}


def validate_date_in_range(value: dt.date) -> None:
    """A form and serializer validator for dates and datetimes."""
    in_range = datetime_in_range(value) if isinstance(value, dt.datetime) else date_in_range(value)
    if not in_range:
        raise ValidationError(date_range_message(), code="date_out_of_range")


def has_nul(value: object) -> bool:
    return isinstance(value, str) and NUL in value


def nul_message() -> str:
    return _("The text contains a NUL character (\\x00), which is not allowed.")


class BoundedDateField(forms.DateField):
    """A date field of a form or filter that refuses days outside the domain's range (and bad days)."""

    default_validators = [validate_date_in_range]


def body_too_large_message(limit: int) -> str:
    return _("The request is too large: at most %(mb)s MB per request.") % {"mb": f"{limit / 1024 / 1024:.1f}"}


def view_body_limit(view_class) -> int:
    """A view class's request body limit: the setting it names in `max_body_setting`, else Django's."""
    name = getattr(view_class, "max_body_setting", None)
    return getattr(settings, name) if name else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
