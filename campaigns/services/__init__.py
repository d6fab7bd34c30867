"""Writes of the campaigns floor, by topic.

campaigns (draft → approve → launch, cancel), fanout (recipients, set-wise), sending (claim,
re-check, hand over), outbox (the gateway drain), unsubscribe, outcomes (counter and phone),
calllist (CSV), results (funnel, conversions, lift), sweep (beat), queueing (nudges).
"""

from .calllist import call_list_csv
from .campaigns import (
    campaign_approve,
    campaign_cancel,
    campaign_create,
    campaign_launch,
    campaign_return,
    campaign_submit,
    campaign_update,
)
from .fanout import campaign_fanout
from .outbox import outbox_drain
from .outcomes import recipient_outcome_record
from .results import campaign_results_compute, campaign_results_refresh
from .sending import campaign_send
from .sweep import campaigns_sweep
from .unsubscribe import unsubscribe_apply, unsubscribe_resolve, unsubscribe_url

__all__ = ["call_list_csv", "campaign_approve", "campaign_cancel", "campaign_create", "campaign_fanout",
           "campaign_launch", "campaign_results_compute", "campaign_results_refresh", "campaign_return",
           "campaign_send", "campaign_submit", "campaign_update", "campaigns_sweep", "outbox_drain",
           "recipient_outcome_record", "unsubscribe_apply", "unsubscribe_resolve", "unsubscribe_url"]
