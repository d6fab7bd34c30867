from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.bounds import BoundedDateField
from customers.models import ContactChannel, ContactTime, InteractionChannel, InteractionKind
from transactions.models import Channel


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False, strip=True)


class TransactionFilterForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), required=False,
                                choices=[("", _("All channels")), *Channel.choices])
    date_from = BoundedDateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = BoundedDateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InteractionKind.choices, initial=InteractionKind.NOTE)
    channel = forms.ChoiceField(label=_("Channel"), choices=InteractionChannel.choices,
                                initial=InteractionChannel.COUNTER)
    text = forms.CharField(label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        # the 360 page holds three forms with a channel field: own element ids keep each label on its own field
        kwargs.setdefault("auto_id", "interaction_%s")
        super().__init__(*args, **kwargs)


class QuickNoteForm(InteractionForm):
    """The visit panel's note box: a note at the counter, in one field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "quick_%s")
        kwargs.setdefault("initial", {"kind": InteractionKind.NOTE, "channel": InteractionChannel.COUNTER})
        super().__init__(*args, **kwargs)


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    granted = forms.TypedChoiceField(label=_("Consent"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Granted")), ("no", _("Revoked"))])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "consent_%s")  # see InteractionForm
        super().__init__(*args, **kwargs)


class ContactForm(forms.Form):
    """Blank mobile or email keeps the current value, which is shown masked; a new one replaces it."""

    mobile = forms.CharField(label=_("New mobile"), max_length=30, required=False,
                             help_text=_("11 digits, e.g. 139 1234 5678, or +country code for a foreign number."))
    email = forms.EmailField(label=_("New email"), required=False, help_text=_("e.g. name@example.com"))
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    city = forms.CharField(label=_("City"), max_length=50, required=False)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=50, required=False)
    salutation = forms.CharField(label=_("Salutation"), max_length=20, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=[])
    preferred_contact_channel = forms.ChoiceField(label=_("Preferred contact channel"), required=False,
                                                  choices=[("", "—"), *ContactChannel.choices])
    preferred_contact_time = forms.ChoiceField(label=_("Preferred contact time"), choices=ContactTime.choices)
    service_notes = forms.CharField(label=_("Service notes for staff"), max_length=2000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = settings.LANGUAGES

    def changes(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("mobile", "email")}
        for key in ("mobile", "email"):
            if self.cleaned_data.get(key):
                data[key] = self.cleaned_data[key]
        return data


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the full ID number?"), max_length=255, min_length=4)
