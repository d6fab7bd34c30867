"""The feed file of DESIGN §5 as the worker reads it: encodings, line ends, quoting, headers, odd rows."""

import pytest

from transactions.models import BatchStatus, RejectedRow, Transaction

from .feeds import ACCOUNT_NO, counts, feed_text, ingest, reasons_of, row

pytestmark = pytest.mark.django_db

HEADER = ",".join(["external_id", "channel", "account_no", "occurred_at", "amount", "direction"])


def test_a_utf8_bom_before_the_header_is_tolerated(account):
    batch = ingest("\ufeff" + feed_text([row()]))
    assert (batch.status, counts(batch)) == (BatchStatus.DONE, (1, 1, 0, 0))


def test_crlf_line_ends_load_like_lf(account):
    batch = ingest(feed_text([row(external_id="A"), row(external_id="B")], line_end="\r\n"))
    assert counts(batch) == (2, 2, 0, 0)
    assert set(Transaction.objects.values_list("external_id", flat=True)) == {"A", "B"}
    assert Transaction.objects.get(external_id="B").description == ""  # no stray \r in the last column


def test_quoted_fields_keep_their_commas_quotes_and_line_breaks(account):
    text = (feed_text([]) + f'Q1,POS,{ACCOUNT_NO},2025-03-01T10:00:00,8.00,DEBIT,,,5812,"Wang, Li & Sons",T1,'
            '"said ""hello"", then\nleft"\n')
    batch = ingest(text)
    assert counts(batch) == (1, 1, 0, 0)
    transaction = Transaction.objects.get(external_id="Q1")
    assert transaction.merchant_name == "Wang, Li & Sons"
    assert transaction.description == 'said "hello", then\nleft'


def test_an_empty_file_fails_the_batch_with_a_clear_message(account):
    batch = ingest(b"")
    assert batch.status == BatchStatus.FAILED
    assert "empty" in batch.error
    assert counts(batch) == (0, 0, 0, 0)


def test_a_file_with_only_a_header_is_done_with_nothing_received(account):
    batch = ingest(feed_text([]))
    assert (batch.status, counts(batch), batch.error) == (BatchStatus.DONE, (0, 0, 0, 0), "")


def test_blank_lines_are_not_rows(account):
    text = feed_text([row(external_id="A")]) + "\n\n" + feed_text([row(external_id="B")]).split("\n", 1)[1]
    assert counts(ingest(text)) == (2, 2, 0, 0)


@pytest.mark.parametrize(("header", "expected"), [
    ("external_id,channel,account_no,occurred_at,amount", "missing required columns: direction"),
    ("external_id,channel,account_no,occurred_at,amount,direction,colour", "unknown columns: colour"),
    ("external_id,channel,account_no,occurred_at,amount,direction,amount", "repeated columns: amount"),
    ("id;channel;account;time;amount;direction", "missing required columns: external_id, channel, account_no"),
])
def test_a_wrong_header_fails_the_batch_and_inserts_nothing(account, header, expected):
    line = f"T1,POS,{ACCOUNT_NO},2025-03-01T10:00:00,1.00,DEBIT,x"
    batch = ingest(f"{header}\n{line}\n")
    assert batch.status == BatchStatus.FAILED
    assert expected in batch.error
    assert "The header row is wrong" in batch.error
    assert counts(batch) == (0, 0, 0, 0)
    assert not Transaction.objects.exists()
    assert not RejectedRow.objects.exists()


def test_column_names_are_matched_in_any_case_order_and_spacing(account):
    text = (" Direction ,AMOUNT,occurred_at,account_no,Channel,external_id\n"
            f"credit,20.00,2025-03-01T10:00:00,{ACCOUNT_NO},atm,C1\n")
    batch = ingest(text)
    assert counts(batch) == (1, 1, 0, 0)
    assert Transaction.objects.filter(external_id="C1", channel="ATM", direction="CREDIT").exists()


def test_without_a_channel_column_the_batch_channel_is_used(account):
    text = f"{HEADER.replace('channel,', '')}\nH1,{ACCOUNT_NO},2025-03-01T10:00:00,5.00,DEBIT\n"
    batch = ingest(text, channel_hint="MOBILE")
    assert counts(batch) == (1, 1, 0, 0)
    assert Transaction.objects.get(external_id="H1").channel == "MOBILE"


def test_without_a_channel_column_or_a_channel_the_header_is_wrong(account):
    batch = ingest(f"{HEADER.replace('channel,', '')}\nH1,{ACCOUNT_NO},2025-03-01T10:00:00,5.00,DEBIT\n")
    assert batch.status == BatchStatus.FAILED
    assert "missing required columns: channel" in batch.error


def test_a_short_row_reads_its_missing_fields_as_empty(account):
    text = feed_text([]) + f"S1,POS,{ACCOUNT_NO},2025-03-01T10:00:00,5.00,DEBIT\nS2,POS,{ACCOUNT_NO}\n"
    batch = ingest(text)
    assert counts(batch) == (2, 1, 0, 1)
    assert reasons_of(batch) == {2: ["required", "required", "required"]}


@pytest.mark.parametrize("extra", [",surplus", ",a,b,c"])
def test_a_row_with_more_fields_than_the_header_is_rejected_and_the_rest_load(account, small_chunks, extra):
    rows = [row(external_id=f"F{n}") for n in range(1, 8)]
    lines = feed_text(rows).splitlines()
    lines[5] += extra  # row 5
    batch = ingest("\n".join(lines) + "\n")
    assert counts(batch) == (7, 6, 0, 1)
    assert reasons_of(batch) == {5: ["field_count"]}
    rejected = batch.rejected_rows.get()
    assert rejected.raw["external_id"] == "F5"
    assert rejected.raw["_extra"] == extra[1:]
    assert set(Transaction.objects.values_list("external_id", flat=True)) == {f"F{n}" for n in (1, 2, 3, 4, 6, 7)}


def test_bytes_that_are_not_utf8_reject_their_row_only(account):
    text = feed_text([row(external_id="U1"), row(external_id="U2", merchant_name="MARK"), row(external_id="U3")])
    data = text.encode().replace(b"MARK", b"caf\xe9")  # Latin-1, not UTF-8
    batch = ingest(data)
    assert counts(batch) == (3, 2, 0, 1)
    assert reasons_of(batch) == {2: ["bad_encoding"]}
    assert batch.rejected_rows.get().raw["merchant_name"] == "caf\ufffd"


def test_a_nul_byte_rejects_its_row_and_is_kept_readable(account):
    data = feed_text([row(external_id="N1", description="a\x00b"), row(external_id="N2")]).encode()
    batch = ingest(data)
    assert counts(batch) == (2, 1, 0, 1)
    assert reasons_of(batch) == {1: ["bad_encoding"]}
    assert batch.rejected_rows.get().raw["description"] == "a\ufffdb"


def test_an_unclosed_quote_fails_the_batch_with_the_parser_message(account):
    batch = ingest(feed_text([]) + f'X1,POS,{ACCOUNT_NO},2025-03-01T10:00:00,5.00,DEBIT,,,,"never closed\n')
    assert batch.status == BatchStatus.FAILED
    assert "not valid CSV" in batch.error
