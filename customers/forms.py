from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Customer


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
