"""Logging in: the form, the lockout after repeated failures, and the idle timeout."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from crm_site.middleware import SessionIdleRefreshMiddleware

pytestmark = pytest.mark.django_db

LOGIN_URL = "/login/"


def log_in(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def current_session(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_the_login_page_renders_a_username_and_password_form(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_the_home_page_sends_an_anonymous_visitor_to_log_in(client):
    response = client.get(reverse("teller:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_a_teller_logs_in_and_lands_on_the_home_page_showing_their_branch(client, teller, branch):
    response = log_in(client, "teller", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("teller:home")
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert branch.name in home.content.decode()
    assert home.context["user"] == teller


def test_a_wrong_password_shows_the_form_again_with_an_error(client, teller):
    response = log_in(client, "teller", "not-the-password")
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_username_even_for_the_right_password(client, teller):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "teller", "not-the-password")
    response = log_in(client, "teller", PASSWORD)
    assert response.status_code == 429
    assert b"Account locked" in response.content
    assert "_auth_user_id" not in client.session


def test_one_failure_short_of_the_limit_still_lets_the_right_password_in(client, teller):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "teller", "not-the-password")
    assert log_in(client, "teller", PASSWORD).status_code == 302


def test_the_lockout_is_per_username_not_per_branch_address(client, teller, manager):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "teller", "not-the-password")
    assert log_in(client, "manager", PASSWORD).status_code == 302


def _age_the_session(client, *, refreshed_seconds_ago, expires_in):
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    store = SessionStore(session_key=key)
    store[SessionIdleRefreshMiddleware.KEY] = int(time.time()) - refreshed_seconds_ago
    store.save()
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + expires_in)


def test_the_session_expires_after_the_idle_timeout_and_activity_extends_it(client, teller):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 == settings.SESSION_COOKIE_AGE
    log_in(client, "teller", PASSWORD)

    _age_the_session(client, refreshed_seconds_ago=settings.SESSION_REFRESH_SECONDS + 5,
                     expires_in=dt.timedelta(minutes=1))
    assert client.get(reverse("teller:home")).status_code == 200
    extended = current_session(client).expire_date - timezone.now()
    assert extended > dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 30)

    Session.objects.filter(pk=current_session(client).pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("teller:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_requests_within_a_minute_do_not_rewrite_the_session(client, teller):
    log_in(client, "teller", PASSWORD)
    _age_the_session(client, refreshed_seconds_ago=5, expires_in=dt.timedelta(minutes=10))
    before = current_session(client).expire_date
    assert client.get(reverse("teller:home")).status_code == 200
    assert current_session(client).expire_date == before


def test_an_api_call_with_a_token_starts_no_session(client, teller):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=teller)
    response = client.get("/api/v1/counter/counters/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert not Session.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in response.cookies
