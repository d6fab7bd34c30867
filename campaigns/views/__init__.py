"""The campaign pages (DESIGN §7): builder and preview, list and detail with the approval steps,
results, the call list, and the counter offers' outcomes. Every read goes through campaigns.selectors
and every write through campaigns.services; the views only shape HTTP."""

from .builder import audience_count, builder_preview, campaign_create, campaign_edit, campaign_preview, message_sample
from .campaign import campaign_action, campaign_detail, campaign_launch, campaign_list, campaign_progress
from .offers import call_list, call_list_csv, call_outcome, offer_outcome
from .results import campaign_results, results_recompute, results_status

__all__ = ["audience_count", "builder_preview", "call_list", "call_list_csv", "call_outcome", "campaign_action",
           "campaign_create", "campaign_detail", "campaign_edit", "campaign_launch", "campaign_list",
           "campaign_preview", "campaign_progress", "campaign_results", "message_sample", "offer_outcome",
           "results_recompute", "results_status"]
