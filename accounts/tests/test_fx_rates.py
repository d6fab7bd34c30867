"""Exchange rates: the fx_rates file (command, upload page), the admin and GET /api/v1/fx-rates/."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.imports import fx_rates_import
from accounts.models import FxRate
from accounts.tests.factories import FxRateFactory

pytestmark = pytest.mark.django_db

HEADER = "currency,rate_date,rate"
TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


def csv_file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join([HEADER, *lines]) + "\n").encode())


def counts(result) -> tuple[int, int, int, int, int]:
    assert result.balanced
    return result.received, result.inserted, result.updated, result.unchanged, result.rejected


def test_rates_load_by_currency_and_day_and_a_second_load_changes_only_what_changed():
    lines = [f"USD,{YESTERDAY},7.1234", f"hkd,{YESTERDAY},0.9123", f"USD,{TODAY},7.13"]
    assert counts(fx_rates_import(file=csv_file(*lines))) == (3, 3, 0, 0, 0)
    assert FxRate.objects.get(currency="HKD", rate_date=YESTERDAY).rate == Decimal("0.9123")

    result = fx_rates_import(file=csv_file(f"USD,{YESTERDAY},7.1234000", f"USD,{TODAY},7.2"))
    assert counts(result) == (2, 0, 1, 1, 0)
    assert FxRate.objects.get(currency="USD", rate_date=TODAY).rate == Decimal("7.2")


def test_bad_fx_rate_rows_are_rejected_with_their_reasons_and_the_good_ones_load():
    day = [TODAY - dt.timedelta(days=n) for n in range(12)]
    result = fx_rates_import(file=csv_file(
        f"CNY,{day[1]},1",  # the base currency
        f"XYZ,{day[1]},1.5",  # not ISO 4217
        f"USD,{day[1]},0",  # not positive
        f"USD,{day[2]},-7.1",
        f"JPY,{day[1]},20500000",  # absurd: quoted the wrong way round
        "USD,2026-02-30,7.1",  # no such day
        f"USD,{TODAY + dt.timedelta(days=5)},7.1",  # far in the future
        "USD,1899-12-31,7.1",
        f"USD,{day[3]},7,10",  # a thousands separator: one field too many
        f"EUR,{day[1]},7.8",
        f"eur,{day[1]},7.9",  # the same rate again, in lower case
        f"GBP,{day[1]},",
    ))
    assert counts(result) == (12, 1, 0, 0, 11)
    reasons = {reject.row: reject.reasons for reject in result.rejects}
    assert reasons[2] == ["currency: CNY is the base currency; its rate is 1 by definition."]
    assert reasons[3] == ["currency: 'XYZ' is not an ISO 4217 currency code."]
    assert reasons[4] == ["rate: '0' is outside 0.000001 to 1000000: zero, or quoted the wrong way round, or a "
                          "misplaced decimal point?"]
    assert reasons[5] == ["rate: '-7.1' is not a positive decimal number like 7.1234 (at most 10 decimals)."]
    assert reasons[6][0].startswith("rate: '20500000' is outside 0.000001 to 1000000")
    assert reasons[7] == ["rate_date: '2026-02-30' is not a date written YYYY-MM-DD."]
    assert reasons[8][0].startswith(f"rate_date: '{TODAY + dt.timedelta(days=5)}' is outside 1970-01-01 to ")
    assert reasons[9][0].startswith("rate_date: '1899-12-31'")
    assert reasons[10] == ["The row has 4 fields; the header has 3."]
    assert reasons[12] == [f"currency + rate_date EUR {day[1]} is already in this file; a file holds each "
                           "record once."]
    assert reasons[13] == ["rate is required."]
    assert list(FxRate.objects.values_list("currency", "rate")) == [("EUR", Decimal("7.8"))]


def test_an_absurdly_large_rate_is_refused():
    result = fx_rates_import(file=csv_file(f"IRR,{YESTERDAY},2000000.5"))
    assert [r.reasons for r in result.rejects] == [[
        "rate: '2000000.5' is outside 0.000001 to 1000000: zero, or quoted the wrong way round, or a misplaced "
        "decimal point?"]]


@override_settings(BASE_CURRENCY="EUR")
def test_with_a_euro_base_a_euro_rate_is_refused_and_a_yuan_rate_loads():
    result = fx_rates_import(file=csv_file(f"EUR,{YESTERDAY},1", f"CNY,{YESTERDAY},0.128"))
    assert counts(result) == (2, 1, 0, 0, 1)
    assert result.rejects[0].reasons == ["currency: EUR is the base currency; its rate is 1 by definition."]


def test_the_command_loads_fx_rates_and_reports_the_rejects(tmp_path, capsys):
    path = tmp_path / "fx.csv"
    path.write_text(f"{HEADER}\nUSD,{YESTERDAY},7.1\nCNY,{YESTERDAY},1\n", encoding="utf-8")
    call_command("import_records", "fx_rates", str(path))
    out = capsys.readouterr().out
    assert "fx_rates: received 2 = inserted 1 + updated 0 + unchanged 0 + rejected 1" in out
    assert "row 3 (currency CNY): currency: CNY is the base currency" in out


def test_an_admin_loads_fx_rates_on_the_upload_page_and_sees_the_rejects(client_for, admin_user):
    content = f"{HEADER}\nUSD,{YESTERDAY},7.1\nUSD,{YESTERDAY},abc\n".encode()
    response = client_for(admin_user).post("/imports/", {
        "kind": "fx_rates", "file": SimpleUploadedFile("fx.csv", content, content_type="text/csv")})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="fx_rates"' in html and "<strong>rate_date</strong>" in html
    assert "is not a positive decimal number" in html
    assert FxRate.objects.get().rate == Decimal("7.1")


def test_managers_may_not_load_fx_rates(client_for, manager):
    assert client_for(manager).get("/imports/").status_code == 403


# --- the admin and the API ----------------------------------------------------------------------------------


def test_admins_see_the_rates_in_the_admin_but_cannot_edit_them(client_for, admin_user):
    rate = FxRateFactory()
    client = client_for(admin_user)
    listing = client.get(reverse("admin:accounts_fxrate_changelist"))
    assert listing.status_code == 200 and "USD" in listing.content.decode()
    assert client.get(reverse("admin:accounts_fxrate_add")).status_code == 403
    change = client.post(reverse("admin:accounts_fxrate_change", args=[rate.pk]), {"rate": "9"})
    assert change.status_code == 403
    rate.refresh_from_db()
    assert rate.rate == Decimal("7.1")


URL = "/api/v1/fx-rates/"


@pytest.mark.parametrize(("persona", "status"), [("teller", 403), ("manager", 200), ("admin_user", 200),
                                                 ("channel_system", 200)])
def test_who_may_read_the_rates_over_the_api(request, client_for, persona, status):
    assert reverse("accounts-api:fx-rate-list") == URL
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == status


def test_the_api_filters_rates_by_currency_and_dates(client_for, manager):
    for days, rate in [(10, "7.0"), (5, "7.1"), (1, "7.2")]:
        FxRateFactory(currency="USD", rate_date=TODAY - dt.timedelta(days=days), rate=Decimal(rate))
    FxRateFactory(currency="HKD", rate_date=YESTERDAY, rate=Decimal("0.91"))
    client = client_for(manager)

    body = client.get(URL, {"currency": "usd", "date_from": str(TODAY - dt.timedelta(days=6))}).json()

    assert body["count"] == 2
    assert [(r["currency"], r["rate"], r["base_currency"]) for r in body["results"]] == [
        ("USD", "7.2000000000", "CNY"), ("USD", "7.1000000000", "CNY")]


@pytest.mark.parametrize("query", [{"currency": "XYZ"}, {"date_from": "2026-13-01"},
                                   {"date_from": "2026-06-02", "date_to": "2026-06-01"}, {"currency": "US\x00"}])
def test_bad_api_filters_are_a_400(client_for, manager, query):
    response = client_for(manager).get(URL, query)
    assert response.status_code == 400


def test_the_rates_endpoint_is_in_the_schema(client_for, admin_user):
    schema = client_for(admin_user).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/fx-rates/" in schema["paths"]
