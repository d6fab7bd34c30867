"""Every URL keyed by a customer writes an access row and is sent no-store (issue 11 §4, DESIGN §8).

The table below lists each such URL with a request that reads it; a new route with <customer_no> that is
not in the table fails test_every_customer_keyed_url_is_in_the_table, so it cannot ship unlogged.
"""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.tests.factories import ProductFactory
from customers.models import AccessAction, AccessVia, CustomerAccessLog
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NOTE = {"kind": "note", "channel": "COUNTER", "text": "客户咨询理财"}
CONTACT = {"preferred_language": "en", "preferred_contact_time": "ANY", "city": "上海市"}
REASON = {"reason": "核对身份信息"}
VIEW, REVEAL, RECORD = AccessAction.VIEW, AccessAction.REVEAL, None  # RECORD: the access record itself

# url name -> (method, body, JSON?, the access row it writes (via, action))
READS = {
    "teller:customer": ("get", None, False, (AccessVia.PAGE, VIEW)),
    "teller:transactions": ("get", None, False, (AccessVia.PAGE, VIEW)),
    "teller:contact-form": ("get", None, False, (AccessVia.PAGE, VIEW)),
    "teller:interaction-add": ("post", NOTE, False, (AccessVia.PAGE, VIEW)),
    "teller:consent-update": ("post", {"channel": "SMS", "granted": "yes"}, False, (AccessVia.PAGE, VIEW)),
    "teller:contact-update": ("post", CONTACT, False, (AccessVia.PAGE, VIEW)),
    "teller:reveal-id": ("post", REASON, False, (AccessVia.PAGE, REVEAL)),
    "customers:history": ("get", None, False, (AccessVia.PAGE, VIEW)),
    "customers:access-customer": ("get", None, False, RECORD),
    "teller-api:customer-360": ("get", None, True, (AccessVia.API, VIEW)),
    "customers-api:interaction-create": ("post", NOTE, True, (AccessVia.API, VIEW)),
    "customers-api:consent-create": ("post", {"channel": "SMS", "granted": True}, True, (AccessVia.API, VIEW)),
    "customers-api:contact-update": ("patch", {"city": "北京市"}, True, (AccessVia.API, VIEW)),
    "customers-api:reveal-id": ("post", REASON, True, (AccessVia.API, REVEAL)),
    "propensity:offer-outcome": ("post", {"outcome": "interested"}, False, (AccessVia.PAGE, VIEW)),
    "propensity-api:offer-outcome": ("post", {"outcome": "interested"}, True, (AccessVia.API, VIEW)),
}
# the other parts of a URL that names more than the customer
EXTRA_KWARGS = {"propensity:offer-outcome": {"product_code": "WM-NBO"},
                "propensity-api:offer-outcome": {"product_code": "WM-NBO"}}


def _customer_keyed_names(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _customer_keyed_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and "customer_no" in pattern.pattern.converters:
            yield f"{namespace}{pattern.name}"


def test_every_customer_keyed_url_is_in_the_table():
    assert set(_customer_keyed_names()) == set(READS)


@pytest.mark.parametrize("name", sorted(READS))
def test_each_customer_keyed_url_is_logged_and_never_cached(client_for, admin_user, branch, name):
    customer = CustomerFactory(home_branch=branch, full_name="欧阳娜娜", mobile="13812345678")
    method, body, as_json, expected = READS[name]
    client = client_for(admin_user)
    if name in EXTRA_KWARGS:
        ProductFactory(code="WM-NBO", kind="WEALTH")
    url = reverse(name, kwargs={"customer_no": customer.customer_no, **EXTRA_KWARGS.get(name, {})})
    if body is None:
        response = getattr(client, method)(url)
    elif as_json:
        response = client.generic(method.upper(), url, json.dumps(body), content_type="application/json")
    else:
        response = getattr(client, method)(url, body)
    assert response.status_code < 400, response.content[:300]
    assert "no-store" in response["Cache-Control"]
    rows = set(CustomerAccessLog.objects.filter(customer=customer, user=admin_user).values_list("via", "action"))
    if expected is RECORD:
        assert rows == set()
    else:
        assert expected in rows


def test_the_partials_of_one_360_visit_are_one_access_row(client_for, teller, branch):
    customer = CustomerFactory(home_branch=branch)
    client = client_for(teller)
    for name in ("teller:customer", "teller:transactions", "teller:contact-form"):
        client.get(reverse(name, kwargs={"customer_no": customer.customer_no}), HTTP_HX_REQUEST="true")
    assert CustomerAccessLog.objects.filter(customer=customer).count() == 1
