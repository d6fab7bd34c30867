"""Shapes of the customers API: what comes in (checked here) and what goes out (masked)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm_site.display import user_display_name
from customers.models import ContactChannel, ContactTime, InteractionChannel, InteractionKind
from customers.services import CONTACT_FIELDS, IDENTITY_FIELDS


def _staff_name(user) -> str | None:
    if user is None:
        return None
    return user_display_name(user)


class BranchBriefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


# --- search ---------------------------------------------------------------------------------


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=100, help_text=_("A name (characters or pinyin, initials), mobile, ID, account, card or "
                                    "customer number."),
        error_messages={
            "required": _("Give something to search for in the q parameter: a name, mobile, ID, account, card or "
                          "customer number."),
            "blank": _("The search text is empty: give a name, mobile, ID, account, card or customer number."),
        },
    )


# --- interactions ---------------------------------------------------------------------------


class InteractionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    channel = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    staff = serializers.SerializerMethodField()

    def get_staff(self, interaction) -> str | None:
        return _staff_name(interaction.staff)


class InteractionCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InteractionKind.choices, default=InteractionKind.NOTE)
    channel = serializers.ChoiceField(choices=InteractionChannel.choices, default=InteractionChannel.COUNTER)
    text = serializers.CharField(max_length=4000)


# --- consents -------------------------------------------------------------------------------


class ConsentRecordSerializer(serializers.Serializer):
    channel = serializers.CharField(read_only=True)
    granted = serializers.BooleanField(read_only=True)
    source = serializers.CharField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    recorded_by = serializers.SerializerMethodField()

    def get_recorded_by(self, record) -> str | None:
        return _staff_name(record.recorded_by)


class ConsentCurrentSerializer(serializers.Serializer):
    """One channel's current answer (consents_current): null fields when the customer was never asked."""

    channel = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    granted = serializers.BooleanField(source="record.granted", read_only=True, allow_null=True)
    source = serializers.CharField(source="record.source", read_only=True, allow_null=True)
    at = serializers.DateTimeField(source="record.at", read_only=True, allow_null=True)


class ConsentCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ContactChannel.choices)
    granted = serializers.BooleanField()


# --- contact details and service preferences -------------------------------------------------


class ServicePreferencesSerializer(serializers.Serializer):
    preferred_name = serializers.CharField(read_only=True)
    salutation = serializers.CharField(read_only=True)
    preferred_language = serializers.CharField(read_only=True)
    preferred_contact_channel = serializers.CharField(read_only=True)
    preferred_contact_time = serializers.CharField(read_only=True)
    service_notes = serializers.CharField(read_only=True)


class ContactSerializer(ServicePreferencesSerializer):
    """The contact details as anyone may see them: mobile and email masked."""

    masked_mobile = serializers.CharField(read_only=True)
    masked_email = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)


class ContactUpdateSerializer(serializers.Serializer):
    """Only contact details and service preferences; identity fields are an administrator's job."""

    mobile = serializers.CharField(max_length=30, required=False, allow_blank=True,
                                   help_text=_("Any common format; stored as E.164. Empty removes it."))
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    city = serializers.CharField(max_length=50, required=False, allow_blank=True)
    preferred_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    salutation = serializers.CharField(max_length=20, required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    preferred_contact_channel = serializers.ChoiceField(choices=ContactChannel.choices, required=False,
                                                        allow_blank=True)
    preferred_contact_time = serializers.ChoiceField(choices=ContactTime.choices, required=False)
    service_notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    def validate(self, attrs):
        errors = {}
        for name in sorted(set(self.initial_data) - set(self.fields)):
            if name in IDENTITY_FIELDS:
                errors[name] = [_("Identity fields are changed by an administrator, not through this endpoint.")]
            else:
                errors[name] = [_("Unknown field. This endpoint changes: %(fields)s.")
                                % {"fields": ", ".join(sorted(CONTACT_FIELDS))}]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ContactUpdateResultSerializer(serializers.Serializer):
    changed = serializers.ListField(child=serializers.CharField(), read_only=True,
                                    help_text=_("The fields whose value changed (empty: nothing changed)."))
    contact = ContactSerializer(source="customer", read_only=True)


# --- revealing the ID number ------------------------------------------------------------------


class RevealRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        min_length=4, max_length=255, help_text=_("Why you need the full ID number; kept in the access log."),
        error_messages={
            "required": _("Say why you need to see the full ID number."),
            "blank": _("Say why you need to see the full ID number."),
            "min_length": _("Say why you need to see the full ID number in at least {min_length} characters."),
        },
    )


class RevealResultSerializer(serializers.Serializer):
    id_number = serializers.CharField(read_only=True)
