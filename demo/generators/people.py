"""Planning the customers (who they are) and their marketing consents."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np
import pandas as pd
from django.utils import timezone
from faker import Faker

from customers import identity
from customers.models import (
    ConsentSource,
    ContactChannel,
    ContactTime,
    CustomerStatus,
    Gender,
    IdType,
    IncomeBand,
    KycStatus,
    RiskRating,
    Segment,
)

from .reference import (
    BRANCHES,
    BUSINESS_OCCUPATIONS,
    CLASSIC_GIVEN,
    COMPOUND_SURNAMES,
    EMAIL_DOMAINS,
    ENGLISH_GIVEN,
    GOVERNMENT_OFFICES,
    MOBILE_PREFIXES,
    MODERN_GIVEN,
    OCCUPATION_WEIGHTS,
    OCCUPATIONS,
    SERVICE_NOTES_ELDERLY,
    SERVICE_NOTES_OTHER,
)


def customer_number(n: int) -> str:
    """The demo customer_no of the n-th customer (1-based): C + 9 digits."""
    return f"C{100_000_000 + n:09d}"


def _pick(rng: np.random.Generator, options, size: int, p=None) -> np.ndarray:
    values = np.array(options, dtype=object)
    if p is not None:
        p = np.asarray(p, dtype=float) / np.sum(p)
    return values[rng.choice(len(values), size=size, p=p)]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@lru_cache(maxsize=1)
def _region_codes() -> tuple[str, ...]:
    return tuple(pd.read_csv(identity.DATA_DIR / "cn_areas.csv", dtype=str)["code"])


def _employer(fake: Faker, kind: str, city: str, draw: int) -> str:
    if kind in ("company", "business"):
        return fake.company()
    if kind == "firm":
        return f"{fake.last_name()}{fake.last_name()}律师事务所"
    if kind == "school":
        return f"{city}第{draw % 40 + 1}中学"
    if kind == "hospital":
        return f"{city}第{draw % 9 + 1}人民医院"
    if kind == "government":
        return f"{city}{GOVERNMENT_OFFICES[draw % len(GOVERNMENT_OFFICES)]}"
    return ""


def _plan_customers(rng: np.random.Generator, fake: Faker, numbers: np.ndarray, now: dt.datetime) -> pd.DataFrame:
    """Who they are: one row per customer, the Customer fields plus what the later plans need (age, income...)."""
    today = timezone.localdate(now)
    m = len(numbers)
    branch_ix = rng.choice(len(BRANCHES), m, p=[b.weight for b in BRANCHES])
    male = rng.random(m) < 0.49
    young = rng.random(m) < 0.55
    age = np.clip(np.where(young, rng.normal(33, 8, m), rng.normal(58, 12, m)), 18, 84).astype(int)
    birthday_soon = rng.random(m) < 0.03  # within the coming fortnight
    day_of_year = rng.integers(0, 365, m)
    soon_in = rng.integers(0, 14, m)
    income_noise = rng.lognormal(0, 0.45, m)
    occupation_ix = rng.choice(len(OCCUPATIONS), m, p=np.array(OCCUPATION_WEIGHTS) / sum(OCCUPATION_WEIGHTS))
    retired = ((age >= 60) & (rng.random(m) < 0.85)) | ((age >= 55) & (rng.random(m) < 0.3))
    student = (age <= 23) & (rng.random(m) < 0.6) & ~retired
    wealth_noise = rng.lognormal(0, 0.9, m)
    born_local = rng.random(m) < 0.45
    lives_local = rng.random(m) < 0.88
    id_front = rng.integers(0, 10, m)
    id_sequence = rng.integers(0, 50, m) * 2 + np.where(male, 1, 0)  # the 17th digit is odd for men
    expiry_draw = rng.random(m)
    expiry_days = rng.integers(1, 7300, m)
    mobile_prefix = _pick(rng, MOBILE_PREFIXES, m)
    mobile_rest = rng.integers(0, 100_000_000, m)
    has_email = rng.random(m) < np.where(age < 45, 0.75, 0.35)
    english = rng.random(m) < 0.06
    kyc = _pick(rng, [KycStatus.VERIFIED, KycStatus.REVIEW_DUE, KycStatus.PENDING, KycStatus.REJECTED], m,
                [0.86, 0.07, 0.05, 0.02])
    kyc_days = rng.integers(1, 1095, m)
    risk = _pick(rng, RiskRating.values, m, [0.78, 0.18, 0.04])
    quiet = rng.random(m) < 0.035  # no activity for 200+ days
    quiet_days = np.where(quiet, rng.integers(200, 331, m), 0)
    do_not_contact = rng.random(m) < 0.02
    contact_channels = [ContactChannel.APP, ContactChannel.SMS, ContactChannel.EMAIL, ContactChannel.PHONE,
                        ContactChannel.POST]
    contact = np.where(age >= 60, _pick(rng, contact_channels, m, [0.1, 0.4, 0.02, 0.4, 0.08]),
                       _pick(rng, contact_channels, m, [0.45, 0.32, 0.1, 0.1, 0.03]))
    contact_time = _pick(rng, ContactTime.values, m, [0.5, 0.15, 0.15, 0.2])
    note_draw = rng.random((m, 2))
    regions = _region_codes()
    region_draw = rng.integers(0, len(regions), m)
    draw = rng.integers(0, 1000, (m, 4))

    rows = []
    for i in range(m):
        b = BRANCHES[branch_ix[i]]
        gender = Gender.MALE if male[i] else Gender.FEMALE
        if birthday_soon[i]:
            dob = _years_before(today + dt.timedelta(days=int(soon_in[i])), int(age[i]) + 1)
        else:
            dob = _years_before(today, int(age[i]) + 1) + dt.timedelta(days=int(day_of_year[i]) + 1)
        years = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
        surname = COMPOUND_SURNAMES[draw[i, 0] % len(COMPOUND_SURNAMES)] if draw[i, 3] < 25 else fake.last_name()
        if years < 36 and draw[i, 3] % 2 == 0:
            given = MODERN_GIVEN[gender][draw[i, 1] % len(MODERN_GIVEN[gender])]
        else:
            given = fake.first_name_male() if male[i] else fake.first_name_female()
            if len(given) == 1 and draw[i, 3] % 10 < 7:  # most given names have two characters
                given = CLASSIC_GIVEN[gender][draw[i, 1] % len(CLASSIC_GIVEN[gender])]
        full_name = surname + given
        pinyin, initials = identity.name_search_keys(full_name)
        surname_pinyin = identity.name_search_keys(surname)[0].title()

        home_district = b.districts[draw[i, 2] % len(b.districts)]
        region = home_district[0] if born_local[i] else regions[region_draw[i]]
        first17 = f"{region}{dob:%Y%m%d}{id_front[i]}{id_sequence[i]:02d}"
        if expiry_draw[i] < 0.03:
            id_expiry = today + dt.timedelta(days=int(expiry_days[i]) % 60 + 1)  # expiring soon
        elif expiry_draw[i] < 0.037:
            id_expiry = today - dt.timedelta(days=int(expiry_days[i]) % 90 + 1)  # lapsed
        elif years >= 46 and expiry_draw[i] < 0.5:
            id_expiry = None  # a long-term card
        else:
            id_expiry = today + dt.timedelta(days=int(expiry_days[i]) % (3650 if years < 26 else 7300) + 61)

        occupation, median_income, employer_kind = OCCUPATIONS[occupation_ix[i]]
        if retired[i]:
            occupation, median_income, employer_kind = "退休", 60_000, ""
        elif student[i]:
            occupation, median_income, employer_kind = "学生", 15_000, ""
        income = median_income * income_noise[i]
        if lives_local[i]:
            city, district = b.city, home_district[1]
            road = b.roads[draw[i, 0] % len(b.roads)]
        else:
            city, district = b.nearby[draw[i, 2] % len(b.nearby)]
            road = fake.street_name()
        wealth = income * (0.3 + 4 * (years - 18) / 67) * wealth_noise[i]  # the old have saved more
        if occupation in BUSINESS_OCCUPATIONS and wealth_noise[i] < 1.6:
            segment = Segment.SMALL_BUSINESS
        elif wealth >= 6_000_000:
            segment = Segment.PRIVATE
        elif wealth >= 500_000:
            segment = Segment.AFFLUENT
        else:
            segment = Segment.MASS

        notes = []
        if years >= 65 and note_draw[i, 0] < 0.15:
            notes.append(SERVICE_NOTES_ELDERLY[int(note_draw[i, 1] * len(SERVICE_NOTES_ELDERLY))])
        if segment in (Segment.AFFLUENT, Segment.PRIVATE) and note_draw[i, 1] < 0.3:
            notes.append("偏好VIP窗口")
        if english[i] and note_draw[i, 0] < 0.5:
            notes.append("需要英文服务")
        if not notes and note_draw[i, 0] > 0.97:
            notes.append(SERVICE_NOTES_OTHER[int(note_draw[i, 1] * len(SERVICE_NOTES_OTHER))])

        email = ""
        if has_email[i]:
            domain = EMAIL_DOMAINS[draw[i, 1] % len(EMAIL_DOMAINS)]
            email = (f"{mobile_rest[i] % 10**9 + 10**7}@qq.com" if domain == "qq.com"
                     else f"{pinyin}{draw[i, 2] % 100:02d}@{domain}")
        channel = ContactChannel.SMS if contact[i] == ContactChannel.EMAIL and not email else contact[i]
        if kyc[i] == KycStatus.VERIFIED:
            kyc_review = today + dt.timedelta(days=int(kyc_days[i]))  # the next periodic review
        elif kyc[i] == KycStatus.PENDING:
            kyc_review = today + dt.timedelta(days=int(kyc_days[i]) % 14 + 1)
        else:
            kyc_review = today - dt.timedelta(days=int(kyc_days[i]) % 120)
        rows.append({
            "customer_no": customer_number(int(numbers[i])),
            "branch": b.code,
            "full_name": full_name,
            "name_pinyin": pinyin,
            "name_initials": initials,
            "gender": gender.value,
            "date_of_birth": dob,
            "id_type": IdType.RESIDENT_ID.value,
            "id_number": first17 + identity.resident_id_check_char(first17),
            "id_expiry": id_expiry,
            "mobile": f"+86{mobile_prefix[i]}{mobile_rest[i]:08d}",
            "email": email,
            "address": f"{city}{district}{road}{draw[i, 0] + 1}号{draw[i, 1] % 30 + 1}栋"
                       f"{draw[i, 2] % 30 + 1}0{draw[i, 3] % 4 + 1}室",
            "city": city,
            "occupation": occupation,
            "employer": _employer(fake, employer_kind, city, int(draw[i, 1])),
            "income_band": _income_band(income),
            "segment": segment.value,
            "status": (CustomerStatus.DORMANT if quiet_days[i] >= 300 else CustomerStatus.ACTIVE).value,
            "kyc_status": str(kyc[i]),
            "kyc_review_date": kyc_review,
            "risk_rating": str(risk[i]),
            "preferred_name": f"{ENGLISH_GIVEN[gender][draw[i, 0] % 6]} {surname_pinyin}" if english[i] else "",
            "salutation": (f"{'Mr.' if male[i] else 'Ms.'} {surname_pinyin}" if english[i]
                           else f"{surname}{'先生' if male[i] else '女士'}"),
            "preferred_language": "en" if english[i] else "zh-hans",
            "preferred_contact_channel": str(channel),
            "preferred_contact_time": str(contact_time[i]),
            "service_notes": "；".join(notes),
            "do_not_contact": bool(do_not_contact[i]),
            # for the plans below, not stored
            "age": years,
            "income": income,
            "wealth": wealth,
            "retired": bool(retired[i]),
            "salaried": not (retired[i] or student[i] or occupation in (*BUSINESS_OCCUPATIONS, "自由职业者")),
            "quiet_days": int(quiet_days[i]),
        })
    return pd.DataFrame(rows)


def _income_band(income: float) -> str:
    if income < 60_000:
        return IncomeBand.LOW.value
    if income < 200_000:
        return IncomeBand.MIDDLE.value
    if income < 1_000_000:
        return IncomeBand.HIGH.value
    return IncomeBand.VERY_HIGH.value


def _plan_consents(rng: np.random.Generator, people: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """Most customers agree to SMS and app messages at the counter; fewer to email, phone calls and post."""
    m = len(people)
    age = people["age"].to_numpy()
    has_email = (people["email"] != "").to_numpy()
    # channel: (share with a record, share of those granted)
    odds = {
        ContactChannel.SMS: (np.full(m, 0.92), 0.88),
        ContactChannel.APP: (np.where(age < 60, 0.85, 0.4), 0.85),
        ContactChannel.EMAIL: (np.where(has_email, 0.6, 0.0), 0.45),
        ContactChannel.PHONE: (np.full(m, 0.5), 0.4),
        ContactChannel.POST: (np.full(m, 0.3), 0.3),
    }
    frames = []
    for channel, (recorded, granted) in odds.items():
        who = np.nonzero(rng.random(m) < recorded)[0]
        k = len(who)
        frames.append(pd.DataFrame({
            "customer_no": people["customer_no"].to_numpy()[who],
            "branch": people["branch"].to_numpy()[who],
            "channel": channel.value,
            "granted": rng.random(k) < granted,
            "source": _pick(rng, [ConsentSource.COUNTER.value, ConsentSource.IMPORT.value], k, [0.85, 0.15]),
            "at": now - pd.to_timedelta(rng.integers(30 * 86400, 1500 * 86400, k), unit="s"),
        }))
    consents = pd.concat(frames, ignore_index=True)
    # a few later changed their mind about SMS: the newest record wins
    changed = consents[(consents["channel"] == ContactChannel.SMS) & consents["granted"]]
    changed = changed[rng.random(len(changed)) < 0.04].copy()
    changed["granted"] = False
    changed["source"] = ConsentSource.UNSUBSCRIBE.value
    changed["at"] = changed["at"] + pd.to_timedelta(rng.integers(86400, 25 * 86400, len(changed)), unit="s")
    return pd.concat([consents, changed], ignore_index=True)
