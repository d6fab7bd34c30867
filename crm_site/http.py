"""Small facts about the request that several floors need."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# Set on a request whose answer shows a customer's data (customers.reading): PersonalDataNoStoreMiddleware then
# tells browsers and proxies not to keep the answer. A WSGI-style environ key, shared by Django's and DRF's request.
PERSONAL_DATA = "crm.personal_data"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    return address is not None and any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address the access log records.

    X-Forwarded-For is believed only as far as it was written by a proxy in TRUSTED_PROXIES (addresses or
    networks): walking it from the right, each hop that reached us through a trusted proxy is the next one
    to judge, and the first address that is not a trusted proxy is the client. Without trusted proxies, or
    from anyone else, the header is ignored: any client can write it.
    """
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if not _trusted(remote):
        return str(remote) if remote else None
    hop = remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(entry)
        if address is None:
            break  # garbage: nothing beyond the last trusted hop can be believed
        hop = address
        if not _trusted(address):
            break
    return str(hop)


def no_store(response: HttpResponse) -> HttpResponse:
    """Neither the browser nor a proxy keeps this answer (it shows a customer's data)."""
    add_never_cache_headers(response)
    return response


def personal_data_mark(request: HttpRequest) -> None:
    request.META[PERSONAL_DATA] = True


class PersonalDataNoStoreMiddleware:
    """Every answer that read a customer's data (marked by customers.reading) is sent with Cache-Control no-store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.META.get(PERSONAL_DATA):
            no_store(response)
        return response
