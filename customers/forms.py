from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm_site.bounds import BoundedDateField

from . import services
from .models import AccessAction, AccessVia, Customer


class CustomerAdminForm(forms.ModelForm):
    """The admin's customer form. The ID number is never shown in full: a new one can be typed in."""

    new_id_number = forms.CharField(
        label=_("new ID number"), required=False, max_length=32,
        help_text=_("Leave empty to keep the current ID number; it is stored encrypted and shown masked."),
    )

    class Meta:
        model = Customer
        fields = [
            "customer_no", "full_name", "gender", "date_of_birth", "id_type", "id_expiry",
            "mobile", "email", "address", "city", "occupation", "employer", "income_band",
            "home_branch", "relationship_manager", "segment", "status", "kyc_status", "kyc_review_date",
            "risk_rating", "preferred_name", "salutation", "preferred_language", "preferred_contact_channel",
            "preferred_contact_time", "service_notes", "do_not_contact",
        ]

    def clean(self):
        cleaned = super().clean()
        data = {name: cleaned.get(name) for name in self.service_fields() if name in cleaned}
        if cleaned.get("new_id_number"):
            data["id_number"] = cleaned["new_id_number"]
            data.setdefault("id_type", cleaned.get("id_type", self.instance.id_type))
            data.setdefault("date_of_birth", cleaned.get("date_of_birth", self.instance.date_of_birth))
        try:
            normalised = services.customer_clean(data=data)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                target = "new_id_number" if field == "id_number" else field
                self.add_error(target if target in self.fields else None, messages)
            return cleaned
        self.service_data = {k: v for k, v in normalised.items()
                             if k in self.changed_data or (k == "id_number" and cleaned.get("new_id_number"))
                             or (k == "date_of_birth" and "date_of_birth" not in self.fields)}
        return cleaned

    def service_fields(self) -> list[str]:
        return [name for name in self.fields if name != "new_id_number"]


class AccessFilterForm(forms.Form):
    """Filters of the access record. Unknown customer or staff is a field error, not an empty page."""

    date_from = BoundedDateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = BoundedDateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    customer = forms.CharField(label=_("Customer number"), max_length=32, required=False, strip=True)
    staff = forms.CharField(label=_("Staff login"), max_length=150, required=False, strip=True)
    via = forms.ChoiceField(label=_("Via"), required=False, choices=[("", _("Any")), *AccessVia.choices])
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("Any")), *AccessAction.choices])
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, fixed: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for name in fixed:  # the customer's or the staff member's own page: that filter is the page itself
            del self.fields[name]

    def clean_customer(self):
        number = self.cleaned_data["customer"]
        if not number:
            return None
        customer = Customer.objects.filter(customer_no=number.replace("\x00", "")).first()
        if customer is None:
            raise ValidationError(_("No customer has the number %(no)s."), params={"no": number})
        return customer

    def clean_staff(self):
        username = self.cleaned_data["staff"]
        if not username:
            return None
        user = get_user_model().objects.filter(username=username.replace("\x00", "")).first()
        if user is None:
            raise ValidationError(_("No member of staff logs in as %(name)s."), params={"name": username})
        return user

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise ValidationError(_("The start date is after the end date."))
        return cleaned


class RevealReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the full ID number?"), min_length=4, max_length=255,
                             strip=True)
