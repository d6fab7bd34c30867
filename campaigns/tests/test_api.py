"""The campaigns API: every role × endpoint, the preview's shape, and 4xx (never 500) for bad input."""

from __future__ import annotations

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignRecipient, CampaignResult, CampaignStatus, RecipientStatus
from customers.models import CustomerAccessLog

from .factories import MESSAGES, CampaignFactory, customer_with

pytestmark = pytest.mark.django_db
API = "/api/v1/campaigns/"
ROLES = ("teller", "manager", "other_branch_manager", "admin_user", "channel_system")


def _campaign(branch, product, author, status):
    campaign = CampaignFactory(product=product, branch=branch, created_by=author, status=status,
                               channels=["SMS", "PHONE"])
    if status in (CampaignStatus.RUNNING, CampaignStatus.COMPLETED):
        Campaign.objects.filter(pk=campaign.pk).update(started_at=timezone.now(), launched_at=timezone.now())
        CampaignResult.objects.create(campaign=campaign, computed_at=timezone.now(), data={"funnel": {}})
    return campaign


def _counter_offer(branch, product, author):
    campaign = _campaign(branch, product, author, CampaignStatus.RUNNING)
    return CampaignRecipient.objects.create(campaign=campaign, customer=customer_with(branch=branch),
                                            channel="COUNTER", status=RecipientStatus.SENT, sent_at=timezone.now())


# (name, method, path(campaign or recipient), body, campaign status, expected per role in ROLES order)
ENDPOINTS = [
    ("list", "get", lambda c: API, None, None, (403, 200, 200, 200, 403)),
    ("create", "post", lambda c: API, "draft", None, (403, 201, 201, 201, 403)),
    ("preview", "post", lambda c: f"{API}preview/", "preview", None, (403, 200, 200, 200, 403)),
    ("audience-count", "post", lambda c: f"{API}audience-count/", {"audience": {}}, None, (403, 200, 200, 200, 403)),
    ("retrieve", "get", lambda c: f"{API}{c.pk}/", None, "draft", (403, 200, 404, 200, 403)),
    ("update", "patch", lambda c: f"{API}{c.pk}/", {"name": "新名字"}, "draft", (403, 200, 404, 200, 403)),
    ("submit", "post", lambda c: f"{API}{c.pk}/submit/", None, "draft", (403, 200, 404, 200, 403)),
    ("return", "post", lambda c: f"{API}{c.pk}/return/", None, "pending_approval", (403, 200, 404, 200, 403)),
    ("approve", "post", lambda c: f"{API}{c.pk}/approve/", None, "pending_approval", (403, 200, 404, 200, 403)),
    ("launch-counts", "get", lambda c: f"{API}{c.pk}/launch/", None, "approved", (403, 200, 404, 200, 403)),
    ("launch", "post", lambda c: f"{API}{c.pk}/launch/", {"confirm": True}, "approved", (403, 202, 404, 202, 403)),
    ("cancel", "post", lambda c: f"{API}{c.pk}/cancel/", None, "approved", (403, 200, 404, 200, 403)),
    ("results", "get", lambda c: f"{API}{c.pk}/results/", None, "completed", (403, 200, 404, 200, 403)),
    ("refresh", "post", lambda c: f"{API}{c.pk}/results/", None, "completed", (403, 202, 404, 202, 403)),
    ("recipients", "get", lambda c: f"{API}{c.pk}/recipients/", None, "running", (403, 200, 404, 200, 403)),
    ("call-list", "get", lambda c: f"{API}{c.pk}/call-list.csv", None, "running", (403, 200, 404, 200, 403)),
    ("call-list-reveal", "post", lambda c: f"{API}{c.pk}/call-list.csv", {"reveal": True}, "running",
     (403, 200, 404, 200, 403)),
    ("outcome", "post", lambda r: f"{API}recipients/{r.pk}/outcome/", {"outcome": "interested"}, "offer",
     (200, 200, 200, 200, 403)),
]


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "status", "expected"), ENDPOINTS,
                         ids=[e[0] for e in ENDPOINTS])
def test_role_by_endpoint(request, api_client, branch, product, second_manager, draft_data, role_index, name, method,
                          path, body, status, expected):
    user = request.getfixturevalue(ROLES[role_index])
    target = None
    if status == "offer":
        target = _counter_offer(branch, product, second_manager)
    elif status:
        target = _campaign(branch, product, second_manager, status)
    if body == "draft":
        body = draft_data
    elif body == "preview":
        body = {"product": product.code, "channels": ["SMS"], "audience": {}}
    api_client.force_authenticate(user)
    response = getattr(api_client, method)(path(target), body, format="json")
    assert response.status_code == expected[role_index], (ROLES[role_index], name, response.content[:300])


