"""The scores API: the branch dashboard, the per-branch summary, the runs; who may call what; the schema."""

import json
from decimal import Decimal

import pytest

from customers.models import AccessVia, CustomerAccessLog
from customers.tests.factories import CustomerFactory
from scoring.models import RunKind, RunStatus

from .factories import CustomerScoreFactory, ScoreRunFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scores(branch, other_branch):
    for tier, aum, mix in [("AAA", "1234567.89", {"MOBILE": 1.0}), ("B", "0.11", {"COUNTER": 0.5, "ATM": 0.5})]:
        CustomerScoreFactory(customer=CustomerFactory(home_branch=branch), tier=tier, aum=Decimal(aum),
                             channel_mix=mix, alerts=[{"code": "id_expiring", "days": 3, "date": "2026-12-01"}])
    CustomerFactory(home_branch=branch)
    CustomerScoreFactory(customer=CustomerFactory(home_branch=other_branch), tier="C")
    ScoreRunFactory(kind=RunKind.FULL)
    return ScoreRunFactory(kind=RunKind.INCREMENTAL, status=RunStatus.FAILED, finished_at=None, error="boom")


@pytest.fixture
def as_manager(api_client, manager):
    api_client.force_login(manager)
    return api_client


def test_the_dashboard_json_has_every_figure_with_decimals_as_strings(as_manager, scores, branch):
    body = as_manager.get("/api/v1/scores/branches/SH001/").json()
    assert body["branch"] == {"code": "SH001", "name": branch.name}
    assert body["customers"] == {"total": 3, "scored": 2, "not_scored": 1}
    assert body["tiers"][0] == {"tier": "AAA", "customers": 1, "aum": "1234567.89"}
    assert body["tiers"][3] == {"tier": "B", "customers": 1, "aum": "0.11"}
    assert body["aum_total"] == "1234568.00"
    assert body["channel_mix"] == {"customers": 2, "shares": [
        {"channel": "MOBILE", "label": "Mobile banking", "share": "0.5000"},
        {"channel": "ATM", "label": "ATM", "share": "0.2500"},
        {"channel": "COUNTER", "label": "Counter", "share": "0.2500"}]}
    assert body["self_service"] == {"customers": 2, "adopters": 2, "adoption": "1.0000", "mean_ratio": "0.9000",
                                    "threshold": "0.5000"}
    assert body["top_categories"]["shares"][0] == {"category": "DINING", "label": "Dining", "share": "0.5000"}
    assert {"code": "id_expiring", "label": "ID document expiring", "severity": "high", "customers": 2} in body[
        "alerts"]
    assert body["run"]["kind"] == "full"
    assert set(body["run"]) == {"id", "kind", "as_of", "finished_at"}


