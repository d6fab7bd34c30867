"""Shapes of the counter API: what the kiosk posts and what each call answers."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from ..models import Counter, SelfServiceChannel, Service
from ..selectors import IDENTIFIER_MAX_LENGTH


class TicketIssueSerializer(serializers.Serializer):
    branch = serializers.CharField(max_length=16)
    identifier = serializers.CharField(max_length=IDENTIFIER_MAX_LENGTH, required=False, allow_blank=True,
                                       allow_null=True, trim_whitespace=True)
    service = serializers.ChoiceField(choices=Service.choices)


class SuggestionSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=SelfServiceChannel.choices)
    text = serializers.CharField()


class TicketIssuedSerializer(serializers.Serializer):
    ticket_no = serializers.CharField()
    queue = serializers.CharField()
    position = serializers.IntegerField()
    customer_no = serializers.CharField(allow_null=True)
    estimated_wait_minutes = serializers.IntegerField()
    suggestion = SuggestionSerializer(required=False)


def suggestion_text(channel: str) -> str:
    if channel == SelfServiceChannel.ATM:
        return _("This can be done at the ATM in the lobby, without waiting.")
    return _("This can be done in mobile banking, without waiting.")


def ticket_issued_data(issued) -> dict:
    ticket = issued.ticket
    data = {"ticket_no": ticket.number, "queue": ticket.queue, "position": issued.position,
            "customer_no": issued.customer_no, "estimated_wait_minutes": issued.estimated_wait_minutes}
    if ticket.suggestion:
        data["suggestion"] = {"channel": ticket.suggestion, "text": suggestion_text(ticket.suggestion)}
    return data


class CalledTicketSerializer(serializers.Serializer):
    ticket_no = serializers.CharField()
    queue = serializers.CharField()
    service = serializers.CharField()
    customer_no = serializers.CharField(allow_null=True)
    profile_url = serializers.CharField(allow_null=True)


class TicketSerializer(serializers.Serializer):
    ticket_no = serializers.CharField(source="number")
    queue = serializers.CharField()
    service = serializers.CharField()
    status = serializers.CharField()
    counter = serializers.CharField(source="counter.code", allow_null=True, default=None)
    recalls = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)


class CounterSerializer(serializers.ModelSerializer):
    teller = serializers.CharField(source="teller.username", allow_null=True, default=None)

    class Meta:
        model = Counter
        fields = ["id", "code", "kind", "is_open", "teller", "opened_at"]


class StatsQuerySerializer(serializers.Serializer):
    branch = serializers.CharField(max_length=16, required=False, allow_blank=True)
    day = serializers.DateField(required=False)
