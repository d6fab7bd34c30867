"""An ended session loses nothing: the keep-alive, the way back to the page a form was on, the login notice."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def customer(branch):
    return CustomerFactory(home_branch=branch)


def end_session(client):
    Session.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).delete()


def test_keep_alive_restarts_the_idle_timer(client_for, teller):
    client = client_for(teller)
    client.get(reverse("teller:home"))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(seconds=30))
    before = Session.objects.get(session_key=key).expire_date
    response = client.post(reverse("session-keep-alive"))
    assert response.status_code == 204
    assert Session.objects.get(session_key=key).expire_date > before


def test_keep_alive_of_an_ended_session_answers_401_not_a_login_page(client):
    assert client.post(reverse("session-keep-alive")).status_code == 401


def test_keep_alive_refuses_get(client_for, teller):
    assert client_for(teller).get(reverse("session-keep-alive")).status_code == 405


def test_a_note_posted_by_htmx_after_the_session_ended_sends_the_page_not_the_post_url_to_login(
        client_for, teller, customer):
    client = client_for(teller)
    page = reverse("teller:customer", kwargs={"customer_no": customer.customer_no})
    client.get(page)
    end_session(client)
    url = reverse("teller:interaction-add", kwargs={"customer_no": customer.customer_no})
    response = client.post(url, {"part": "quick-note", "kind": "note", "channel": "COUNTER", "text": "备注"},
                           HTTP_HX_CURRENT_URL=f"http://testserver{page}", **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/login/?next={page.replace('/', '%2F')}&expired=1"


def test_a_form_posted_without_htmx_after_the_session_ended_comes_back_to_the_referring_page(
        client_for, teller, customer):
    client = client_for(teller)
    page = reverse("teller:customer", kwargs={"customer_no": customer.customer_no})
    end_session(client)
    url = reverse("teller:consent-update", kwargs={"customer_no": customer.customer_no})
    response = client.post(url, {"channel": "SMS", "granted": "yes"}, HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={page.replace('/', '%2F')}&expired=1"
    login = client.get(response["Location"])
    assert 'data-testid="session-expired"' in login.content.decode()


def test_a_post_from_another_site_never_becomes_the_way_back(client_for, teller, customer):
    client = client_for(teller)
    end_session(client)
    url = reverse("teller:consent-update", kwargs={"customer_no": customer.customer_no})
    response = client.post(url, {"channel": "SMS", "granted": "yes"}, HTTP_REFERER="https://evil.example/x")
    assert response["Location"].startswith("/login/?next=%2F&")


def test_logging_in_with_the_way_back_lands_on_the_page_not_a_405(client, teller, customer):
    page = reverse("teller:customer", kwargs={"customer_no": customer.customer_no})
    response = client.post(f"/login/?next={page}", {"username": "teller", "password": PASSWORD, "next": page})
    assert response["Location"] == page
    assert client.get(page).status_code == 200


def test_a_first_visit_without_a_session_is_not_told_it_expired(client):
    response = client.get(reverse("teller:home"))
    assert "expired" not in response["Location"]
    assert 'data-testid="session-expired"' not in client.get(response["Location"]).content.decode()


def test_signed_in_pages_carry_the_idle_timeout_for_the_warning(client_for, teller):
    html = client_for(teller).get(reverse("teller:home")).content.decode()
    assert f'data-session-idle-seconds="{settings.SESSION_COOKIE_AGE}"' in html
    assert 'id="session-warning"' in html


def test_the_login_page_has_no_session_timer(client):
    assert "data-session-idle-seconds" not in client.get("/login/").content.decode()
