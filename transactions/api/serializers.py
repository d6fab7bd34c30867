"""Shapes of the transactions API: the ingest request (checked here) and a batch's progress."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from crm_site.parsers import LargeJSONParser
from transactions.models import Channel
from transactions.services.fileformat import COLUMNS


class FeedJSONParser(LargeJSONParser):
    """JSON whose numbers are kept as written: 12.345 stays 12.345 (and is rejected), never a float.

    A NUL in a value is the row's problem (rejected as bad_encoding with the rest of its reasons), not the call's.
    """

    refuse_nul = False

    def json_options(self) -> dict:
        return {**super().json_options(), "parse_float": Decimal}


def rows_from_body(body: object) -> tuple[list[dict], str]:
    """The body's rows and channel hint, or a 400 naming what is wrong with its shape.

    Only the shape: a bad value in a row (an unknown account, a bad amount, …) is the row's problem
    and becomes a rejected row of the batch.
    """
    max_rows = settings.INGEST_API_MAX_ROWS
    if not isinstance(body, dict):
        raise serializers.ValidationError(
            {"detail": [_('The body must be a JSON object: {"transactions": [{...}, ...]}.')]})
    unknown = sorted(set(body) - {"transactions", "channel"})
    if unknown:
        raise serializers.ValidationError(
            {name: [_("Unknown key. The body takes transactions and channel.")] for name in unknown})
    rows = body.get("transactions")
    if not isinstance(rows, list):
        raise serializers.ValidationError({"transactions": [_("A list of transaction objects is required.")]})
    if not rows:
        raise serializers.ValidationError({"transactions": [_("The list is empty: send at least one transaction.")]})
    if len(rows) > max_rows:
        raise serializers.ValidationError({"transactions": [
            _("At most %(max)d transactions per call; this one has %(count)d. Split it, or upload a file.")
            % {"max": max_rows, "count": len(rows)}]})
    channel = body.get("channel")
    if channel is not None and not (isinstance(channel, str) and channel.upper() in Channel.values):
        raise serializers.ValidationError({"channel": [_("One of %(channels)s (or leave it out).")
                                                       % {"channels": ", ".join(Channel.values)}]})
    allowed = set(COLUMNS)
    for position, row in enumerate(rows):
        if not isinstance(row, dict):
            raise serializers.ValidationError({"transactions": [
                _("transactions[%(i)d] is not an object.") % {"i": position}]})
        extra = sorted(set(row) - allowed)
        if extra:
            raise serializers.ValidationError({"transactions": [
                _("transactions[%(i)d] has unknown fields: %(names)s. The fields are: %(fields)s.")
                % {"i": position, "names": ", ".join(map(str, extra)), "fields": ", ".join(COLUMNS)}]})
        for name, value in row.items():
            if isinstance(value, bool) or not (value is None or isinstance(value, str | int | Decimal)):
                raise serializers.ValidationError({"transactions": [
                    _("transactions[%(i)d].%(name)s must be a string, a number or null.")
                    % {"i": position, "name": name}]})
    return rows, (channel or "").upper()


class TransactionRowSerializer(serializers.Serializer):
    """One transaction: the columns of the feed file (DESIGN §5). Documentation only; see rows_from_body."""

    external_id = serializers.CharField(help_text=gettext_lazy("Unique per channel; a repeat is a duplicate."))
    channel = serializers.CharField(required=False, help_text=gettext_lazy(
        "POS, ATM, COUNTER, ONLINE, MOBILE, PHONE, SELF_SERVICE or SYSTEM (any case); may be left out when the "
        "body gives a channel."))
    account_no = serializers.CharField()
    occurred_at = serializers.CharField(help_text=gettext_lazy(
        "ISO 8601, e.g. 2025-03-01T14:30:00+08:00; without an offset it is the bank's time zone."))
    amount = serializers.CharField(help_text=gettext_lazy("A positive decimal with at most 2 places, e.g. "
                                                          "\"1234.50\" (a JSON number is taken as written)."))
    direction = serializers.CharField(help_text=gettext_lazy("DEBIT (money out) or CREDIT (money in)."))
    currency = serializers.CharField(required=False, help_text=gettext_lazy("ISO 4217; default: the account's."))
    balance_after = serializers.CharField(required=False, allow_null=True)
    mcc = serializers.CharField(required=False, help_text=gettext_lazy("Merchant category code, 4 digits."))
    merchant_name = serializers.CharField(required=False)
    terminal_id = serializers.CharField(required=False)
    description = serializers.CharField(required=False)


class BatchCreateSerializer(serializers.Serializer):
    transactions = TransactionRowSerializer(many=True, help_text=gettext_lazy("1 to 10,000 transactions."))
    channel = serializers.CharField(required=False, help_text=gettext_lazy(
        "The channel of rows that don't name one."))


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=gettext_lazy("queued, running, done or failed."))
    source = serializers.CharField(read_only=True, help_text=gettext_lazy("file or api."))
    channel = serializers.CharField(source="channel_hint", read_only=True)
    file_name = serializers.CharField(read_only=True)
    file_sha256 = serializers.CharField(read_only=True)
    received = serializers.IntegerField(read_only=True, help_text=gettext_lazy(
        "Rows read so far; received = inserted + duplicates + rejected."))
    inserted = serializers.IntegerField(read_only=True)
    duplicates = serializers.IntegerField(read_only=True)
    rejected = serializers.IntegerField(read_only=True)
    rows_total = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Rows expected."))
    progress_percent = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True)
    rows_per_second = serializers.SerializerMethodField()
    error = serializers.CharField(read_only=True)

    def get_url(self, batch) -> str:
        path = reverse("transactions-api:batch-detail", args=[batch.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_rows_per_second(self, batch) -> float | None:
        rate = batch.rows_per_second
        return round(rate, 1) if rate is not None else None
