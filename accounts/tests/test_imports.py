"""Loading products and accounts from CSV, and the import_records command."""

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.imports import accounts_import, products_import
from accounts.models import Account, Product
from accounts.tests.factories import AccountFactory, ProductFactory
from branches.models import Branch
from customers.models import Customer
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "code,name,kind,name_en,launched_at"
ACCOUNTS = "account_no,customer_no,product_code,branch,currency,balance,opened_at,status"


def csv_file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def balanced(result):
    assert result.received == result.inserted + result.updated + result.unchanged + result.rejected
    return result


def counts(result) -> tuple[int, int, int, int, int]:
    balanced(result)
    return result.received, result.inserted, result.updated, result.unchanged, result.rejected


# --- products -----------------------------------------------------------------------------------------------


def test_products_load_with_their_kind_in_any_case():
    result = products_import(file=csv_file(PRODUCTS, "SAV-STD,个人储蓄存款,savings,Personal savings,2008-01-01",
                                           "CC-GOLD,金卡信用卡,Credit_Card,,"))
    assert counts(result) == (2, 2, 0, 0, 0)
    savings = Product.objects.get(code="SAV-STD")
    assert (savings.kind, savings.name_en, savings.launched_at, savings.active) == (
        "SAVINGS", "Personal savings", dt.date(2008, 1, 1), True)
    assert Product.objects.get(code="CC-GOLD").launched_at is None


def test_a_second_load_of_the_same_products_changes_nothing_and_a_renamed_one_is_updated():
    lines = (PRODUCTS, "SAV-STD,个人储蓄存款,SAVINGS,,2008-01-01", "TD-1Y,一年定期,TIME_DEPOSIT,,")
    products_import(file=csv_file(*lines))
    assert counts(products_import(file=csv_file(*lines))) == (2, 0, 0, 2, 0)
    result = products_import(file=csv_file(PRODUCTS, "SAV-STD,个人储蓄存款,SAVINGS,Savings,2008-01-01"))
    assert counts(result) == (1, 0, 1, 0, 0)
    assert Product.objects.get(code="SAV-STD").name_en == "Savings"


def test_a_product_of_an_unknown_kind_or_with_a_bad_date_is_rejected():
    result = products_import(file=csv_file(PRODUCTS, "BOND-1,国债,BOND,,", "TD-3Y,三年定期,TIME_DEPOSIT,,2008-1-1",
                                           "SAV-STD,储蓄,,,"))
    assert counts(result) == (3, 0, 0, 0, 3)
    assert [reject.reasons for reject in result.rejects] == [
        ["kind: 'BOND' is not one of CURRENT, SAVINGS, TIME_DEPOSIT, WEALTH, MORTGAGE, PERSONAL_LOAN, CREDIT_CARD, "
         "DEBIT_CARD, INSURANCE."],
        ["launched_at: '2008-1-1' is not a date written YYYY-MM-DD."],
        ["kind is required."]]


# --- accounts -----------------------------------------------------------------------------------------------


@pytest.fixture
def holder(branch):
    ProductFactory(code="SAV-STD", kind="SAVINGS")
    ProductFactory(code="CC-STD", kind="CREDIT_CARD")
    return CustomerFactory(customer_no="C1", home_branch=branch)


def test_accounts_load_with_signed_balances_and_the_default_currency(holder):
    result = accounts_import(file=csv_file(ACCOUNTS, "6222001,C1,SAV-STD,SH001,,-12.50,2020-01-02,",
                                           "6222002,C1,CC-STD,SH001,usd,3000,2021-05-06,dormant"))
    assert counts(result) == (2, 2, 0, 0, 0)
    savings, card = Account.objects.order_by("account_no")
    assert (savings.customer, savings.product.code, savings.branch.code) == (holder, "SAV-STD", "SH001")
    assert (savings.currency, savings.balance, savings.opened_at, savings.status) == (
        "CNY", Decimal("-12.50"), dt.date(2020, 1, 2), "ACTIVE")
    assert savings.balance_as_of is not None
    assert (card.currency, card.balance, card.status) == ("USD", Decimal("3000.00"), "DORMANT")  # owed: positive


