"""The propensity app's domain errors (turned into 4xx by crm_site.exceptions)."""

from crm_site.exceptions import Conflict


class NotEnoughHistory(Conflict):
    """The product has too few contacts or conversions to learn from (or one part of the split lacks an answer)."""
