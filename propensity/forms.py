from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.services.contacts import COUNTER_OUTCOMES


class OfferOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("The customer is"), choices=[(o.value, o.label) for o in COUNTER_OUTCOMES])
