"""Deployment checks of the campaign settings (`manage.py check --deploy`).

A deployment must really send what it reports as sent, and its unsubscribe links must work: the fake
gateway (which marks every message delivered) and a missing or plain-HTTP public URL fail the check,
naming the setting.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from .backends.gateway import DeliveredGateway, HttpGateway


@register(Tags.security, deploy=True)
def campaign_settings_check(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    try:
        gateway = import_string(settings.CAMPAIGN_GATEWAY)
    except ImportError:
        gateway = None
        errors.append(Error(f"CAMPAIGN_GATEWAY {settings.CAMPAIGN_GATEWAY!r} cannot be imported.",
                            hint="Set CAMPAIGN_GATEWAY to campaigns.backends.gateway.HttpGateway or the bank's own "
                                 "adapter.", id="campaigns.E004"))
    if gateway is not None and issubclass(gateway, DeliveredGateway):
        errors.append(Error("CAMPAIGN_GATEWAY is DeliveredGateway, which marks every SMS and app message delivered "
                            "without sending anything.",
                            hint="Set CAMPAIGN_GATEWAY=campaigns.backends.gateway.HttpGateway with "
                                 "CAMPAIGN_GATEWAY_URL and CAMPAIGN_GATEWAY_TOKEN (or the bank's own adapter).",
                            id="campaigns.E001"))
    if gateway is not None and issubclass(gateway, HttpGateway):
        url = urlsplit(settings.CAMPAIGN_GATEWAY_URL)
        if url.scheme not in ("http", "https") or not url.netloc:
            errors.append(Error("CAMPAIGN_GATEWAY_URL is not set to the SMS/app provider's URL "
                                f"(it is {settings.CAMPAIGN_GATEWAY_URL!r}).",
                                hint="Set CAMPAIGN_GATEWAY_URL (and CAMPAIGN_GATEWAY_TOKEN) for HttpGateway.",
                                id="campaigns.E003"))
    public = urlsplit(settings.CAMPAIGN_PUBLIC_BASE_URL or "")
    if public.scheme != "https" or not public.netloc:
        errors.append(Error("CAMPAIGN_PUBLIC_BASE_URL must be the site's public https:// address "
                            f"(it is {settings.CAMPAIGN_PUBLIC_BASE_URL!r}): unsubscribe links in messages use it.",
                            hint="Set CAMPAIGN_PUBLIC_BASE_URL, e.g. https://crm.bank.example",
                            id="campaigns.E002"))
    return errors
