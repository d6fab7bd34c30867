"""Who reaches which admin and access-record page (DESIGN §8): every role × page, in one table.

Tellers have no admin at all; managers read (their branch's profiles, access record and history) but change
nothing and merge nothing; admins do everything. The app's access-record pages follow the same rule.
"""

import pytest

from customers.models import AccessVia, CustomerAccessLog
from customers.tests.factories import CustomerFactory
from transactions.models import IngestBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(branch, teller):
    customer = CustomerFactory(home_branch=branch, full_name="李娜")
    twin = CustomerFactory(home_branch=branch, full_name="李娜", id_number="")
    CustomerAccessLog.objects.create(customer=customer, user=teller, via=AccessVia.PAGE)
    batch = IngestBatch.objects.create(source="api", file_name="feed.csv")
    return {"c": customer.pk, "no": customer.customer_no, "twin": twin.pk, "teller": teller.pk, "batch": batch.pk}


PAGES = {
    "admin home": ("get", "/admin/", {}),
    "customer list": ("get", "/admin/customers/customer/", {}),
    "customer search": ("get", "/admin/customers/customer/?q=lina", {}),
    "customer page": ("get", "/admin/customers/customer/{c}/change/", {}),
    "customer edit": ("post", "/admin/customers/customer/{c}/change/", {"full_name": "王芳"}),
    "customer add": ("get", "/admin/customers/customer/add/", {}),
    "customer history": ("get", "/admin/customers/customer/{c}/history/", {}),
    "reveal ID": ("get", "/admin/customers/customer/{c}/reveal-id/", {}),
    "duplicates": ("get", "/admin/customers/customer/duplicates/", {}),
    "merge form": ("get", "/admin/customers/customer/merge/?a={c}&b={twin}", {}),
    "not a duplicate": ("post", "/admin/customers/customer/duplicates/dismiss/", {"a": "{c}", "b": "{twin}"}),
    "access log (admin)": ("get", "/admin/customers/customeraccesslog/", {}),
    "merge records": ("get", "/admin/customers/customermerge/", {}),
    "batches (admin)": ("get", "/admin/transactions/ingestbatch/", {}),
    "batch (admin)": ("get", "/admin/transactions/ingestbatch/{batch}/change/", {}),
    "access record": ("get", "/access/", {}),
    "customer's access": ("get", "/access/customers/{no}/", {}),
    "staff's access": ("get", "/access/staff/{teller}/", {}),
    "access CSV": ("get", "/access/export.csv", {}),
    "profile history": ("get", "/access/customers/{no}/history/", {}),
}
LOGIN = "login"  # a redirect to the admin's login form: no admin at all

EXPECTED = {
    "teller": {**{page: LOGIN for page in PAGES if page.startswith(("admin", "customer", "reveal", "dup", "merge",
                                                                    "not", "batch"))},
               "access log (admin)": LOGIN, "access record": 403, "customer's access": 403, "staff's access": 403,
               "access CSV": 403, "profile history": 403},
    "manager": {"admin home": 200, "customer list": 200, "customer search": 200, "customer page": 200,
                "customer edit": 403, "customer add": 403, "customer history": 200, "reveal ID": 200,
                "duplicates": 403, "merge form": 403, "not a duplicate": 403, "access log (admin)": 200,
                "merge records": 403, "batches (admin)": 200, "batch (admin)": 200, "access record": 200,
                "customer's access": 200, "staff's access": 200, "access CSV": 200, "profile history": 200},
    # another branch's manager: the customer is not theirs to read
    "other_branch_manager": {"customer page": 302, "customer history": 404, "reveal ID": 404,
                             "customer's access": 403, "profile history": 403, "access record": 200},
    "admin_user": {**dict.fromkeys(PAGES, 200), "not a duplicate": 302},
}


def _cases():
    return [(persona, page) for persona, pages in EXPECTED.items() for page in pages]


@pytest.mark.parametrize(("persona", "page"), _cases())
def test_each_role_reaches_exactly_the_admin_pages_it_may(request, client_for, world, persona, page):
    method, url, data = PAGES[page]
    client = client_for(request.getfixturevalue(persona))
    response = getattr(client, method)(url.format(**world), {k: v.format(**world) for k, v in data.items()})
    expected = EXPECTED[persona][page]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == expected, response.content.decode()[:500]


def test_the_teller_table_covers_every_page():
    assert set(EXPECTED["teller"]) == set(PAGES)
    assert set(EXPECTED["manager"]) == set(PAGES)
    assert set(EXPECTED["admin_user"]) == set(PAGES)