def test_a_second_load_of_the_same_accounts_changes_nothing(holder):
    lines = (ACCOUNTS, "6222001,C1,SAV-STD,SH001,CNY,100.00,2020-01-02,ACTIVE",
             "6222002,C1,CC-STD,SH001,,0,2021-05-06,")
    accounts_import(file=csv_file(*lines))
    stamped = Account.objects.get(account_no="6222001").balance_as_of
    assert counts(accounts_import(file=csv_file(*lines))) == (2, 0, 0, 2, 0)
    assert Account.objects.get(account_no="6222001").balance_as_of == stamped


def test_a_new_balance_updates_the_account_and_its_stamp_and_empty_cells_keep_what_is_stored(holder):
    account = AccountFactory(account_no="6222001", customer=holder, product=Product.objects.get(code="SAV-STD"),
                             currency="USD", balance=Decimal("5.00"), status="DORMANT")
    result = accounts_import(file=csv_file(ACCOUNTS, "6222001,C1,SAV-STD,SH001,,7.25,,"))
    assert counts(result) == (1, 0, 1, 0, 0)
    account.refresh_from_db()
    assert (account.balance, account.currency, account.status, account.opened_at) == (
        Decimal("7.25"), "USD", "DORMANT", dt.date(2020, 1, 1))
    assert account.balance_as_of is not None


@pytest.mark.parametrize(("line", "reason"), [
    ("6222001,C9,SAV-STD,SH001,,,2020-01-01,", "customer_no: no customer has the number 'C9'."),
    ("6222001,C1,NOPE,SH001,,,2020-01-01,", "product_code: no product has the code 'NOPE'."),
    ("6222001,C1,SAV-STD,XX1,,,2020-01-01,", "branch: no branch has the code 'XX1'."),
    ("6222001,C1,SAV-STD,SH001,,abc,2020-01-01,", "balance: 'abc' is not an amount like -1234.56"),
    ("6222001,C1,SAV-STD,SH001,,12.345,2020-01-01,", "balance: '12.345' is not an amount like -1234.56"),
    ("6222001,C1,SAV-STD,SH001,,1e5,2020-01-01,", "balance: '1e5' is not an amount like -1234.56"),
    ('6222001,C1,SAV-STD,SH001,,"1,000.00",2020-01-01,', "balance: '1,000.00' is not an amount like -1234.56"),
    ("6222001,C1,SAV-STD,SH001,RMB1,,2020-01-01,", "currency: 'RMB1' is not an ISO 4217 currency code."),
    ("6222001,C1,SAV-STD,SH001,RMB,,2020-01-01,", "currency: 'RMB' is not an ISO 4217 currency code."),
    ("6222001,C1,SAV-STD,SH001,XYZ,,2020-01-01,", "currency: 'XYZ' is not an ISO 4217 currency code."),
    ("6222001,C1,SAV-STD,SH001,,,2020-02-30,", "opened_at: '2020-02-30' is not a date written YYYY-MM-DD."),
    ("6222001,C1,SAV-STD,SH001,,,0001-01-01,", "opened_at: '0001-01-01': A date from 1900-01-01 to 2999-12-31."),
    ("6222001,C1,SAV-STD,SH001,,,9999-12-31,", "opened_at: '9999-12-31': A date from 1900-01-01 to 2999-12-31."),
    ("6222001,C1,SAV-STD,SH001,,,2020-01-01,OPEN", "status: 'OPEN' is not one of ACTIVE, DORMANT, FROZEN, CLOSED."),
    ("6222001,C1,SAV-STD,SH001,,100,,", "opened_at is required for an account not loaded before."),
    ("6222001,,SAV-STD,SH001,,,2020-01-01,", "customer_no is required."),
])
def test_a_bad_account_row_is_rejected_with_its_reason_and_the_good_rows_load(holder, line, reason):
    result = accounts_import(file=csv_file(ACCOUNTS, "6222000,C1,SAV-STD,SH001,,1,2020-01-01,", line))
    assert counts(result) == (2, 1, 0, 0, 1)
    assert any(r.startswith(reason) for r in result.rejects[0].reasons), result.rejects[0].reasons
    assert not Account.objects.filter(account_no="6222001").exists()


