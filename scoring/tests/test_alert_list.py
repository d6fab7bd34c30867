"""The customers behind one bar of the dashboard's alert chart: scope, masking, logging, paging, bad input."""

from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import AccessVia, CustomerAccessLog
from customers.tests.factories import CustomerFactory

from .factories import CustomerScoreFactory, ScoreRunFactory

pytestmark = pytest.mark.django_db
DORMANT = reverse("scoring:alert-customers", kwargs={"code": "dormant"})


@pytest.fixture
def alerted(branch, other_branch):
    ScoreRunFactory()
    rich = CustomerScoreFactory(customer=CustomerFactory(home_branch=branch, full_name="欧阳娜娜"), tier="AAA",
                                value_score=Decimal("99.00"), alerts=[{"code": "dormant", "days": 200},
                                                                      {"code": "birthday", "days": 3}])
    plain = CustomerScoreFactory(customer=CustomerFactory(home_branch=branch, full_name="张伟"), tier="B",
                                 value_score=Decimal("20.00"), alerts=[{"code": "dormant", "days": 120}])
    CustomerScoreFactory(customer=CustomerFactory(home_branch=branch, full_name="李雷"),
                         alerts=[{"code": "birthday", "days": 1}])
    far = CustomerScoreFactory(customer=CustomerFactory(home_branch=other_branch, full_name="王芳"),
                               alerts=[{"code": "dormant", "days": 400}])
    return rich.customer, plain.customer, far.customer


def test_the_list_shows_the_branchs_customers_with_that_alert_masked_and_linked(client_for, manager, alerted):
    rich, plain, _far = alerted
    response = client_for(manager).get(DORMANT)
    html = response.content.decode()
    assert response.status_code == 200
    assert [row["customer"] for row in response.context["rows"]] == [rich, plain]  # most valuable first
    assert "欧阳**" in html and "张*" in html
    assert "欧阳娜娜" not in html and "王芳" not in html and "李雷" not in html
    assert 'data-tier="AAA"' in html and 'data-tier="B"' in html
    assert f'href="{reverse("teller:customer", kwargs={"customer_no": rich.customer_no})}"' in html
    assert "No transactions for 200 days" in html
    assert rich.mobile not in html


def test_the_page_is_logged_per_customer_and_never_cached(client_for, manager, alerted):
    rich, plain, _far = alerted
    response = client_for(manager).get(DORMANT)
    assert "no-store" in response["Cache-Control"]
    logged = set(CustomerAccessLog.objects.filter(user=manager, via=AccessVia.PAGE).values_list("customer", flat=True))
    assert logged == {rich.pk, plain.pk}


def test_the_dashboard_links_each_alert_row_and_bar_to_its_list(client_for, manager, alerted):
    response = client_for(manager).get(reverse("scoring:branch-dashboard"))
    html = response.content.decode()
    assert f'<a href="{DORMANT}" class="alert-badge alert-warn">Dormant</a>' in html
    alerts = response.context["charts"]["alerts"]
    assert alerts["urls"][alerts["labels"].index("Dormant")] == DORMANT


def test_an_admin_lists_every_branch_or_the_one_chosen(client_for, admin_user, alerted):
    rich, plain, far = alerted
    client = client_for(admin_user)
    assert {row["customer"] for row in client.get(DORMANT).context["rows"]} == {rich, plain, far}
    response = client.get(DORMANT, {"branch": "BJ001"})
    assert [row["customer"] for row in response.context["rows"]] == [far]
    dashboard = client.get(reverse("scoring:branch-dashboard"), {"branch": "BJ001"})
    assert f'href="{DORMANT}?branch=BJ001"' in dashboard.content.decode()


def test_a_manager_cannot_list_another_branch(client_for, manager, alerted):
    assert client_for(manager).get(DORMANT, {"branch": "BJ001"}).status_code == 404


@pytest.mark.parametrize(("persona", "status"), [("teller", 403), ("channel_system", 403), ("manager", 200),
                                                 ("admin_user", 200)])
def test_only_those_who_see_the_dashboard_see_the_lists(request, client_for, persona, status):
    assert client_for(request.getfixturevalue(persona)).get(DORMANT).status_code == status


@pytest.mark.parametrize(("code", "query", "status"), [("nope", {}, 404), ("x" * 300, {}, 404),
                                                       ("dormant", {"branch": "A" * 300}, 400),
                                                       ("dormant", {"page": "abc"}, 200),
                                                       ("dormant", {"page": "99"}, 200)])
def test_bad_input_is_a_4xx_never_a_500(client_for, manager, alerted, code, query, status):
    response = client_for(manager).get(reverse("scoring:alert-customers", kwargs={"code": code}), query)
    assert response.status_code == status


def test_an_unknown_alert_kind_says_so(client_for, manager):
    html = client_for(manager).get(reverse("scoring:alert-customers", kwargs={"code": "nope"})).content.decode()
    assert "There is no alert kind “nope”" in html


def test_the_list_pages_by_fifty(client_for, manager, branch):
    for _n in range(51):
        CustomerScoreFactory(customer=CustomerFactory(home_branch=branch), alerts=[{"code": "kyc_due"}])
    url = reverse("scoring:alert-customers", kwargs={"code": "kyc_due"})
    client = client_for(manager)
    first = client.get(url)
    assert len(first.context["rows"]) == 50
    assert "?page=2" in first.content.decode()
    assert len(client.get(url, {"page": 2}).context["rows"]) == 1


def test_the_list_costs_a_fixed_number_of_queries(client_for, manager, branch, alerted,
                                                  django_assert_max_num_queries):
    client = client_for(manager)
    client.get(DORMANT)
    for _n in range(10):
        CustomerScoreFactory(customer=CustomerFactory(home_branch=branch), alerts=[{"code": "dormant"}])
    # session, user, permissions (2), staff profile, count, page, access log (read + write), session save
    with django_assert_max_num_queries(16):
        assert client.get(DORMANT).status_code == 200


def test_the_list_speaks_chinese(client_for, manager, alerted):
    html = client_for(manager).get(DORMANT, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Dormant" not in html and "No transactions" not in html
    assert "欧阳**" in html
