"""campaign_responses files: idempotent on campaign + customer + channel + contacted_at, rejects with reasons,
the contacts on the customer's timeline, the upload page and the command."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.imports import IMPORT_KINDS, records_import
from accounts.tests.factories import ProductFactory
from campaigns.models import ContactResponse, ContactSource
from customers.models import Interaction, InteractionKind
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HEADER = "campaign_code,product_code,customer_no,channel,contacted_at,outcome"


@pytest.fixture
def known(branch):
    ProductFactory(code="WM-GREEN", name="绿色理财", kind="WEALTH")
    return [CustomerFactory(customer_no=f"C{n}", home_branch=branch) for n in range(3)]


def csv_file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def load(*lines):
    result = records_import(kind="campaign_responses", file=csv_file(HEADER, *lines))
    assert result.balanced
    return result


GOOD = ("OLD-2025-01,WM-GREEN,C0,sms,2025-03-01T10:00:00,converted",
        "OLD-2025-01,WM-GREEN,C1,SMS,2025-03-01 10:05,declined",
        "OLD-2025-02,WM-GREEN,C1,PHONE,2025-06-01T09:00:00+08:00,interested")


def test_campaign_responses_is_a_kind_of_master_data():
    assert "campaign_responses" in IMPORT_KINDS


def test_loading_the_same_file_twice_inserts_nothing_the_second_time(known):
    first = load(*GOOD)
    assert (first.received, first.inserted, first.rejected) == (3, 3, 0)
    second = load(*GOOD)
    assert (second.received, second.inserted, second.updated, second.unchanged) == (3, 0, 0, 3)
    assert ContactResponse.objects.count() == 3
    assert ContactResponse.objects.filter(source=ContactSource.IMPORT, channel="SMS").count() == 2


def test_the_same_instant_written_with_an_offset_is_the_same_contact(known):
    load(GOOD[0])
    result = load("OLD-2025-01,WM-GREEN,C0,SMS,2025-03-01T02:00:00Z,converted")
    assert (result.inserted, result.unchanged) == (0, 1)


def test_a_changed_outcome_updates_the_stored_contact(known):
    load(*GOOD)
    result = load("OLD-2025-01,WM-GREEN,C1,SMS,2025-03-01 10:05,converted")
    assert (result.inserted, result.updated) == (0, 1)
    assert ContactResponse.objects.get(customer__customer_no="C1", channel="SMS").outcome == "converted"


def test_bad_rows_are_rejected_with_every_reason_and_the_others_load(known):
    result = load(
        GOOD[0],
        "OLD-1,NOPE,C404,FAX,yesterday,maybe",
        "OLD-1,WM-GREEN,C2,SMS,2999-01-01T00:00:00,declined",
        "OLD-1,WM-GREEN,C2,SMS,1980-01-01T00:00:00,declined",
        GOOD[0],
        ",WM-GREEN,C2,SMS,2025-01-01T00:00:00,declined",
    )
    assert (result.received, result.inserted, result.rejected) == (6, 1, 5)
    reasons = {reject.row: " ".join(reject.reasons) for reject in result.rejects}
    assert all(word in reasons[3] for word in ("NOPE", "C404", "FAX", "ISO 8601", "maybe"))
    assert "future" in reasons[4]
    assert "1990" in reasons[5]
    assert "already in this file at row 2" in reasons[6]
    assert "campaign_code is required" in reasons[7]
    assert ContactResponse.objects.count() == 1


def test_imported_contacts_show_on_the_customers_timeline_once(known):
    load(*GOOD)
    load(*GOOD)
    timeline = Interaction.objects.filter(customer=known[1], kind=InteractionKind.OFFER_OUTCOME).order_by("at")
    assert timeline.count() == 2
    assert "OLD-2025-01" in timeline[0].text and "绿色理财" in timeline[0].text
    assert timeline[0].channel == "SMS" and timeline[1].channel == "PHONE"
    assert timeline[0].at == ContactResponse.objects.get(customer=known[1], channel="SMS").contacted_at


def test_the_command_loads_campaign_history(known, tmp_path, capsys):
    path = tmp_path / "responses.csv"
    path.write_text("\n".join([HEADER, *GOOD]) + "\n", encoding="utf-8")
    call_command("import_records", "campaign_responses", str(path))
    assert "inserted 3" in capsys.readouterr().out
    assert ContactResponse.objects.count() == 3


def test_an_admin_uploads_campaign_history_on_the_master_data_page(known, client_for, admin_user):
    content = ("\n".join([HEADER, *GOOD, "OLD-1,WM-GREEN,C9,SMS,2025-01-01,converted"]) + "\n").encode()
    response = client_for(admin_user).post("/imports/", {
        "kind": "campaign_responses", "file": SimpleUploadedFile("r.csv", content, content_type="text/csv")})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.inserted, result.rejected) == (3, 1)
    assert "C9" in response.content.decode()


def test_a_manager_may_not_upload_campaign_history(known, client_for, manager):
    response = client_for(manager).post("/imports/", {
        "kind": "campaign_responses", "file": SimpleUploadedFile("r.csv", b"x\n", content_type="text/csv")})
    assert response.status_code == 403
    assert not ContactResponse.objects.exists()