def test_known_currency_codes_load_in_any_case_and_are_stored_upper_case(holder):
    result = accounts_import(file=csv_file(ACCOUNTS, "6222001,C1,SAV-STD,SH001,usd,1,2020-01-01,",
                                           "6222002,C1,SAV-STD,SH001,HKD,1,2020-01-01,",
                                           "6222003,C1,SAV-STD,SH001,,1,2020-01-01,"))
    assert counts(result) == (3, 3, 0, 0, 0)
    assert dict(Account.objects.values_list("account_no", "currency")) == {
        "6222001": "USD", "6222002": "HKD", "6222003": "CNY"}


def test_an_account_cannot_be_opened_after_the_day_it_was_closed(holder):
    AccountFactory(account_no="6222001", customer=holder, opened_at=dt.date(2020, 1, 1), closed_at=dt.date(2022, 1, 1))
    result = accounts_import(file=csv_file(ACCOUNTS, "6222001,C1,SAV-STD,SH001,,,2023-01-01,"))
    assert counts(result) == (1, 0, 0, 0, 1)
    assert result.rejects[0].reasons == ["opened_at is after the day the account was closed (2022-01-01)."]


def test_the_look_ups_take_one_query_per_chunk_not_per_row(holder, django_assert_max_num_queries):
    lines = [f"62220{i:02d},C1,SAV-STD,SH001,,{i},2020-01-01," for i in range(40)]
    with django_assert_max_num_queries(12):
        result = accounts_import(file=csv_file(ACCOUNTS, *lines))
    assert counts(result) == (40, 40, 0, 0, 0)


# --- the command --------------------------------------------------------------------------------------------


def write(tmp_path, name: str, *lines: str):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_command_loads_each_kind_in_order_and_prints_the_summary(tmp_path, capsys):
    files = {
        "branches": write(tmp_path, "b.csv", "code,name", "SH001,上海浦东支行"),
        "products": write(tmp_path, "p.csv", PRODUCTS, "SAV-STD,个人储蓄存款,SAVINGS,,"),
        "customers": write(tmp_path, "c.csv", "customer_no,full_name,home_branch", "C1,张伟,SH001", "C2,李娜,XX"),
        "accounts": write(tmp_path, "a.csv", ACCOUNTS, "6222001,C1,SAV-STD,SH001,,1.00,2020-01-01,"),
    }
    for kind, path in files.items():
        call_command("import_records", kind, str(path))
    out = capsys.readouterr().out
    assert "customers: received 2 = inserted 1 + updated 0 + unchanged 0 + rejected 1" in out
    assert "row 3 (customer_no C2): home_branch: no branch has the code 'XX'." in out
    assert "accounts: received 1 = inserted 1 + updated 0 + unchanged 0 + rejected 0" in out
    assert Account.objects.get(account_no="6222001").customer.customer_no == "C1"


def test_the_command_rejects_an_unknown_currency_with_its_reason_and_loads_the_good_rows(tmp_path, holder, capsys):
    path = write(tmp_path, "a.csv", ACCOUNTS, "6222001,C1,SAV-STD,SH001,USD,1.00,2020-01-01,",
                 "6222002,C1,SAV-STD,SH001,ABC,1.00,2020-01-01,")
    rejects = tmp_path / "rejects.csv"
    call_command("import_records", "accounts", str(path), "--rejects", str(rejects))
    out = capsys.readouterr().out
    assert "accounts: received 2 = inserted 1 + updated 0 + unchanged 0 + rejected 1" in out
    assert "row 3 (account_no 6222002): currency: 'ABC' is not an ISO 4217 currency code." in out
    (kept,) = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert (kept["account_no"], kept["currency"]) == ("6222002", "ABC")
    assert kept["reasons"] == "currency: 'ABC' is not an ISO 4217 currency code."
    assert list(Account.objects.values_list("account_no", "currency")) == [("6222001", "USD")]


