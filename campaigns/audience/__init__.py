"""The audience (DESIGN §7): its JSON checked and normalised, and turned into customers, set-wise.

Three steps, each one SQL query's worth of work, never a Python loop per customer:

1. `audience_clean(raw, scope=...)` → the normalised dict (or CampaignInvalid with per-key messages);
2. `audience_customers(audience, scope)` → the customers the filters select (before exclusions);
3. `audience_decisions_sql(...)` → SQL giving each of them a `channel` and an `exclusion` (the first
   reason that leaves the customer out, or NULL), which the preview groups and counts and the fan-out
   inserts from — one function, so the preview's counts are the launch's.

Keys that read CustomerScore (aum_min/aum_max, value_tiers, category, inactive_days_min,
self_service_ratio_max) see the scores as of their last refresh; a customer without a score is left
out by those keys and unaffected by the others.
"""

from .rules import (
    AUDIENCE_EXTENSIONS,
    AUDIENCE_KEYS,
    PREVIEW_EXTENSIONS,
    AudienceKey,
    AudienceSerializer,
    StrictDecimalField,
    StrictIntegerField,
    audience_clean,
    audience_key_register,
    audience_keys,
    preview_extension_register,
)
from .selection import (
    FREQUENCY_WINDOW,
    audience_customers,
    audience_decisions,
    audience_decisions_sql,
    audience_preview,
    without_jit,
)

__all__ = [
    "AUDIENCE_EXTENSIONS", "AUDIENCE_KEYS", "FREQUENCY_WINDOW", "PREVIEW_EXTENSIONS", "AudienceKey",
    "AudienceSerializer", "StrictDecimalField", "StrictIntegerField", "audience_clean", "audience_customers",
    "audience_decisions", "audience_decisions_sql", "audience_key_register", "audience_keys", "audience_preview",
    "preview_extension_register", "without_jit",
]
