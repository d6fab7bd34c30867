"""The batch pages: list, upload (and its 4xx answers), live progress, rejected rows, CSV download, replay."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from transactions.models import BatchSource, BatchStatus, IngestBatch, Transaction
from transactions.services import batch_process

from .feeds import batch_from, counts, feed_text, ingest, reasons_of, row

pytestmark = pytest.mark.django_db

LIST = reverse("transactions:batch-list")
UPLOAD = reverse("transactions:batch-upload")


def _upload(client, content: bytes, name="feed.csv", **data):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **data})


def _detail(batch):
    return reverse("transactions:batch-detail", args=[batch.pk])


# --- who may see and upload -------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "expected"), [("teller", 403), ("manager", 200), ("admin_user", 200)])
def test_the_batch_pages_are_for_managers_and_admins(client_for, request, account, persona, expected):
    batch = batch_from(feed_text([row()]))
    client = client_for(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == expected
    assert client.get(UPLOAD).status_code == expected
    assert client.get(_detail(batch)).status_code == expected
    assert _upload(client, feed_text([row()]).encode()).status_code == (403 if expected == 403 else 302)


def test_the_navigation_shows_batches_to_those_who_may_see_them(client_for, manager, teller):
    assert f'href="{LIST}"' in client_for(manager).get("/").content.decode()
    assert f'href="{LIST}"' not in client_for(teller).get("/").content.decode()


def test_the_list_shows_batches_newest_first_with_status_counts_who_and_when(client_for, manager, account):
    older = ingest(feed_text([row(), row(external_id="B", amount="x")]), name="older.csv", created_by=manager)
    newer = batch_from(feed_text([row()]), name="newer.csv")
    page = client_for(manager).get(LIST).content.decode()
    assert page.index("newer.csv") < page.index("older.csv")
    assert older.get_status_display() in page and newer.get_status_display() in page
    assert "Manager" in page  # who uploaded


# --- uploading ------------------------------------------------------------------------------------

def test_uploading_a_file_records_a_queued_batch_and_goes_to_its_page(client_for, manager, account, no_broker,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client_for(manager), feed_text([row()]).encode(), name="pos-0301.csv", channel="POS")
    batch = IngestBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(batch)
    assert (batch.status, batch.source, batch.file_name, batch.channel_hint, batch.created_by) == (
        BatchStatus.QUEUED, BatchSource.FILE, "pos-0301.csv", "POS", manager)
    assert len(batch.file_sha256) == 64
    assert batch.file.storage.exists(batch.file.name)
    assert ("transactions.ingest_batch", [batch.pk]) in no_broker


@pytest.mark.parametrize(("content", "says"), [
    (b"", "The submitted file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "This is a binary file, not a CSV text file"),
    ("external_id,channel,account_no\n".encode("gbk") + "交易,POS,1\n".encode("gbk"), "not UTF-8 text"),
    (b"colour,size\nred,9\n", "missing required columns"),
    (b'{"transactions": []}', "The header row is wrong"),
])
def test_an_upload_that_is_not_a_feed_file_is_a_400_with_the_reason(client_for, manager, content, says):
    response = _upload(client_for(manager), content)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not IngestBatch.objects.exists()


def test_an_upload_without_a_file_is_a_400(client_for, manager):
    response = client_for(manager).post(UPLOAD, {"channel": "POS"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_an_upload_with_an_unknown_channel_is_a_400(client_for, manager):
    response = _upload(client_for(manager), feed_text([row()]).encode(), channel="TELEX")
    assert response.status_code == 400
    assert not IngestBatch.objects.exists()


# --- one batch ------------------------------------------------------------------------------------

def test_a_queued_batch_polls_its_progress_every_two_seconds(client_for, manager, account):
    batch = batch_from(feed_text([row()]))
    page = client_for(manager).get(_detail(batch)).content.decode()
    progress = reverse("transactions:batch-progress", args=[batch.pk])
    assert f'hx-get="{progress}?was=queued"' in page
    assert 'hx-trigger="every 2s"' in page
    assert "<script>" not in page and "style=" not in page  # CSP: no inline scripts or styles


def test_the_progress_panel_stops_polling_and_reloads_the_page_when_the_batch_is_done(client_for, manager, account):
    batch = batch_from(feed_text([row(), row(external_id="B")]))
    client = client_for(manager)
    progress = reverse("transactions:batch-progress", args=[batch.pk])
    assert "every 2s" in client.get(progress, {"was": "queued"}).content.decode()
    batch_process(batch_id=batch.pk)
    response = client.get(progress, {"was": "running"}, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    body = response.content.decode()
    assert "every 2s" not in body
    assert 'data-testid="inserted">2<' in body and "100%" in body
    assert "HX-Refresh" not in client.get(progress, {"was": "done"})


def test_a_done_batch_shows_counts_duration_rate_and_its_rejected_rows_with_reasons(client_for, manager, account):
    batch = ingest(feed_text([row(external_id="A"), row(external_id="A"), row(external_id="B", amount="12.345",
                                                                                   mcc="x")]))
    page = client_for(manager).get(_detail(batch)).content.decode()
    for testid, value in [("received", 3), ("inserted", 1), ("duplicates", 1), ("rejected", 1)]:
        assert f'data-testid="{testid}">{value}<' in page
    assert "Rows per second" in page and " s<" in page
    assert "More than two decimal places." in page and "amount &#x27;12.345&#x27; has more than 2" in page
    assert "A merchant category code is four digits." in page
    assert reverse("transactions:batch-rejected-csv", args=[batch.pk]) in page
    assert reverse("transactions:batch-replay", args=[batch.pk]) in page


def test_rejected_rows_are_paged(client_for, manager, account):
    batch = ingest(feed_text([row(external_id=f"B{n}", amount="bad") for n in range(60)]))
    client = client_for(manager)
    first = client.get(_detail(batch)).content.decode()
    assert "Page 1 of 2" in first and "external_id</span>=B49" in first and "=B50<" not in first
    second = client.get(_detail(batch), {"page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="rejected-rows")
    assert second.content.decode().startswith('<div id="rejected-rows">')
    assert "external_id</span>=B59" in second.content.decode()


def test_the_rejected_rows_download_is_a_feed_file_with_row_numbers_and_reasons(client_for, manager, account):
    batch = ingest(feed_text([row(external_id="OK"), row(external_id="B1", amount="-3"),
                              row(external_id="B2", channel="TELEX", merchant_name="Wang, Li")]))
    response = client_for(manager).get(reverse("transactions:batch-rejected-csv", args=[batch.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="batch-{batch.pk}-rejected.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffrow_number,external_id,channel,account_no,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["row_number"], r["external_id"]) for r in rows] == [("2", "B1"), ("3", "B2")]
    assert rows[0]["reasons"] == "amount_not_positive: amount '-3' is not more than zero"
    assert rows[1]["merchant_name"] == "Wang, Li"
    assert rows[1]["reasons"].startswith("unknown_channel: ")


def test_the_rejected_rows_download_escapes_cells_a_spreadsheet_would_run(client_for, manager, account):
    batch = ingest(feed_text([row(external_id="B1", amount="x", merchant_name='=HYPERLINK("http://evil.example")',
                                  description="+1+cmd")]))
    response = client_for(manager).get(reverse("transactions:batch-rejected-csv", args=[batch.pk]))
    text = b"".join(response.streaming_content).decode("utf-8")
    (rejected,) = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rejected["merchant_name"] == "'=HYPERLINK(\"http://evil.example\")"
    assert rejected["description"] == "'+1+cmd"


def test_a_teller_may_not_download_rejected_rows(client_for, teller, account):
    batch = ingest(feed_text([row(amount="x")]))
    assert client_for(teller).get(reverse("transactions:batch-rejected-csv", args=[batch.pk])).status_code == 403


def test_an_unknown_batch_page_is_a_404(client_for, manager):
    response = client_for(manager).get(reverse("transactions:batch-detail", args=[424242]))
    assert response.status_code == 404
    assert "no batch #424242" in response.content.decode()


# --- replay ---------------------------------------------------------------------------------------

def _download(client, batch) -> str:
    response = client.get(reverse("transactions:batch-rejected-csv", args=[batch.pk]))
    return b"".join(response.streaming_content).decode("utf-8")


def test_replaying_the_corrected_rejected_rows_moves_them_to_inserted(client_for, manager, account,
                                                                      django_capture_on_commit_callbacks):
    batch = ingest(feed_text([row(external_id="OK"), row(external_id="R1", amount="12.345"),
                              row(external_id="R2", direction="SIDEWAYS"), row(external_id="R3", channel="TELEX"),
                              row(external_id="OK", amount="x")]))
    assert counts(batch) == (5, 1, 0, 4)
    client = client_for(manager)
    corrected = (_download(client, batch).replace("12.345", "12.35").replace("SIDEWAYS", "CREDIT")
                 .replace(",x,", ",1.00,"))  # R3 stays wrong; row 5 becomes a duplicate of row 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("transactions:batch-replay", args=[batch.pk]),
                               {"file": SimpleUploadedFile("fixed.csv", corrected.encode("utf-8"))})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.rejected) == (BatchStatus.QUEUED, 4)
    batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert counts(batch) == (5, 3, 1, 1)
    assert (batch.replay_rows, batch.replay_fixed, batch.replay_ignored) == (4, 3, 0)
    assert list(batch.rejected_rows.filter(replayed_at__isnull=True).values_list("row_number", flat=True)) == [4]
    assert reasons_of(batch)[4] == ["unknown_channel"]
    assert batch.rejected_rows.filter(replayed_at__isnull=False).count() == 3  # kept, marked replayed
    assert set(Transaction.objects.values_list("external_id", flat=True)) == {"OK", "R1", "R2"}
    assert Transaction.objects.get(external_id="R2").direction == "CREDIT"
    page = client.get(_detail(batch)).content.decode()
    assert "Last replay: 4 corrected rows read, 3 loaded, 0 ignored" in page


def test_a_row_still_wrong_after_a_replay_keeps_its_place_with_new_values_and_reasons(manager, account):
    from transactions.services import batch_replay_request

    batch = ingest(feed_text([row(external_id="R1", amount="abc")]))
    fixed = "row_number," + feed_text([row(external_id="R1", amount="-5")]).replace("\n", "\n1,", 1)
    batch_replay_request(batch=batch, file=SimpleUploadedFile("fixed.csv", fixed.encode()), file_name="fixed.csv",
                         requested_by=manager)
    batch_process(batch_id=batch.pk)
    rejected = batch.rejected_rows.get()
    assert (rejected.row_number, rejected.raw["amount"], rejected.replayed_at) == (1, "-5", None)
    assert [reason["code"] for reason in rejected.reasons] == ["amount_not_positive"]
    assert counts(batch) == (1, 0, 0, 1)


def test_replay_rows_that_name_no_open_rejected_row_are_ignored(manager, account):
    from transactions.services import batch_replay_request

    batch = ingest(feed_text([row(external_id="A"), row(external_id="B", amount="x")]))
    text = "row_number," + feed_text([row(external_id="B")]).replace("\n", "\n2,", 1) + "1," + feed_text(
        [row(external_id="A2")]).split("\n", 1)[1] + "2," + feed_text([row(external_id="B")]).split("\n", 1)[1]
    batch_replay_request(batch=batch, file=SimpleUploadedFile("f.csv", text.encode()), file_name="f.csv")
    batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.replay_rows, batch.replay_fixed, batch.replay_ignored) == (3, 1, 2)
    assert counts(batch) == (2, 2, 0, 0)


@pytest.mark.parametrize(("content", "says"), [
    (feed_text([row()]).encode(), "missing required columns: row_number"),
    (b"", "The submitted file is empty"),
    (b"\x00\x01\x02", "binary file"),
])
def test_a_replay_file_without_row_numbers_or_not_csv_is_a_400(client_for, manager, account, content, says):
    batch = ingest(feed_text([row(amount="x")]))
    response = client_for(manager).post(reverse("transactions:batch-replay", args=[batch.pk]),
                                        {"file": SimpleUploadedFile("fixed.csv", content)})
    assert response.status_code == 400
    assert says in response.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.replay_file.name) == (BatchStatus.DONE, "")


def test_a_batch_still_loading_or_without_rejected_rows_cannot_be_replayed(client_for, manager, account):
    client = client_for(manager)
    replay = "row_number," + feed_text([row()]).replace("\n", "\n1,", 1)
    for batch in (batch_from(feed_text([row(amount="x")])), ingest(feed_text([row()]))):
        response = client.post(reverse("transactions:batch-replay", args=[batch.pk]),
                               {"file": SimpleUploadedFile("fixed.csv", replay.encode())})
        assert response.status_code == 409
        assert "replay" in response.content.decode().lower()


def test_a_teller_may_not_replay(client_for, teller, account):
    batch = ingest(feed_text([row(amount="x")]))
    replay = "row_number," + feed_text([row()]).replace("\n", "\n1,", 1)
    response = client_for(teller).post(reverse("transactions:batch-replay", args=[batch.pk]),
                                       {"file": SimpleUploadedFile("fixed.csv", replay.encode())})
    assert response.status_code == 403


def test_the_admin_shows_a_batch_with_its_customer_count_not_their_ids(client_for, admin_user, account):
    batch = ingest(feed_text([row(), row(external_id="B", amount="x")]))
    client = client_for(admin_user)
    page = client.get(reverse("admin:transactions_ingestbatch_change", args=[batch.pk]))
    assert page.status_code == 200
    assert "Customers touched" in page.content.decode()
    assert client.get(reverse("admin:transactions_ingestbatch_changelist")).status_code == 200
    assert client.get(reverse("admin:transactions_rejectedrow_changelist")).status_code == 200
