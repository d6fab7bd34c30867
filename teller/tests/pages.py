"""Helpers of the teller page tests."""


import datetime as dt

from django.urls import reverse

from customers.tests.factories import resident_id

HTMX = {"HTTP_HX_REQUEST": "true"}
MOBILE = "+8613912345678"
MOBILE_WRITTEN = ["+8613912345678", "8613912345678", "13912345678", "139 1234 5678", "139-1234-5678",
                  "+86 139 1234 5678", "139 12345678"]
EMAIL = "zhang.wei@example.com"


def id_ending_in_x(born: dt.date) -> str:
    for sequence in range(1000):
        number = resident_id(born, sequence=sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit in range")


def customer_url(customer) -> str:
    return reverse("teller:customer", kwargs={"customer_no": customer.customer_no})


def transactions_url(customer) -> str:
    return reverse("teller:transactions", kwargs={"customer_no": customer.customer_no})


def search(client, query, **headers):
    """The search box posts its query (an identifier must not travel in a URL)."""
    return client.post(reverse("teller:search"), {"q": query}, **headers)


def order_in(html: str, *texts: str) -> list[int]:
    return [html.index(text) for text in texts]