def test_unauthenticated_calls_are_refused(api_client):
    assert api_client.get(API).status_code == 401


def test_other_branch_campaigns_are_not_listed(api_client, branch, product, second_manager, other_branch_manager):
    _campaign(branch, product, second_manager, CampaignStatus.DRAFT)
    api_client.force_authenticate(other_branch_manager)
    assert api_client.get(API).json()["count"] == 0


def test_preview_answers_the_design_shape_with_a_masked_sample(api_client, manager, branch, product):
    for n in range(25):
        customer_with(branch=branch, consents=("SMS",), mobile=f"+86138000000{n:02d}")
    customer_with(branch=branch, consents=(), full_name="无同意")
    api_client.force_authenticate(manager)
    response = api_client.post(f"{API}preview/", {"product": "WM-NEW", "channels": ["SMS", "EMAIL"],
                                                  "audience": {"age_min": 18}}, format="json")
    data = response.json()
    assert set(data) == {"eligible", "excluded", "by_channel", "sample"}
    assert data["eligible"] == 25 and data["by_channel"] == {"SMS": 25, "EMAIL": 0}
    assert data["excluded"] == {"no_consent": 1, "do_not_contact": 0, "frequency_cap": 0, "holds_product": 0}
    assert len(data["sample"]) == 20
    assert all("****" in row["masked_mobile"] for row in data["sample"])
    assert "+8613800000000" not in response.content.decode()