def test_the_dashboard_labels_follow_the_requests_language(as_manager, scores):
    body = as_manager.get("/api/v1/scores/branches/SH001/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["channel_mix"]["shares"][0]["label"] == "手机银行"


@pytest.mark.parametrize("code", ["NOPE", "BJ001", "%00", "X" * 100])
def test_a_branch_the_manager_may_not_see_or_that_does_not_exist_is_a_404(as_manager, scores, code):
    response = as_manager.get(f"/api/v1/scores/branches/{code}/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_the_branch_summary_lists_every_branch_for_an_admin_and_their_own_for_a_manager(
        api_client, admin_user, manager, scores):
    api_client.force_login(admin_user)
    lines = api_client.get("/api/v1/scores/branches/").json()
    assert [line["code"] for line in lines] == ["BJ001", "SH001"]
    sh = lines[1]
    assert (sh["customers"], sh["scored"], sh["aum"]) == (3, 2, "1234568.00")
    assert sh["tiers"] == {"AAA": 1, "AA": 0, "A": 0, "B": 1, "C": 0}
    assert sh["mean_value_score"] == "61.25"
    api_client.force_login(manager)
    assert [line["code"] for line in api_client.get("/api/v1/scores/branches/").json()] == ["SH001"]


def test_the_runs_are_listed_newest_first_and_can_be_filtered(as_manager, scores):
    body = as_manager.get("/api/v1/scores/runs/").json()
    assert body["count"] == 2
    newest = body["results"][0]
    assert (newest["kind"], newest["status"], newest["error"], newest["finished_at"]) == (
        "incremental", "failed", "boom", None)
    assert "customer_ids" not in newest and "cutoffs" not in newest
    assert as_manager.get("/api/v1/scores/runs/", {"status": "done"}).json()["count"] == 1


@pytest.mark.parametrize("query", [{"kind": "weekly"}, {"status": "DONE!"}])
def test_a_bad_run_filter_is_a_400(as_manager, query):
    response = as_manager.get("/api/v1/scores/runs/", query)
    assert response.status_code == 400
    assert list(response.json()) == list(query)


def test_a_page_past_the_end_is_a_404(as_manager, scores):
    assert as_manager.get("/api/v1/scores/runs/", {"page": "x"}).status_code == 404


def test_the_customers_with_one_alert_come_masked_paged_and_logged(as_manager, manager, branch, scores):
    response = as_manager.get("/api/v1/scores/branches/SH001/alerts/id_expiring/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.json()
    assert body["count"] == 2
    assert [row["tier"] for row in body["results"]] == ["AAA", "B"]  # most valuable first
    row = body["results"][0]
    assert set(row) == {"customer_no", "masked_name", "home_branch", "tier", "severity", "text"}
    assert row["masked_name"].endswith("*") and row["home_branch"] == "SH001" and row["severity"] == "high"
    assert "3 天" in row["text"]
    assert "no-store" in response["Cache-Control"]
    listed = {row["customer_no"] for row in body["results"]}
    assert set(CustomerAccessLog.objects.filter(user=manager, via=AccessVia.API)
               .values_list("customer__customer_no", flat=True)) == listed


def test_an_unknown_alert_kind_is_a_404_that_says_so(as_manager, scores):
    response = as_manager.get("/api/v1/scores/branches/SH001/alerts/nope/")
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


# --- who may do what (DESIGN §8) ------------------------------------------------------------------------

ENDPOINTS = {"summary": "/api/v1/scores/branches/", "own": "/api/v1/scores/branches/SH001/",
             "other": "/api/v1/scores/branches/BJ001/", "runs": "/api/v1/scores/runs/",
             "alerts": "/api/v1/scores/branches/SH001/alerts/dormant/"}
EXPECTED = {
    "teller": {"summary": 403, "own": 403, "other": 403, "runs": 403, "alerts": 403},
    "manager": {"summary": 200, "own": 200, "other": 404, "runs": 200, "alerts": 200},
    "other_branch_manager": {"summary": 200, "own": 404, "other": 200, "runs": 200, "alerts": 404},
    "admin_user": {"summary": 200, "own": 200, "other": 200, "runs": 200, "alerts": 200},
    "channel_system": {"summary": 403, "own": 403, "other": 403, "runs": 403, "alerts": 403},
    "anonymous": {"summary": 401, "own": 401, "other": 401, "runs": 401, "alerts": 401},
}


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_role_endpoint_matrix(request, api_client, branch, other_branch, persona, endpoint):
    if persona == "channel_system":
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {request.getfixturevalue('channel_token').key}")
    elif persona != "anonymous":
        api_client.force_login(request.getfixturevalue(persona))
    response = api_client.get(ENDPOINTS[endpoint])
    assert response.status_code == EXPECTED[persona][endpoint], response.content


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_writes_are_not_allowed(api_client, admin_user, branch, endpoint):
    api_client.force_login(admin_user)
    assert api_client.post(ENDPOINTS[endpoint], {}, format="json").status_code == 405


def test_the_openapi_schema_documents_the_scores_endpoints_and_the_360_scores(api_client, manager):
    api_client.force_authenticate(manager)
    schema = json.loads(api_client.get("/api/schema/", {"format": "json"}).content)
    for path in ["/api/v1/scores/branches/", "/api/v1/scores/branches/{code}/", "/api/v1/scores/runs/",
                 "/api/v1/scores/branches/{code}/alerts/{kind}/"]:
        assert "get" in schema["paths"][path], path
    components = schema["components"]["schemas"]
    c360 = components["Customer360"]["properties"]
    assert "ScoreCard" in json.dumps(c360["scores"])
    assert c360["alerts"]["items"]["$ref"] == "#/components/schemas/Alert"
    assert components["ScoreCard"]["properties"]["aum"]["format"] == "decimal"
    assert components["BranchDashboard"]["properties"]["run"]
