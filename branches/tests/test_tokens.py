"""API tokens rotate (the old key stops at once) and expire (API_TOKEN_MAX_AGE_DAYS → 401).

What a rotated or expired token may still do with the API the channel systems use (the feed batches):
transactions/tests/test_api_tokens.py."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from branches.tokens import api_token_expired

ROTATE = "/api/v1/auth/token/rotate/"

pytestmark = pytest.mark.django_db


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def aged(token: Token, days: float) -> Token:
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=days))
    token.refresh_from_db()
    return token


def test_a_token_expires_after_the_maximum_age_and_never_with_zero(channel_token, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 90
    assert not api_token_expired(aged(channel_token, 89.9))
    assert api_token_expired(aged(channel_token, 91))
    assert with_token(channel_token.key).post(ROTATE).status_code == 401
    settings.API_TOKEN_MAX_AGE_DAYS = 0
    assert not api_token_expired(aged(channel_token, 3650))


def test_a_signed_in_staff_member_can_make_or_rotate_their_token(client_for, manager):
    response = client_for(manager).post(ROTATE)
    assert response.status_code == 200
    assert Token.objects.get(user=manager).key == response.json()["token"]


def test_without_credentials_nothing_rotates(api_client):
    assert api_client.post(ROTATE).status_code == 401
    assert not Token.objects.exists()


def test_the_command_refuses_an_unknown_login(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("rotate_api_token", "nobody")