def test_a_manager_sees_a_profile_read_only_with_contact_details_masked(client_for, manager, branch):
    customer = CustomerFactory(home_branch=branch, mobile="13812345678", email="lina@example.com")
    html = client_for(manager).get(f"/admin/customers/customer/{customer.pk}/change/").content.decode()
    assert "138****5678" in html and "l***@example.com" in html
    assert "+8613812345678" not in html and "lina@example.com" not in html
    assert 'name="_save"' not in html


def test_a_manager_lists_only_their_branchs_customers_in_the_admin(client_for, manager, branch, other_branch):
    ours = CustomerFactory(home_branch=branch, full_name="李娜")
    CustomerFactory(home_branch=other_branch, full_name="王芳")
    response = client_for(manager).get("/admin/customers/customer/")
    assert list(response.context["cl"].result_list) == [ours]


def test_the_batch_admin_links_to_the_batch_page(client_for, admin_user):
    batch = IngestBatch.objects.create(source="api", file_name="feed.csv")
    html = client_for(admin_user).get(f"/admin/transactions/ingestbatch/{batch.pk}/change/").content.decode()
    assert f'href="/transactions/batches/{batch.pk}/"' in html


# --- every registered ModelAdmin × role × own / other branch's row (issue 11 §2) ---------------------------
#
# Each admin page is opened by every persona: the changelist, the add form, and the change and delete pages
# of a row of the manager's branch ("own") and of another branch ("other"). Managers see in /admin/ no more than
# the app shows them: OWN pages show their branch's rows only (another branch's row is "not found"), ALL pages
# hold no branch's data, and NONE pages (no equivalent in the app) are closed to them. The registry is walked
# as it is, so a newly registered ModelAdmin fails test_every_registered_admin_page_is_in_the_matrix until it
# has a row here.

import datetime as dt  # noqa: E402
from decimal import Decimal  # noqa: E402

from axes.models import AccessAttempt, AccessFailureLog, AccessLog  # noqa: E402
from django.contrib import admin as django_admin  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token, TokenProxy  # noqa: E402

from accounts.admin import AccountAdmin  # noqa: E402
from accounts.models import Account, FxRate  # noqa: E402
from accounts.tests.factories import AccountFactory, CardFactory, ProductFactory  # noqa: E402
from branches import services as branch_services  # noqa: E402
from branches.models import StaffProfile  # noqa: E402
from campaigns.models import Campaign, CampaignRecipient, CampaignResult, OutboxMessage  # noqa: E402
from campaigns.tests.factories import CampaignFactory  # noqa: E402
from counter.models import Counter, CounterSettings, Ticket  # noqa: E402
from crm_site.admin_tools import ScopedAdminMixin, ScopedRelatedFieldListFilter  # noqa: E402
from customers.admin import CustomerScopedAdminMixin  # noqa: E402
from customers.models import ConsentRecord, Customer, CustomerMerge, DuplicateDismissal, Interaction  # noqa: E402
from scoring.tests.factories import CustomerScoreFactory, ScoreRunFactory  # noqa: E402
from transactions.models import MerchantCategory, RejectedRow, Transaction  # noqa: E402


def _someone(n):
    return branch_services.staff_create(username=f"clerk{n}", password=PASSWORD_FOR_BUILT_STAFF,
                                        branch=_BRANCHES[n], role="teller")


PASSWORD_FOR_BUILT_STAFF = "another-long-password-7"
_BRANCHES = {}


def _customer(branch, n):
    return CustomerFactory(home_branch=branch, full_name=["李娜", "王芳"][n], id_number="")


def _account(branch, n):
    return AccountFactory(customer=_customer(branch, n), account_no=f"62220000000000000{n}",
                          product=ProductFactory(code=f"SAV-{n}"))


def _campaign(branch, n):
    return CampaignFactory(branch=branch, product=ProductFactory(code=f"WM-{n}", kind="WEALTH"))


def _recipient(branch, n):
    return CampaignRecipient.objects.create(campaign=_campaign(branch, n), customer=_customer(branch, n),
                                            channel="SMS")


def _batch(n):
    return IngestBatch.objects.create(source="api", file_name=f"feed-{n}.csv")


_AXES = {"user_agent": "test", "ip_address": "10.0.0.1", "http_accept": "*/*", "path_info": "/login/"}

