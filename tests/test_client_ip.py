"""The client address in the access record: X-Forwarded-For only through trusted proxies (issue 11 §4)."""

import pytest
from django.test import RequestFactory

from crm_site.http import client_ip


def _ip(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **headers))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert _ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_a_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert _ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_through_a_trusted_proxy_the_client_is_the_address_it_saw(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    # the client wrote a fake first entry; the proxy appended the address it saw
    assert _ip("10.0.0.1", "1.2.3.4, 198.51.100.7") == "198.51.100.7"


def test_a_chain_of_trusted_proxies_given_as_a_network_is_walked_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    assert _ip("10.0.0.1", "1.2.3.4, 198.51.100.7, 10.2.3.4, fd00::1") == "198.51.100.7"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "198.51.100.7, garbage"])
def test_a_missing_or_malformed_header_falls_back_to_the_last_trusted_hop(settings, forwarded):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert _ip("10.0.0.1", forwarded) == "10.0.0.1"


def test_a_header_of_trusted_proxies_only_gives_the_leftmost(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _ip("10.0.0.1", "10.9.9.9, 10.0.0.2") == "10.9.9.9"


@pytest.mark.django_db
def test_the_360_page_records_the_client_behind_the_trusted_proxy(client_for, teller, branch, settings):
    from customers.models import CustomerAccessLog
    from customers.tests.factories import CustomerFactory

    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    customer = CustomerFactory(home_branch=branch)
    client = client_for(teller)
    client.get(f"/customers/{customer.customer_no}/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert CustomerAccessLog.objects.get(customer=customer).ip_address == "198.51.100.7"