@pytest.mark.parametrize("body", [
    [], "text", {"product": "NOPE", "channels": ["SMS"]}, {"product": "WM-NEW", "channels": "SMS"},
    {"product": "WM-NEW", "channels": ["FAX"]}, {"product": "WM-NEW", "channels": ["SMS"], "audience": []},
    {"product": "WM-NEW", "channels": ["SMS"], "audience": {"age_min": "x"}},
    {"product": "WM-NEW", "channels": ["SMS"], "colour": 1}, {"product": 7, "channels": ["SMS"]},
    {"product": "WM-NEW", "channels": ["SMS"], "frequency_cap": "many"},
])
def test_a_bad_preview_body_is_a_400_with_a_message(api_client, manager, product, body):
    api_client.force_authenticate(manager)
    response = api_client.post(f"{API}preview/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()


def test_a_bad_draft_is_a_400_naming_each_field(api_client, manager, other_branch, draft_data):
    api_client.force_authenticate(manager)
    response = api_client.post(API, {**draft_data, "audience": {"age_min": 60, "age_max": 20, "branches": ["BJ001"]},
                                     "messages": {"SMS": {"zh-hans": {"body": "{oops}"}}}}, format="json")
    assert response.status_code == 400
    assert {"audience.age_max", "audience.branches", "messages.SMS.zh-hans.body"} <= set(response.json())


def test_a_manager_naming_another_branch_in_the_audience_is_refused(api_client, manager, other_branch, draft_data):
    api_client.force_authenticate(manager)
    response = api_client.post(API, {**draft_data, "audience": {"branches": ["BJ001"]}}, format="json")
    assert response.status_code == 400
    assert "SH001" in response.json()["audience.branches"][0]


def test_the_author_approving_is_refused_with_a_message(api_client, manager, draft_data):
    api_client.force_authenticate(manager)
    campaign_id = api_client.post(API, draft_data, format="json").json()["id"]
    assert api_client.post(f"{API}{campaign_id}/submit/").status_code == 200
    response = api_client.post(f"{API}{campaign_id}/approve/")
    assert response.status_code == 403
    assert "another manager" in response.json()["detail"]


def test_a_wrong_state_is_a_409(api_client, manager, draft_data):
    api_client.force_authenticate(manager)
    campaign_id = api_client.post(API, draft_data, format="json").json()["id"]
    response = api_client.post(f"{API}{campaign_id}/launch/", {"confirm": True}, format="json")
    assert response.status_code == 409 and response.json()["detail"]


def test_launch_answers_202_and_queues_the_fanout_on_commit(api_client, manager, second_manager, draft_data, queued,
                                                           django_capture_on_commit_callbacks):
    api_client.force_authenticate(manager)
    campaign_id = api_client.post(API, draft_data, format="json").json()["id"]
    api_client.post(f"{API}{campaign_id}/submit/")
    api_client.force_authenticate(second_manager)
    api_client.post(f"{API}{campaign_id}/approve/")
    counts = api_client.get(f"{API}{campaign_id}/launch/").json()
    assert set(counts) >= {"by_channel", "holdout", "no_consent", "contacted", "overlaps"}
    for body in (None, {"confirm": False}, {"confirm": "maybe"}):  # no confirmation: nothing is launched
        refused = api_client.post(f"{API}{campaign_id}/launch/", body, format="json")
        assert refused.status_code == 400 and "confirm" in refused.json()
    assert Campaign.objects.get(pk=campaign_id).status == CampaignStatus.APPROVED and queued == []
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"{API}{campaign_id}/launch/", {"confirm": True}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "running"
    assert response.json()["approved_by"] == "manager2" and response.json()["created_by"] == "manager"
    assert queued == [("fanout", campaign_id)]


def test_recipients_are_paginated_and_masked(api_client, manager, branch, product):
    campaign = _campaign(branch, product, manager, CampaignStatus.RUNNING)
    customer = customer_with(branch=branch, mobile="+8613912345678", email="wang.fang@example.com")
    CampaignRecipient.objects.create(campaign=campaign, customer=customer, channel="SMS")
    api_client.force_authenticate(manager)
    data = api_client.get(f"{API}{campaign.pk}/recipients/?status=pending").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert (row["masked_mobile"], row["masked_email"]) == ("139****5678", "w***@example.com")
    assert api_client.get(f"{API}{campaign.pk}/recipients/?status=bogus").status_code == 400


def test_an_outcome_with_a_bad_value_is_a_400(api_client, teller, branch, product, second_manager):
    offer = _counter_offer(branch, product, second_manager)
    api_client.force_authenticate(teller)
    assert api_client.post(f"{API}recipients/{offer.pk}/outcome/", {"outcome": "maybe"},
                           format="json").status_code == 400
    assert api_client.post(f"{API}recipients/999999/outcome/", {"outcome": "declined"},
                           format="json").status_code == 404


def test_the_campaigns_endpoints_are_in_the_openapi_schema(api_client, manager):
    api_client.force_authenticate(manager)
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in (API, f"{API}preview/", f"{API}{{campaign_id}}/launch/", f"{API}{{campaign_id}}/call-list.csv",
                 f"{API}recipients/{{recipient_id}}/outcome/", f"{API}{{campaign_id}}/results/"):
        assert path in paths, path
    assert MESSAGES  # the factories' messages are the documented shape


def test_the_call_list_reveal_is_a_post_logged_per_customer_as_an_api_read(api_client, manager, branch, product):
    campaign = _campaign(branch, product, manager, CampaignStatus.RUNNING)
    customer = customer_with(branch=branch, mobile="+8613912345678")
    CampaignRecipient.objects.create(campaign=campaign, customer=customer, channel="PHONE",
                                     status=RecipientStatus.SENT, sent_at=timezone.now())
    api_client.force_authenticate(manager)
    url = f"{API}{campaign.pk}/call-list.csv"
    refused = api_client.get(url, {"reveal": "1"})
    assert refused.status_code == 400 and "13912345678" not in refused.content.decode()
    masked = api_client.get(url)
    assert "139****5678" in masked.content.decode("utf-8-sig")
    revealed = api_client.post(url, {"reveal": True}, format="json")
    assert "+8613912345678" in revealed.content.decode("utf-8-sig")
    assert all("no-store" in r["Cache-Control"] for r in (masked, revealed))
    rows = CustomerAccessLog.objects.filter(customer=customer, user=manager)
    assert sorted(rows.values_list("via", "action", "field")) == [("api", "reveal", "mobile"), ("api", "view", "")]
    assert api_client.post(url, {"reveal": "perhaps"}, format="json").status_code == 400


def test_the_recipient_list_and_an_outcome_are_customer_reads_through_the_api(api_client, manager, teller, branch,
                                                                               product, second_manager):
    campaign = _campaign(branch, product, manager, CampaignStatus.RUNNING)
    listed = customer_with(branch=branch)
    CampaignRecipient.objects.create(campaign=campaign, customer=listed, channel="SMS")
    api_client.force_authenticate(manager)
    response = api_client.get(f"{API}{campaign.pk}/recipients/")
    assert "no-store" in response["Cache-Control"]
    assert list(CustomerAccessLog.objects.filter(user=manager).values_list("customer_id", "via")) == [
        (listed.pk, "api")]
    offer = _counter_offer(branch, product, second_manager)
    api_client.force_authenticate(teller)
    response = api_client.post(f"{API}recipients/{offer.pk}/outcome/", {"outcome": "interested"}, format="json")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert list(CustomerAccessLog.objects.filter(user=teller).values_list("customer_id", "via")) == [
        (offer.customer_id, "api")]
