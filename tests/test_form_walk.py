"""Every HTML form and filter, each field in turn given what no field should take (issue 11 §5, DESIGN §9).

Out-of-range and impossible dates in the date fields; NUL, oversized text and deeply nested brackets in
every field. Each answer is a 4xx or the form again with its errors, never a 500, and nothing is
written: no campaign, interaction, consent, profile change, batch, recorded outcome or import.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Product
from accounts.tests.factories import AccountFactory, ProductFactory
from branches.models import Branch
from campaigns.forms import CampaignForm
from campaigns.models import Campaign, CampaignRecipient, CampaignStatus, RecipientStatus
from campaigns.tests.factories import MESSAGES, CampaignFactory, customer_with
from customers.models import ConsentRecord, Customer, Interaction
from transactions.models import IngestBatch, RejectedRow, Transaction

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

AUDIENCE_FIELDS = set(CampaignForm.AUDIENCE_FIELDS)
NUL = "a\x00b"
OVERSIZED = "长" * 60_000
DEEP = "[" * 30_000 + "]" * 30_000
TEXT_VALUES = {"NUL": NUL, "oversized": OVERSIZED, "deeply nested": DEEP}
BAD_DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "10000-01-01", "0001-01-01T09:00", "9999-12-31T23:59"]
DATE_FIELDS = {"date_from", "date_to", "send_at"}
HTMX = {"HTTP_HX_REQUEST": "true"}
NAVIGATION = {"next"}  # where to go afterwards, not data: anything but a safe local address goes home


@pytest.fixture
def world(branch, manager, teller, channel_system):
    product = ProductFactory(code="WM-NEW", name="稳享理财", name_en="Steady Wealth", kind="WEALTH")
    customer = customer_with(branch=branch, consents=("SMS", "PHONE"), full_name="张伟",
                             date_of_birth=dt.date(1980, 5, 17))
    AccountFactory(customer=customer, product=product, balance=Decimal("1000.00"))
    draft = CampaignFactory(product=product, branch=branch, created_by=manager, channels=["SMS"],
                            messages={"SMS": MESSAGES["SMS"]})
    running = CampaignFactory(product=product, branch=branch, created_by=manager, status=CampaignStatus.RUNNING,
                              channels=["PHONE", "COUNTER"], launched_at=timezone.now(), started_at=timezone.now())
    call = CampaignRecipient.objects.create(campaign=running, customer=customer, channel="PHONE",
                                            status=RecipientStatus.SENT, sent_at=timezone.now())
    offer = CampaignRecipient.objects.create(campaign=running, customer=customer_with(branch=branch),
                                             channel="COUNTER", status=RecipientStatus.SENT, sent_at=timezone.now())
    batch = IngestBatch.objects.create(source="file", file_name="feed.csv", created_by=manager)
    return {"customer": customer, "draft": draft, "running": running, "call": call, "offer": offer, "batch": batch}


def campaign_form() -> dict:
    return {"name": "绿色理财推介", "product": "WM-NEW", "channels": ["SMS"], "holdout_share": "10",
            "send_at": "2030-01-01T09:00", "quiet_start": "21:00", "quiet_end": "08:00", "frequency_cap": "3",
            "conversion_window_days": "30", "age_min": "18", "age_max": "65", "aum_min": "0", "aum_max": "1000000",
            "cities": "上海市", "gender": "", "category_code": "", "category_min_share": "",
            "inactive_days_min": "", "self_service_ratio_max": "",
            "msg_SMS_zh_hans_body": "尊敬的{name}，{branch}为您推荐{product}。", "msg_EMAIL_zh_hans_subject": "",
            "msg_EMAIL_zh_hans_body": ""}


def feed_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("feed.csv", b"external_id,channel,account_no,occurred_at,amount,direction\n"
                                          b"E1,POS,6222,2025-03-01T10:00:00,1.00,DEBIT\n", content_type="text/csv")


def accounts_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("accounts.csv", b"account_no,customer_no,product_code,branch,opened_at\n",
                              content_type="text/csv")


# (name, persona, method, url(world), the form's valid values, extra request options)
FORMS = [
    ("campaign create", "manager", "post", lambda w: reverse("campaigns:create"), campaign_form, {}),
    ("campaign edit", "manager", "post",
     lambda w: reverse("campaigns:edit", kwargs={"campaign_id": w["draft"].pk}), campaign_form, {}),
    ("call outcome", "manager", "post",
     lambda w: reverse("campaigns:call-outcome", kwargs={"campaign_id": w["running"].pk,
                                                         "recipient_id": w["call"].pk}),
     lambda: {"outcome": "interested", "note": "下周再联系"}, HTMX),
    ("counter offer outcome", "teller", "post",
     lambda w: reverse("campaigns:offer-outcome", kwargs={"recipient_id": w["offer"].pk}),
     lambda: {"outcome": "interested", "note": "考虑中", "next": "/"}, HTMX),
    ("interaction", "teller", "post",
     lambda w: reverse("teller:interaction-add", kwargs={"customer_no": w["customer"].customer_no}),
     lambda: {"kind": "NOTE", "channel": "COUNTER", "text": "客户咨询理财"}, HTMX),
    ("consent", "teller", "post",
     lambda w: reverse("teller:consent-update", kwargs={"customer_no": w["customer"].customer_no}),
     lambda: {"channel": "EMAIL", "granted": "yes"}, HTMX),
    ("contact", "teller", "post",
     lambda w: reverse("teller:contact-update", kwargs={"customer_no": w["customer"].customer_no}),
     lambda: {"mobile": "+8613900001234", "email": "zhang@example.com", "address": "浦东新区世纪大道1号",
              "city": "上海市", "preferred_name": "张先生", "salutation": "先生", "preferred_language": "zh-hans",
              "preferred_contact_channel": "SMS", "preferred_contact_time": "ANY", "service_notes": "听力不好"}, HTMX),
    ("reveal ID", "teller", "post",
     lambda w: reverse("teller:reveal-id", kwargs={"customer_no": w["customer"].customer_no}),
     lambda: {"reason": "客户办理业务需要核对证件"}, HTMX),
    ("feed upload", "manager", "post", lambda w: reverse("transactions:batch-upload"),
     lambda: {"channel": "POS", "file": feed_file()}, {}),
    ("replay", "manager", "post", lambda w: reverse("transactions:batch-replay", kwargs={"batch_id": w["batch"].pk}),
     lambda: {"file": feed_file()}, {}),
    ("records import", "admin_user", "post", lambda w: reverse("accounts:import"),
     lambda: {"kind": "accounts", "file": accounts_file()}, {}),
    ("login", None, "post", lambda w: reverse("login"), lambda: {"username": "teller", "password": "wrong-one"}, {}),
]

# (name, persona, url(world), values, method: get unless given)
FILTERS = [
    ("transactions", "teller",
     lambda w: reverse("teller:transactions", kwargs={"customer_no": w["customer"].customer_no}),
     {"channel": "POS", "date_from": "2025-01-01", "date_to": "2025-12-31", "page": "1"}),
    ("access record", "admin_user", lambda w: reverse("customers:access-list"),
     {"date_from": "2025-01-01", "date_to": "2025-12-31", "customer": "C1", "staff": "teller", "via": "page",
      "action": "view", "page": "1"}),
    ("access CSV", "admin_user", lambda w: reverse("customers:access-csv"),
     {"date_from": "2025-01-01", "date_to": "2025-12-31", "via": "page"}),
    ("customer's access", "admin_user",
     lambda w: reverse("customers:access-customer", kwargs={"customer_no": w["customer"].customer_no}),
     {"date_from": "2025-01-01", "date_to": "2025-12-31", "page": "1"}),
    ("batches", "manager", lambda w: reverse("transactions:batch-list"), {"page": "1"}),
    ("batch", "manager", lambda w: reverse("transactions:batch-detail", kwargs={"batch_id": w["batch"].pk}),
     {"page": "1", "was": "running"}),
    ("dashboard", "admin_user", lambda w: reverse("scoring:branch-dashboard"), {"branch": "SH001"}),
    ("campaigns", "manager", lambda w: reverse("campaigns:list"), {"page": "1"}),
    ("call list", "manager", lambda w: reverse("campaigns:call-list", kwargs={"campaign_id": w["running"].pk}),
     {"page": "1"}),
    ("results", "manager", lambda w: reverse("campaigns:results", kwargs={"campaign_id": w["running"].pk}),
     {"since": "none"}),
    ("search", "teller", lambda w: reverse("teller:search"), {"q": "张伟"}),
    # the builder's live count reads its filters as they are typed (and says which it cannot count)
    ("audience count", "manager", lambda w: reverse("campaigns:audience-count"),
     {name: value for name, value in campaign_form().items() if name in AUDIENCE_FIELDS}, "post"),
    ("admin customers", "admin_user", lambda w: "/admin/customers/customer/",
     {"q": "张", "home_branch__id__exact": "1"}),
    ("admin transactions", "admin_user", lambda w: "/admin/transactions/transaction/",
     {"q": "6222", "channel__exact": "POS", "occurred_at__gte": "2025-01-01"}),
    ("admin campaigns", "admin_user", lambda w: "/admin/campaigns/campaign/", {"q": "理财", "status__exact": "draft"}),
]


def written(world) -> dict:
    """What a bad request must not change."""
    customer = Customer.objects.get(pk=world["customer"].pk)
    return {
        "campaigns": list(Campaign.objects.order_by("pk").values_list("pk", "name", "send_at", "audience")),
        "interactions": Interaction.objects.count(), "consents": ConsentRecord.objects.count(),
        "profile": (customer.address, customer.city, customer.mobile, customer.service_notes,
                    customer.history.count()),
        "batches": IngestBatch.objects.count(), "transactions": Transaction.objects.count(),
        "rejected": RejectedRow.objects.count(), "accounts": Account.objects.count(),
        "products": Product.objects.count(), "branches": Branch.objects.count(),
        "outcomes": list(CampaignRecipient.objects.order_by("pk").values_list("response", "responded_at")),
    }


def mutations(fields: dict):
    for field, value in fields.items():
        if isinstance(value, SimpleUploadedFile) or field in NAVIGATION:
            continue
        for kind, bad in TEXT_VALUES.items():
            yield field, kind, bad
        if field in DATE_FIELDS:
            for bad in BAD_DATES:
                yield field, "date", bad


def refused(response) -> bool:
    """A 4xx, or the form again with its errors (a login form answers 200)."""
    if 400 <= response.status_code < 500:
        return True
    body = response.content.decode(errors="replace")
    return response.status_code == 200 and ('class="error' in body or "errorlist" in body)


def persona_client(request, client, persona):
    if persona is not None:
        user = request.getfixturevalue(persona)
        if persona == "admin_user":
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "persona", "method", "url", "valid", "options"), FORMS, ids=[f[0] for f in FORMS])
def test_every_form_refuses_bad_values_in_every_field_and_writes_nothing(request, client, world, name, persona,
                                                                         method, url, valid, options):
    client = persona_client(request, client, persona)
    before = written(world)
    problems = []
    for field, kind, bad in mutations(valid()):
        data = {**valid(), field: bad}
        response = getattr(client, method)(url(world), data, **options)
        if response.status_code >= 500 or not refused(response):
            problems.append(f"{field}={kind}: {response.status_code}")
    assert not problems, f"{name}: {problems}"
    assert written(world) == before


@pytest.mark.parametrize("entry", FILTERS, ids=[f[0] for f in FILTERS])
def test_every_filter_refuses_bad_values_in_every_parameter(request, client, world, entry):
    name, persona, url, values, *method = entry
    client = persona_client(request, client, persona)
    before = written(world)
    problems = []
    for field, kind, bad in mutations(values):
        response = getattr(client, method[0] if method else "get")(url(world), {**values, field: bad}, **HTMX)
        if response.status_code >= 500:
            problems.append(f"{field}={kind}: {response.status_code}")
        elif kind in ("NUL", "date") and not refused(response):
            problems.append(f"{field}={kind}: {response.status_code}, not refused")
    assert not problems, f"{name}: {problems}"
    assert written(world) == before
