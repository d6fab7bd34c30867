"""Every reason a row is rejected, amounts and timestamps as written, and what a loaded row holds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from transactions.models import BatchStatus, Transaction
from transactions.services.validation import REASON_TEXT

from .feeds import OTHER_ACCOUNT_NO, aware, counts, feed_text, ingest, reasons_of, row

pytestmark = pytest.mark.django_db

IN_A_YEAR = (timezone.now() + dt.timedelta(days=365)).isoformat(timespec="seconds")


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"external_id": ""}, "external_id", "required"),
    ({"channel": ""}, "channel", "required"),
    ({"account_no": ""}, "account_no", "required"),
    ({"occurred_at": ""}, "occurred_at", "required"),
    ({"amount": ""}, "amount", "required"),
    ({"direction": ""}, "direction", "required"),
    ({"external_id": "E" * 65}, "external_id", "too_long"),
    ({"merchant_name": "店" * 101}, "merchant_name", "too_long"),
    ({"terminal_id": "T" * 33}, "terminal_id", "too_long"),
    ({"description": "d" * 201}, "description", "too_long"),
    ({"channel": "BRANCH"}, "channel", "unknown_channel"),
    ({"direction": "OUT"}, "direction", "bad_direction"),
    ({"amount": "abc"}, "amount", "bad_amount"),
    ({"amount": "1e5"}, "amount", "bad_amount"),
    ({"amount": "1,000.00"}, "amount", "bad_amount"),
    ({"amount": "１２.５０"}, "amount", "bad_amount"),  # full-width digits are not ASCII digits
    ({"amount": "12.50 "}, "amount", "bad_amount"),
    ({"amount": "-3"}, "amount", "amount_not_positive"),
    ({"amount": "0.00"}, "amount", "amount_not_positive"),
    ({"amount": "12.345"}, "amount", "amount_too_precise"),
    ({"amount": "12345678901234567.00"}, "amount", "amount_too_large"),
    ({"currency": "RMB1"}, "currency", "bad_currency"),
    ({"currency": "¥"}, "currency", "bad_currency"),
    ({"currency": "RMB"}, "currency", "bad_currency"),  # three letters, but not ISO 4217
    ({"currency": "XYZ"}, "currency", "bad_currency"),
    ({"occurred_at": "yesterday"}, "occurred_at", "bad_timestamp"),
    ({"occurred_at": "2025-03-01"}, "occurred_at", "bad_timestamp"),
    ({"occurred_at": "2025-02-30T10:00:00"}, "occurred_at", "bad_timestamp"),
    ({"occurred_at": "01/03/2025 10:00"}, "occurred_at", "bad_timestamp"),
    ({"occurred_at": "2025-03-01T25:00:00"}, "occurred_at", "bad_timestamp"),
    ({"occurred_at": "2025-03-01T10:00:00+99:00"}, "occurred_at", "bad_timestamp"),
    ({"occurred_at": IN_A_YEAR}, "occurred_at", "future_timestamp"),
    ({"occurred_at": "0001-01-01T00:00:00"}, "occurred_at", "occurred_too_old"),
    ({"occurred_at": "0001-01-01T00:00:00+08:00"}, "occurred_at", "occurred_too_old"),
    ({"occurred_at": "1899-12-31T12:00:00+08:00"}, "occurred_at", "occurred_too_old"),
    ({"mcc": "541"}, "mcc", "bad_mcc"),
    ({"mcc": "54a1"}, "mcc", "bad_mcc"),
    ({"mcc": "٥٤١١"}, "mcc", "bad_mcc"),
    ({"balance_after": "1.5e3"}, "balance_after", "bad_balance"),
    ({"balance_after": "10.001"}, "balance_after", "bad_balance"),
    ({"account_no": "6222999999999999999"}, "account_no", "unknown_account"),
])
def test_each_reject_reason(account, values, field, code):
    batch = ingest(feed_text([row(external_id="GOOD"), row(**{"external_id": "BAD", "description": "bad", **values})]))
    assert batch.status == BatchStatus.DONE
    assert counts(batch) == (2, 1, 0, 1)
    rejected = batch.rejected_rows.get()
    assert rejected.row_number == 2
    assert [(reason["field"], reason["code"]) for reason in rejected.reasons] == [(field, code)]
    assert rejected.reasons[0]["message"]
    assert code in REASON_TEXT
    assert rejected.raw["description"] == values.get("description", "bad")
    assert list(Transaction.objects.values_list("external_id", flat=True)) == ["GOOD"]


def test_a_row_gets_every_reason_that_applies(account):
    bad = row(channel="TELEX", direction="SIDEWAYS", amount="-1.234", currency="YUAN", mcc="1", balance_after="x",
              occurred_at="2099-01-01T00:00:00", account_no="nope")
    batch = ingest(feed_text([bad]))
    codes = sorted(code for codes in reasons_of(batch).values() for code in codes)
    assert codes == sorted(["unknown_channel", "bad_direction", "amount_not_positive", "amount_too_precise",
                            "bad_currency", "bad_mcc", "bad_balance", "future_timestamp", "unknown_account"])


@pytest.mark.parametrize(("amount", "codes"), [
    ("1e5", ["bad_amount"]),
    ("-3", ["amount_not_positive"]),
    ("12.345", ["amount_too_precise"]),
    ("abc", ["bad_amount"]),
])
def test_amounts_that_are_not_plain_positive_decimals_are_rejected_with_a_reason_each(account, amount, codes):
    batch = ingest(feed_text([row(amount=amount)]))
    assert reasons_of(batch) == {1: codes}
    assert amount in batch.rejected_rows.get().reasons[0]["message"]


@pytest.mark.parametrize(("amount", "stored"), [("12", "12.00"), ("12.5", "12.50"), ("0.01", "0.01"),
                                                ("9999999999999999.99", "9999999999999999.99")])
def test_plain_decimal_amounts_are_stored_exactly(account, amount, stored):
    batch = ingest(feed_text([row(amount=amount)]))
    assert counts(batch) == (1, 1, 0, 0)
    assert Transaction.objects.get().amount == Decimal(stored)


@pytest.mark.parametrize(("written", "meant"), [
    ("2025-03-01T14:30:00+08:00", "2025-03-01T14:30:00+08:00"),
    ("2025-03-01T06:30:00Z", "2025-03-01T14:30:00+08:00"),
    ("2025-03-01T01:30:00-0500", "2025-03-01T14:30:00+08:00"),
    ("2025-03-01T14:30:00", "2025-03-01T14:30:00+08:00"),       # naive: settings.TIME_ZONE (Asia/Shanghai)
    ("2025-03-01 14:30", "2025-03-01T14:30:00+08:00"),
    ("2025-03-01T14:30:00.123456", "2025-03-01T14:30:00.123456+08:00"),
])
def test_timestamps_with_and_without_an_offset(account, written, meant):
    batch = ingest(feed_text([row(occurred_at=written)]))
    assert counts(batch) == (1, 1, 0, 0)
    assert Transaction.objects.get().occurred_at == aware(meant)


def test_a_naive_timestamp_is_read_in_the_configured_time_zone(account, settings):
    settings.TIME_ZONE = "Europe/London"
    ingest(feed_text([row(occurred_at="2025-07-01T12:00:00")]))
    assert Transaction.objects.get().occurred_at == aware("2025-07-01T12:00:00+01:00")


def test_the_earliest_date_is_a_setting_and_its_first_moment_is_loaded(account, settings):
    settings.EARLIEST_DATE = dt.date(2000, 1, 1)
    batch = ingest(feed_text([row(external_id="OLD", occurred_at="1999-12-31T23:59:59+08:00"),
                              row(external_id="FIRST", occurred_at="2000-01-01T00:00:00+08:00")]))
    assert counts(batch) == (2, 1, 0, 1)
    assert reasons_of(batch) == {1: ["occurred_too_old"]}


def test_a_time_a_few_minutes_ahead_is_clock_skew_not_the_future(account):
    soon = (timezone.now() + dt.timedelta(minutes=2)).isoformat()
    assert counts(ingest(feed_text([row(occurred_at=soon)]))) == (1, 1, 0, 0)


def test_codes_are_read_in_any_case_and_a_loaded_row_holds_what_was_sent(account):
    ingest(feed_text([row(channel="self_service", direction="credit", currency="usd", balance_after="-20.10",
                          description="利息")]))
    transaction = Transaction.objects.get()
    assert (transaction.channel, transaction.direction, transaction.currency) == ("SELF_SERVICE", "CREDIT", "USD")
    assert transaction.balance_after == Decimal("-20.10")
    assert (transaction.account, transaction.customer) == (account, account.customer)
    assert (transaction.mcc, transaction.merchant_name, transaction.terminal_id) == ("5411", "华联超市", "T001")
    assert transaction.description == "利息"


def test_an_empty_currency_is_the_accounts_currency(account, other_account):
    ingest(feed_text([row(external_id="A"), row(external_id="B", account_no=OTHER_ACCOUNT_NO)]))
    assert dict(Transaction.objects.values_list("external_id", "currency")) == {"A": "CNY", "B": "USD"}


def test_the_batch_channel_fills_empty_channels_only(account):
    ingest(feed_text([row(external_id="A", channel=""), row(external_id="B", channel="ATM")]), channel_hint="POS")
    assert dict(Transaction.objects.values_list("external_id", "channel")) == {"A": "POS", "B": "ATM"}


def test_spaces_after_a_comma_are_skipped(account):
    text = feed_text([]) + f"S1, POS, {account.account_no}, 2025-03-01T10:00:00, 5.00, DEBIT\n"
    assert counts(ingest(text)) == (1, 1, 0, 0)