def test_the_command_prints_the_first_fifty_rejects_and_writes_them_all_with_reasons(tmp_path, capsys):
    source = write(tmp_path, "b.csv", "code,name,city", *[f"B{i:03d},,上海市" for i in range(60)])
    rejects = tmp_path / "rejects.csv"
    call_command("import_records", "branches", str(source), "--rejects", str(rejects))
    out = capsys.readouterr().out
    assert out.count("name is required.") == 50
    assert "Rejected rows (50 of 60)" in out
    lines = rejects.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "row,code,name,city,reasons"
    assert lines[1] == "2,B000,,上海市,name is required."
    assert len(lines) == 61


def test_a_corrected_rejects_file_loads_as_it_is(tmp_path):
    rejects = tmp_path / "rejects.csv"
    call_command("import_records", "branches", str(write(tmp_path, "b.csv", "code,name", "SH001,")),
                 "--rejects", str(rejects))
    rejects.write_text(rejects.read_text(encoding="utf-8-sig").replace("SH001,,", "SH001,上海浦东支行,"))
    call_command("import_records", "branches", str(rejects))
    assert Branch.objects.get(code="SH001").name == "上海浦东支行"


def test_the_command_records_history_against_the_user_given(tmp_path, admin_user, branch):
    call_command("import_records", "customers", str(write(tmp_path, "c.csv", "customer_no,full_name,home_branch",
                                                         "C1,张伟,SH001")), "--user", admin_user.username)
    assert Customer.history.get(customer_no="C1").history_user == admin_user


@pytest.mark.parametrize(("lines", "message"), [
    (("code,city", "SH001,上海市"), re.escape("lacks the required column(s) name")),
    ((), "empty"),
])
def test_the_command_exits_non_zero_and_writes_nothing_when_the_file_cannot_be_loaded(tmp_path, lines, message):
    path = tmp_path / "b.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CommandError, match=message) as caught:
        call_command("import_records", "branches", str(path))
    assert "Nothing was loaded" in str(caught.value)
    assert not Branch.objects.exists()


@pytest.mark.slow
def test_manage_py_exits_with_status_1_and_a_clear_message_when_a_required_column_is_missing(tmp_path):
    path = write(tmp_path, "c.csv", "customer_no,full_name", "C1,张伟")
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "import_records", "customers", str(path)], cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "crm_site.settings.test"}, check=False)
    assert done.returncode == 1
    assert "The header lacks the required column(s) home_branch" in done.stderr
    assert "Nothing was loaded" in done.stderr


def test_the_command_exits_non_zero_for_a_missing_file_or_user(tmp_path):
    with pytest.raises(CommandError, match="cannot be opened"):
        call_command("import_records", "branches", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="No user"):
        call_command("import_records", "branches", str(write(tmp_path, "b.csv", "code,name")), "--user", "nobody")


def test_the_command_exits_zero_when_rows_are_rejected(tmp_path):
    path = write(tmp_path, "b.csv", "code,name", ",没有代码")
    call_command("import_records", "branches", str(path))  # raises CommandError (non-zero) otherwise
    assert not Branch.objects.exists()


def test_the_rejects_file_escapes_cells_a_spreadsheet_would_run(tmp_path):
    source = write(tmp_path, "b.csv", "code,name,city", ',"=HYPERLINK(""http://evil.example"")",@SUM(A1)')
    rejects = tmp_path / "rejects.csv"
    call_command("import_records", "branches", str(source), "--rejects", str(rejects))
    (row,) = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    assert row["name"] == "'=HYPERLINK(\"http://evil.example\")" and row["city"] == "'@SUM(A1)"
