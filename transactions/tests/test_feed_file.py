"""The feed file of DESIGN §5 as the worker reads it: encodings, line ends, quoting, headers, odd rows."""

import io

import pytest

from transactions.models import BatchStatus, RejectedRow, Transaction
from transactions.services import fileformat

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


def test_an_unclosed_quote_rejects_its_line_as_bad_csv(account):
    batch = ingest(feed_text([]) + f'X1,POS,{ACCOUNT_NO},2025-03-01T10:00:00,5.00,DEBIT,,,,"never closed\n')
    assert batch.status == BatchStatus.DONE
    assert counts(batch) == (1, 0, 0, 1)
    assert reasons_of(batch) == {1: ["bad_csv"]}
    assert batch.rejected_rows.get().raw["_line"].endswith('"never closed')


@pytest.mark.parametrize("with_extra_fields", [False, True])
def test_a_malformed_line_after_the_first_chunk_is_rejected_and_every_other_line_loads(
        account, small_chunks, with_extra_fields):
    bad_line = f'B5,POS,"{ACCOUNT_NO},2025-03-01T10:00:00,5.00,DEBIT,,,,never closed'  # swallows the rest
    rows = [row(external_id=f"F{n}") for n in range(1, 11)]
    lines = feed_text(rows).splitlines()
    lines[5] = bad_line  # row 5, in the second chunk of 3
    if with_extra_fields:
        lines[2] += ",surplus"  # row 2: the Python parser reads the file, and stops at row 5 too
    batch = ingest("\n".join(lines) + "\n")
    assert batch.status == BatchStatus.DONE, batch.error
    received, inserted, duplicates, rejected = counts(batch)
    assert received == inserted + duplicates + rejected == 10
    expected = {5: ["bad_csv"], **({2: ["field_count"]} if with_extra_fields else {})}
    assert reasons_of(batch) == expected
    loaded = {f"F{n}" for n in range(1, 11) if n not in expected}
    assert set(Transaction.objects.values_list("external_id", flat=True)) == loaded
    assert batch.rejected_rows.get(row_number=5).raw["_line"] == bad_line


def test_a_malformed_line_reads_the_same_chunks_when_the_batch_resumes(account, small_chunks):
    """Resuming after chunk 1 (as after a worker crash) gives the rows after it, the malformed one included."""
    rows = [row(external_id=f"F{n}") for n in range(1, 11)]
    lines = feed_text(rows).splitlines()
    lines[8] = 'F8,POS,"unclosed'
    data = ("\n".join(lines) + "\n").encode()
    everything = list(fileformat.chunks_read(io.BytesIO(data), columns=list(fileformat.COLUMNS), chunk_rows=3))
    resumed = list(fileformat.chunks_read(io.BytesIO(data), columns=list(fileformat.COLUMNS), chunk_rows=3,
                                          skip_chunks=2))
    assert [number for number, _chunk in everything] == [0, 1, 2, 3]
    assert [number for number, _chunk in resumed] == [2, 3]
    assert list(resumed[0][1].index) == list(everything[2][1].index) == [7, 8, 9]
    assert list(resumed[0][1]["external_id"]) == ["F7", "F8", "F9"]
