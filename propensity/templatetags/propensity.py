"""`{% campaign_prediction campaign %}`: predicted against actual conversions on the campaign results page.

A template tag, so the campaigns floor's view and template need not import this app: the results page
loads the tag, and without a model the tag renders nothing.
"""

from django import template

from ..selectors import campaign_prediction as prediction_for

register = template.Library()


@register.inclusion_tag("propensity/_campaign_prediction.html")
def campaign_prediction(campaign):
    return {"prediction": prediction_for(campaign_id=campaign.pk) if campaign is not None else None}
