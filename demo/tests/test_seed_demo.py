import datetime as dt
import io

import pandas as pd
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.models import Account, Card, Product, ProductKind
from branches.models import Branch, StaffProfile
from crm_site import pii
from customers import identity
from customers.models import ConsentRecord, Customer
from customers.tests.factories import CustomerFactory
from demo import generators
from scoring.models import CustomerScore
from transactions.models import Channel, MerchantCategory, Transaction

User = get_user_model()
N = 30
STAFF = {(f"{role}_{suffix}", role, code) for suffix, code in (("sh", "SH001"), ("bj", "BJ001"), ("sz", "SZ001"))
         for role in ("teller", "manager", "admin")}


@pytest.fixture
def logins_file(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # keep the developer's .data/demo-logins.txt out of it
    return tmp_path / "demo-logins.txt"


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--customers", str(N), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db, logins_file):
    return seed()


def counts() -> dict[str, int]:
    models = (Branch, StaffProfile, User, Product, Customer, Customer.history.model, ConsentRecord, Account, Card,
              Transaction)
    return {model.__name__: model.objects.count() for model in models}


def logins_lines(path) -> list[list[str]]:
    return [line.split() for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def test_three_branches_each_with_a_teller_a_manager_and_an_admin(seeded):
    assert sorted(Branch.objects.values_list("code", flat=True)) == ["BJ001", "SH001", "SZ001"]
    profiles = StaffProfile.objects.select_related("user", "branch")
    assert {(p.user.username, p.role, p.branch.code) for p in profiles} == STAFF
    for profile in profiles:
        assert [g.name for g in profile.user.groups.all()] == [profile.role]


def test_every_product_kind_is_on_offer(seeded):
    assert set(Product.objects.values_list("kind", flat=True)) == set(ProductKind.values)
    assert not Product.objects.filter(name_en="").exists()


def test_customers_have_valid_resident_ids_and_derived_keys(seeded):
    customers = list(Customer.objects.all())
    assert len(customers) == N
    for c in customers:
        assert identity.validate_resident_id(c.id_number, c.date_of_birth) == c.id_number
        assert c.gender == ("M" if int(c.id_number[16]) % 2 else "F")
        assert c.id_number_hmac == pii.lookup_hmac(c.id_number)
        assert c.id_number_last4 == c.id_number[-4:]
        assert (c.name_pinyin, c.name_initials) == identity.name_search_keys(c.full_name)
        assert 18 <= c.age() <= 85
        assert c.customer_no[0] == "C" and len(c.customer_no) == 10
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM customers_customer")
        stored = {row[0] for row in cursor.fetchall()}
    assert not stored & {c.id_number for c in customers}  # ciphertext at rest


def test_mobiles_are_valid_mainland_numbers(seeded):
    mobiles = list(Customer.objects.values_list("mobile", flat=True))
    assert len(mobiles) == N
    for mobile in mobiles:
        assert mobile.startswith("+861")
        assert identity.normalise_mobile(mobile) == mobile


def test_transactions_cover_every_channel_none_in_the_future_all_positive(seeded):
    assert set(Transaction.objects.values_list("channel", flat=True).distinct()) == set(Channel.values)
    assert not Transaction.objects.filter(occurred_at__gt=timezone.now()).exists()
    amounts = list(Transaction.objects.values_list("amount", flat=True))
    assert all(a > 0 and a.as_tuple().exponent == -2 for a in amounts)
    assert 40 <= len(amounts) / N <= 120
    pos = Transaction.objects.filter(channel=Channel.POS)
    assert pos.exists()
    assert not pos.exclude(mcc__in=MerchantCategory.objects.values("mcc")).exists()
    assert not Transaction.objects.exclude(external_id__startswith="DEMO-C").exists()


def test_each_account_balance_is_its_newest_balance_after(seeded):
    checked = 0
    for account in Account.objects.all():
        newest = account.transactions.order_by("-occurred_at", "-external_id").first()
        if newest is None:
            continue
        assert newest.balance_after == account.balance
        checked += 1
    assert checked >= N  # every customer's main account has a history
    assert not Transaction.objects.filter(balance_after__lt=0).exists()


def test_cards_keep_only_first6_last4_and_hmac_of_luhn_valid_numbers(seeded):
    plan = generators.demo_plan(customers=N, seed=42, now=timezone.now())
    assert len(plan.cards) == Card.objects.count() > 0
    for pan in plan.cards["pan"]:
        assert luhn_valid(pan)
        assert Card.objects.filter(pan_hmac=pii.lookup_hmac(pan), pan_first6=pan[:6], pan_last4=pan[-4:]).exists()


def test_every_demo_customer_has_scores_and_tiers_follow_the_configured_shares(seeded, settings):
    tiers = dict(CustomerScore.objects.values_list("tier").annotate(n=Count("pk")))

    assert CustomerScore.objects.count() == Customer.objects.count() == N
    for tier, share in settings.SCORING_TIER_SHARES:
        assert abs(tiers.get(tier, 0) - share * N) <= 1, (tier, tiers)
    assert f"Scores computed for {N} customers." in seeded


def test_running_twice_changes_no_count(seeded):
    before = counts()
    out = seed()
    assert counts() == before
    assert before["Customer"] == N and before["Transaction"] > 0
    assert "Nothing new" in out


def test_loading_the_same_transactions_twice_inserts_nothing(seeded):
    plan = generators.demo_plan(customers=N, seed=42, now=timezone.now())
    customer_ids = generators._ids(Customer, "customer_no", plan.customers["customer_no"])
    account_ids = generators._ids(Account, "account_no", plan.accounts["account_no"])
    before = Transaction.objects.count()
    generators._staging_create()
    generators._staging_copy(plan.transactions, customer_ids, account_ids)
    assert generators._staging_insert() == 0
    assert Transaction.objects.count() == before


def test_if_empty_does_nothing_when_customers_exist(db, logins_file):
    CustomerFactory()
    out = seed("--if-empty")
    assert "present" in out
    assert Branch.objects.count() == 1
    assert not StaffProfile.objects.exists()
    assert not Transaction.objects.exists()
    assert not logins_file.exists()


def test_if_empty_brings_back_a_lost_logins_file_and_nothing_else(seeded, logins_file):
    before = counts()
    logins_file.unlink()
    out = seed("--if-empty")
    assert "present" in out and "changepassword" in out
    assert {line[1] for line in logins_lines(logins_file)} == {generators.NOT_KNOWN}
    assert len(logins_lines(logins_file)) == 9
    assert counts() == before


def test_seed_demo_refuses_settings_that_do_not_allow_demo_data(db, logins_file, settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="seed_demo refuses"):
        seed()
    assert not Customer.objects.exists() and not StaffProfile.objects.exists()
    assert not logins_file.exists()


def test_if_empty_seeds_an_empty_database(db, logins_file):
    seed("--if-empty")
    assert Customer.objects.count() == N


def test_logins_file_lists_the_nine_users_with_their_passwords(seeded, logins_file):
    lines = logins_lines(logins_file)
    assert {(line[0], line[2], line[3]) for line in lines} == STAFF
    for username, password, *_rest in lines:
        assert User.objects.get(username=username).check_password(password)
        assert password in seeded  # printed too
    assert logins_file.stat().st_mode & 0o777 == 0o600


def test_a_second_run_keeps_the_passwords_and_the_logins_file(seeded, logins_file):
    content = logins_file.read_text(encoding="utf-8")
    out = seed()
    assert logins_file.read_text(encoding="utf-8") == content
    for username, password, *_rest in logins_lines(logins_file):
        assert User.objects.get(username=username).check_password(password)
        assert password not in out


def test_a_second_run_without_the_logins_file_says_the_passwords_are_unknown(seeded, logins_file):
    old = {line[0]: line[1] for line in logins_lines(logins_file)}
    logins_file.unlink()
    out = seed()
    assert "changepassword" in out
    lines = logins_lines(logins_file)
    assert len(lines) == 9
    assert {line[1] for line in lines} == {generators.NOT_KNOWN}
    for username, password in old.items():
        assert User.objects.get(username=username).check_password(password)  # not reset


def test_a_logins_file_from_an_older_database_gets_the_new_passwords(db, logins_file):
    logins_file.parent.mkdir(parents=True, exist_ok=True)
    logins_file.write_text("teller_sh    stale-password     teller   SH001\n", encoding="utf-8")
    seed()
    lines = logins_lines(logins_file)
    assert len(lines) == 9
    for username, password, *_rest in lines:
        assert User.objects.get(username=username).check_password(password)


def test_the_same_seed_gives_the_same_data_and_more_customers_extend_it(db):
    now = timezone.now()
    first = generators.demo_plan(customers=N, seed=42, now=now)
    again = generators.demo_plan(customers=N, seed=42, now=now)
    pd.testing.assert_frame_equal(first.customers, again.customers)
    pd.testing.assert_frame_equal(first.transactions, again.transactions)
    longer = generators.demo_plan(customers=generators.BLOCK + N, seed=42, now=now)
    pd.testing.assert_frame_equal(first.customers, longer.customers.head(N))
    other = generators.demo_plan(customers=N, seed=7, now=now)
    assert list(other.customers["full_name"]) != list(first.customers["full_name"])


def test_patterns_differ_by_customer(db):
    now = timezone.now()
    plan = generators.demo_plan(customers=500, seed=42, now=now)
    people = plan.customers.set_index("customer_no")
    txns = plan.transactions.assign(age=plan.transactions["customer_no"].map(people["age"]))
    old, young = txns[txns["age"] >= 60], txns[txns["age"] < 35]
    share = {name: group["channel"].value_counts(normalize=True) for name, group in (("old", old), ("young", young))}
    assert share["old"]["COUNTER"] > 3 * share["young"]["COUNTER"]
    assert share["young"]["MOBILE"] > 2 * share["old"]["MOBILE"]
    last = txns.groupby("customer_no")["occurred_at"].max()
    assert (last < now - pd.Timedelta(days=200)).sum() >= 5  # dormant for 200+ days
    system = txns[txns["channel"] == Channel.SYSTEM]
    interest = system[system["description"] == "活期结息"]
    assert len(interest) and (interest["direction"] == "CREDIT").all() and interest["amount_cents"].max() < 500_000
    assert (system["description"] == "代发工资").any()
    category = txns["mcc"].map(dict(MerchantCategory.objects.values_list("mcc", "category")))
    favourite = category[txns["channel"] == Channel.POS].groupby(txns["customer_no"]).agg(lambda s: s.mode()[0])
    assert favourite.nunique() >= 4  # per-customer preferences, not one national basket


def test_people_look_like_a_branch_s_customers(db):
    now = timezone.now()
    people = generators.demo_plan(customers=500, seed=42, now=now).customers
    today = timezone.localdate(now)
    assert people["full_name"].str[:2].isin(generators.COMPOUND_SURNAMES).sum() >= 3
    assert 0 < (people["full_name"].str.len() == 2).mean() < 0.4
    assert (people["city"] == people["branch"].map({b.code: b.city for b in generators.BRANCHES})).mean() > 0.8
    assert 0.8 < (people["preferred_language"] == "zh-hans").mean() < 1
    assert people["service_notes"].str.contains("听力不好，请大声说话|偏好VIP窗口").sum() >= 5
    expiry = pd.to_datetime(people["id_expiry"])
    assert ((expiry >= pd.Timestamp(today)) & (expiry <= pd.Timestamp(today) + pd.Timedelta(days=60))).sum() >= 5
    assert sum(1 for dob in people["date_of_birth"] if days_to_birthday(dob, today) <= 14) >= 5
    assert set(people["income_band"]) >= {"LOW", "MIDDLE", "HIGH"}


def days_to_birthday(dob: dt.date, today: dt.date) -> int:
    for year in (today.year, today.year + 1):
        try:
            birthday = dob.replace(year=year)
        except ValueError:  # 29 February
            birthday = dt.date(year, 3, 1)
        if birthday >= today:
            return (birthday - today).days
    raise AssertionError("unreachable")
