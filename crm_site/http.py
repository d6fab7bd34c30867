"""Small facts about the request that several floors need."""

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address the access log records. Behind a proxy, set the proxy to pass the client's address
    as REMOTE_ADDR (gunicorn --forwarded-allow-ips), so one rule holds for pages, API and admin."""
    return request.META.get("REMOTE_ADDR") or None
