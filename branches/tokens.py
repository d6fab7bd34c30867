"""API tokens of staff and channel systems: rotation and expiry (DESIGN §5, §8).

A login has at most one token (DRF's authtoken). Rotating it replaces the key at once: the old key stops
working in the same transaction that makes the new one. A token older than API_TOKEN_MAX_AGE_DAYS (0: no
limit) is refused with 401 by branches.authentication.ExpiringTokenAuthentication; rotating restarts its age.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token


def api_token_expires_at(token: Token) -> dt.datetime | None:
    days = settings.API_TOKEN_MAX_AGE_DAYS
    return token.created + dt.timedelta(days=days) if days > 0 else None


def api_token_expired(token: Token, *, now: dt.datetime | None = None) -> bool:
    expires_at = api_token_expires_at(token)
    return expires_at is not None and (now or timezone.now()) >= expires_at


@transaction.atomic
def api_token_rotate(*, user: AbstractBaseUser) -> Token:
    """A new token for the user; the old one, if any, no longer authenticates."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
