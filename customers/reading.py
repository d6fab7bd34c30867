"""The one way a page, a partial or an API view reads one customer's data (DESIGN §8: every read is logged).

customer_open() looks the profile up as customers.selectors.customer_get does (404, merged numbers),
puts the read in the access record (de-duplicated within ACCESS_LOG_DEDUP_MINUTES) and marks the answer
so that crm_site.http.PersonalDataNoStoreMiddleware sends it with Cache-Control no-store. A view that
shows customer data and does not come through here is what tests/test_customer_reads.py catches.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpRequest

from crm_site.http import client_ip, personal_data_mark

from . import selectors, services
from .models import AccessVia, Customer


def customer_open(request: HttpRequest, *, customer_no: str, via: str = AccessVia.PAGE) -> Customer:
    customer = selectors.customer_get(customer_no=customer_no, user=request.user)
    customer_read_record(request, customer=customer, via=via)
    return customer


def customer_read_record(request: HttpRequest, *, customer: Customer, via: str = AccessVia.PAGE) -> None:
    """A customer already in hand (reached through an offer, a call) whose data this answer shows."""
    personal_data_mark(request)
    services.customer_access_record(customer=customer, user=request.user, via=via, ip_address=client_ip(request))


def customers_read_record(request: HttpRequest, *, customer_ids: Iterable[int], via: str = AccessVia.PAGE) -> None:
    """Customers listed with their data on one page or export (a call list)."""
    personal_data_mark(request)
    services.customers_access_record(customer_ids=customer_ids, user=request.user, via=via,
                                     ip_address=client_ip(request))
