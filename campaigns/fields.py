"""A campaign's channels and frequency cap, checked on the way in.

Both the services that save a campaign (services.campaigns) and the preview of a draft (selectors)
need them, so they live below both.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import CampaignInvalid
from .models import CampaignChannel


def channels_clean(channels: object) -> list[str]:
    if not isinstance(channels, list | tuple) or not channels:
        raise CampaignInvalid(_("Choose at least one channel."), field="channels")
    result = []
    for code in channels:
        code = code.strip().upper() if isinstance(code, str) else code
        if code not in CampaignChannel.values:
            raise CampaignInvalid(_("Unknown channel %(code)s; choose from %(codes)s.")
                                  % {"code": code, "codes": ", ".join(CampaignChannel.values)}, field="channels")
        if code not in result:
            result.append(code)
    return result


def frequency_cap_value(value: object) -> int:
    """A campaign's cap as given (None or "": the bank's default)."""
    if value in (None, ""):
        return settings.CAMPAIGN_FREQUENCY_CAP_DEFAULT
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CampaignInvalid(_("A whole number from 1 to 100."), field="frequency_cap")
    try:
        number = int(value)
    except ValueError as exc:
        raise CampaignInvalid(_("A whole number from 1 to 100."), field="frequency_cap") from exc
    if not 1 <= number <= 100:
        raise CampaignInvalid(_("A whole number from 1 to 100."), field="frequency_cap")
    return number
