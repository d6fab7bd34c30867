"""The branch dashboard page: who reaches it, what it shows, bad input, and the navigation link."""

from decimal import Decimal

import pytest
from django.urls import reverse

from customers.tests.factories import CustomerFactory

from .factories import CustomerScoreFactory, ScoreRunFactory

pytestmark = pytest.mark.django_db
URL = reverse("scoring:branch-dashboard")


@pytest.fixture
def scores(branch, other_branch):
    for tier, aum in [("AAA", "500000.00"), ("A", "1000.00"), ("A", "2000.00")]:
        CustomerScoreFactory(customer=CustomerFactory(home_branch=branch), tier=tier, aum=Decimal(aum),
                             alerts=[{"code": "dormant", "days": 200}])
    CustomerScoreFactory(customer=CustomerFactory(home_branch=other_branch), tier="C", aum=Decimal("7.00"))
    return ScoreRunFactory()


@pytest.mark.parametrize(("persona", "status"), [("teller", 403), ("channel_system", 403), ("manager", 200),
                                                 ("other_branch_manager", 200), ("admin_user", 200)])
def test_only_managers_and_admins_reach_the_dashboard(request, client_for, persona, status):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == status


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert (response.status_code, response["Location"].startswith("/login/?next=")) == (302, True)


def test_a_manager_sees_their_own_branch_with_charts_and_tables(client_for, manager, branch, scores):
    response = client_for(manager).get(URL)
    html = response.content.decode()
    assert response.context["dashboard"]["branch"] == branch
    assert branch.name in html
    assert 'id="id_branch"' not in html  # no picker: one branch only
    for canvas in ["chart-tiers", "chart-aum", "chart-channels", "chart-self-service", "chart-categories",
                   "chart-alerts"]:
        assert f'id="{canvas}"' in html
    assert 'id="dashboard-data"' in html
    assert '<dd id="total-customers">3</dd>' in html
    assert "CNY 503,000.00" in html  # the AUM total, English grouping
    alerts = reverse("scoring:alert-customers", kwargs={"code": "dormant"})
    assert (f'<tr data-code="dormant"><td><a href="{alerts}" class="alert-badge alert-warn">Dormant</a></td>'
            f'<td class="num"><a href="{alerts}">3</a></td>') in html
    assert "Scores as of" in html
    assert "<script>" not in html  # CSP: data via json_script only
    charts = response.context["charts"]
    assert charts["tiers"] == {"labels": ["AAA", "AA", "A", "B", "C"], "customers": [1, 0, 2, 0, 0],
                               "aum": ["500000.00", "0.00", "3000.00", "0.00", "0.00"]}


def test_a_manager_asking_for_another_branch_gets_a_404(client_for, manager, scores):
    response = client_for(manager).get(URL, {"branch": "BJ001"})
    assert response.status_code == 404
    assert "BJ001" in response.content.decode()


def test_an_admin_gets_all_branches_and_a_picker(client_for, admin_user, scores):
    client = client_for(admin_user)
    html = client.get(URL).content.decode()
    assert "All branches" in html
    assert '<option value="BJ001">' in html
    assert '<dd id="total-customers">4</dd>' in html
    response = client.get(URL, {"branch": "BJ001"})
    assert response.status_code == 200
    assert '<dd id="total-customers">1</dd>' in response.content.decode()
    assert '<option value="BJ001" selected>' in response.content.decode()


@pytest.mark.parametrize(("query", "status"), [({"branch": "NOPE"}, 404), ({"branch": "A" * 300}, 400),
                                               ({"branch": "\x00"}, 400), ({"branch": ""}, 200),
                                               ({"unknown": "x"}, 200)])
def test_bad_input_is_a_4xx_never_a_500(client_for, admin_user, query, status):
    assert client_for(admin_user).get(URL, query).status_code == status


def test_without_scores_the_page_says_so_and_draws_no_chart(client_for, manager, branch):
    CustomerFactory(home_branch=branch)
    html = client_for(manager).get(URL).content.decode()
    assert "Scores not computed yet." in html
    assert "No score refresh has finished yet." in html
    assert "chart-tiers" not in html


def test_the_navigation_links_the_dashboard_for_managers_only(client_for, manager, teller):
    assert f'href="{URL}"' in client_for(manager).get(reverse("teller:home")).content.decode()
    assert f'href="{URL}"' not in client_for(teller).get(reverse("teller:home")).content.decode()


def test_the_page_costs_a_fixed_number_of_queries(client_for, manager, branch, scores,
                                                  django_assert_max_num_queries):
    client = client_for(manager)
    client.get(URL)
    for _n in range(15):
        CustomerScoreFactory(customer=CustomerFactory(home_branch=branch))
    # session, user, permissions (2), staff profile, the dashboard (4), session save (3)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200


def test_the_page_and_its_chart_labels_speak_chinese(client_for, manager, scores):
    response = client_for(manager).get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert '<html lang="zh-hans">' in response.content.decode()
    assert response.context["charts"]["channels"]["labels"][0] == "手机银行"
