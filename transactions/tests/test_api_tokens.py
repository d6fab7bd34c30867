"""A channel system's API token on the API it uses, the feed batches: refused once expired (API_TOKEN_MAX_AGE_DAYS
→ 401) or rotated, and a rotated one still sees only its own batches (moved up from branches/tests/test_tokens.py:
the batches are the transactions floor's)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from branches.tests.test_tokens import ROTATE, aged, with_token
from branches.tokens import api_token_expired, api_token_rotate
from transactions.models import IngestBatch

BATCHES = "/api/v1/transactions/batches/"

pytestmark = pytest.mark.django_db


def test_a_token_older_than_the_maximum_age_is_refused_with_401(channel_token, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 90
    assert with_token(channel_token.key).get(BATCHES).status_code == 200
    aged(channel_token, 91)
    response = with_token(channel_token.key).get(BATCHES)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "expired" in response.json()["detail"]


def test_a_token_just_younger_than_the_maximum_age_still_works(channel_token, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 90
    aged(channel_token, 89.9)
    assert with_token(channel_token.key).get(BATCHES).status_code == 200


def test_a_maximum_age_of_zero_means_tokens_do_not_expire(channel_token, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 0
    aged(channel_token, 3650)
    assert not api_token_expired(channel_token)
    assert with_token(channel_token.key).get(BATCHES).status_code == 200


def test_a_channel_system_rotates_its_token_and_the_old_key_stops_working(channel_token, channel_system, settings):
    settings.API_TOKEN_MAX_AGE_DAYS = 90
    old = channel_token.key
    response = with_token(old).post(ROTATE)
    assert response.status_code == 200
    body = response.json()
    new = body["token"]
    assert new != old and Token.objects.get(user=channel_system).key == new
    created = dt.datetime.fromisoformat(body["created"])
    assert dt.datetime.fromisoformat(body["expires_at"]) - created == dt.timedelta(days=90)
    assert with_token(old).get(BATCHES).status_code == 401
    assert with_token(new).get(BATCHES).status_code == 200


def test_rotating_restarts_the_age_but_an_expired_token_cannot_rotate_itself(channel_token, channel_system):
    aged(channel_token, 365)
    assert with_token(channel_token.key).post(ROTATE).status_code == 401
    fresh = api_token_rotate(user=channel_system)  # what the command does for the operator
    assert not api_token_expired(fresh)
    assert with_token(fresh.key).get(BATCHES).status_code == 200


def test_with_a_rotated_token_a_channel_system_still_sees_only_its_own_batches(channel_token, channel_system, manager):
    IngestBatch.objects.create(source="api", created_by=manager, file_name="manager.csv")
    own = IngestBatch.objects.create(source="api", created_by=channel_system, file_name="own.csv")
    new = with_token(channel_token.key).post(ROTATE).json()["token"]
    listed = with_token(new).get(BATCHES).json()["results"]
    assert [batch["id"] for batch in listed] == [own.pk]


def test_the_command_rotates_a_token_and_prints_the_new_key(channel_token, channel_system):
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_api_token", "pos_switch", stdout=out, stderr=err)
    new = Token.objects.get(user=channel_system)
    assert out.getvalue().strip() == new.key != channel_token.key
    assert "no longer works" in err.getvalue()
    assert with_token(channel_token.key).get(BATCHES).status_code == 401