# model label: (what a manager sees, build(branch, n) -> a row of that branch; n is 0 for own, 1 for other)
OWN, ALL, NONE = "own branch's rows", "every row", "no page"
MATRIX = {
    "auth.group": (NONE, lambda branch, n: Group.objects.get(name=["teller", "manager"][n])),
    "auth.user": (NONE, lambda branch, n: _someone(n)),
    "authtoken.tokenproxy": (NONE, lambda branch, n: TokenProxy.objects.get(
        pk=Token.objects.create(user=_someone(n)).pk)),
    "axes.accessattempt": (NONE, lambda branch, n: AccessAttempt.objects.create(
        username=f"u{n}", get_data="", post_data="", failures_since_start=1, **_AXES)),
    "axes.accesslog": (NONE, lambda branch, n: AccessLog.objects.create(username=f"u{n}", **_AXES)),
    "axes.accessfailurelog": (NONE, lambda branch, n: AccessFailureLog.objects.create(username=f"u{n}", **_AXES)),
    "branches.branch": (ALL, lambda branch, n: branch),
    "branches.staffprofile": (NONE, lambda branch, n: StaffProfile.objects.get(user=_someone(n))),
    "customers.customer": (OWN, _customer),
    "customers.customeraccesslog": (OWN, lambda branch, n: CustomerAccessLog.objects.create(
        customer=_customer(branch, n), user=_someone(n), via=AccessVia.PAGE)),
    "customers.consentrecord": (OWN, lambda branch, n: ConsentRecord.objects.create(
        customer=_customer(branch, n), channel="SMS", granted=True, source="import")),
    "customers.interaction": (OWN, lambda branch, n: Interaction.objects.create(
        customer=_customer(branch, n), staff=_someone(n), channel="COUNTER", kind="note", text="prefers mornings")),
    "customers.customermerge": (NONE, lambda branch, n: CustomerMerge.objects.create(
        survivor=_customer(branch, n), merged=CustomerFactory(home_branch=branch), merged_by=_someone(n))),
    "customers.duplicatedismissal": (NONE, lambda branch, n: DuplicateDismissal.objects.create(
        customer_a=_customer(branch, n), customer_b=CustomerFactory(home_branch=branch), dismissed_by=_someone(n))),
    "accounts.product": (ALL, lambda branch, n: ProductFactory(code=f"P-{n}")),
    "accounts.account": (OWN, _account),
    "accounts.card": (OWN, lambda branch, n: CardFactory(account=_account(branch, n))),
    "transactions.merchantcategory": (ALL, lambda branch, n: MerchantCategory.objects.order_by("mcc")[n]),
    "transactions.transaction": (OWN, lambda branch, n: Transaction.objects.create(
        channel="POS", external_id=f"T{n}", account=(account := _account(branch, n)), customer=account.customer,
        occurred_at=timezone.now() - dt.timedelta(days=1), amount=Decimal("88.00"), direction="DEBIT")),
    "transactions.ingestbatch": (ALL, lambda branch, n: _batch(n)),
    "transactions.rejectedrow": (ALL, lambda branch, n: RejectedRow.objects.create(
        batch=_batch(n), row_number=1, raw={"external_id": "x"}, reasons=[{"code": "bad_amount"}])),
    "scoring.customerscore": (OWN, lambda branch, n: CustomerScoreFactory(customer=_customer(branch, n))),
    "scoring.scorerun": (ALL, lambda branch, n: ScoreRunFactory()),
    "campaigns.campaign": (OWN, _campaign),
    "campaigns.campaignrecipient": (OWN, _recipient),
    "campaigns.outboxmessage": (OWN, lambda branch, n: OutboxMessage.objects.create(
        recipient=_recipient(branch, n), channel="SMS", body="稳享理财上新")),
    "campaigns.campaignresult": (OWN, lambda branch, n: CampaignResult.objects.create(
        campaign=_campaign(branch, n), computed_at=timezone.now(), data={})),
    "accounts.fxrate": (ALL, lambda branch, n: FxRate.objects.create(
        currency=["USD", "HKD"][n], rate_date=dt.date(2026, 1, 5), rate=Decimal(["7.1000", "0.9100"][n]))),
    "counter.counter": (OWN, lambda branch, n: Counter.objects.create(branch=branch, code=f"A0{n}", kind="INTEGRATED")),
    "counter.countersettings": (OWN, lambda branch, n: CounterSettings.objects.get_or_create(branch=branch)[0]),
    "counter.ticket": (OWN, lambda branch, n: Ticket.objects.create(
        branch=branch, day=timezone.localdate(), number=f"A10{n}", queue="INTEGRATED", service="OTHER",
        customer=_customer(branch, n))),
}
# What the admin role may do beyond reading (model permissions and the admins' read-only rules), and the pages
# that only a superuser made with createsuperuser opens (the admin role holds no permission of theirs).
ADMIN_ADDS = {"branches.branch", "branches.staffprofile", "auth.user", "customers.customer", "accounts.product",
              "counter.counter", "counter.countersettings"}
