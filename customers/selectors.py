"""Reads of customer profiles."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import Q

from crm_site import pii

from . import identity

_ID_LIKE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")


def customers_matching_identifier(term: str) -> Q | None:
    """A Q for an exact ID number (through its HMAC) or mobile number typed in any usual format, else None."""
    term = (term or "").strip()
    compact = re.sub(r"[\s-]", "", term)
    if _ID_LIKE.match(compact):
        return Q(id_number_hmac=pii.lookup_hmac(identity.normalise_id_number(compact)))
    if re.fullmatch(r"[\d\s+()\-]{7,20}", term):
        try:
            return Q(mobile=identity.normalise_mobile(term))
        except ValidationError:
            return None
    return None
