"""Personal data at rest and on screen: encryption, look-up hashes and masks (DESIGN §4, §8).

Encryption is Fernet through MultiFernet: the first key in PII_ENCRYPTION_KEYS encrypts,
every key decrypts, so a new key is put first and `rotate_pii_keys` re-encrypts the rows.
Look-ups never decrypt: they compare an HMAC-SHA256 of the normalised value.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("PII_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.PII_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured("a PII value cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key (a no-op in meaning, new ciphertext)."""
    return fernet().rotate(token.encode()).decode()


def lookup_hmac(value: str) -> str:
    """Keyed hash for exact look-up; the value must already be normalised."""
    key = settings.PII_HMAC_KEY
    if not key:
        raise ImproperlyConfigured("PII_HMAC_KEY is empty")
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python code sees the plain value. Never filter on it."""

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


# --- masks: what every page, API answer, export and log shows by default -----------------


def mask_id_number(last4: str) -> str:
    return f"****{last4}" if last4 else ""


def mask_mobile(e164: str) -> str:
    """+8613812341234 -> 138****1234 (national digits, middle four hidden)."""
    if not e164:
        return ""
    digits = e164[3:] if e164.startswith("+86") else e164.lstrip("+")
    if len(digits) <= 7:
        return "*" * (len(digits) - 2) + digits[-2:]
    return f"{digits[:3]}****{digits[-4:]}"


def mask_email(email: str) -> str:
    """zhang.wei@example.com -> z***@example.com"""
    if not email or "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_card(first6: str, last4: str) -> str:
    """622848******1234: first 6 and last 4, as the card schemes allow."""
    if not first6 and not last4:
        return ""
    return f"{first6}******{last4}"


# An identifier (resident ID, mobile, card or account number) has a long run of digits; a name has none, and
# a customer number (letters then digits) is the key of the profile's own URL, so it is no secret.
IDENTIFIER_SEPARATORS = re.compile(r"[\s\-()（）]")
ID_NUMBER_SHAPE = re.compile(r"^\d{17}[\dX]$|^\d{15}$")
CUSTOMER_NO_SHAPE = re.compile(r"^[A-Z]{1,3}\d{4,}$")
_DIGIT_RUN = re.compile(r"\d{6,}")


def looks_like_identifier(query: str) -> bool:
    """Whether a query could be an ID, mobile, card or account number: it must never go into a URL or a log."""
    compact = IDENTIFIER_SEPARATORS.sub("", query or "").upper()
    if CUSTOMER_NO_SHAPE.match(compact):
        return False
    return bool(_DIGIT_RUN.search(compact) or ID_NUMBER_SHAPE.match(compact.lstrip("+")))


def query_for_display(query: str) -> str:
    """The query as pages may echo it: an identifier-like one masked to its last 4 characters, as IDs are shown."""
    if not looks_like_identifier(query):
        return query
    return mask_id_number(IDENTIFIER_SEPARATORS.sub("", query)[-4:])
