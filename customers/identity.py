"""Rules about identity documents, phone numbers and names (normalise, validate, derive)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).resolve().parent / "data"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")


@lru_cache(maxsize=1)
def _area_codes() -> frozenset[str]:
    with open(DATA_DIR / "cn_areas.csv", encoding="utf-8") as f:
        return frozenset(row["code"] for row in csv.DictReader(f))


@lru_cache(maxsize=1)
def _province_codes() -> frozenset[str]:
    with open(DATA_DIR / "cn_provinces.csv", encoding="utf-8") as f:
        return frozenset(row["code"] for row in csv.DictReader(f))


def normalise_id_number(value: str) -> str:
    """Strip spaces and upper-case, so that '…x' and '…X' are the same document."""
    return re.sub(r"\s+", "", value or "").upper()


def resident_id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def resident_id_birth_date(id_number: str) -> dt.date | None:
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def validate_resident_id(value: str, date_of_birth: dt.date | None = None) -> str:
    """Return the normalised resident ID number or raise ValidationError with every reason."""
    number = normalise_id_number(value)
    if not _RESIDENT_ID.match(number):
        raise ValidationError(_("A resident ID number has 18 characters: 17 digits and a digit or X."), code="format")
    errors = []
    if resident_id_check_char(number[:17]) != number[17]:
        errors.append(ValidationError(_("The check digit of this resident ID number is wrong."), code="check_digit"))
    if number[:6] not in _area_codes() and number[:2] not in _province_codes():
        errors.append(ValidationError(_("The region code %(code)s is not a Chinese region."), code="region",
                                      params={"code": number[:6]}))
    born = resident_id_birth_date(number)
    if born is None or born > dt.date.today() or born.year < 1900:
        errors.append(ValidationError(_("The birth date in this resident ID number is not a real date."),
                                      code="birth_date"))
    elif date_of_birth is not None and born != date_of_birth:
        errors.append(ValidationError(
            _("The birth date in the ID number (%(id_date)s) differs from the date of birth (%(dob)s)."),
            code="birth_date_mismatch", params={"id_date": born.isoformat(), "dob": date_of_birth.isoformat()}))
    if errors:
        raise ValidationError(errors)
    return number


def normalise_mobile(value: str, region: str | None = None) -> str:
    """Any common way of writing a phone number -> E.164 ('+8613812345678'); ValidationError if not a number."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        parsed = phonenumbers.parse(raw, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("%(value)s is not a phone number."), code="phone", params={"value": raw}) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("%(value)s is not a valid phone number."), code="phone", params={"value": raw})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# Surnames read differently from the character's everyday reading (曾 is zeng, not ceng):
# a Chinese name starts with the surname, so the first syllables are taken from here.
COMPOUND_SURNAMES = {
    "欧阳": ["ou", "yang"], "司马": ["si", "ma"], "诸葛": ["zhu", "ge"], "上官": ["shang", "guan"],
    "尉迟": ["yu", "chi"], "长孙": ["zhang", "sun"], "令狐": ["ling", "hu"], "澹台": ["tan", "tai"],
    "宇文": ["yu", "wen"], "皇甫": ["huang", "fu"], "东方": ["dong", "fang"], "慕容": ["mu", "rong"],
    "单于": ["chan", "yu"], "万俟": ["mo", "qi"], "夏侯": ["xia", "hou"], "公孙": ["gong", "sun"],
    "司徒": ["si", "tu"], "西门": ["xi", "men"], "南宫": ["nan", "gong"], "呼延": ["hu", "yan"],
}
SURNAME_READINGS = {
    "曾": "zeng", "覃": "qin", "单": "shan", "卜": "bu", "解": "xie", "翟": "zhai", "查": "zha", "缪": "miao",
    "仇": "qiu", "盖": "ge", "区": "ou", "朴": "piao", "乐": "yue", "员": "yun", "召": "shao", "繁": "po",
    "秘": "bi", "长": "chang", "尉": "wei", "华": "hua", "任": "ren", "宁": "ning", "沈": "shen", "贾": "jia",
    "重": "chong", "折": "she", "都": "du", "朝": "chao", "阚": "kan", "隗": "wei", "冼": "xian", "洗": "xian",
    "句": "gou", "柏": "bai", "乜": "nie", "薄": "bo", "褚": "chu", "葛": "ge", "车": "che", "郗": "xi",
    "那": "na", "蔺": "lin", "能": "nai", "黑": "he", "藏": "zang", "过": "guo", "应": "ying", "种": "chong",
    "便": "pian", "阿": "a", "殷": "yin", "祭": "zhai", "蛾": "yi", "訾": "zi", "厍": "she", "眭": "sui",
}


def masked_name(full_name: str) -> str:
    """A name for a list others may glimpse: the family name and a star per other character (张*, 欧阳**);
    a Latin name's first letter."""
    name = (full_name or "").strip()
    if not name:
        return ""
    if not name.isascii():
        family = 2 if name[:2] in COMPOUND_SURNAMES else 1
        return name[:family] + "*" * max(len(name) - family, 1)
    return name[0] + "***"


def name_search_keys(full_name: str) -> tuple[str, str]:
    """Full pinyin without spaces and the initials, lower-case: '欧阳娜娜' -> ('ouyangnana', 'oynn')."""
    name = (full_name or "").strip()
    head: list[str] = []
    if name[:2] in COMPOUND_SURNAMES:
        head, name = list(COMPOUND_SURNAMES[name[:2]]), name[2:]
    elif name[:1] in SURNAME_READINGS:
        head, name = [SURNAME_READINGS[name[:1]]], name[1:]
    # pypinyin's dictionaries are 56 MB of every process that imports it: loaded by the first name converted (web
    # and import processes), not by the workers that never convert one
    from pypinyin import Style, lazy_pinyin

    syllables = head + [s.strip().lower() for s in lazy_pinyin(name, style=Style.NORMAL) if s.strip()]
    pinyin = "".join(re.sub(r"[^a-z0-9]", "", s) for s in syllables)
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum())
    return pinyin, initials