ADMIN_DELETES = {"branches.staffprofile", "customers.duplicatedismissal", "counter.counter"}
SUPERUSER_ONLY = {"authtoken.tokenproxy", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
# Pages where managers add or delete rows (of their own branch); by default they read and never write.
MANAGER_ADDS: set[str] = {"counter.counter", "counter.countersettings"}  # their branch's counters and rules
MANAGER_DELETES: set[str] = set()
# Models with a foreign key to Customer whose admin pages show no customer's data, and why.
NOT_CUSTOMER_READS = {"customers.customeraccesslog": "the record of reads is oversight, not a look at the customer",
                      "counter.ticket": "the ticket page leaves the customer out (the queue, not the profile)"}
REGISTERED = sorted(model._meta.label_lower for model in django_admin.site._registry)
PERSONAS = ["teller", "manager", "other_branch_manager", "admin_user"]
NOT_FOUND = "not found"  # the admin's answer for a row outside the reader's scope: back to the admin home


def test_every_registered_admin_page_is_in_the_matrix():
    assert set(REGISTERED) == set(MATRIX)


def test_every_registered_admin_narrows_its_rows_with_the_scope_mixin():
    unscoped = [model._meta.label_lower for model, model_admin in django_admin.site._registry.items()
                if not isinstance(model_admin, ScopedAdminMixin)]
    assert unscoped == []


def test_every_admin_of_rows_about_a_customer_logs_their_reads():
    """A model with a foreign key to Customer shows a customer's data: its admin records each read."""
    not_logged = []
    for model, model_admin in django_admin.site._registry.items():
        keyed = model is Customer or any(getattr(f, "related_model", None) is Customer for f in model._meta.fields)
        if model._meta.label_lower in NOT_CUSTOMER_READS or not keyed:
            continue
        if not (isinstance(model_admin, CustomerScopedAdminMixin) and model_admin.log_reads
                and model_admin.customer_paths):
            not_logged.append(model._meta.label_lower)
    assert not_logged == []


def _expected(label, persona, action, row):
    """The status (or LOGIN, NOT_FOUND) a persona gets for an action on a model's page; row is own/other."""
    kind, _ = MATRIX[label]
    if persona == "teller":
        return LOGIN  # tellers have no admin
    if persona == "admin_user":
        if label in SUPERUSER_ONLY:
            return 403
        if action == "add":
            return 200 if label in ADMIN_ADDS else 403
        if action == "delete":
            return 200 if label in ADMIN_DELETES else 403
        return 200
    mine = row == ("own" if persona == "manager" else "other")
    if kind == NONE:
        return 403
    if action == "add":
        return 200 if label in MANAGER_ADDS else 403
    if action == "delete" and label not in MANAGER_DELETES:
        return 403  # the permission is missing whatever the row
    if action == "changelist" or kind == ALL or mine:
        return 200
    return NOT_FOUND


def _status(response):
    if response.status_code == 302 and response["Location"].startswith("/admin/login/"):
        return LOGIN
    if response.status_code == 302 and response["Location"] == "/admin/":
        return NOT_FOUND
    return response.status_code


@pytest.mark.parametrize("label", REGISTERED)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_opens_each_admin_page_for_exactly_the_rows_it_may(request, client_for, branch, other_branch,
                                                                    persona, label):
    _BRANCHES.update({0: branch, 1: other_branch})
    kind, build = MATRIX[label]
    rows = {"own": build(branch, 0), "other": build(other_branch, 1)}
    client = client_for(request.getfixturevalue(persona))
    app, model = label.split(".")
    base = f"/admin/{app}/{model}/"
    got, want = {}, {}
    for action in ("changelist", "add"):
        response = client.get(base if action == "changelist" else base + "add/")
        got[action], want[action] = _status(response), _expected(label, persona, action, None)
        if action == "changelist" and got[action] == 200 and persona in ("manager", "other_branch_manager"):
            listed = {row.pk for row in response.context["cl"].result_list}
            for which, row in rows.items():
                visible = kind == ALL or which == ("own" if persona == "manager" else "other")
                got[f"listed {which}"], want[f"listed {which}"] = row.pk in listed, visible
    for which, row in rows.items():
        for action in ("change", "delete"):
            response = client.get(f"{base}{row.pk}/{action}/")
            got[f"{action} {which}"], want[f"{action} {which}"] = _status(response), _expected(
                label, persona, action, which)
    assert got == want


def test_a_manager_opening_an_account_in_the_admin_is_a_read_of_its_customer_on_record(client_for, manager, branch):
    account = AccountFactory(customer=CustomerFactory(home_branch=branch))
    assert client_for(manager).get(f"/admin/accounts/account/{account.pk}/change/").status_code == 200
    log = CustomerAccessLog.objects.get(user=manager)
    assert (log.customer_id, log.via) == (account.customer_id, AccessVia.ADMIN)


def test_a_changelist_of_customer_rows_records_a_read_of_each_customer_shown(client_for, manager, branch,
                                                                            other_branch):
    ours = [AccountFactory(customer=CustomerFactory(home_branch=branch)) for _ in range(3)]
    AccountFactory(customer=CustomerFactory(home_branch=other_branch))
    assert client_for(manager).get("/admin/accounts/account/").status_code == 200
    logged = CustomerAccessLog.objects.filter(user=manager, via=AccessVia.ADMIN)
    assert sorted(logged.values_list("customer_id", flat=True)) == sorted(a.customer_id for a in ours)


def test_an_outbox_message_of_another_branch_is_not_found_and_nothing_of_it_is_shown(client_for, manager,
                                                                                    other_branch):
    message = OutboxMessage.objects.create(recipient=CampaignRecipient.objects.create(
        campaign=CampaignFactory(branch=other_branch), customer=CustomerFactory(home_branch=other_branch),
        channel="SMS"), channel="SMS", body="退订 https://crm.example/unsubscribe/secret-token/")
    client = client_for(manager)
    assert "secret-token" not in client.get("/admin/campaigns/outboxmessage/").content.decode()
    response = client.get(f"/admin/campaigns/outboxmessage/{message.pk}/change/")
    assert _status(response) == NOT_FOUND
    assert not CustomerAccessLog.objects.filter(user=manager).exists()


def test_a_foreign_keys_choices_in_the_admin_are_the_rows_its_own_admin_shows(rf, manager, branch, other_branch):
    ours = CustomerFactory(home_branch=branch)
    CustomerFactory(home_branch=other_branch)
    request = rf.get("/admin/accounts/account/add/")
    request.user = manager
    model_admin = AccountAdmin(Account, django_admin.site)
    choices = model_admin.get_field_queryset(None, Account._meta.get_field("customer"), request)
    assert list(choices) == [ours]


def test_the_raw_id_popup_lists_only_the_managers_customers(client_for, manager, branch, other_branch):
    ours = CustomerFactory(home_branch=branch)
    CustomerFactory(home_branch=other_branch)
    response = client_for(manager).get("/admin/customers/customer/?_to_field=id&_popup=1")
    assert [c.pk for c in response.context["cl"].result_list] == [ours.pk]


def test_a_related_field_filter_lists_only_the_rows_the_reader_may_see(rf, manager, branch, other_branch):
    ours = CampaignFactory(branch=branch, product=ProductFactory(code="WM-A", kind="WEALTH"))
    CampaignFactory(branch=other_branch, product=ProductFactory(code="WM-B", kind="WEALTH"))
    request = rf.get("/admin/campaigns/campaignrecipient/")
    request.user = manager
    model_admin = django_admin.site.get_model_admin(CampaignRecipient)
    field = CampaignRecipient._meta.get_field("campaign")
    listed = ScopedRelatedFieldListFilter(field, request, {}, CampaignRecipient, model_admin, "campaign")
    assert [pk for pk, _label in listed.lookup_choices] == [ours.pk]
    assert ("branch", ScopedRelatedFieldListFilter) in django_admin.site.get_model_admin(
        Campaign).get_list_filter(request)  # plain relation filters become scoped ones


SEARCHABLE = sorted(model._meta.label_lower for model, model_admin in django_admin.site._registry.items()
                    if model_admin.search_fields)


@pytest.mark.parametrize("label", SEARCHABLE)
def test_no_admin_search_takes_an_identifier_into_its_address(client_for, admin_user, label):
    """Every admin search box is a GET: an ID, mobile, card or account number is refused, with the way to
    the customer search page (which posts), and nothing is listed."""
    app, model = label.split(".")
    response = client_for(admin_user).get(f"/admin/{app}/{model}/", {"q": "6222 0200 0000 0001"})
    if response.status_code == 403:  # pages only a superuser made at the command line opens
        return
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert "/search/" in response.content.decode()
