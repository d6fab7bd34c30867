"""Who may do what with the counter (DESIGN §8), role × endpoint, and a kiosk token can read nothing else."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from campaigns.tests.factories import CampaignFactory
from counter.models import Counter

from .factories import CounterFactory, TicketFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "kiosk", "teller", "manager", "admin", "channel_system"]


@pytest.fixture
def clients(kiosk_client, teller, manager, admin_user, channel_token):
    def session(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {channel_token.key}")
    return {"anonymous": APIClient(), "kiosk": kiosk_client, "teller": session(teller), "manager": session(manager),
            "admin": session(admin_user), "channel_system": token}


@pytest.fixture
def scene(branch, b_customer):
    """A counter each role can open (one per role, so the answers don't depend on the order) and a waiting ticket."""
    counters = {role: CounterFactory(branch=branch, code=f"A{i:02d}") for i, role in enumerate(ROLES)}
    TicketFactory(branch=branch, number="A001", customer=b_customer)
    return {"counters": counters, "customer": b_customer}


# (method, path template, body, expected status per role in ROLES order)
TABLE = [
    ("post", "/api/v1/counter/tickets/", {"branch": "SH001", "service": "ACCOUNT"}, [401, 201, 403, 403, 403, 403]),
    ("get", "/api/v1/counter/counters/", None, [401, 403, 200, 200, 200, 403]),
    ("post", "/api/v1/counter/counters/{counter}/open/", None, [401, 403, 200, 200, 200, 403]),
    ("post", "/api/v1/counter/counters/{counter}/close/", None, [401, 403, 200, 200, 200, 403]),
    ("post", "/api/v1/counter/counters/{counter}/call-next/", None, [401, 403, 403, 403, 403, 403]),
    ("post", "/api/v1/counter/tickets/A001/done/", None, [401, 403, 403, 403, 403, 403]),
    ("get", "/api/v1/counter/stats/", None, [401, 403, 403, 200, 200, 403]),
    # a kiosk token reads nothing else: customers, the 360, search, transactions, scores, campaigns
    ("get", "/api/v1/customers/?q=13800001111", None, [401, 403, 200, 200, 200, 403]),
    ("get", "/api/v1/customers/{customer_no}/", None, [401, 403, 200, 200, 200, 403]),
    ("get", "/api/v1/transactions/batches/", None, [401, 403, 403, 200, 200, 200]),
    ("get", "/api/v1/scores/branches/", None, [401, 403, 403, 200, 200, 403]),
    ("get", "/api/v1/scores/runs/", None, [401, 403, 403, 200, 200, 403]),
    ("get", "/api/v1/campaigns/", None, [401, 403, 403, 200, 200, 403]),
    ("get", "/api/v1/campaigns/{campaign}/recipients/", None, [401, 403, 403, 200, 200, 403]),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), TABLE, ids=[f"{m} {p}" for m, p, _b, _e in TABLE])
@pytest.mark.parametrize("role", ROLES)
def test_role_by_endpoint(clients, scene, branch, role, method, path, body, expected):
    campaign = CampaignFactory(branch=branch)
    url = path.format(counter=scene["counters"][role].pk, customer_no=scene["customer"].customer_no,
                      campaign=campaign.pk)
    response = getattr(clients[role], method)(url, body, format="json") if body else \
        getattr(clients[role], method)(url)
    assert response.status_code == expected[ROLES.index(role)], (role, url, response.content[:200])


@pytest.mark.parametrize("path", ["/", "/search/?q=13800001111", "/counter/", "/counter/lobby/", "/counter/bar/",
                                  "/scores/branch/", "/access/", "/campaigns/", "/transactions/batches/"])
def test_a_kiosk_login_gets_no_page_with_customer_data(client, kiosk, b_customer, path):
    client.force_login(kiosk)
    response = client.get(path)
    if path == "/":
        assert response.status_code == 200
        assert b_customer.full_name not in response.content.decode()
    else:
        assert response.status_code == 403, path


def test_a_kiosk_has_no_password_and_is_bound_to_its_branch(kiosk, branch):
    assert not kiosk.has_usable_password()
    assert not kiosk.is_staff
    assert kiosk.staff_profile.branch == branch
    assert kiosk.staff_profile.role == "kiosk"
    assert list(kiosk.groups.values_list("name", flat=True)) == ["kiosk"]
    assert kiosk.get_all_permissions() == {"counter.add_ticket"}


def test_a_kiosk_cannot_open_a_counter_of_its_branch(kiosk_client, branch):
    counter = CounterFactory(branch=branch, code="A01")
    assert kiosk_client.post(f"/api/v1/counter/counters/{counter.pk}/open/").status_code == 403
    assert not Counter.objects.get(pk=counter.pk).is_open


def test_the_create_kiosk_command_prints_a_working_token(branch):
    import io

    from django.core.management import call_command
    from rest_framework.test import APIClient

    out = io.StringIO()
    call_command("create_kiosk", "kiosk_cmd", "SH001", stdout=out)
    token = out.getvalue().rsplit("Token ", 1)[1].strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/counter/tickets/", {"branch": "SH001", "service": "LOAN"},
                       format="json").status_code == 201
