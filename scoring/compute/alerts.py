"""The signals for the teller (DESIGN §6): which fire for whom; the JSON is built in SQL (scoring/store.py)."""

from __future__ import annotations

import pandas as pd
from django.conf import settings

from customers.models import KycStatus

from .windows import Windows


def alerts_inputs(frame: pd.DataFrame, windows: Windows) -> pd.DataFrame:
    """Which signal fires for whom (booleans) and the days each reason quotes; the JSON is built in SQL."""
    today = pd.Timestamp(windows.today)
    dob = pd.to_datetime(frame["date_of_birth"])
    this_year = _birthdays_in(dob, today.year)
    next_year = _birthdays_in(dob, today.year + 1)
    upcoming = this_year.where(this_year >= today, next_year)
    frame["birthday_on"] = upcoming.dt.date
    frame["birthday_days"] = (upcoming - today).dt.days.astype("Int64")
    frame["alert_birthday"] = (frame["birthday_days"] <= settings.SCORING_BIRTHDAY_DAYS).fillna(False)

    expiry = pd.to_datetime(frame["id_expiry"])
    frame["id_expiry_days"] = (expiry - today).dt.days.astype("Int64")
    frame["alert_id_expiring"] = (frame["id_expiry_days"] <= settings.SCORING_ID_EXPIRY_DAYS).fillna(False)

    review = pd.to_datetime(frame["kyc_review_date"])
    frame["kyc_review_days"] = (review - today).dt.days.astype("Int64")
    frame["alert_kyc_due"] = ((frame["kyc_review_days"] <= settings.SCORING_KYC_DUE_DAYS).fillna(False)
                              | (frame["kyc_status"] == KycStatus.REVIEW_DUE))

    dormant_days = settings.SCORING_DORMANT_DAYS
    created = pd.to_datetime(frame["created_at"], utc=True).dt.tz_convert(settings.TIME_ZONE).dt.tz_localize(None)
    never_and_old = frame["recency_days"].isna() & ((today - created.dt.normalize()).dt.days >= dormant_days)
    frame["alert_dormant"] = (frame["recency_days"] >= dormant_days).fillna(False) | never_and_old

    # funds leaving compares money with money: PostgreSQL does it exactly as the rows are written

    prior = frame["activity_prior_90d"]
    frame["alert_activity_falling"] = ((prior >= settings.SCORING_ACTIVITY_MIN_PRIOR)
                                       & (frame["activity_90d"] * 2 < prior))
    return frame


def _birthdays_in(dob: pd.Series, year: int) -> pd.Series:
    """Each birthday in `year`; 29 February falls on 28 February in a common year."""
    day = dob.dt.day.where(~((dob.dt.month == 2) & (dob.dt.day == 29)) | _is_leap(year), 28)
    return pd.to_datetime(pd.DataFrame({"year": year, "month": dob.dt.month, "day": day}), errors="coerce")


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
